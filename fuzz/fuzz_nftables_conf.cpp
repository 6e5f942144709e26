// /etc/nftables.conf with the files it includes, read as `nft -f` reads them
// for the table names it declares. The input is split at "\n--- PATH\n"
// lines into in-memory files. Properties: it ends, every file it read exists,
// none twice, and no more than the cap.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "audit/config_files.h"
#include "audit/firewall_persistence.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  hostward::audit::ConfigFiles files;
  std::string path = "/etc/nftables.conf";
  size_t start = 0;
  while (true) {
    const size_t mark = text.find("\n--- ", start);
    files.memory[path] += text.substr(start, mark == std::string::npos ? mark : mark - start);
    if (mark == std::string::npos) break;
    const size_t eol = text.find('\n', mark + 5);
    path = text.substr(mark + 5, eol == std::string::npos ? eol : eol - mark - 5);
    if (path.empty() || path[0] != '/') path = "/etc/" + path;
    if (eol == std::string::npos) break;
    start = eol + 1;
  }
  const auto config = hostward::audit::read_nft_config(files, "/etc/nftables.conf");
  if (!config) return 0;
  if (config->files.size() > 128) abort();
  std::set<std::string> seen;
  for (const auto& f : config->files)
    if (!files.memory.count(f) || !seen.insert(f).second) abort();
  return 0;
}

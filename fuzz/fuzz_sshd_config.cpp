// sshd_config as hostward computes its effective values: the input is split
// at the first NUL into the main file and one included file. Properties:
// PermitRootLogin is one of sshd's values; every problem names a file that
// exists; nothing else but the two files is read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "audit/sshd_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  hostward::audit::ConfigFiles files;
  files.memory["/etc/ssh/sshd_config"] = input.substr(0, nul);
  files.memory["/etc/ssh/sshd_config.d/50-cloud-init.conf"] =
      nul == std::string::npos ? "" : input.substr(nul + 1);
  hostward::audit::SshdConnection c;
  const auto e = hostward::audit::effective_sshd_config(files, "/etc/ssh/sshd_config", c);
  static const std::set<std::string> kRoot = {"yes", "no", "prohibit-password",
                                              "forced-commands-only"};
  if (!e.refused() && !kRoot.count(e.permit_root_login())) abort();
  for (const auto& p : e.problems)
    if (!files.memory.count(p.file)) abort();
  volatile bool sink = e.accepts_passwords();
  (void)sink;
  return 0;
}

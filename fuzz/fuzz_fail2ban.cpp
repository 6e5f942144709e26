// fail2ban's jail files as hostward reads them, the input split at NUL bytes
// into jail.conf, jail.local and an included paths file. Properties: the
// reader ends, reads at most the files there are, and an sshd jail it names
// is an enabled one of its jails.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "audit/fail2ban.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const char* names[] = {"/etc/fail2ban/jail.conf", "/etc/fail2ban/jail.local",
                         "/etc/fail2ban/paths-debian.conf"};
  hostward::audit::ConfigFiles files;
  size_t start = 0;
  for (const char* name : names) {
    const size_t nul = input.find('\0', start);
    files.memory[name] = input.substr(start, nul == std::string::npos ? nul : nul - start);
    if (nul == std::string::npos) break;
    start = nul + 1;
  }
  const auto config = hostward::audit::read_fail2ban(files);
  if (config.files_read.size() > 256) abort();
  if (const auto* jail = config.sshd_jail()) {
    if (!jail->enabled) abort();
    if (jail < config.jails.data() || jail >= config.jails.data() + config.jails.size()) abort();
  }
  return 0;
}

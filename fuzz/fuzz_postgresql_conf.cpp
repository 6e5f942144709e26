// postgresql.conf as the server reads it (last value wins, include,
// include_if_exists, include_dir), split at the first NUL into the file and
// one file it may include. Properties: it ends, and every value it keeps has
// a lower-case name.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "audit/postgres_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  hostward::audit::ConfigFiles files;
  files.memory["/etc/postgresql/15/main/postgresql.conf"] = input.substr(0, nul);
  files.memory["/etc/postgresql/15/main/conf.d/ci.conf"] =
      nul == std::string::npos ? "" : input.substr(nul + 1);
  const auto settings =
      hostward::audit::read_postgresql_conf(files, "/etc/postgresql/15/main/postgresql.conf");
  for (const auto& [name, value] : settings.values)
    for (char c : name)
      if (std::isupper(static_cast<unsigned char>(c))) abort();
  return 0;
}

// pg_hba.conf as hostward reads it, split at the first NUL into the file
// and one file it may include. Properties: every record has a known type and
// method; a decision's record is one of the records read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "audit/pg_hba.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  hostward::audit::ConfigFiles files;
  files.memory["/etc/postgresql/16/main/pg_hba.conf"] = input.substr(0, nul);
  files.memory["/etc/postgresql/16/main/ci.conf"] =
      nul == std::string::npos ? "" : input.substr(nul + 1);
  const auto hba = hostward::audit::read_pg_hba(files, "/etc/postgresql/16/main/pg_hba.conf");
  static const std::set<std::string> kTypes = {"local",     "host",       "hostssl",
                                               "hostnossl", "hostgssenc", "hostnogssenc"};
  for (const auto& r : hba.records)
    if (!kTypes.count(r.type) || r.method.empty()) abort();
  for (const char* address : {"203.0.113.5", "198.51.100.1", "2001:db8::5"}) {
    hostward::audit::HbaConnection c;
    c.address = address;
    c.server_addresses = {"198.51.100.2/24", "2001:db8::2/64"};
    const auto d = hostward::audit::decide(hba, c);
    if (d.record != nullptr &&
        (d.record < hba.records.data() || d.record >= hba.records.data() + hba.records.size()))
      abort();
  }
  return 0;
}

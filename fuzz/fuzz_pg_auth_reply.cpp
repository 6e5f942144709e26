// PostgreSQL's first answer to a StartupMessage: R (auth request) or E (error).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probe/protocols/postgres_startup.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto r = hostward::probe::parse_pg_auth_reply(bytes);
  if (r) {
    if (r->message.size() > 512 || r->sqlstate.size() > 512 || r->mechanisms.size() > 8) abort();
    for (const auto& m : r->mechanisms)
      if (m.size() > 64) abort();
  }
  return 0;
}

// iptables-save / ip6tables-save text: tables, chains, rules; bad lines are errors.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "host/iptables_save.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto rs = hostward::host::parse_iptables_save(text);
  size_t total = rs.errors.size();
  for (const auto& t : rs.tables) {
    for (const auto& r : t.rules) {
      total += r.options.size() + r.target_options.size() + r.text.size();
      if (r.line <= 0) abort();  // every rule knows where it came from
    }
  }
  if (rs.errors.size() > 100) abort();  // errors are capped
  volatile size_t sink = total;
  (void)sink;
  return 0;
}

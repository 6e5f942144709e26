// /etc/passwd text: uid -> name, bad lines skipped.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/proc_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto users = hostward::host::parse_passwd(text);
  size_t total = users.size();
  for (const auto& [uid, name] : users) total += uid + name.size();
  volatile size_t sink = total;
  (void)sink;
  return 0;
}

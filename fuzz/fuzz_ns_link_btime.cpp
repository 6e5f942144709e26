// Namespace links ("pid:[4026531836]") and the btime line of /proc/stat, on the same input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/proc_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto ino = hostward::host::parse_ns_link(text);
  const auto btime = hostward::host::parse_boot_time(text);
  volatile uint64_t sink = ino.value_or(0) + static_cast<uint64_t>(btime.value_or(0));
  (void)sink;
  return 0;
}

// /proc/PID/status: "Key:\tvalue" lines, Uid/Gid with four numbers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/proc_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto st = hostward::host::parse_status(text);
  if (st) {
    volatile size_t sink = st->name.size() + static_cast<size_t>(st->tgid) +
                           static_cast<size_t>(st->uid[1]) + static_cast<size_t>(st->has_uid);
    (void)sink;
  }
  return 0;
}

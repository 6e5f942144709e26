// /proc/PID/stat: comm may hold ")" and spaces, lines may be truncated, numbers huge.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/proc_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto st = hostward::host::parse_stat(text);
  if (st) {
    volatile size_t sink = st->comm.size() + static_cast<size_t>(st->pid) +
                           static_cast<size_t>(st->starttime) + static_cast<size_t>(st->rss_pages);
    (void)sink;
  }
  return 0;
}

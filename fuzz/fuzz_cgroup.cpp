// /proc/PID/cgroup (v1 and v2). Property: a container id, when found, is
// exactly 64 lowercase hex characters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "host/proc_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto info = hostward::host::parse_cgroup(text);
  if (!info.container_id.empty()) {
    if (info.container_id.size() != 64) abort();
    for (const char c : info.container_id) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) abort();
    }
  }
  volatile size_t sink = info.path.size() + info.container_id.size() + info.runtime.size();
  (void)sink;
  return 0;
}

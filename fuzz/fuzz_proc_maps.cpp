// /proc/PID/maps as evidence capture reads it. Properties: every region has
// start <= end and four permission characters; a writable anonymous region
// has no inode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "respond/proc_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& r : hostward::respond::parse_maps(text)) {
    if (r.end < r.start || r.perms.size() != 4) abort();
    if (r.writable_anonymous() && r.inode != 0) abort();
  }
  return 0;
}

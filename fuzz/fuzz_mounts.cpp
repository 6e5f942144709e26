// /proc/PID/mountinfo and /etc/fstab as hostward reads them. Properties:
// every entry has a mount point, and mount_holding answers with an entry of
// the table or null.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "audit/mounts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const auto& table :
       {hostward::audit::parse_mountinfo(text), hostward::audit::parse_fstab(text)}) {
    for (const auto& m : table)
      if (m.line <= 0) abort();
    for (const char* path : {"/tmp", "/var/tmp", "/dev/shm", "/"}) {
      const auto* m = hostward::audit::mount_holding(table, path);
      if (m != nullptr && (m < table.data() || m >= table.data() + table.size())) abort();
    }
  }
  return 0;
}

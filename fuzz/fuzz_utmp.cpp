// wtmp/btmp/lastlog bytes: records parsed one by one and through the file
// readers (a memfd stands in for the file).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "authlog/utmp_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hostward::authlog;
  for (size_t at = 0; at + kUtmpRecordSize <= size; at += kUtmpRecordSize) {
    const auto r = parse_utmp_record(data + at);
    if (r && (r->user.size() > 32 || r->line.size() > 32 || r->host.size() > 256)) abort();
  }
  for (size_t at = 0; at + kLastlogRecordSize <= size; at += kLastlogRecordSize)
    parse_lastlog_record(data + at, static_cast<uint32_t>(at / kLastlogRecordSize));
  const int fd = memfd_create("fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (write(fd, data, size) == static_cast<ssize_t>(size)) {
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    std::vector<std::string> errors;
    uint64_t n = 0;
    // /proc/self/fd/N is a symlink: read as a path the user named.
    const auto stats = read_utmp_file(
        path, [&](const UtmpRecord&, uint64_t) { ++n; }, errors, true);
    if (stats.records != size / kUtmpRecordSize) abort();
    if (n + stats.bad_records != stats.records) abort();
    read_lastlog_file(
        path, [](const LastlogEntry&) {}, errors, true);
    looks_like_utmp(path);
  }
  close(fd);
  return 0;
}

// An auth log file's bytes, plain or compressed (libarchive decides by
// content): every line delivered is at most 64 KiB and holds no NUL.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "authlog/text_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = memfd_create("fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (write(fd, data, size) == static_cast<ssize_t>(size)) {
    std::vector<std::string> errors;
    uint64_t previous = 0;
    hostward::authlog::read_text_lines(
        "/proc/self/fd/" + std::to_string(fd),
        [&](std::string_view line, uint64_t number) {
          if (line.size() > hostward::authlog::kMaxLineBytes) abort();
          if (std::memchr(line.data(), 0, line.size()) != nullptr) abort();
          if (number <= previous) abort();
          previous = number;
        },
        errors, true);  // /proc/self/fd/N is a symlink: a path the user named
  }
  close(fd);
  return 0;
}

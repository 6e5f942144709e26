#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hostward::authlog {

constexpr size_t kMaxLineBytes = 64 * 1024;

struct TextStats {
  uint64_t lines = 0;
  uint64_t long_lines = 0;    // over kMaxLineBytes: skipped
  uint64_t binary_lines = 0;  // holding NUL bytes: skipped
};

// Streams the lines of a text log, plain or compressed (gzip, xz, bzip2 and
// zstd, by content, through libarchive), from `path` or stdin for "-".
// Memory stays bounded by kMaxLineBytes whatever the file's size. A read or
// decompression error (truncated .gz) is appended to `errors`; the lines
// before it have been delivered. The file is opened as open_log() does,
// with `named_by_user` as there.
TextStats read_text_lines(
    const std::string& path,
    const std::function<void(std::string_view line, uint64_t number)>& on_line,
    std::vector<std::string>& errors, bool named_by_user = false);

}  // namespace hostward::authlog

#include "lint/source_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hostward::lint {

SourceFile::SourceFile(std::string display_path, std::string real_path, std::string text)
    : path_(std::move(display_path)), real_(std::move(real_path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

Position SourceFile::position(size_t offset) const {
  offset = std::min(offset, text_.size());
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const size_t line = static_cast<size_t>(it - line_starts_.begin());  // 1-based
  const size_t start = line_starts_[line - 1];
  int column = 1;
  for (size_t i = start; i < offset; ++i)
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
  return {static_cast<int>(line), column};
}

size_t SourceFile::offset_of(int line, int column) const {
  if (line < 1) return 0;
  if (static_cast<size_t>(line) > line_starts_.size()) return text_.size();
  return std::min(text_.size(),
                  line_starts_[line - 1] + static_cast<size_t>(std::max(column, 1)) - 1);
}

std::string_view SourceFile::line_text(int line) const {
  if (line < 1 || static_cast<size_t>(line) > line_starts_.size()) return {};
  const size_t start = line_starts_[line - 1];
  size_t end = text_.find('\n', start);
  if (end == std::string::npos) end = text_.size();
  if (end > start && text_[end - 1] == '\r') --end;
  return std::string_view(text_).substr(start, end - start);
}

std::optional<SourceFile> read_source(const std::string& real_path, const std::string& display,
                                      const ReadLimits& limits, std::string& error) {
  const int fd = ::open(real_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    error = errno == ELOOP ? "is a symbolic link, not read" : std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    error = "not a regular file";
    return std::nullopt;
  }
  if (static_cast<size_t>(st.st_size) > limits.max_bytes) {
    ::close(fd);
    error = "file of " + std::to_string(st.st_size) + " bytes is larger than the " +
            std::to_string(limits.max_bytes) + "-byte limit, not read";
    return std::nullopt;
  }
  std::string text;
  text.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  text.resize(got);
  if (text.find('\0') != std::string::npos) {
    error = "binary content (NUL bytes), not read";
    return std::nullopt;
  }
  return SourceFile(display, real_path, std::move(text));
}

}  // namespace hostward::lint

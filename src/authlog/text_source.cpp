#include "authlog/text_source.h"

#include <archive.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "authlog/log_file.h"

namespace hostward::authlog {

namespace {

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

// Splits a stream into lines across read boundaries.
class LineSplitter {
 public:
  LineSplitter(const std::function<void(std::string_view, uint64_t)>& on_line, TextStats& stats)
      : on_line_(on_line), stats_(stats) {}

  void feed(const char* data, size_t size) {
    while (size > 0) {
      const char* nl = static_cast<const char*>(std::memchr(data, '\n', size));
      const size_t take = nl ? static_cast<size_t>(nl - data) : size;
      if (!skipping_) {
        if (carry_.empty() && nl) {
          emit(std::string_view(data, take));
        } else if (carry_.size() + take > kMaxLineBytes) {
          skipping_ = true;
          carry_.clear();
        } else {
          carry_.append(data, take);
          if (nl) {
            emit(carry_);
            carry_.clear();
          }
        }
      }
      if (!nl) return;
      if (skipping_) {
        ++stats_.lines;
        ++stats_.long_lines;
        skipping_ = false;
      }
      data = nl + 1;
      size -= take + 1;
    }
  }

  void finish() {
    if (skipping_) {
      ++stats_.lines;
      ++stats_.long_lines;
    } else if (!carry_.empty()) {
      emit(carry_);
    }
    carry_.clear();
  }

 private:
  void emit(std::string_view line) {
    ++stats_.lines;
    if (line.size() > kMaxLineBytes) {
      ++stats_.long_lines;
      return;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (std::memchr(line.data(), '\0', line.size()) != nullptr) {
      ++stats_.binary_lines;
      return;
    }
    on_line_(line, stats_.lines);
  }

  const std::function<void(std::string_view, uint64_t)>& on_line_;
  TextStats& stats_;
  std::string carry_;
  bool skipping_ = false;
};

}  // namespace

TextStats read_text_lines(const std::string& path,
                          const std::function<void(std::string_view, uint64_t)>& on_line,
                          std::vector<std::string>& errors, bool named_by_user) {
  TextStats stats;
  int fd = STDIN_FILENO;
  if (path != "-") {
    struct stat st {};
    fd = open_log(path, named_by_user, errors, &st);
    if (fd < 0) return stats;
    if (S_ISREG(st.st_mode) && st.st_size == 0) {
      ::close(fd);
      return stats;
    }
  }
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  // Only the formats logrotate writes, all decoded in-process (the "all"
  // set would also run external programs such as lrzip or lzop on their magic).
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_raw(a.get());
  archive_read_support_format_empty(a.get());
  LineSplitter splitter(on_line, stats);
  archive_entry* entry = nullptr;
  int r = archive_read_open_fd(a.get(), fd, 1 << 20);
  if (r == ARCHIVE_OK) r = archive_read_next_header(a.get(), &entry);
  if (r == ARCHIVE_OK) {
    // Small reads: a truncated .gz then still yields what came before the cut.
    constexpr size_t kChunk = 64 * 1024;
    std::unique_ptr<char[]> buffer(new char[kChunk]);
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buffer.get(), kChunk);
      if (n < 0) {
        r = static_cast<int>(n);
        break;
      }
      if (n == 0) break;
      splitter.feed(buffer.get(), static_cast<size_t>(n));
    }
  }
  splitter.finish();
  if (r < 0) {
    const char* why = archive_error_string(a.get());
    errors.push_back(path + ": read stopped after line " + std::to_string(stats.lines) + ": " +
                     (why ? why : "unreadable data"));
  }
  if (stats.long_lines > 0)
    errors.push_back(path + ": " + std::to_string(stats.long_lines) +
                     " line(s) longer than 64 KiB skipped");
  if (stats.binary_lines > 0)
    errors.push_back(path + ": " + std::to_string(stats.binary_lines) +
                     " line(s) with binary data skipped (not a text log?)");
  if (fd != STDIN_FILENO) ::close(fd);
  return stats;
}

}  // namespace hostward::authlog

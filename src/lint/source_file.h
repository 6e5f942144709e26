#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hostward::lint {

struct Position {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in Unicode code points
};

// One file's bytes, kept whole: findings point into it and fixes edit it.
class SourceFile {
 public:
  SourceFile(std::string display_path, std::string real_path, std::string text);

  const std::string& path() const { return path_; }       // as shown, relative to the root
  const std::string& real_path() const { return real_; }  // as opened
  const std::string& text() const { return text_; }
  Position position(size_t offset) const;
  size_t offset_of(int line, int column) const;  // column counted in bytes, 1-based
  std::string_view line_text(int line) const;    // without the newline

 private:
  std::string path_;
  std::string real_;
  std::string text_;
  std::vector<size_t> line_starts_;
};

struct ReadLimits {
  size_t max_bytes = 8u << 20;
};

// Reads a regular file (symlinks refused, NUL bytes refused as binary), or
// nullopt with a message for people in `error`.
std::optional<SourceFile> read_source(const std::string& real_path, const std::string& display,
                                      const ReadLimits& limits, std::string& error);

}  // namespace hostward::lint

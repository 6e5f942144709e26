#pragma once
#include <string>
#include <vector>

namespace hostward::lint::testing {

inline std::string fixture(const std::string& rel) {
  return std::string(HOSTWARD_SOURCE_DIR) + "/tests/lint/fixtures/" + rel;
}

// "path:line:col severity rule" for every finding of a lint of `dir`, paths
// relative to it, in report order.
std::vector<std::string> lint_hits(const std::string& dir);

// Errors of the same run, "path:line: message" relative to `dir`.
std::vector<std::string> lint_errors(const std::string& dir);

}  // namespace hostward::lint::testing

namespace hostward::lint::testing {

// A fresh folder under /tmp, removed with everything in it at the end.
class TempTree {
 public:
  TempTree();
  ~TempTree();
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;
  const std::string& path() const { return path_; }
  std::string write(const std::string& rel, const std::string& content) const;
  std::string read(const std::string& rel) const;
  void copy_from(const std::string& dir) const;  // cp -a dir/. path/

 private:
  std::string path_;
};

}  // namespace hostward::lint::testing

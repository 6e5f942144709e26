#include "lint_test_support.h"

#include "lint/lint.h"
#include "lint/lint_output.h"

namespace hostward::lint::testing {

namespace {

std::string relative(const std::string& path, const std::string& dir) {
  return path.rfind(dir + "/", 0) == 0 ? path.substr(dir.size() + 1) : path;
}

}  // namespace

std::vector<std::string> lint_hits(const std::string& dir) {
  auto run = run_lint({{dir}, {}, 100000});
  sort_findings(*run);
  std::vector<std::string> out;
  for (const auto& f : run->diag.findings()) {
    const auto p = f.loc.file->position(f.loc.offset);
    out.push_back(relative(f.loc.file->path(), dir) + ":" + std::to_string(p.line) + ":" +
                  std::to_string(p.column) + " " + std::string(to_string(f.severity)) + " " +
                  f.rule);
  }
  return out;
}

std::vector<std::string> lint_errors(const std::string& dir) {
  auto run = run_lint({{dir}, {}, 100000});
  std::vector<std::string> out;
  for (const auto& e : run->diag.errors())
    out.push_back(relative(e.path, dir) + ":" + std::to_string(e.line) + ": " + e.message);
  return out;
}

}  // namespace hostward::lint::testing

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hostward::lint::testing {

namespace fs = std::filesystem;

TempTree::TempTree() {
  std::string tmpl = "/tmp/hostward-lint-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempTree::~TempTree() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempTree::write(const std::string& rel, const std::string& content) const {
  const fs::path p = fs::path(path_) / rel;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

std::string TempTree::read(const std::string& rel) const {
  std::ifstream in(fs::path(path_) / rel, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void TempTree::copy_from(const std::string& dir) const {
  fs::copy(dir, path_, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

}  // namespace hostward::lint::testing

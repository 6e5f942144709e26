#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/severity.h"
#include "lint/source_file.h"

namespace hostward::lint {

// A place in a file: the byte where the offending text starts.
struct Loc {
  const SourceFile* file = nullptr;
  size_t offset = 0;
};

// Replace `length` bytes at `offset` with `replacement`.
struct TextEdit {
  const SourceFile* file = nullptr;
  size_t offset = 0;
  size_t length = 0;
  std::string replacement;
};

struct Span {
  size_t begin = 0;
  size_t end = 0;
  std::string shown;  // what people see instead
};

struct LintFinding {
  std::string rule;
  Severity severity = Severity::medium;
  std::string message;
  Loc loc;
  nlohmann::json evidence = nlohmann::json::object();
  std::optional<TextEdit> fix;
  // Credentials on the finding's line, shown redacted wherever the line is:
  // byte ranges of the file where known, else the values themselves.
  std::vector<Span> secret_spans;
  std::vector<std::string> secrets;
};

// The line as outputs show it, each of `secrets` replaced by its redaction.
// `column` (1-based, code points), when given, is moved with the text.
// `line_start` is the file offset of the line's first byte.
std::string shown_line(const LintFinding& f, std::string_view line, size_t line_start,
                       int* column = nullptr);

struct LintError {
  std::string path;
  int line = 0;  // 0 when the error is about the whole file
  std::string message;
};

// Findings and errors of one run. The same finding reached twice (a file
// included by two pipelines, an alias) is kept once.
class Diagnostics {
 public:
  void add(LintFinding f);
  void error(std::string path, int line, std::string message);

  const std::vector<LintFinding>& findings() const { return findings_; }
  std::vector<LintFinding>& findings() { return findings_; }
  const std::vector<LintError>& errors() const { return errors_; }

 private:
  std::vector<LintFinding> findings_;
  std::vector<LintError> errors_;
  std::set<std::tuple<const SourceFile*, size_t, std::string, std::string>> seen_;
};

}  // namespace hostward::lint

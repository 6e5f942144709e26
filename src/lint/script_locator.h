#pragma once
#include <string_view>
#include <unordered_map>

#include "lint/container_spec.h"
#include "lint/diagnostics.h"
#include "lint/shell_lexer.h"

namespace hostward::lint {

// Maps the words of a tokenized script back to the file. A shell file or a
// Dockerfile RUN is the file's bytes verbatim; a YAML `run: |` block was
// decoded (indentation, quoting), so its words are found in the file in
// order, starting at the scalar. A word not found points at the scalar.
class ScriptLocator {
 public:
  static ScriptLocator verbatim(const SourceFile& file, size_t base);
  // `end` bounds the search: the scalar's last byte.
  static ScriptLocator searched(const SourceFile& file, size_t from, size_t end,
                                std::string_view script, const ShellTokens& tokens);

  // The word's text and place; `skip` bytes of the word's raw text are left
  // out (the "--publish=" of "--publish=8080:80"), and `exact` tells whether
  // what remains is the value verbatim (quotes allowed around it).
  Located word(std::string_view script, const ShellWord& w, size_t skip = 0) const;
  Loc loc(const ShellWord& w) const;
  bool located(const ShellWord& w) const { return verbatim_ || found_.count(w.begin) > 0; }
  const SourceFile& file() const { return *file_; }

 private:
  const SourceFile* file_ = nullptr;
  size_t base_ = 0;
  bool verbatim_ = false;
  std::unordered_map<size_t, size_t> found_;  // word.begin -> file offset
};

}  // namespace hostward::lint

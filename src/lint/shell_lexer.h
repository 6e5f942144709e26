#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hostward::lint {

// One shell word. `text` has the quoting removed and every expansion kept as
// written ("${PG_PORT}:5432", "$(curl …)"), so flags and values read the same
// wherever they were quoted.
struct ShellWord {
  std::string text;
  size_t begin = 0;  // byte range of the word in the script
  size_t end = 0;
  bool quoted = false;
  std::vector<std::string> substitutions;  // bodies of $(…), `…`, <(…), >(…)
  bool process_substitution = false;       // the word is <(…) or >(…)
};

struct ShellToken {
  enum class Kind { word, op } kind = Kind::word;
  std::string op;  // ";", "|", "&&", "\n", "<", "2>&1", ... for Kind::op
  ShellWord word;  // for Kind::word
};

struct ShellTokens {
  std::vector<ShellToken> tokens;
  bool truncated = false;  // stopped at the token cap
};

// Tokenizes POSIX/bash text the way a shell does (quotes, backslashes and
// line continuations, comments, here-documents skipped, command and process
// substitution kept inside their word). Azure's $(var) and GitHub's ${{ … }}
// are kept as symbolic text, not as substitutions. Never throws; unterminated
// quotes run to the end.
ShellTokens tokenize_shell(std::string_view script, size_t max_tokens = 200000);

}  // namespace hostward::lint

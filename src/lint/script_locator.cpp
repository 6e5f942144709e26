#include "lint/script_locator.h"

namespace hostward::lint {

ScriptLocator ScriptLocator::verbatim(const SourceFile& file, size_t base) {
  ScriptLocator l;
  l.file_ = &file;
  l.base_ = base;
  l.verbatim_ = true;
  return l;
}

ScriptLocator ScriptLocator::searched(const SourceFile& file, size_t from, std::string_view script,
                                      const ShellTokens& tokens) {
  ScriptLocator l;
  l.file_ = &file;
  l.base_ = from;
  const std::string_view text = file.text();
  size_t cursor = from;
  const size_t window = script.size() * 2 + 4096;
  for (const auto& t : tokens.tokens) {
    if (t.kind != ShellToken::Kind::word) continue;
    const std::string_view raw = script.substr(t.word.begin, t.word.end - t.word.begin);
    if (raw.empty()) continue;
    const size_t at = text.find(raw, cursor);
    if (at == std::string_view::npos || at > cursor + window) continue;
    l.found_[t.word.begin] = at;
    cursor = at + raw.size();
  }
  return l;
}

Loc ScriptLocator::loc(const ShellWord& w) const {
  if (verbatim_) return {file_, base_ + w.begin};
  if (auto it = found_.find(w.begin); it != found_.end()) return {file_, it->second};
  return {file_, base_};
}

Located ScriptLocator::word(std::string_view script, const ShellWord& w, size_t skip) const {
  Located out;
  out.loc = loc(w);
  const bool located = verbatim_ || found_.count(w.begin) > 0;
  std::string_view raw = script.substr(w.begin, w.end - w.begin);
  skip = std::min(skip, raw.size());
  raw.remove_prefix(skip);
  out.loc.offset += skip;
  out.value = w.text.substr(std::min(skip, w.text.size()));
  if (raw.size() >= 2 && (raw.front() == '"' || raw.front() == '\'') && raw.back() == raw.front()) {
    raw = raw.substr(1, raw.size() - 2);
    out.loc.offset += 1;
  }
  out.exact = located && raw == out.value;
  return out;
}

}  // namespace hostward::lint

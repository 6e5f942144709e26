#include "lint/script_locator.h"

namespace hostward::lint {

ScriptLocator ScriptLocator::verbatim(const SourceFile& file, size_t base) {
  ScriptLocator l;
  l.file_ = &file;
  l.base_ = base;
  l.verbatim_ = true;
  return l;
}

ScriptLocator ScriptLocator::searched(const SourceFile& file, size_t from, size_t end,
                                      std::string_view script, const ShellTokens& tokens) {
  ScriptLocator l;
  l.file_ = &file;
  l.base_ = from;
  end = std::min(end, file.text().size());
  if (from >= end) return l;
  const std::string_view text = std::string_view(file.text()).substr(0, end);
  size_t cursor = from;
  int misses = 0;
  for (const auto& t : tokens.tokens) {
    if (t.kind != ShellToken::Kind::word) continue;
    const std::string_view raw = script.substr(t.word.begin, t.word.end - t.word.begin);
    if (raw.empty()) continue;
    const size_t at = text.find(raw, cursor);
    if (at == std::string_view::npos) {
      // escaped text: each miss scans to the end, so give up after a few
      if (++misses > 32) break;
      continue;
    }
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
  std::string_view raw = script.substr(w.begin, w.end - w.begin);
  skip = std::min(skip, w.text.size());
  out.value = w.text.substr(skip);
  // "--publish=8080:80" quoted whole: the option is inside the quotes
  const auto quoted_whole = [](std::string_view r) {
    return r.size() >= 2 && (r.front() == '"' || r.front() == '\'') && r.back() == r.front() &&
           r.substr(1, r.size() - 2).find(r.front()) == std::string_view::npos;
  };
  if (quoted_whole(raw)) {
    raw = raw.substr(1, raw.size() - 2);
    out.loc.offset += 1;
  }
  // --publish="8080:80": the option is outside, its value quoted
  if (raw.substr(0, skip) == std::string_view(w.text).substr(0, skip)) {
    raw.remove_prefix(skip);
    out.loc.offset += skip;
    if (quoted_whole(raw)) {
      raw = raw.substr(1, raw.size() - 2);
      out.loc.offset += 1;
    }
    out.exact = located(w) && raw == out.value;
  }
  return out;
}

}  // namespace hostward::lint

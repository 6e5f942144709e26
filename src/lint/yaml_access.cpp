#include "lint/yaml_access.h"

#include <algorithm>
#include <cctype>

namespace hostward::lint {

namespace {

constexpr size_t kMaxDocuments = 1000;
constexpr size_t kMaxPadding = 4u << 20;  // newlines put before later documents, in all

// YAML::LoadAll (yaml-cpp 0.7) never returns on some invalid input: a stray
// "," at the top level is not consumed and each turn adds an empty document
// (found by fuzz_lint_yaml). YAML::Load reads one document and stops, so the
// documents are loaded one by one, split where the spec splits them: "---"
// at the start of a line, which no scalar may contain. A later document is
// preceded by as many newlines as the file has before it, so its marks keep
// the file's line numbers (loc_of works from lines and columns).
std::vector<YAML::Node> load_documents(const std::string& text) {
  std::vector<size_t> starts = {0};
  for (size_t p = text.find("---"); p != std::string::npos; p = text.find("---", p + 3)) {
    if (p > 0 && text[p - 1] != '\n') continue;
    if (p + 3 < text.size() && !std::isspace(static_cast<unsigned char>(text[p + 3]))) continue;
    if (p > 0) starts.push_back(p);
  }
  if (starts.size() == 1) return {YAML::Load(text)};
  std::vector<YAML::Node> docs;
  size_t newlines = 0, scanned = 0, padding = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    newlines += static_cast<size_t>(std::count(text.begin() + static_cast<long>(scanned),
                                               text.begin() + static_cast<long>(starts[i]), '\n'));
    scanned = starts[i];
    padding += newlines;
    if (i >= kMaxDocuments || padding > kMaxPadding)
      throw WalkLimitExceeded("more than " + std::to_string(i) +
                              " YAML documents of this size in one file");
    const size_t end = i + 1 < starts.size() ? starts[i + 1] : text.size();
    docs.push_back(
        YAML::Load(std::string(newlines, '\n') + text.substr(starts[i], end - starts[i])));
  }
  return docs;
}

}  // namespace

std::optional<std::vector<YAML::Node>> load_yaml(const SourceFile& file, std::string& error,
                                                 int& error_line) {
  try {
    return load_documents(file.text());
  } catch (const YAML::Exception& e) {
    error = e.msg.empty() ? std::string(e.what()) : e.msg;
    error_line = e.mark.is_null() ? 0 : e.mark.line + 1;
  } catch (const WalkLimitExceeded& e) {
    error = e.what();
    error_line = 0;
  } catch (const std::exception& e) {
    error = e.what();
    error_line = 0;
  }
  return std::nullopt;
}

namespace {

void merge_into(const YAML::Node& source, std::vector<YamlEntry>& out, NodeBudget& budget,
                int depth);

void add_entries(const YAML::Node& map, std::vector<YamlEntry>& out, NodeBudget& budget,
                 int depth) {
  std::vector<YAML::Node> merges;
  for (auto it = map.begin(); it != map.end(); ++it) {
    budget.take();
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
    if (key == "<<" && it->first.Tag() != "!") {
      merges.push_back(it->second);
      continue;
    }
    const bool present =
        std::any_of(out.begin(), out.end(), [&](const YamlEntry& e) { return e.key == key; });
    if (!present || key.empty()) out.push_back({key, it->first, it->second});
  }
  for (const auto& m : merges) merge_into(m, out, budget, depth + 1);
}

void merge_into(const YAML::Node& source, std::vector<YamlEntry>& out, NodeBudget& budget,
                int depth) {
  if (depth > 32) throw WalkLimitExceeded("merge keys nested more than 32 deep");
  if (source.IsMap()) {
    add_entries(source, out, budget, depth);
  } else if (source.IsSequence()) {
    for (const auto& m : source) {
      budget.take();
      if (m.IsMap()) add_entries(m, out, budget, depth);
    }
  }
}

}  // namespace

std::vector<YamlEntry> entries(const YAML::Node& map, NodeBudget& budget) {
  std::vector<YamlEntry> out;
  if (map.IsMap()) add_entries(map, out, budget, 0);
  return out;
}

std::vector<YAML::Node> items(const YAML::Node& seq, NodeBudget& budget) {
  std::vector<YAML::Node> out;
  if (!seq.IsSequence()) return out;
  budget.take(seq.size());
  out.reserve(seq.size());
  for (const auto& n : seq) out.push_back(n);
  return out;
}

YAML::Node child(const YAML::Node& map, std::string_view key) {
  if (!map.IsMap()) return YAML::Node();
  std::vector<YAML::Node> merges;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string& k = it->first.Scalar();
    if (k == key) return it->second;
    if (k == "<<" && it->first.Tag() != "!") merges.push_back(it->second);
  }
  for (const auto& m : merges) {
    if (m.IsMap()) {
      if (auto v = child(m, key); !v.IsNull()) return v;
    } else if (m.IsSequence()) {
      for (const auto& e : m)
        if (auto v = child(e, key); !v.IsNull()) return v;
    }
  }
  return YAML::Node();
}

bool has(const YAML::Node& map, std::string_view key) { return !child(map, key).IsNull(); }

std::string scalar(const YAML::Node& node) { return node.IsScalar() ? node.Scalar() : ""; }

bool is_true(const YAML::Node& node) {
  std::string v = scalar(node);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "true" || v == "yes" || v == "on";
}

namespace {

// Skips "&anchor " and "!tag " before a node's content.
size_t skip_properties(const std::string& text, size_t pos) {
  for (int guard = 0; guard < 4 && pos < text.size(); ++guard) {
    if (text[pos] != '&' && text[pos] != '!') break;
    while (pos < text.size() && !std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  }
  return pos;
}

}  // namespace

Loc loc_of(const SourceFile& file, const YAML::Node& node) {
  const auto mark = node.Mark();
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return {&file, 0};
  // yaml-cpp counts columns in bytes and skips a UTF-8 byte order mark
  size_t offset = file.offset_of(mark.line + 1, mark.column + 1);
  if (mark.line == 0 && file.text().rfind("\xEF\xBB\xBF", 0) == 0) offset += 3;
  return {&file, skip_properties(file.text(), std::min(offset, file.text().size()))};
}

ScalarSpan scalar_span(const SourceFile& file, const YAML::Node& node) {
  ScalarSpan span;
  const Loc at = loc_of(file, node);
  const std::string& text = file.text();
  span.begin = at.offset;
  if (!node.IsScalar() || at.offset >= text.size()) return span;
  const char c = text[at.offset];
  if (c == '"' || c == '\'') {
    span.quote = c;
    span.begin = at.offset + 1;
  } else if (c == '|' || c == '>') {
    return span;  // block scalars: content starts on the next line, not exact
  }
  const std::string& value = node.Scalar();
  span.exact = text.compare(span.begin, value.size(), value) == 0;
  return span;
}

namespace {

size_t indentation(const std::string& text, size_t line_start) {
  size_t i = line_start;
  while (i < text.size() && text[i] == ' ') ++i;
  return i - line_start;
}

bool blank_line(const std::string& text, size_t line_start) {
  for (size_t i = line_start; i < text.size() && text[i] != '\n'; ++i)
    if (!std::isspace(static_cast<unsigned char>(text[i]))) return false;
  return true;
}

size_t next_line(const std::string& text, size_t pos) {
  const size_t eol = text.find('\n', pos);
  return eol == std::string::npos ? text.size() : eol + 1;
}

// Past the last line, after `from`, that is blank or indented more than `indent`.
size_t end_of_indented(const std::string& text, size_t from, size_t min_indent) {
  size_t end = from, line = from;
  while (line < text.size()) {
    if (!blank_line(text, line)) {
      if (indentation(text, line) < min_indent) break;
      end = next_line(text, line);
    }
    line = next_line(text, line);
  }
  return end;
}

}  // namespace

size_t scalar_end(const SourceFile& file, const YAML::Node& node) {
  const std::string& text = file.text();
  const size_t at = loc_of(file, node).offset;
  if (at >= text.size()) return text.size();
  const char c = text[at];
  if (c == '"' || c == '\'') {
    for (size_t i = at + 1; i < text.size(); ++i) {
      if (c == '"' && text[i] == '\\') {
        ++i;
      } else if (text[i] == c) {
        if (c == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;
          continue;
        }
        return i + 1;
      }
    }
    return text.size();
  }
  const size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  const size_t own_line = line_start == std::string::npos || at == 0 ? 0 : line_start + 1;
  // the column of the key this scalar belongs to: past "- " entries too
  size_t key = own_line;
  for (;;) {
    while (key < text.size() && text[key] == ' ') ++key;
    if (key + 1 < text.size() && text[key] == '-' && text[key + 1] == ' ') {
      key += 2;
      continue;
    }
    break;
  }
  const size_t own_indent = std::min(key, at) - own_line;
  const size_t after = next_line(text, at);
  if (c == '|' || c == '>') {
    size_t first = after;
    while (first < text.size() && blank_line(text, first)) first = next_line(text, first);
    if (first >= text.size()) return text.size();
    const size_t indent = indentation(text, first);
    if (indent <= own_indent) return after;
    return end_of_indented(text, first, indent);
  }
  return end_of_indented(text, after, own_indent + 1);  // a plain scalar's continuation lines
}

}  // namespace hostward::lint

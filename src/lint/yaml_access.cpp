#include "lint/yaml_access.h"

#include <algorithm>
#include <cctype>

namespace hostward::lint {

namespace {

// YAML::LoadAll (yaml-cpp 0.7) never returns on some invalid input: a stray
// "," at the top level is not consumed and each turn adds an empty document
// (found by fuzz_lint_yaml). YAML::Load reads one document and stops, so the
// documents are loaded one by one, split where the spec splits them: "---"
// at the start of a line, which no scalar may contain. Earlier documents are
// blanked (newlines kept) so every mark stays a position in the whole file.
std::vector<YAML::Node> load_documents(const std::string& text) {
  std::vector<size_t> starts = {0};
  for (size_t p = text.find("---"); p != std::string::npos; p = text.find("---", p + 3)) {
    if (p > 0 && text[p - 1] != '\n') continue;
    if (p + 3 < text.size() && !std::isspace(static_cast<unsigned char>(text[p + 3]))) continue;
    if (p > 0) starts.push_back(p);
  }
  if (starts.size() == 1) return {YAML::Load(text)};
  std::vector<YAML::Node> docs;
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t end = i + 1 < starts.size() ? starts[i + 1] : text.size();
    std::string chunk = text.substr(0, end);
    for (size_t k = 0; k < starts[i]; ++k)
      if (chunk[k] != '\n') chunk[k] = ' ';
    docs.push_back(YAML::Load(chunk));
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
  if (mark.is_null() || mark.pos < 0) return {&file, 0};
  return {&file, skip_properties(file.text(), static_cast<size_t>(mark.pos))};
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

}  // namespace hostward::lint

#include "host/iptables_save.h"

namespace hostward::host {

namespace {

constexpr size_t kMaxLine = 64 * 1024;

bool is_option(const std::string& w) { return w.size() >= 2 && w[0] == '-'; }

}  // namespace

std::vector<std::string> split_rule_words(std::string_view line) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) {
        cur += line[++i];
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

Ruleset parse_iptables_save(std::string_view text) {
  Ruleset rs;
  FirewallTable* table = nullptr;
  int line_no = 0;
  size_t pos = 0;
  auto error = [&](const std::string& what) {
    if (rs.errors.size() < 100)
      rs.errors.push_back("line " + std::to_string(line_no) + ": " + what);
  };
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    if (line.size() > kMaxLine) {
      error("line too long, skipped");
      continue;
    }
    if (line[0] == '*') {
      rs.tables.push_back({std::string(line.substr(1)), {}, {}});
      table = &rs.tables.back();
      continue;
    }
    if (line == "COMMIT") {
      table = nullptr;
      continue;
    }
    if (table == nullptr) {
      error("outside a table: " + std::string(line.substr(0, 80)));
      continue;
    }
    if (line[0] == ':') {
      const auto words = split_rule_words(line.substr(1));
      if (words.size() < 2) {
        error("bad chain line");
        continue;
      }
      table->chains.push_back({words[0], words[1]});
      continue;
    }
    const auto words = split_rule_words(line);
    if (words.size() < 2 || (words[0] != "-A" && words[0] != "-I")) {
      error("not a rule: " + std::string(line.substr(0, 80)));
      continue;
    }
    FirewallRule rule;
    rule.chain = words[1];
    rule.text = std::string(line);
    rule.line = line_no;
    std::string module;
    bool negate_next = false;
    bool in_target = false;
    bool ok = true;
    for (size_t i = 2; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (w == "!") {
        negate_next = true;
        continue;
      }
      if (w == "-m" || w == "--match") {
        if (i + 1 >= words.size()) {
          ok = false;
          break;
        }
        module = words[++i];
        rule.modules.push_back(module);
        continue;
      }
      if (w == "-j" || w == "--jump" || w == "-g" || w == "--goto") {
        if (i + 1 >= words.size()) {
          ok = false;
          break;
        }
        rule.target = words[++i];
        rule.is_goto = (w == "-g" || w == "--goto");
        in_target = true;
        continue;
      }
      if (!is_option(w)) {
        ok = false;
        break;
      }
      RuleOption opt;
      opt.name = w;
      opt.negated = negate_next;
      negate_next = false;
      opt.module = (w.size() > 2 && w[1] == '-') ? module : "";
      // Values run until the next option; "!" inside (old syntax "-s ! x") negates.
      while (i + 1 < words.size() && !is_option(words[i + 1])) {
        if (words[i + 1] == "!") {
          // "! --opt" negates the next option; "--opt ! value" (old style) this one.
          if (i + 2 < words.size() && is_option(words[i + 2])) break;
          opt.negated = true;
          ++i;
          continue;
        }
        opt.values.push_back(words[++i]);
      }
      (in_target ? rule.target_options : rule.options).push_back(std::move(opt));
    }
    if (!ok) {
      error("cannot read rule: " + std::string(line.substr(0, 120)));
      continue;
    }
    table->rules.push_back(std::move(rule));
  }
  if (table != nullptr) {
    line_no = line_no + 1;
    error("table " + table->name + " has no COMMIT");
  }
  return rs;
}

}  // namespace hostward::host

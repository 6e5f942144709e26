#include "audit/fail2ban.h"

#include <fmt/format.h>

#include <set>

namespace hostward::audit {

namespace {

constexpr int kMaxIncludeDepth = 10;
constexpr size_t kMaxFiles = 256;
constexpr int kMaxInterpolationDepth = 10;  // Python's configparser
constexpr size_t kMaxExpansion = 64 * 1024;
// Characters scanned by all expansions of one configuration: references to
// nothing cost no output but still cost time.
constexpr size_t kMaxExpansionSteps = 16'000'000;

struct Value {
  std::string text;
  std::string origin;
};

using Section = std::map<std::string, Value>;

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

class Reader {
 public:
  Reader(const ConfigFiles& files, Fail2banConfig& out) : files_(files), out_(out) {}

  std::map<std::string, Section> sections;

  // A file with its [INCLUDES]: before-files, the file, after-files.
  void read_with_includes(const std::string& path, int depth) {
    // Counted before reading: files that include each other fan out.
    if (depth > kMaxIncludeDepth || reads_ >= kMaxFiles) return;
    ++reads_;
    const auto text = files_.read(path);
    if (!text) return;
    std::map<std::string, Section> own;
    if (!parse(path, *text, own)) return;
    const auto includes = own.find("INCLUDES");
    const auto list = [&](const char* key) {
      std::vector<std::string> names;
      if (includes == own.end()) return names;
      const auto it = includes->second.find(key);
      if (it == includes->second.end()) return names;
      std::string word;
      for (char c : it->second.text + "\n") {
        if (c == ' ' || c == '\t' || c == '\n') {
          if (!word.empty()) names.push_back(relative_to(path, word));
          word.clear();
        } else {
          word += c;
        }
      }
      return names;
    };
    for (const auto& before : list("before")) read_with_local(before, depth + 1);
    out_.files_read.push_back(path);
    merge(own);
    for (const auto& after : list("after")) read_with_local(after, depth + 1);
  }

 private:
  void read_with_local(const std::string& path, int depth) {
    read_with_includes(path, depth);
    const size_t dot = path.rfind('.');
    const size_t slash = path.rfind('/');
    if (dot != std::string::npos && (slash == std::string::npos || dot > slash))
      read_with_includes(path.substr(0, dot) + ".local", depth);
  }

  void merge(const std::map<std::string, Section>& own) {
    for (const auto& [name, section] : own) {
      if (name == "INCLUDES") continue;
      for (const auto& [key, value] : section) sections[name][key] = value;
    }
  }

  // configparser with strict=True: a section or an option twice in one file
  // is an error and fail2ban does not start.
  bool parse(const std::string& path, const std::string& text,
             std::map<std::string, Section>& own) {
    std::string section;
    std::string key;
    int number = 0;
    size_t start = 0;
    std::set<std::string> seen_sections;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      start = end + 1;
      ++number;
      if (const std::string whole = trim(line); whole.empty() || whole[0] == '#' || whole[0] == ';')
        continue;
      // Inline comments: ";" after whitespace.
      for (size_t i = 1; i < line.size(); ++i)
        if (line[i] == ';' && (line[i - 1] == ' ' || line[i - 1] == '\t')) {
          line.resize(i);
          break;
        }
      const std::string t = trim(line);
      const bool indented = line[0] == ' ' || line[0] == '\t';
      if (indented && !key.empty()) {
        auto& v = own[section][key];
        v.text += "\n" + trim(line);
        continue;
      }
      if (t.front() == '[' && t.back() == ']') {
        section = t.substr(1, t.size() - 2);
        key.clear();
        if (!seen_sections.insert(section).second) {
          out_.problems.push_back(
              fmt::format("{}:{}: section [{}] appears twice in this file", path, number, section));
          return false;
        }
        continue;
      }
      const size_t eq = t.find_first_of("=:");
      if (section.empty() || eq == std::string::npos || eq == 0) {
        out_.problems.push_back(fmt::format(
            "{}:{}: {}", path, number,
            section.empty() ? "a setting before any [section]" : "not a `key = value` line"));
        return false;
      }
      key = lowercase(trim(t.substr(0, eq)));
      if (own[section].count(key)) {
        out_.problems.push_back(
            fmt::format("{}:{}: option {} appears twice in [{}]", path, number, key, section));
        return false;
      }
      own[section][key] = {trim(t.substr(eq + 1)), fmt::format("{}:{}", path, number)};
    }
    return true;
  }

  const ConfigFiles& files_;
  Fail2banConfig& out_;
  size_t reads_ = 0;
};

class Interpolator {
 public:
  Interpolator(const std::map<std::string, Section>& sections) : sections_(sections) {}

  const Value* find(const std::string& section, const std::string& key) const {
    if (const auto s = sections_.find(section); s != sections_.end())
      if (const auto v = s->second.find(key); v != s->second.end()) return &v->second;
    if (const auto d = sections_.find("DEFAULT"); d != sections_.end())
      if (const auto v = d->second.find(key); v != d->second.end()) return &v->second;
    return nullptr;
  }

  // At most kMaxExpansion bytes come out: ten levels of keys that each name
  // the one below several times would otherwise grow exponentially.
  std::string expand(const std::string& section, const std::string& text, int depth = 0) const {
    if (depth > kMaxInterpolationDepth) return text;
    std::string out;
    for (size_t i = 0; i < text.size() && out.size() < kMaxExpansion; ++i) {
      if (++steps_ > kMaxExpansionSteps) break;  // every character scanned costs
      if (text[i] != '%' || i + 1 >= text.size()) {
        out += text[i];
        continue;
      }
      if (text[i + 1] == '%') {
        out += '%';
        ++i;
        continue;
      }
      const size_t close = text.find(")s", i);
      if (text[i + 1] != '(' || close == std::string::npos) {
        out += text[i];
        continue;
      }
      std::string name = lowercase(text.substr(i + 2, close - i - 2));
      i = close + 1;
      if (name == "__name__") {
        out += section;
        continue;
      }
      std::string where = section;
      // fail2ban's %(default/x)s and %(known/x)s: the [DEFAULT] value.
      if (name.rfind("default/", 0) == 0 || name.rfind("known/", 0) == 0) {
        name = name.substr(name.find('/') + 1);
        where = "DEFAULT";
      }
      const Value* v = find(where, name);
      if (v != nullptr) out += expand(section, v->text, depth + 1);
    }
    return out;
  }

 private:
  const std::map<std::string, Section>& sections_;
  mutable size_t steps_ = 0;
};

// configparser's getboolean; nullopt for anything else.
std::optional<bool> boolean(const std::string& text) {
  const std::string v = lowercase(trim(text));
  if (v == "1" || v == "yes" || v == "true" || v == "on") return true;
  if (v == "0" || v == "no" || v == "false" || v == "off") return false;
  return std::nullopt;
}

}  // namespace

const Fail2banJail* Fail2banConfig::sshd_jail() const {
  for (const auto& j : jails) {
    const std::string base = j.filter.substr(0, j.filter.find('['));
    if (j.enabled && (j.name == "sshd" || j.name == "ssh" || trim(base) == "sshd")) return &j;
  }
  return nullptr;
}

Fail2banConfig read_fail2ban(const ConfigFiles& files, const std::string& dir) {
  Fail2banConfig out;
  Reader reader(files, out);
  std::vector<std::string> order = {dir + "/jail.conf"};
  for (const auto& p : files.glob(dir + "/jail.d/*.conf")) order.push_back(p);
  order.push_back(dir + "/jail.local");
  for (const auto& p : files.glob(dir + "/jail.d/*.local")) order.push_back(p);
  for (const auto& path : order) reader.read_with_includes(path, 0);
  out.found = files.read(dir + "/jail.conf") || files.read(dir + "/jail.local");
  const Interpolator interp(reader.sections);
  for (const auto& [name, section] : reader.sections) {
    if (name == "DEFAULT" || name == "Definition" || name == "Init") continue;
    Fail2banJail jail;
    jail.name = name;
    if (const Value* e = interp.find(name, "enabled")) {
      const auto b = boolean(interp.expand(name, e->text));
      jail.enabled = b.value_or(false);
      jail.enabled_origin = e->origin;
      // fail2ban warns and keeps the default (off): not a refusal.
      if (!b)
        out.warnings.push_back(fmt::format(
            "{}: enabled is not a boolean in [{}]; fail2ban leaves the jail off", e->origin, name));
    } else {
      jail.enabled_origin = "default";
    }
    if (const Value* f = interp.find(name, "filter"))
      jail.filter = trim(interp.expand(name, f->text));
    jail.backend = "auto";
    if (const Value* b = interp.find(name, "backend"))
      jail.backend = trim(interp.expand(name, b->text));
    if (const Value* l = interp.find(name, "logpath")) {
      std::string word;
      for (char c : interp.expand(name, l->text) + "\n") {
        if (c == '\n') {
          word = trim(word);
          // "PATH tail" / "PATH head": the path is the first word.
          if (!word.empty()) jail.logpaths.push_back(word.substr(0, word.find_first_of(" \t")));
          word.clear();
        } else {
          word += c;
        }
      }
    }
    out.jails.push_back(std::move(jail));
  }
  return out;
}

}  // namespace hostward::audit

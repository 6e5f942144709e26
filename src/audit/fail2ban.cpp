#include "audit/fail2ban.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
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
constexpr size_t kMaxActions = 16;       // per jail
constexpr size_t kMaxActionParams = 32;  // per action
constexpr size_t kMaxActionFiles = 16;   // distinct action.d names read

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
  std::map<std::string, Section> known;  // KNOWN/<section>: values before their last override

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

  // configparserinc.read: before a file's section overrides keys of the
  // same section read earlier, their old values are kept as KNOWN/section.
  void merge(const std::map<std::string, Section>& own) {
    for (const auto& [name, section] : own) {
      if (name == "INCLUDES") continue;
      if (const auto earlier = sections.find(name); earlier != sections.end() && name != "DEFAULT")
        for (const auto& [key, value] : section)
          if (const auto old = earlier->second.find(key); old != earlier->second.end())
            known[name][key] = old->second;
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

const Value* lookup(const std::map<std::string, Section>& sections, const std::string& section,
                    const std::string& key) {
  if (const auto s = sections.find(section); s != sections.end())
    if (const auto v = s->second.find(key); v != s->second.end()) return &v->second;
  return nullptr;
}

class Interpolator {
 public:
  explicit Interpolator(const std::map<std::string, Section>& sections,
                        const std::map<std::string, Section>& known)
      : sections_(sections), known_(known) {}

  const Value* find(const std::string& section, const std::string& key) const {
    if (const Value* v = lookup(sections_, section, key)) return v;
    return lookup(sections_, "DEFAULT", key);
  }

  // "known" and "default" in any case; another section's name as written.
  static std::string qualifier(const std::string& written) {
    const std::string lowered = lowercase(written);
    return lowered == "known" || lowered == "default" ? lowered : written;
  }

  // _map_section_options: %(default/x)s is [DEFAULT]'s x; %(known/x)s the
  // section's x before the file that overrode it, else [DEFAULT]'s;
  // %(other/x)s that section's x, else [DEFAULT]'s.
  const Value* find_qualified(const std::string& section, const std::string& qualifier,
                              const std::string& key) const {
    const Value* v = nullptr;
    if (qualifier == "known")
      v = lookup(known_, section, key);
    else if (qualifier != "default")
      v = lookup(sections_, qualifier, key);
    return v != nullptr ? v : lookup(sections_, "DEFAULT", key);
  }

  // At most kMaxExpansion bytes come out: ten levels of keys that each name
  // the one below several times would otherwise grow exponentially.
  std::string expand(const std::string& section, const std::string& text, int depth = 0) const {
    if (depth > kMaxInterpolationDepth) return text;
    std::string out;
    bool unclosed = false;
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
      // Once no ")s" follows, none follows a later '%' either: searching
      // again for each '%(' would scan a 4 MiB value millions of times.
      const size_t close = text[i + 1] != '(' || unclosed ? std::string::npos : text.find(")s", i);
      if (close == std::string::npos) {
        unclosed = unclosed || text[i + 1] == '(';
        out += text[i];
        continue;
      }
      const std::string name = text.substr(i + 2, close - i - 2);
      i = close + 1;
      if (lowercase(name) == "__name__") {
        out += section;
        continue;
      }
      const size_t slash = name.find('/');
      const Value* v = slash == std::string::npos
                           ? find(section, lowercase(name))
                           : find_qualified(section, qualifier(name.substr(0, slash)),
                                            lowercase(name.substr(slash + 1)));
      if (v != nullptr) out += expand(section, v->text, depth + 1);
    }
    return out;
  }

 private:
  const std::map<std::string, Section>& sections_;
  const std::map<std::string, Section>& known_;
  mutable size_t steps_ = 0;
};

// configparser's getboolean; nullopt for anything else.
std::optional<bool> boolean(const std::string& text) {
  const std::string v = lowercase(trim(text));
  if (v == "1" || v == "yes" || v == "true" || v == "on") return true;
  if (v == "0" || v == "no" || v == "false" || v == "off") return false;
  return std::nullopt;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_option_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// One or more [key=value, key="value", ...] groups (helpers.extractOptions);
// `i` is at the first '['. A group fail2ban rejects ends at its ']'.
void read_action_params(const std::string& text, size_t& i,
                        std::map<std::string, std::string>& params) {
  const size_t n = text.size();
  while (i < n && text[i] == '[') {
    ++i;
    while (i < n && text[i] != ']') {
      if (is_space(text[i]) || text[i] == ',') {
        ++i;
        continue;
      }
      std::string key;
      while (i < n && is_option_char(text[i])) key += text[i++];
      if (key.empty() || i >= n || text[i] != '=') {  // not key=value: skip the group
        i = std::min(text.find(']', i), n);
        break;
      }
      std::string value;
      if (++i < n && (text[i] == '"' || text[i] == '\'')) {
        const size_t end = std::min(text.find(text[i], i + 1), n);
        value = text.substr(i + 1, end - i - 1);
        i = std::min(end + 1, n);
      } else {
        while (i < n && text[i] != ',' && text[i] != ']') value += text[i++];
      }
      if (params.size() < kMaxActionParams) params[key] = trim(value);
    }
    if (i < n) ++i;  // the ']'
    size_t next = i;
    while (next < n && is_space(text[next])) ++next;
    if (next < n && text[next] == '[') i = next;  // act[a=1][b=2]
  }
}

// The entries of a jail's `action` (helpers.splitWithOptions): NAME, then
// optional parameter groups, separated by whitespace or new lines.
std::vector<Fail2banAction> split_actions(const std::string& text) {
  std::vector<Fail2banAction> out;
  size_t i = 0;
  while (out.size() < kMaxActions) {
    while (i < text.size() && is_space(text[i])) ++i;
    if (i >= text.size()) break;
    Fail2banAction a;
    while (i < text.size() && text[i] != '[' && !is_space(text[i])) a.name += text[i++];
    size_t next = i;
    while (next < text.size() && is_space(text[next])) ++next;
    if (next < text.size() && text[next] == '[') {
      i = next;
      read_action_params(text, i, a.params);
    }
    if (!a.name.empty()) out.push_back(std::move(a));  // "[...]" alone: fail2ban refuses it
  }
  return out;
}

// What an action file says when the jail's action line does not: its
// [Init] values (then [Definition]'s, then [DEFAULT]'s), read as
// ActionReader reads action.d/NAME: .conf, .d/*.conf, .local, .d/*.local.
class ActionFiles {
 public:
  ActionFiles(const ConfigFiles& files, const std::string& dir) : files_(files), dir_(dir) {}

  struct Defaults {
    std::string port, type;
    bool found = false;      // action.d has this action
    bool uses_port = false;  // its commands name <port> (ufw's, route's, mail's do not)
  };

  const Defaults& of(const std::string& name) {
    static const Defaults kNone;
    if (const auto it = cache_.find(name); it != cache_.end()) return it->second;
    if (cache_.size() >= kMaxActionFiles || !plain_name(name)) return kNone;
    Fail2banConfig scratch;
    Reader reader(files_, scratch);
    const std::string base = dir_ + "/action.d/" + name;
    std::vector<std::string> order = {base + ".conf"};
    for (const auto& p : files_.glob(base + ".d/*.conf")) order.push_back(p);
    order.push_back(base + ".local");
    for (const auto& p : files_.glob(base + ".d/*.local")) order.push_back(p);
    for (const auto& path : order) reader.read_with_includes(path, 0);
    const Interpolator interp(reader.sections, reader.known);
    Defaults d;
    d.found = !reader.sections.empty();
    for (const auto& [section, options] : reader.sections)
      for (const auto& [key, v] : options)
        if (v.text.find("<port>") != std::string::npos) d.uses_port = true;
    d.port = value(reader.sections, interp, "port");
    d.type = lowercase(value(reader.sections, interp, "type"));
    return cache_[name] = std::move(d);
  }

 private:
  // A name that stays in action.d; "x.py" actions are Python, not config.
  static bool plain_name(const std::string& name) {
    return !name.empty() && name[0] != '.' && name.size() <= 64 &&
           std::all_of(name.begin(), name.end(), is_option_char) &&
           (name.size() < 3 || name.compare(name.size() - 3, 3, ".py") != 0);
  }

  static std::string value(const std::map<std::string, Section>& sections,
                           const Interpolator& interp, const std::string& key) {
    for (const char* section : {"Init", "Definition", "DEFAULT"})
      if (const Value* v = lookup(sections, section, key))
        return trim(interp.expand(section, v->text));
    return "";
  }

  const ConfigFiles& files_;
  std::string dir_;
  std::map<std::string, Defaults> cache_;
};

void resolve_actions(std::vector<Fail2banAction>& actions, ActionFiles& action_files) {
  for (auto& a : actions) {
    const auto& defaults = action_files.of(a.name);
    const auto port = a.params.find("port");
    a.port = port != a.params.end() ? port->second : defaults.port;
    // Debian's action_ passes port= to every ban action; one whose commands
    // never use it (ufw bans "from IP to any") blocks every port, or bans nothing.
    if (defaults.found && !defaults.uses_port) a.port.clear();
    const auto type = a.params.find("type");
    const std::string t = type != a.params.end() ? lowercase(type->second) : defaults.type;
    a.all_ports = t == "allports" || a.name.find("allports") != std::string::npos;
  }
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
  const Interpolator interp(reader.sections, reader.known);
  ActionFiles action_files(files, dir);
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
    if (jail.enabled) {  // what it bans: only an enabled jail's, action.d files are read
      if (const Value* p = interp.find(name, "port"))
        jail.port = trim(interp.expand(name, p->text));
      if (const Value* a = interp.find(name, "action"))
        jail.actions = split_actions(interp.expand(name, a->text));
      resolve_actions(jail.actions, action_files);
    }
    out.jails.push_back(std::move(jail));
  }
  return out;
}

}  // namespace hostward::audit

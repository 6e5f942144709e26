#include "audit/systemd_unit.h"

#include <sys/stat.h>

#include <map>

namespace hostward::audit {

namespace {

constexpr size_t kMaxSettings = 10000;       // assignments read from one unit
constexpr size_t kMaxLogicalLine = 1 << 20;  // systemd's LONG_LINE_MAX
constexpr size_t kMaxDropIns = 256;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

const std::vector<std::string> kSystemdUnitDirs = {
    "/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
    "/lib/systemd/system", "/usr/lib/systemd/system"};

std::vector<std::string> dropin_dir_names(const std::string& name) {
  std::vector<std::string> out = {name + ".d"};
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return out;
  const std::string stem = name.substr(0, dot), type = name.substr(dot + 1);
  for (size_t dash = stem.rfind('-'); dash != std::string::npos && dash > 0;
       dash = stem.rfind('-', dash - 1))
    out.push_back(stem.substr(0, dash + 1) + "." + type + ".d");
  out.push_back(type + ".d");
  return out;
}

std::vector<UnitSetting> parse_unit_file(std::string_view text, const std::string& path,
                                         std::string_view section) {
  std::vector<UnitSetting> out;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::string current, logical;
  int logical_line = 0;
  bool continuing = false;
  size_t start = 0;
  for (int line = 1; start <= text.size() && out.size() < kMaxSettings; ++line) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    const std::string_view stripped = trim(raw);
    if (!stripped.empty() && (stripped[0] == '#' || stripped[0] == ';'))
      continue;  // also inside a continuation
    if (!continuing) {
      logical.clear();
      logical_line = line;
    }
    if (logical.size() + raw.size() > kMaxLogicalLine) break;  // systemd refuses the file from here
    logical += raw;
    size_t backslashes = 0;
    while (backslashes < logical.size() && logical[logical.size() - 1 - backslashes] == '\\')
      ++backslashes;
    if (backslashes % 2 == 1) {  // an unescaped trailing backslash joins the next line
      logical.back() = ' ';
      continuing = true;
      continue;
    }
    continuing = false;
    const std::string_view l = trim(logical);
    if (l.empty()) continue;
    if (l[0] == '[') {
      current = l.back() == ']' ? std::string(l.substr(1, l.size() - 2)) : std::string();
      continue;
    }
    const size_t eq = l.find('=');
    // Outside any section systemd ignores an assignment.
    if (current.empty() || (!section.empty() && current != section) || eq == std::string_view::npos)
      continue;
    out.push_back({current, std::string(trim(l.substr(0, eq))), std::string(trim(l.substr(eq + 1))),
                   path, logical_line});
  }
  return out;
}

SystemdUnit read_systemd_unit(const ConfigFiles& files, const std::string& name,
                              std::string_view section) {
  SystemdUnit u;
  for (const auto& dir : kSystemdUnitDirs) {
    const std::string p = dir + "/" + name;
    const auto facts = files.stat(p);
    if (!facts) continue;
    // A link to /dev/null or an empty file masks the unit (systemd.unit(5));
    // a link that leads nowhere is no unit, and the search goes on.
    const auto target = S_ISLNK(facts->mode) ? files.read_link(p) : std::nullopt;
    const auto text = files.read(p);
    if ((target && *target == "/dev/null") || S_ISCHR(facts->mode) || (text && text->empty())) {
      u.path = p;
      u.masked = true;
      return u;
    }
    if (!text && S_ISLNK(facts->mode)) continue;
    u.path = p;
    if (!text) {
      u.problems.push_back(p + ": cannot be read; not judged");
      return u;
    }
    u.settings = parse_unit_file(*text, p, section);
    break;
  }
  if (u.path.empty()) return u;
  std::map<std::string, std::string>
      drop_ins;  // file name -> path; a higher directory hides a lower
  for (const auto& dir : kSystemdUnitDirs)
    for (const auto& drop_in_dir : dropin_dir_names(name))
      for (const auto& file : files.list(dir + "/" + drop_in_dir))
        if (file.size() > 5 && file.compare(file.size() - 5, 5, ".conf") == 0)
          drop_ins.emplace(file, dir + "/" + drop_in_dir + "/" + file);
  for (const auto& [file, p] : drop_ins) {  // applied in file name order, whatever the directory
    if (u.drop_ins.size() >= kMaxDropIns) break;
    const auto text = files.read(p);
    if (!text) continue;  // a link to /dev/null masks the drop-in
    for (auto& s : parse_unit_file(*text, p, section))
      if (u.settings.size() < kMaxSettings) u.settings.push_back(std::move(s));
    u.drop_ins.push_back(p);
  }
  return u;
}

bool unit_enabled(const ConfigFiles& files, const std::string& unit) {
  // `apt remove` masks a unit and may leave its *.wants link behind.
  const SystemdUnit u = read_systemd_unit(files, unit);
  if (u.path.empty() || u.masked) return false;
  for (const char* dir : {"/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"})
    for (const char* kind : {"wants", "requires"})
      if (!files.glob(std::string(dir) + "/*." + kind + "/" + unit).empty()) return true;
  return false;
}

}  // namespace hostward::audit

#include "audit/accounts.h"

#include <charconv>

namespace hostward::audit {

namespace {

constexpr size_t kMaxEntries = 100000;

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t at = line.find(sep, start);
    out.push_back(line.substr(start, at == std::string_view::npos ? line.npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

bool parse_id(std::string_view s, uint32_t& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

template <typename F>
void for_each_line(std::string_view text, F f) {
  size_t start = 0, count = 0;
  while (start < text.size() && count < kMaxEntries) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line[0] != '#' && f(line)) ++count;
    start = end + 1;
  }
}

}  // namespace

std::vector<Account> parse_passwd_accounts(std::string_view text) {
  std::vector<Account> out;
  for_each_line(text, [&out](std::string_view line) {
    const auto f = split(line, ':');
    Account a;
    if (f.size() != 7 || f[0].empty() || !parse_id(f[2], a.uid) || !parse_id(f[3], a.gid))
      return false;
    a.name = f[0];
    a.home = f[5];
    a.shell = f[6];
    out.push_back(std::move(a));
    return true;
  });
  return out;
}

std::vector<Group> parse_group_file(std::string_view text) {
  std::vector<Group> out;
  for_each_line(text, [&out](std::string_view line) {
    const auto f = split(line, ':');
    Group g;
    if (f.size() != 4 || f[0].empty() || !parse_id(f[2], g.gid)) return false;
    g.name = f[0];
    if (!f[3].empty())
      for (const auto m : split(f[3], ','))
        if (!m.empty()) g.members.emplace_back(m);
    out.push_back(std::move(g));
    return true;
  });
  return out;
}

std::vector<Account> read_accounts(const ConfigFiles& files) {
  const auto text = files.read("/etc/passwd");
  return text ? parse_passwd_accounts(*text) : std::vector<Account>{};
}

std::vector<Group> read_groups(const ConfigFiles& files) {
  const auto text = files.read("/etc/group");
  return text ? parse_group_file(*text) : std::vector<Group>{};
}

}  // namespace hostward::audit

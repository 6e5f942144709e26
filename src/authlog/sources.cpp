#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <tuple>

#include "authlog/authlog.h"
#include "authlog/journal_source.h"
#include "authlog/utmp_file.h"

namespace hostward::authlog {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ".gz", ".xz", ".bz2" or ".zst" ending `name`, else empty.
std::string_view compression_suffix(std::string_view name) {
  for (std::string_view ext : {".gz", ".xz", ".bz2", ".zst"}) {
    if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext) return ext;
  }
  return {};
}

// Rank of a rotated file of `base` in oldest-first order, or nullopt when
// `name` is not one: "auth.log.3.gz" (older) before "auth.log.1" before
// "auth.log"; dateext "secure-20261122" ordered by date.
std::optional<std::tuple<int, long long>> rotation_rank(std::string_view name,
                                                        std::string_view base) {
  if (name.substr(0, base.size()) != base) return std::nullopt;
  std::string_view rest = name.substr(base.size());
  rest.remove_suffix(compression_suffix(rest).size());
  if (rest.empty()) return std::tuple{2, 0LL};
  if ((rest[0] == '.' || rest[0] == '-') && all_digits(rest.substr(1)) && rest.size() <= 10) {
    const long long n = std::atoll(std::string(rest.substr(1)).c_str());
    return rest.size() == 9 && rest[0] == '-' ? std::tuple{0, n} : std::tuple{1, -n};
  }
  return std::nullopt;
}

std::vector<std::string> rotated_files(const std::string& dir, std::string_view base) {
  std::vector<std::pair<std::tuple<int, long long>, std::string>> found;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      if (const auto rank = rotation_rank(e->d_name, base)) found.push_back({*rank, e->d_name});
    }
    ::closedir(d);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& [rank, name] : found) out.push_back(dir + "/" + name);
  return out;
}

bool name_has(const std::string& path, std::string_view word) {
  const size_t slash = path.rfind('/');
  return path.find(word, slash == std::string::npos ? 0 : slash) != std::string::npos;
}

}  // namespace

AuthSources default_sources(const std::string& root) {
  const std::string base = root == "/" ? "" : root;
  const std::string log_dir = base + "/var/log";
  AuthSources s;
  for (std::string_view name : {"auth.log", "secure"}) {
    auto files = rotated_files(log_dir, name);
    s.text.insert(s.text.end(), files.begin(), files.end());
  }
  s.system_journal = s.text.empty() && root == "/";
  // Uncompressed rotations only: last(1) and login(1) never compress them.
  for (auto [list, name] : {std::pair{&s.wtmp, "wtmp"}, std::pair{&s.btmp, "btmp"}}) {
    for (auto& f : rotated_files(log_dir, name))
      if (compression_suffix(f).empty()) list->push_back(f);
  }
  // Debian 13 and others record logins in wtmpdb (SQLite) instead: a
  // missing or stale wtmp there says nothing.
  s.wtmp_expected = ::access((base + "/var/lib/wtmpdb/wtmp.db").c_str(), F_OK) != 0;
  if (::access((log_dir + "/lastlog").c_str(), F_OK) == 0)
    s.lastlog.push_back(log_dir + "/lastlog");
  s.passwd = base + "/etc/passwd";
  return s;
}

namespace {
// Rotations of one log named in any order are read oldest first:
// auth.log.2.gz, auth.log.1, auth.log.
void sort_rotations(std::vector<std::string>& text) {
  const auto key = [](const std::string& path) {
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    // The shortest base that leaves a rotation suffix: "auth.log" of "auth.log.2.gz".
    for (size_t cut = 1; cut <= name.size(); ++cut) {
      if (cut < name.size() && name[cut] != '.' && name[cut] != '-') continue;
      if (const auto rank = rotation_rank(name, name.substr(0, cut)))
        return std::tuple{dir + name.substr(0, cut), *rank};
    }
    return std::tuple{path, std::tuple{2, 0LL}};
  };
  std::stable_sort(text.begin(), text.end(), [&](const std::string& a, const std::string& b) {
    if (a == "-" || b == "-") return false;
    return key(a) < key(b);
  });
}
}  // namespace

AuthSources classify_files(const std::vector<std::string>& paths) {
  AuthSources s;
  s.named_by_user = true;
  for (const auto& p : paths) {
    if (p == "-") {
      s.text.push_back(p);
    } else if (is_journal_file(p)) {
      s.journal_files.push_back(p);
    } else if (name_has(p, "lastlog")) {
      s.lastlog.push_back(p);
    } else if (name_has(p, "btmp")) {
      s.btmp.push_back(p);
    } else if (name_has(p, "wtmp") || name_has(p, "utmp") || looks_like_utmp(p)) {
      s.wtmp.push_back(p);
    } else {
      s.text.push_back(p);
    }
  }
  sort_rotations(s.text);
  return s;
}

}  // namespace hostward::authlog

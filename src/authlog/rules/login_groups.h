#pragma once
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "authlog/auth_summary.h"

namespace hostward::authlog {

// Logins of one user from one address by one kind of method, counted.
struct LoginGroup {
  const Login* first = nullptr;
  const Login* last = nullptr;
  uint64_t count = 0;
  std::vector<std::string> keys;  // first 5 distinct key fingerprints
};

// Keyed by (user, address, method).
template <typename Keep>
std::map<std::tuple<std::string, std::string, std::string>, LoginGroup> group_logins(
    const std::vector<Login>& logins, Keep keep) {
  std::map<std::tuple<std::string, std::string, std::string>, LoginGroup> groups;
  for (const auto& l : logins) {
    if (l.ignored || !keep(l)) continue;
    auto& g = groups[{std::string(l.user), std::string(l.address), std::string(l.method)}];
    if (!g.first) g.first = &l;
    g.last = &l;
    ++g.count;
    if (!l.key.empty() && g.keys.size() < 5 &&
        std::find(g.keys.begin(), g.keys.end(), l.key) == g.keys.end())
      g.keys.emplace_back(l.key);
  }
  return groups;
}

}  // namespace hostward::authlog

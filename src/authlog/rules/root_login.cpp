#include <fmt/format.h>

#include <algorithm>

#include "authlog/auth_rules.h"
#include "authlog/rules/login_groups.h"

namespace hostward::authlog {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "auth.root-login",
      Severity::high,
      {"T1078.003"},
      "Direct SSH logins as root",
      "A root login leaves no trail of who it was, and with a password it is one guess away "
      "from the whole host; with a key it is still a shared identity.",
      "Log in as a named user and use sudo; set PermitRootLogin no (or prohibit-password while "
      "moving away from it)."};
  return i;
}

void run(const AuthContext& ctx, std::vector<Finding>& out) {
  const auto groups =
      group_logins(ctx.summary.logins, [](const Login& l) { return l.user == "root"; });
  for (const auto& [key, g] : groups) {
    const auto& [user, address, method] = key;
    const bool password = is_password_method(method);
    const Severity sev =
        password ? Severity::high : (method == "publickey" ? Severity::info : Severity::medium);
    nlohmann::json evidence = {{"method", method},
                               {"count", g.count},
                               {"first", time_text(g.first->time)},
                               {"last", time_text(g.last->time)},
                               {"source", std::string(g.last->source)},
                               {"line", g.last->line}};
    if (!g.keys.empty()) evidence["keys"] = g.keys;
    out.push_back(auth_finding(ctx, info(), sev,
                               fmt::format("root logged in from {} by {} ({} time{})", address,
                                           method, g.count, g.count == 1 ? "" : "s"),
                               {{"kind", "login"}, {"user", user}, {"address", address}},
                               std::move(evidence), address + "|" + method));
  }
}

}  // namespace

AuthRule root_login_rule() { return {info, run}; }

}  // namespace hostward::authlog

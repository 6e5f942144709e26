#include <fmt/format.h>

#include <algorithm>

#include "authlog/auth_rules.h"
#include "authlog/rules/login_groups.h"

namespace hostward::authlog {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "auth.password-login",
      Severity::medium,
      {"T1078"},
      "SSH logins with a password",
      "Hosts meant to be key-only that accept passwords can be guessed into; each password "
      "login shows password authentication is on and used.",
      "Give the user a key, then set PasswordAuthentication no and KbdInteractiveAuthentication "
      "no in sshd_config (mind sshd_config.d/ overrides) and reload sshd."};
  return i;
}

void run(const AuthContext& ctx, std::vector<Finding>& out) {
  // root's password logins are auth.root-login's, at high.
  const auto groups = group_logins(ctx.summary.logins, [](const Login& l) {
    return l.user != "root" && is_password_method(l.method);
  });
  for (const auto& [key, g] : groups) {
    const auto& [user, address, method] = key;
    out.push_back(auth_finding(ctx, info(), Severity::medium,
                               fmt::format("{} logged in from {} with a password ({} time{})", user,
                                           address, g.count, g.count == 1 ? "" : "s"),
                               {{"kind", "login"}, {"user", user}, {"address", address}},
                               {{"method", method},
                                {"count", g.count},
                                {"first", time_text(g.first->time)},
                                {"last", time_text(g.last->time)},
                                {"source", std::string(g.last->source)},
                                {"line", g.last->line}},
                               user + "|" + address + "|" + method));
  }
}

}  // namespace

AuthRule password_login_rule() { return {info, run}; }

}  // namespace hostward::authlog

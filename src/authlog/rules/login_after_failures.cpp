#include <fmt/format.h>

#include "authlog/auth_rules.h"

namespace hostward::authlog {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "auth.login-after-failures",
      Severity::critical,
      {"T1110", "T1078"},
      "Successful SSH login right after failed ones from the same address",
      "A login that follows a run of failures from the same address is what a guessed "
      "password looks like from the inside: treat the account as compromised until shown "
      "otherwise.",
      "Check with the account's owner; if it was not them, lock the account, kill its "
      "sessions, rotate its password and keys, and look at what it did (hostward hunt, "
      "shell history). Then turn off password logins."};
  return i;
}

void run(const AuthContext& ctx, std::vector<Finding>& out) {
  for (const auto& l : ctx.summary.logins) {
    if (l.ignored || l.failures_before < ctx.config.login_after_failures) continue;
    out.push_back(auth_finding(
        ctx, info(), Severity::critical,
        fmt::format("{} logged in from {} by {} after {} failed attempts", l.user, l.address,
                    l.method, l.failures_before),
        {{"kind", "login"}, {"user", std::string(l.user)}, {"address", std::string(l.address)}},
        {{"time", time_text(l.time)},
         {"method", std::string(l.method)},
         {"port", l.port},
         {"failures_before", l.failures_before},
         {"window_s", ctx.config.window_s},
         {"source", std::string(l.source)},
         {"line", l.line}},
        fmt::format("{}|{}|{}", l.user, l.address, l.time)));
  }
}

}  // namespace

AuthRule login_after_failures_rule() { return {info, run}; }

}  // namespace hostward::authlog

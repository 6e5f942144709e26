#include "authlog/auth_rules.h"

#include "core/time_format.h"

namespace hostward::authlog {

namespace {
const std::vector<AuthRule>& rules() {
  static const std::vector<AuthRule> r = {brute_force_rule(), login_after_failures_rule(),
                                          root_login_rule(), password_login_rule(),
                                          login_records_missing_rule()};
  return r;
}
}  // namespace

void register_rules(RuleCatalog& catalog) {
  for (const auto& r : rules()) catalog.add(r.info());
}

std::vector<Finding> run_rules(const AuthContext& ctx) {
  std::vector<Finding> out;
  for (const auto& r : rules()) r.run(ctx, out);
  return out;
}

Finding auth_finding(const AuthContext& ctx, const RuleInfo& info, Severity severity,
                     std::string title, nlohmann::json subject, nlohmann::json evidence,
                     const std::string& identity) {
  return make_finding(info, severity, std::move(title), std::move(subject), std::move(evidence),
                      ctx.hostname, identity);
}

std::string time_text(int64_t t) { return t == 0 ? "unknown" : rfc3339_utc(t); }

bool is_password_method(std::string_view method) {
  return method == "password" || method.substr(0, 20) == "keyboard-interactive";
}

}  // namespace hostward::authlog

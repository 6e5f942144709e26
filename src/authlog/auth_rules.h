#pragma once
#include <string>
#include <vector>

#include "authlog/authlog.h"
#include "core/finding.h"
#include "core/rule_catalog.h"

namespace hostward::authlog {

struct AuthRule {
  const RuleInfo& (*info)();
  void (*run)(const AuthContext& ctx, std::vector<Finding>& out);
};

AuthRule brute_force_rule();
AuthRule login_after_failures_rule();
AuthRule root_login_rule();
AuthRule password_login_rule();
AuthRule login_records_missing_rule();

Finding auth_finding(const AuthContext& ctx, const RuleInfo& info, Severity severity,
                     std::string title, nlohmann::json subject, nlohmann::json evidence,
                     const std::string& identity);

std::string time_text(int64_t t);  // RFC 3339, or "unknown" for 0
bool is_password_method(std::string_view method);

}  // namespace hostward::authlog

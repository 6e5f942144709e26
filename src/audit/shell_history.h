#pragma once
#include "audit/audit_rules.h"

namespace hostward::audit {

void shell_history_register(RuleCatalog& catalog);
void shell_history_rules(const AuditInput& in, AuditResult& out);

}  // namespace hostward::audit

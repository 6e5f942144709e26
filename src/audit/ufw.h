#pragma once
#include "audit/audit_rules.h"

namespace hostward::audit {

void ufw_register(RuleCatalog& catalog);
void ufw_rules(const AuditInput& in, AuditResult& out);

}  // namespace hostward::audit

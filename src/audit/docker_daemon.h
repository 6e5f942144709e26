#pragma once
#include "audit/audit_rules.h"

namespace hostward::audit {

void docker_daemon_register(RuleCatalog& catalog);
void docker_daemon_rules(const AuditInput& in, AuditResult& out);

}  // namespace hostward::audit

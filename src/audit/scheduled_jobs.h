#pragma once
#include "audit/audit_rules.h"

namespace hostward::audit {

void scheduled_jobs_register(RuleCatalog& catalog);
void scheduled_jobs_rules(const AuditInput& in, AuditResult& out);

}  // namespace hostward::audit

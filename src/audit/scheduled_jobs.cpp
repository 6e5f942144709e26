#include "audit/scheduled_jobs.h"

namespace hostward::audit {

void scheduled_jobs_register(RuleCatalog&) {}
void scheduled_jobs_rules(const AuditInput&, AuditResult&) {}

}  // namespace hostward::audit

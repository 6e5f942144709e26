#include "audit/shell_history.h"

namespace hostward::audit {

void shell_history_register(RuleCatalog&) {}
void shell_history_rules(const AuditInput&, AuditResult&) {}

}  // namespace hostward::audit

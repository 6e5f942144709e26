#include "audit/ufw.h"

namespace hostward::audit {

void ufw_register(RuleCatalog&) {}
void ufw_rules(const AuditInput&, AuditResult&) {}

}  // namespace hostward::audit

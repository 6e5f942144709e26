#include "audit/docker_daemon.h"

namespace hostward::audit {

void docker_daemon_register(RuleCatalog&) {}
void docker_daemon_rules(const AuditInput&, AuditResult&) {}

}  // namespace hostward::audit

#pragma once
#include "audit/audit_rules.h"

// Each rule module's two entry points: its rules into the catalog, and its
// judgement of one host. run_config_rules calls them in this order.
namespace hostward::audit {

void ufw_register(RuleCatalog& catalog);
void ufw_rules(const AuditInput& in, AuditResult& out);
void docker_daemon_register(RuleCatalog& catalog);
void docker_daemon_rules(const AuditInput& in, AuditResult& out);
void scheduled_jobs_register(RuleCatalog& catalog);
void scheduled_jobs_rules(const AuditInput& in, AuditResult& out);
void shell_history_register(RuleCatalog& catalog);
void shell_history_rules(const AuditInput& in, AuditResult& out);
void host_hardening_register(RuleCatalog& catalog);
void host_hardening_rules(const AuditInput& in, AuditResult& out);
void brute_force_register(RuleCatalog& catalog);
void brute_force_rules(const AuditInput& in, AuditResult& out);
void firewall_persistence_register(RuleCatalog& catalog);
void firewall_persistence_rules(const AuditInput& in, AuditResult& out);

}  // namespace hostward::audit

#pragma once
#include <map>
#include <string>
#include <vector>

#include "audit/sshd_config.h"
#include "core/finding.h"
#include "core/rule_catalog.h"
#include "host/snapshot.h"

// The host's hardening, read the way its daemons read their configuration
// (issue #6). `scan --only config`; `--root DIR` reads an offline tree.
namespace hostward::audit {

void register_rules(RuleCatalog& catalog);

struct AuditResult {
  std::vector<Finding> findings;
  std::vector<CollectorError> errors;
  // What each rule could judge: a rule that judged and found nothing passed.
  // Rules not named here are "unknown" in the summary.
  std::map<std::string, HardeningCheck> checks;
  bool not_a_system = false;  // --root names no system's tree: no score
  void judged(const std::string& rule);
  void not_applicable(const std::string& rule, std::string why);
  void unknown(const std::string& rule, std::string why);
};

struct AuditInput {
  ConfigFiles files;
  std::string hostname;
  SshdConnection ssh_connection;  // the outside login the SSH rules judge
  // The live host's processes, listening sockets and firewall; null for an
  // offline tree (--root), where only files are judged.
  const host::Snapshot* live = nullptr;
};

AuditResult run_config_rules(const AuditInput& input);

// A running daemon whose command line may be believed: it runs as root from
// a root-owned executable. Any user can start a process
// named fail2ban-server or dockerd, with a -c or --config-file of their own.
bool trusted_daemon(const host::ProcessInfo& p);

// The summary: every rule of register_rules with its status (failed when it
// has a finding), and the score: the share of applicable checks passed, each
// weighted by its severity (critical 10, high 6, medium 3, low 1; a failed
// check by its worst finding). 100 when nothing applies.
Hardening hardening_summary(const AuditResult& result);

// The installed OpenSSH server's major.minor from dpkg's status file, 0 when unknown.
double openssh_version(const ConfigFiles& files);

}  // namespace hostward::audit

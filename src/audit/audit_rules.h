#pragma once
#include <string>
#include <vector>

#include "audit/sshd_config.h"
#include "core/finding.h"
#include "core/rule_catalog.h"

// The host's hardening, read the way its daemons read their configuration
// (issue #6). `scan --only config`; `--root DIR` reads an offline tree.
namespace hostward::audit {

void register_rules(RuleCatalog& catalog);

struct AuditResult {
  std::vector<Finding> findings;
  std::vector<CollectorError> errors;
};

struct AuditInput {
  ConfigFiles files;
  std::string hostname;
  SshdConnection ssh_connection;  // the outside login the SSH rules judge
};

AuditResult run_config_rules(const AuditInput& input);

// The installed OpenSSH server's major.minor from dpkg's status file, 0 when unknown.
double openssh_version(const ConfigFiles& files);

}  // namespace hostward::audit

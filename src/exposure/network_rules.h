#pragma once
#include <vector>

#include "core/config.h"
#include "core/finding.h"
#include "core/rule_catalog.h"
#include "exposure/exposure.h"

namespace hostward::exposure {

struct NetworkContext {
  const host::Snapshot& snap;
  const Config& config;
  const FirewallSetup& setup;
  const std::vector<ExposureRow>& rows;
};

struct NetworkRule {
  RuleInfo info;
  void (*run)(const NetworkContext&, std::vector<Finding>&);
};

NetworkRule exposed_service_rule();
NetworkRule docker_api_exposed_rule();
NetworkRule firewall_bypassed_rule();
NetworkRule miner_connection_rule();

const std::vector<NetworkRule>& network_rules();

// Adds the network.* rules to the catalog.
void register_rules(RuleCatalog& catalog);

// Runs them on the snapshot (which must hold the network area).
std::vector<Finding> run_rules(const host::Snapshot& snap, const Config& config,
                               const FirewallSetup& setup, const std::vector<ExposureRow>& rows);

// The Docker Engine API: dockerd's own TCP listeners (not swarm's), or 2375
// (plain HTTP by convention) whoever serves it: docker:dind, a socket proxy.
bool is_docker_api(const ExposureRow& row);

// Helpers for the rule files.
nlohmann::json listener_subject(const ExposureRow& row);
nlohmann::json verdict_evidence(const Verdict& v);
std::string endpoint_text(const ExposureRow& row);  // "0.0.0.0:5432/tcp"
Finding network_finding(const NetworkContext& ctx, const RuleInfo& info, Severity severity,
                        std::string title, nlohmann::json subject, nlohmann::json evidence,
                        const std::string& identity);

}  // namespace hostward::exposure

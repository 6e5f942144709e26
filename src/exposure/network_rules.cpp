#include "exposure/network_rules.h"

namespace hostward::exposure {

const std::vector<NetworkRule>& network_rules() {
  static const std::vector<NetworkRule> rules = {exposed_service_rule(), docker_api_exposed_rule(),
                                                 firewall_bypassed_rule(), miner_connection_rule()};
  return rules;
}

void register_rules(RuleCatalog& catalog) {
  for (const auto& r : network_rules()) catalog.add(r.info);
}

std::vector<Finding> run_rules(const host::Snapshot& snap, const Config& config,
                               const FirewallSetup& setup, const std::vector<ExposureRow>& rows) {
  std::vector<Finding> out;
  const NetworkContext ctx{snap, config, setup, rows};
  for (const auto& r : network_rules()) r.run(ctx, out);
  return out;
}

bool is_docker_api(const ExposureRow& row) {
  if (row.proto != "tcp") return false;
  const bool swarm = row.port == 2377 || row.port == 7946 || row.port == 4789;
  const std::string& program = row.served_by.empty() ? row.process : row.served_by;
  if (program == "dockerd" && !swarm) return true;
  if (row.port == 2375) return true;
  return row.port == 2376 && (program.empty() || program == "dockerd");
}

std::string endpoint_text(const ExposureRow& row) {
  const bool v6 = row.address.find(':') != std::string::npos;
  return (v6 ? "[" + row.address + "]" : row.address) + ":" + std::to_string(row.port) + "/" +
         row.proto;
}

nlohmann::json listener_subject(const ExposureRow& row) {
  nlohmann::json s = {{"kind", "listener"}, {"proto", row.proto}, {"address", row.address},
                      {"port", row.port},   {"pid", row.pid},     {"process", row.process}};
  if (row.pid == 0) s.erase("pid");
  if (!row.container.empty()) s["container"] = row.container;
  if (!row.image.empty()) s["image"] = row.image;
  if (!row.published_from.empty()) s["published_from"] = row.published_from;
  if (!row.served_by.empty()) {
    s["served_by"] = row.served_by;
    s["served_by_pid"] = row.served_by_pid;
  }
  return s;
}

nlohmann::json verdict_evidence(const Verdict& v) {
  nlohmann::json path = nlohmann::json::array();
  for (const auto& s : v.path)
    path.push_back({{"table", s.table}, {"chain", s.chain}, {"rule", s.rule}, {"line", s.line}});
  nlohmann::json e = {{"verdict", reach_name(v.reach)}, {"reason", v.reason}, {"path", path}};
  if (!v.in_interface.empty()) e["interface"] = v.in_interface;
  if (!v.translated_to.empty()) e["translated_to"] = v.translated_to;
  if (v.forwarded) e["forwarded"] = true;
  if (!v.allowed_from.empty()) e["allowed_from"] = v.allowed_from;
  if (!v.unknown_rule.empty()) e["unknown_rule"] = v.unknown_rule;
  return e;
}

Finding network_finding(const NetworkContext& ctx, const RuleInfo& info, Severity severity,
                        std::string title, nlohmann::json subject, nlohmann::json evidence,
                        const std::string& identity) {
  return make_finding(info, severity, std::move(title), std::move(subject), std::move(evidence),
                      ctx.snap.hostname, identity);
}

}  // namespace hostward::exposure

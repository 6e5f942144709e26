#include <fmt/format.h>

#include <algorithm>

#include "exposure/network_rules.h"

namespace hostward::exposure {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "network.docker-api-exposed",
      Severity::critical,
      {"T1610", "T1190"},
      "Docker Engine API reachable over TCP without client certificates",
      "Whoever reaches the Docker API runs a privileged container with the host's / mounted: "
      "root on the host, no password. The seed's sibling hosts had 2375 open.",
      "Remove tcp:// from dockerd's -H flags and daemon.json \"hosts\" (use the unix socket, or "
      "ssh://); if TCP is needed, use 2376 with --tlsverify and client certificates, and drop "
      "the port for outside sources."};
  return i;
}

// Swarm's own ports are dockerd's too, and use mutual TLS.
bool swarm_port(int port) { return port == 2377 || port == 7946 || port == 4789; }

bool verifies_clients(const NetworkContext& ctx, const ExposureRow& row) {
  if (ctx.snap.docker.daemon_tlsverify) return true;
  for (const auto& p : ctx.snap.processes) {
    if (p.pid != row.pid) continue;
    return std::any_of(p.argv.begin(), p.argv.end(), [](const std::string& a) {
      return a == "--tlsverify" || a == "--tlsverify=true";
    });
  }
  return false;
}

void run(const NetworkContext& ctx, std::vector<Finding>& out) {
  for (const auto& row : ctx.rows) {
    if (row.proto != "tcp" || row.local_only) continue;
    const bool is_dockerd = row.process == "dockerd" && !swarm_port(row.port);
    const bool docker_port = (row.port == 2375 || row.port == 2376) && row.container.empty() &&
                             (row.process.empty() || row.process == "dockerd");
    if (!is_dockerd && !docker_port) continue;
    if (verifies_clients(ctx, row)) continue;
    const Reach r = row.verdict.reach;
    if (r == Reach::blocked) continue;
    const Severity sev = r == Reach::reachable ? Severity::critical : Severity::high;
    nlohmann::json evidence = verdict_evidence(row.verdict);
    evidence["tlsverify"] = false;
    out.push_back(network_finding(
        ctx, info(), sev,
        fmt::format("Docker API on {} is {} without client certificates", endpoint_text(row),
                    r == Reach::reachable ? "reachable from the internet"
                                          : std::string(reach_name(r)) + " from the internet"),
        listener_subject(row), std::move(evidence),
        fmt::format("{}|{}|{}", row.address, row.port, row.process)));
  }
}

}  // namespace

NetworkRule docker_api_exposed_rule() { return {info(), run}; }

}  // namespace hostward::exposure

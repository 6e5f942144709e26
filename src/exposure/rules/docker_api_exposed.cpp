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

bool verifies_clients(const NetworkContext& ctx, const ExposureRow& row) {
  if (ctx.snap.docker.daemon_tlsverify && row.process == "dockerd") return true;
  for (const auto& p : ctx.snap.processes) {
    if (p.pid != row.pid || p.comm != "dockerd") continue;
    return std::any_of(p.argv.begin(), p.argv.end(), [](const std::string& a) {
      return a == "--tlsverify" || a == "--tlsverify=true";
    });
  }
  return false;
}

void run(const NetworkContext& ctx, std::vector<Finding>& out) {
  for (const auto& row : ctx.rows) {
    if (row.local_only || !is_docker_api(row)) continue;
    // 2375 is plain HTTP whatever the flags say.
    if (row.port != 2375 && verifies_clients(ctx, row)) continue;
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

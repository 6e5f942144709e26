#include <fmt/format.h>

#include "exposure/network_rules.h"

namespace hostward::exposure {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "network.firewall-bypassed-by-docker",
      Severity::high,
      {"T1190"},
      "A firewall rule drops a port that Docker publishes around it",
      "Docker DNATs published ports in nat PREROUTING, so their packets cross FORWARD "
      "(DOCKER-USER, "
      "DOCKER), never INPUT: an INPUT rule or ufw's deny never applies to them. The seed's "
      "remediation, iptables -I INPUT -p tcp --dport 5432 -j DROP, is exactly such a rule.",
      "Drop the port in DOCKER-USER by its original port: iptables -I DOCKER-USER -p tcp -m "
      "conntrack --ctorigdstport PORT -j DROP (add -i IFACE for the outside interface), or publish "
      "on 127.0.0.1 only."};
  return i;
}

Firewall without_nat(const Firewall& fw) {
  Firewall copy = fw;
  std::erase_if(copy.rules.tables, [](const host::FirewallTable& t) { return t.name == "nat"; });
  return copy;
}

void run(const NetworkContext& ctx, std::vector<Finding>& out) {
  const Firewall v4 = without_nat(ctx.setup.v4), v6 = without_nat(ctx.setup.v6);
  const FirewallEngine e4(v4, ctx.setup.host), e6(v6, ctx.setup.host);
  for (const auto& row : ctx.rows) {
    const Verdict& actual = row.verdict;
    if (!actual.forwarded || row.local_only) continue;
    if (actual.reach != Reach::reachable && actual.reach != Reach::restricted) continue;
    const auto addr = parse_ip(row.address);
    if (!addr) continue;
    Target t{addr->family, row.proto, *addr, row.port};
    // Where the packet would have gone without the DNAT: INPUT.
    const Verdict believed = (addr->family == 4 ? e4 : e6).from_outside(t);
    if (believed.reach != Reach::blocked || believed.path.empty() || believed.forwarded) continue;
    const Step& drop = believed.path.back();
    const bool policy = drop.line == 0;
    std::string dnat_rule;
    for (const auto& s : actual.path)
      if (s.table == "nat") dnat_rule = s.rule;
    nlohmann::json evidence = {{"input_rule", drop.rule},   {"input_table", drop.table},
                               {"input_chain", drop.chain}, {"input_line", drop.line},
                               {"dnat_rule", dnat_rule},    {"actual", verdict_evidence(actual)}};
    out.push_back(network_finding(
        ctx, info(), Severity::high,
        fmt::format("{} drops {}/{}, but Docker publishes it{} through FORWARD: {}",
                    policy ? "INPUT's policy DROP" : "An " + drop.chain + " rule", row.port,
                    row.proto, row.published_from.empty() ? "" : " from " + row.published_from,
                    reach_name(actual.reach)),
        listener_subject(row), std::move(evidence),
        fmt::format("{}|{}|{}|{}", row.proto, row.address, row.port, drop.rule)));
  }
}

}  // namespace

NetworkRule firewall_bypassed_rule() { return {info(), run}; }

}  // namespace hostward::exposure

#include <fmt/format.h>

#include <set>

#include "exposure/network_rules.h"
#include "host/address_scope.h"

namespace hostward::exposure {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "network.miner-connection",
      Severity::critical,
      {"T1496"},
      "Connection to a mining-pool port on the internet",
      "Miners talk Stratum to pools on a handful of ports (3333, 4444, 5555, 14444, ...). An "
      "established connection there from this host is the miner itself, whatever it is named. "
      "Also reported, per process, by process.miner-indicators.",
      "Capture evidence, then contain the owning process tree and block the pool address; "
      "find how it got in (see the other findings). Ports: hunt.miner_pool_ports."};
  return i;
}

void run(const NetworkContext& ctx, std::vector<Finding>& out) {
  const std::set<int> ports(ctx.config.hunt.miner_pool_ports.begin(),
                            ctx.config.hunt.miner_pool_ports.end());
  std::map<int, const host::ProcessInfo*> by_pid;
  for (const auto& p : ctx.snap.processes) by_pid[p.pid] = &p;
  for (const auto& c : ctx.snap.connections) {
    if (c.proto != "tcp" || (c.state != "established" && c.state != "syn-sent")) continue;
    if (!ports.count(c.remote_port) ||
        host::is_local_or_private(c.remote_addr, ctx.snap.local_addresses))
      continue;
    const auto it = by_pid.find(c.pid);
    const host::ProcessInfo* p = it == by_pid.end() ? nullptr : it->second;
    nlohmann::json subject = {{"kind", "connection"},
                              {"proto", c.proto},
                              {"local", fmt::format("{}:{}", c.local_addr, c.local_port)},
                              {"remote", fmt::format("{}:{}", c.remote_addr, c.remote_port)},
                              {"state", c.state}};
    if (p) {
      subject["pid"] = p->pid;
      subject["comm"] = p->comm;
      subject["exe"] = p->exe;
      subject["user"] = p->user;
    }
    out.push_back(network_finding(
        ctx, info(), Severity::critical,
        fmt::format("{} is connected to {}:{}, a mining-pool port",
                    p ? fmt::format("{} (pid {})", p->comm, p->pid) : std::string("A socket"),
                    c.remote_addr, c.remote_port),
        std::move(subject), {{"state", c.state}, {"netns", c.netns}},
        fmt::format("{}|{}|{}", p ? p->exe : "", c.remote_addr, c.remote_port)));
  }
}

}  // namespace

NetworkRule miner_connection_rule() { return {info(), run}; }

}  // namespace hostward::exposure

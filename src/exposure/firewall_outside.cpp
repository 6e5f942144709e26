#include <algorithm>

#include "exposure/firewall.h"
#include "exposure/firewall_index.h"

namespace hostward::exposure {

namespace {

// Bridges and veths that containers and VMs hang off: traffic from the internet
// does not arrive on them.
bool is_container_side(const std::string& name) {
  static const char* const kPrefixes[] = {"docker", "br-",   "veth",   "cni",    "flannel",
                                          "cali",   "virbr", "lxc",    "podman", "kube",
                                          "vnet",   "weave", "cilium", "tun",    "tap"};
  for (const char* p : kPrefixes)
    if (name.starts_with(p)) return true;
  return false;
}

// An address that stands for "anyone on the internet": none of the rules'
// source prefixes holds it. Documentation ranges first.
std::optional<IpAddress> outside_source(int family, const std::vector<IpPrefix>& prefixes,
                                        const HostView& host) {
  static const char* const kV4[] = {"203.0.113.77",  "198.51.100.77", "192.0.2.77",
                                    "93.184.216.77", "45.33.32.77",   "1.2.3.77"};
  static const char* const kV6[] = {"2001:db8:77::77", "2001:db8:ffff::77", "2a00:1450::77",
                                    "2600::77"};
  auto pick = [&](const auto& list) -> std::optional<IpAddress> {
    for (const char* s : list) {
      const IpAddress a = *parse_ip(s);
      if (host.is_local(a)) continue;
      if (std::none_of(prefixes.begin(), prefixes.end(),
                       [&](const IpPrefix& p) { return p.contains(a); }))
        return a;
    }
    return std::nullopt;
  };
  return family == 4 ? pick(kV4) : pick(kV6);
}

int rank(Reach r) {
  switch (r) {
    case Reach::reachable:
      return 3;
    case Reach::unknown:
      return 2;
    case Reach::restricted:
      return 1;
    case Reach::blocked:
      return 0;
  }
  return 2;
}

}  // namespace

std::vector<std::string> FirewallEngine::outside_interfaces() const {
  std::vector<std::string> out;
  for (const auto& i : host_.interfaces)
    if (!i.loopback && !is_container_side(i.name)) out.push_back(i.name);
  if (out.empty())
    for (const auto& i : host_.interfaces)
      if (!i.loopback) out.push_back(i.name);
  return out;
}

Verdict FirewallEngine::from_outside(const Target& target) const {
  Verdict none;
  if (!firewall_.read) {
    none.reason = "firewall rules not read: " + firewall_.unread_reason;
    return none;
  }
  const auto ifaces = outside_interfaces();
  const auto outside = outside_source(target.family, index_->source_prefixes, host_);
  if (ifaces.empty() || !outside) {
    none.reason = ifaces.empty() ? "no interface besides loopback" : "no outside address to try";
    return none;
  }
  std::optional<Verdict> worst;
  std::vector<std::pair<IpPrefix, Verdict>> by_source;
  for (const auto& iface : ifaces) {
    Packet p;
    p.proto = target.proto;
    p.dport = target.port;
    p.in_iface = iface;
    if (is_unspecified(target.dst)) {
      const IpAddress* own = host_.address_of(iface, target.family);
      if (!own) continue;  // no address of this family on it: nothing arrives for us
      p.dst = *own;
    } else {
      p.dst = target.dst;
    }
    p.src = *outside;
    Verdict v = walk(p);
    if (!worst || rank(v.reach) > rank(worst->reach)) worst = std::move(v);
    if (worst->reach == Reach::blocked) {
      for (const auto& prefix : index_->source_prefixes) {
        for (const IpAddress& src : {prefix.address, last_address(prefix)}) {
          if (host_.is_local(src) || is_loopback(src) || is_unspecified(src)) continue;
          p.src = src;
          by_source.emplace_back(prefix, walk(p));
        }
      }
    }
  }
  if (!worst) {
    none.reason = "no outside interface has an address of this family";
    none.reach = Reach::blocked;
    return none;
  }
  if (worst->reach == Reach::blocked) {
    for (const auto& [prefix, v] : by_source) {
      if (v.reach != Reach::reachable) continue;
      const std::string s = prefix.str();
      if (std::find(worst->allowed_from.begin(), worst->allowed_from.end(), s) ==
          worst->allowed_from.end())
        worst->allowed_from.push_back(s);
    }
    if (!worst->allowed_from.empty()) {
      // The path that lets the first allowed source in explains the verdict best.
      for (const auto& [prefix, v] : by_source)
        if (v.reach == Reach::reachable) {
          const auto allowed = worst->allowed_from;
          *worst = v;
          worst->allowed_from = allowed;
          break;
        }
      worst->reach = Reach::restricted;
      worst->reason = "reachable only from some source addresses";
    }
  }
  if (!firewall_.foreign_chains.empty() &&
      (worst->reach == Reach::reachable || worst->reach == Reach::restricted)) {
    worst->reach = Reach::unknown;
    worst->unknown_rule = firewall_.foreign_chains.front();
    worst->reason =
        "iptables lets it through, but nftables has its own chain that hostward "
        "does not walk: " +
        firewall_.foreign_chains.front();
  }
  return *worst;
}

}  // namespace hostward::exposure

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

// Walks from the sources the rules single out, per listener: past this, the
// answer is unknown rather than slow.
constexpr size_t kMaxSourceWalks = 512;

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

// Addresses a packet from the internet may be sent to: the host's own, not
// loopback or link-local, not on a container bridge (the internet cannot
// route to those); a global address on lo or a dummy counts.
std::vector<IpAddress> FirewallEngine::outside_addresses(int family) const {
  std::vector<IpAddress> out;
  for (const auto& i : host_.interfaces) {
    if (is_container_side(i.name)) continue;
    for (const auto& a : i.addresses) {
      const bool link_local = is_link_local(a);
      if (a.family == family && !is_loopback(a) && !link_local &&
          std::find(out.begin(), out.end(), a) == out.end())
        out.push_back(a);
    }
  }
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
  const std::vector<IpAddress> dsts =
      is_unspecified(target.dst) ? outside_addresses(target.family) : std::vector{target.dst};
  if (dsts.empty()) {
    none.reach = Reach::blocked;
    none.reason = std::string("the host has no IPv") + (target.family == 4 ? "4" : "6") +
                  " address the internet can reach";
    return none;
  }
  std::optional<Verdict> worst;
  std::vector<std::pair<IpPrefix, Verdict>> by_source;
  size_t walks = 0;
  bool cut_short = false;
  for (const auto& iface : ifaces) {
    for (const auto& dst : dsts) {
      Packet p;
      p.proto = target.proto;
      p.dport = target.port;
      p.in_iface = iface;
      p.dst = dst;
      p.src = *outside;
      Verdict v = walk(p);
      if (!worst || reach_rank(v.reach) > reach_rank(worst->reach)) worst = std::move(v);
      if (worst->reach != Reach::blocked) continue;
      for (const auto& prefix : index_->source_prefixes) {
        for (const IpAddress& src : {prefix.address, last_address(prefix)}) {
          if (host_.is_local(src) || is_loopback(src) || is_unspecified(src)) continue;
          if (++walks > kMaxSourceWalks) {
            cut_short = true;
            break;
          }
          p.src = src;
          by_source.emplace_back(prefix, walk(p));
        }
      }
    }
  }
  if (worst->reach == Reach::blocked) {
    bool some_unknown = cut_short;
    for (const auto& [prefix, v] : by_source) {
      some_unknown |= v.reach == Reach::unknown;
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
    } else if (some_unknown) {
      worst->reach = Reach::unknown;
      for (const auto& [prefix, v] : by_source)
        if (v.reach == Reach::unknown) {
          worst->unknown_rule = v.unknown_rule;
          break;
        }
      worst->reason = cut_short ? "blocked from the internet at large; too many source "
                                  "prefixes in the rules to try them all"
                                : "blocked from the internet at large, but undecidable for "
                                  "some source addresses the rules name";
    }
  }
  if (worst->reach == Reach::blocked && !firewall_.rules.errors.empty()) {
    worst->reach = Reach::unknown;
    worst->reason = "blocked by the rules that could be read, but " +
                    std::to_string(firewall_.rules.errors.size()) +
                    " line(s) of iptables-save could not be: " + firewall_.rules.errors.front();
  }
  const bool can_open = !firewall_.foreign_chains.empty() &&
                        (worst->reach == Reach::reachable || worst->reach == Reach::restricted);
  const bool can_redirect = !firewall_.foreign_nat_chains.empty() && worst->reach == Reach::blocked;
  if (can_open || can_redirect) {
    const std::string& chain =
        can_open ? firewall_.foreign_chains.front() : firewall_.foreign_nat_chains.front();
    worst->reach = Reach::unknown;
    worst->unknown_rule = chain;
    worst->reason = std::string(can_open ? "iptables lets it through" : "iptables blocks it") +
                    ", but nftables has its own chain that hostward does not walk: " + chain;
  }
  return *worst;
}

}  // namespace hostward::exposure

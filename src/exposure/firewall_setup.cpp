#include <stdexcept>

#include "exposure/exposure.h"
#include "exposure/nft_ruleset.h"

namespace hostward::exposure {

namespace {

Firewall family_firewall(const host::Snapshot& snap, int family, std::vector<std::string>& errors) {
  const host::FirewallDump& d = snap.firewall;
  const host::IptablesText& ipt = family == 4 ? d.v4 : d.v6;
  Firewall fw;
  fw.family = family;
  fw.forwarding = family == 4 ? d.forwarding_v4 : d.forwarding_v6;
  if (ipt.read) {
    fw.rules = host::parse_iptables_save(ipt.text);
    for (const auto& e : fw.rules.errors)
      errors.push_back((family == 4 ? "iptables-save: " : "ip6tables-save: ") + e);
    fw.read = true;
  }
  if (d.nft_read) {
    try {
      // Without iptables-save, the iptables-nft tables themselves go unjudged.
      fw.foreign_chains = foreign_nft_chains(d.nft_json, family, !ipt.read);
      fw.read = true;
    } catch (const std::exception& e) {
      errors.push_back(std::string("nft: ") + e.what());
      if (!ipt.read) fw.unread_reason = ipt.error + "; nft: " + e.what();
    }
  } else if (!ipt.read) {
    fw.unread_reason = ipt.error.empty() ? "not collected" : ipt.error;
    if (!d.nft_error.empty()) fw.unread_reason += "; " + d.nft_error;
  }
  if (!ipt.read && fw.read && fw.foreign_chains.empty() && !ipt.error.empty() &&
      ipt.error.find("not installed") == std::string::npos) {
    // iptables-save failed for another reason (permission): its tables may hold rules.
    fw.read = false;
    fw.unread_reason = ipt.error;
  }
  if (!snap.network_collected) {
    fw.read = false;
    fw.unread_reason = "the snapshot holds no firewall (taken without the network area)";
  }
  return fw;
}

}  // namespace

FirewallSetup firewall_setup(const host::Snapshot& snap) {
  FirewallSetup s;
  for (const auto& i : snap.interfaces) {
    Interface iface;
    iface.name = i.name;
    iface.loopback = i.loopback;
    for (const auto& a : i.addresses) {
      const auto p = parse_prefix(a);
      const auto addr = parse_ip(a.substr(0, a.find('/')));
      if (!p || !addr) continue;
      iface.addresses.push_back(*addr);
      iface.networks.push_back(*p);
    }
    s.host.interfaces.push_back(std::move(iface));
  }
  s.v4 = family_firewall(snap, 4, s.errors);
  s.v6 = family_firewall(snap, 6, s.errors);
  return s;
}

}  // namespace hostward::exposure

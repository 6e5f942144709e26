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
  fw.forwarding_known = d.forwarding_read;
  if (ipt.read) {
    fw.rules = host::parse_iptables_save(ipt.text);
    // iptables-nft cannot print a table nft made incompatible: it may hold anything.
    for (size_t at = ipt.text.find("is incompatible"); at != std::string::npos;
         at = ipt.text.find("is incompatible", at + 1)) {
      const size_t start = ipt.text.rfind('\n', at);
      const std::string line =
          ipt.text.substr(start == std::string::npos ? 0 : start + 1,
                          ipt.text.find('\n', at) - (start == std::string::npos ? 0 : start + 1));
      fw.foreign_chains.push_back("iptables-save: " + line);
      fw.foreign_nat_chains.push_back("iptables-save: " + line);
    }
    for (const auto& e : fw.rules.errors)
      errors.push_back((family == 4 ? "iptables-save: " : "ip6tables-save: ") + e);
    fw.read = true;
  }
  if (d.nft_read) {
    try {
      // Without iptables-save, the iptables-nft tables themselves go unjudged.
      const auto foreign = foreign_nft_chains(d.nft_json, family, !ipt.read);
      fw.foreign_chains.insert(fw.foreign_chains.end(), foreign.filter.begin(),
                               foreign.filter.end());
      fw.foreign_nat_chains.insert(fw.foreign_nat_chains.end(), foreign.nat.begin(),
                                   foreign.nat.end());
      fw.read = true;
    } catch (const std::exception& e) {
      errors.push_back(std::string("nft: ") + e.what());
      if (!ipt.read) fw.unread_reason = ipt.error + "; nft: " + e.what();
    }
  } else if (!ipt.read) {
    fw.unread_reason = ipt.error.empty() ? "not collected" : ipt.error;
    if (!d.nft_error.empty()) fw.unread_reason += "; " + d.nft_error;
  }
  if (!ipt.read && fw.read && fw.foreign_chains.empty() && fw.foreign_nat_chains.empty() &&
      !ipt.error.empty() && ipt.error.find("not installed") == std::string::npos) {
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

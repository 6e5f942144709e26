#pragma once
#include <string>
#include <vector>

#include "core/finding.h"

namespace hostward::host {

// One family's iptables rules as iptables-save prints them.
struct IptablesText {
  bool read = false;
  std::string text;
  std::string error;  // why not read
};

// The firewall as the host's own tools print it. Parsing and judging is for
// the exposure module; this only runs the tools, safely.
struct FirewallDump {
  IptablesText v4;
  IptablesText v6;
  bool nft_read = false;
  std::string nft_json;  // `nft -j list ruleset`
  std::string nft_error;
  bool forwarding_v4 = false;
  bool forwarding_v6 = false;
  bool forwarding_read = false;  // false: the switches could not be read
};

// Runs iptables-save and ip6tables-save (and the legacy variants when the
// default is nf_tables and the legacy tables hold rules), `nft -j list
// ruleset`, and reads the forwarding switches under `proc_root`/sys.
FirewallDump collect_firewall(const std::string& proc_root, std::vector<CollectorError>& errors);

// Whether iptables-save output holds any rule (not only empty chains).
bool has_rules(const std::string& iptables_save_text);

}  // namespace hostward::host

#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace hostward::exposure {

// From `nft -j list ruleset`: the base chains outside iptables' own tables that
// could stop or let through a new connection of `family` (4 or 6): hooked on
// prerouting, input or forward (ip/ip6/inet) or ingress (netdev), with rules or
// a drop policy. Described for people: "inet filter input (hook input, policy
// drop, 3 rules)". With `include_iptables_tables`, the iptables-nft tables count
// too (when iptables-save could not read them). Throws std::runtime_error on
// JSON that is not an nft ruleset.
struct ForeignChains {
  std::vector<std::string> filter;  // could drop (filter type, or a drop policy)
  std::vector<std::string> nat;     // could translate (nat or route type, with rules)
};
ForeignChains foreign_nft_chains(std::string_view nft_json, int family,
                                 bool include_iptables_tables);

}  // namespace hostward::exposure

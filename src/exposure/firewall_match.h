#pragma once
#include <string>

#include "exposure/packet.h"
#include "host/iptables_save.h"

namespace hostward::exposure {

enum class Tri { no, yes, unknown };

struct MatchResult {
  Tri result = Tri::yes;
  std::string why;  // for unknown: the option that could not be judged
};

// Whether the rule's matches all hold for the packet. A match hostward does
// not model is `unknown`, never a guess.
MatchResult match_rule(const host::FirewallRule& rule, const Packet& p, const HostView& host);

// iptables interface names: exact, or a prefix when ending in '+'.
bool interface_matches(const std::string& pattern, const std::string& name);

}  // namespace hostward::exposure

#pragma once
#include <map>
#include <string>
#include <vector>

#include "exposure/firewall.h"

namespace hostward::exposure {

struct TableIndex {
  const host::FirewallTable* table = nullptr;
  std::map<std::string, std::vector<const host::FirewallRule*>, std::less<>> rules;
  std::map<std::string, std::string, std::less<>> policies;  // "-" for user chains
};

struct FirewallEngine::Index {
  std::map<std::string, TableIndex, std::less<>> tables;
  std::vector<IpPrefix> source_prefixes;  // every source the rules single out
};

}  // namespace hostward::exposure

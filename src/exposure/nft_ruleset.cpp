#include "exposure/nft_ruleset.h"

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace hostward::exposure {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>().substr(0, 128) : "";
}

bool family_applies(const std::string& f, int family) {
  if (f == "inet" || f == "netdev") return true;
  return family == 4 ? f == "ip" : f == "ip6";
}

bool iptables_table(const std::string& family, const std::string& name) {
  return (family == "ip" || family == "ip6") &&
         (name == "filter" || name == "nat" || name == "mangle" || name == "raw" ||
          name == "security");
}

}  // namespace

ForeignChains foreign_nft_chains(std::string_view nft_json, int family,
                                 bool include_iptables_tables) {
  const json::parser_callback_t limit_depth = [](int depth, json::parse_event_t, json&) {
    if (depth > 64) throw std::runtime_error("nft -j: nested deeper than 64");
    return true;
  };
  const json j = json::parse(nft_json, limit_depth, false);
  if (j.is_discarded() || !j.is_object()) throw std::runtime_error("nft -j: not JSON");
  const auto items = j.find("nftables");
  if (items == j.end() || !items->is_array())
    throw std::runtime_error("nft -j: no \"nftables\" list");
  struct Chain {
    std::string hook, policy, type;
    int rules = 0;
  };
  std::map<std::string, Chain> chains;  // "family table name"
  std::vector<std::string> order;
  for (const auto& item : *items) {
    if (!item.is_object()) continue;
    if (auto c = item.find("chain"); c != item.end() && c->is_object()) {
      const std::string key = str(*c, "family") + " " + str(*c, "table") + " " + str(*c, "name");
      if (!chains.count(key)) order.push_back(key);
      chains[key].hook = str(*c, "hook");
      chains[key].policy = str(*c, "policy");
      chains[key].type = str(*c, "type");
    } else if (auto r = item.find("rule"); r != item.end() && r->is_object()) {
      const std::string key = str(*r, "family") + " " + str(*r, "table") + " " + str(*r, "chain");
      if (!chains.count(key)) order.push_back(key);
      ++chains[key].rules;
    }
  }
  ForeignChains out;
  for (const auto& key : order) {
    const Chain& c = chains[key];
    const auto sp1 = key.find(' '), sp2 = key.find(' ', sp1 + 1);
    const std::string fam = key.substr(0, sp1), table = key.substr(sp1 + 1, sp2 - sp1 - 1);
    if (!family_applies(fam, family)) continue;
    if (!include_iptables_tables && iptables_table(fam, table)) continue;
    if (c.hook != "prerouting" && c.hook != "input" && c.hook != "forward" && c.hook != "ingress")
      continue;
    if (c.rules == 0 && c.policy != "drop") continue;
    const std::string text = key + " (" + (c.type.empty() ? "filter" : c.type) + ", hook " +
                             c.hook + ", policy " + (c.policy.empty() ? "accept" : c.policy) +
                             ", " + std::to_string(c.rules) + (c.rules == 1 ? " rule)" : " rules)");
    if ((c.type == "nat" || c.type == "route") && c.rules > 0) out.nat.push_back(text);
    if (c.type != "nat" || c.policy == "drop") out.filter.push_back(text);
  }
  return out;
}

}  // namespace hostward::exposure

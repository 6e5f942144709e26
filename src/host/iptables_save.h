#pragma once
#include <string>
#include <string_view>
#include <vector>

// The text `iptables-save` / `ip6tables-save` print (iptables-legacy and
// iptables-nft alike), parsed into tables, chains and rules. A parser only:
// what a rule means is for the verdict engine (issue #3) to decide.
namespace hostward::host {

// One option of a rule: "-p tcp", "! -s 10.0.0.0/8", "--dport 5432",
// "--ctstate RELATED,ESTABLISHED"; `module` is the -m that introduced it.
struct RuleOption {
  std::string name;  // "-p", "--dport", ...
  std::vector<std::string> values;
  bool negated = false;
  std::string module;  // "" for the core options (-p -s -d -i -o)
};

struct FirewallRule {
  std::string chain;
  std::vector<std::string> modules;        // every -m, in order
  std::vector<RuleOption> options;         // the matches
  std::string target;                      // -j or -g target, "" when none
  bool is_goto = false;                    // -g
  std::vector<RuleOption> target_options;  // --to-destination, --reject-with, ...
  std::string text;                        // the line as written, for evidence
  int line = 0;
};

struct FirewallChain {
  std::string name;
  std::string policy;  // ACCEPT / DROP for built-in chains, "-" for user chains
};

struct FirewallTable {
  std::string name;  // filter, nat, mangle, raw, security
  std::vector<FirewallChain> chains;
  std::vector<FirewallRule> rules;  // in order; each names its chain
};

struct Ruleset {
  std::vector<FirewallTable> tables;
  std::vector<std::string> errors;  // "line N: what", the rest still parsed
};

Ruleset parse_iptables_save(std::string_view text);

// Splits a rule line the way iptables-save quotes it ("double quotes", \").
std::vector<std::string> split_rule_words(std::string_view line);

}  // namespace hostward::host

#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "core/severity.h"

namespace hostward {

struct RuleInfo {
  std::string id;                      // area.kebab-name, never changes once shipped
  Severity severity = Severity::info;  // default; a rule may report lower or higher with reason
  std::vector<std::string> attack;     // MITRE ATT&CK technique ids
  std::string title;
  std::string rationale;    // one line: why this matters
  std::string remediation;  // what to do about it
};

std::string_view rule_area(std::string_view id);
bool is_known_area(std::string_view area);

class RuleCatalog {
 public:
  void add(RuleInfo info);
  const RuleInfo* find(std::string_view id) const;
  const std::vector<RuleInfo>& all() const { return rules_; }

 private:
  std::vector<RuleInfo> rules_;
};

// A finding of rule `info` with its remediation and ATT&CK ids, and a
// fingerprint from the host, the rule and `identity` (what makes this finding
// this one: an address, a user and an address, ...).
Finding make_finding(const RuleInfo& info, Severity severity, std::string title,
                     nlohmann::json subject, nlohmann::json evidence, std::string_view hostname,
                     std::string_view identity);

}  // namespace hostward

#include "core/rule_catalog.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "core/finding.h"
#include "core/fingerprint.h"

namespace hostward {

std::string_view rule_area(std::string_view id) { return id.substr(0, id.find('.')); }

bool is_known_area(std::string_view area) {
  static constexpr std::array<std::string_view, 6> kAreas = {"process", "network", "config",
                                                             "auth",    "secrets", "ci"};
  return std::find(kAreas.begin(), kAreas.end(), area) != kAreas.end();
}

void RuleCatalog::add(RuleInfo info) {
  if (find(info.id) != nullptr) throw std::logic_error("rule registered twice: " + info.id);
  if (!is_known_area(rule_area(info.id)))
    throw std::logic_error("rule in unknown area: " + info.id);
  rules_.push_back(std::move(info));
  std::sort(rules_.begin(), rules_.end(),
            [](const RuleInfo& a, const RuleInfo& b) { return a.id < b.id; });
}

const RuleInfo* RuleCatalog::find(std::string_view id) const {
  for (const auto& r : rules_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

Finding make_finding(const RuleInfo& info, Severity severity, std::string title,
                     nlohmann::json subject, nlohmann::json evidence, std::string_view hostname,
                     std::string_view identity) {
  Finding f;
  f.rule = info.id;
  f.severity = severity;
  f.title = std::move(title);
  f.subject = std::move(subject);
  f.evidence = std::move(evidence);
  f.remediation = info.remediation;
  f.attack = info.attack;
  f.fingerprint = make_fingerprint(hostname, info.id, identity);
  return f;
}

std::optional<Severity> worst_severity(const Report& report) {
  std::optional<Severity> worst;
  auto consider = [&](Severity s) {
    if (!worst || s > *worst) worst = s;
  };
  for (const auto& f : report.findings) consider(f.severity);
  for (const auto& i : report.incidents) consider(i.severity);
  return worst;
}

}  // namespace hostward

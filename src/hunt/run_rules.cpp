#include <algorithm>

#include "hunt/hunt.h"
#include "hunt/rule_context.h"

namespace hostward::hunt {

void register_rules(RuleCatalog& catalog) {
  for (const auto& r : process_rules()) catalog.add(r.info);
}

std::vector<Finding> run_rules(const host::Snapshot& snap, const HuntConfig& config) {
  const ProcessIndex index(snap.processes);
  std::vector<Finding> findings;
  RuleContext ctx{snap, config, index, nullptr};
  for (const auto& r : process_rules()) {
    if (r.phase == 1) r.run(ctx, findings);
  }
  const std::vector<Finding> first = findings;
  ctx.earlier = &first;
  for (const auto& r : process_rules()) {
    if (r.phase == 2) r.run(ctx, findings);
  }
  return findings;
}

}  // namespace hostward::hunt

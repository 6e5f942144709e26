#pragma once
#include <vector>

#include "core/finding.h"
#include "core/rule_catalog.h"
#include "probe/probe.h"

namespace hostward::probe {

void register_rules(RuleCatalog& catalog);

// network.unauthenticated-service and network.password-auth-exposed from what
// the checks proved. `origin` names who looked (for fingerprints).
std::vector<Finding> probe_findings(const std::vector<HostReport>& hosts,
                                    const std::string& origin);

}  // namespace hostward::probe

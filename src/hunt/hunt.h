#pragma once
#include <vector>

#include "core/config.h"
#include "core/finding.h"
#include "core/rule_catalog.h"
#include "host/snapshot.h"

namespace hostward::hunt {

// Adds the process.* rules to the catalog.
void register_rules(RuleCatalog& catalog);

// Runs every process rule on the snapshot. Findings carry their catalog data
// (attack ids, remediation) and a fingerprint, but no incident yet.
std::vector<Finding> run_rules(const host::Snapshot& snap, const HuntConfig& config);

// Groups findings on one process tree into incidents and tags the findings.
std::vector<Incident> group_incidents(const host::Snapshot& snap, std::vector<Finding>& findings);

struct TreeOptions {
  bool color = false;
  size_t width = 0;  // 0: do not cut lines
};
// `ps -ef --forest` with each process's findings beside it.
std::string render_process_tree(const host::Snapshot& snap, const std::vector<Finding>& findings,
                                const TreeOptions& options);

}  // namespace hostward::hunt

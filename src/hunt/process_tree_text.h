#pragma once
#include <set>
#include <string>
#include <vector>

#include "core/finding.h"
#include "hunt/process_index.h"

namespace hostward::hunt {

// "mysql 779680 lxd 249% /tmp/mysql (deleted)"
std::string process_line(const ProcessInfo& p);

// Short names of the rules that fired on each pid: "deleted-executable, high-cpu".
std::map<int, std::string> flags_by_pid(const std::vector<Finding>& findings);

// The branch of the tree from `root` that leads to `pids`, drawn with box lines.
std::vector<std::string> incident_tree_lines(const ProcessIndex& index, int root,
                                             const std::set<int>& pids,
                                             const std::vector<Finding>& findings);

}  // namespace hostward::hunt

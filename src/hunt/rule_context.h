#pragma once
#include <set>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/finding.h"
#include "core/rule_catalog.h"
#include "hunt/process_index.h"

namespace hostward::hunt {

struct RuleContext {
  const host::Snapshot& snap;
  const HuntConfig& config;
  const ProcessIndex& index;
  const std::vector<Finding>* earlier =
      nullptr;  // findings of the first phase, for correlating rules
};

using RuleFn = void (*)(const RuleContext&, std::vector<Finding>&);

struct ProcessRule {
  RuleInfo info;
  RuleFn run;
  int phase = 1;  // phase 2 rules see the findings of phase 1
};

// Each rule file defines one of these.
ProcessRule deleted_executable_rule();
ProcessRule world_writable_executable_rule();
ProcessRule memfd_executable_rule();
ProcessRule masquerade_rule();
ProcessRule database_spawned_child_rule();
ProcessRule miner_indicators_rule();
ProcessRule high_cpu_rule();
ProcessRule hidden_process_rule();

const std::vector<ProcessRule>& process_rules();

// A finding about one process, with the subject and fingerprint filled in.
// `identity` is what makes the finding the same across runs (not the pid).
Finding process_finding(const RuleContext& ctx, const RuleInfo& info, const ProcessInfo& p,
                        std::string title, nlohmann::json evidence,
                        const std::string& identity = "");

nlohmann::json process_subject(const ProcessInfo& p);

// PIDs with a finding at or above `min`. Low findings (an upgraded binary, a
// private build tree under /tmp) are too common to tie processes together.
std::set<int> pids_with_findings(const std::vector<Finding>& findings,
                                 Severity min = Severity::medium);
std::string describe(const ProcessInfo& p);  // "mysql (pid 779680)"

}  // namespace hostward::hunt

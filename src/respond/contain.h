#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "respond/evidence.h"
#include "respond/freezer.h"
#include "respond/target_plan.h"

// `hostward contain`: freeze a process tree so nothing in it can run or
// respawn, take evidence, kill it, and watch that nothing comes back.
namespace hostward::respond {

struct ContainOptions {
  std::vector<int> pids;
  bool tree = false;
  bool dry_run = false;
  double watch_s = 10;
  bool evidence = true;
  EvidenceOptions evidence_options;  // out_dir filled in by the caller
  double evidence_timeout_s = 120;   // evidence capture is stopped after this long
  // With one pid: refuse it unless it still has this start time (watch
  // --contain passes the process it judged, not whatever has its PID now).
  unsigned long long expect_start = 0;
  FreezerChoice freezer = FreezerChoice::automatic;
};

struct ContainResult {
  nlohmann::json report;  // hostward-contain/v1
  int exit_code = 0;      // 0 contained, 1 something survived or came back, 2 nothing could be done
};

ContainResult run_contain(const ContainOptions& options);

// Text for people: the plan, what happened to each process, the result.
std::string contain_text(const nlohmann::json& report, bool color);

}  // namespace hostward::respond

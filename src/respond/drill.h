#pragma once
#include <nlohmann/json.hpp>
#include <string>

// `hostward drill`: the seed's attack replayed safely on this host. A
// throwaway PostgreSQL with trust on loopback (a stand-in parent named
// postgres when PostgreSQL is not installed), an "attacker" session that runs
// COPY ... TO PROGRAM to drop a harmless CPU burner as .../tmp/mysql under a
// watchdog that respawns it within 100 ms, the binary unlinked. One core at
// most, over by itself after the duration, cleaned up.
namespace hostward::respond {

struct DrillOptions {
  bool verify = false;
  double duration_s = 60;
  std::string format = "text";
  bool color = false;
  bool keep = false;  // leave the work directory (log, evidence) for a look
};

struct DrillResult {
  nlohmann::json report;  // hostward-drill/v1
  int exit_code = 0;  // 0 every check passed (or no --verify), 1 a check failed, 2 could not run
};

DrillResult run_drill(const DrillOptions& options);
std::string drill_text(const nlohmann::json& report, bool color);

// The payload's roles, run from the dropped copy of hostward:
// `__drill-role watchdog|miner|parent UNTIL_EPOCH [COMMAND]`.
int run_drill_role(int argc, char** argv);

}  // namespace hostward::respond

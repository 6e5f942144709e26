#pragma once
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/rule_catalog.h"
#include "watch/sinks.h"

namespace hostward::watch {

struct WatchOptions {
  bool use_connector = true;  // the netlink process connector, when the kernel allows
  double rescan_s = 5;        // /proc rescan: the safety net, or the only source without it
  double heartbeat_s = 60;
  double scan_s = 30;     // full scan: sustained CPU, new listeners, new /tmp executables
  double duration_s = 0;  // 0: until SIGINT/SIGTERM
  int rate_per_rule_per_min = 20;
  HuntConfig hunt;
  std::vector<std::string> tmp_dirs = {"/tmp", "/var/tmp", "/dev/shm"};
  // --contain: findings on a process at this severity or above start
  // `contain_program contain PID --tree` with contain_args.
  std::optional<Severity> contain_at;
  std::string contain_program;
  std::vector<std::string> contain_args;
  double contain_timeout_s = 300;
};

// Registers process.respawn-loop.
void register_rules(RuleCatalog& catalog);

// Runs until `stop` is set or the duration ends. Every alert goes to every sink.
void run_watch(const WatchOptions& options, const RuleCatalog& catalog,
               std::vector<std::unique_ptr<Sink>>& sinks, std::atomic<bool>& stop);

}  // namespace hostward::watch

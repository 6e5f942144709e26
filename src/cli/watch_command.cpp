#include <unistd.h>

#include <csignal>
#include <iostream>

#include "cli/commands.h"
#include "cli/host_run.h"
#include "core/severity.h"
#include "watch/watcher.h"

namespace hostward::cli {

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop = true; }

struct WatchCliOptions {
  std::vector<std::string> sinks;
  std::string spool = "/var/lib/hostward/spool";
  std::string config_path;
  std::string contain;
  double contain_watch_s = 10;
  watch::WatchOptions watch;
  bool no_connector = false;
};

}  // namespace

void add_watch_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<WatchCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "watch",
      "Watch continuously: every exec checked as it happens, alerts to stdout, a file, "
      "syslog or a webhook");
  cmd->add_option("--sink", opts->sinks,
                  "Where alerts go, any number: stdout (default), file:PATH, syslog, webhook:URL, "
                  "slack:URL");
  cmd->add_option(
      "--spool", opts->spool,
      "Folder keeping webhook alerts until delivered (default /var/lib/hostward/spool)");
  cmd->add_flag("--no-connector", opts->no_connector,
                "Do not use the netlink process connector: rescan /proc every second instead");
  cmd->add_option("--rescan-s", opts->watch.rescan_s,
                  "Seconds between /proc rescans, the safety net (default 5)");
  cmd->add_option("--heartbeat-s", opts->watch.heartbeat_s, "Seconds between heartbeats (60)");
  cmd->add_option("--scan-s", opts->watch.scan_s,
                  "Seconds between full scans: CPU, listeners, /tmp executables (30)");
  cmd->add_option("--duration-s", opts->watch.duration_s, "Stop after this long (default: never)");
  cmd->add_option("--rate", opts->watch.rate_per_rule_per_min,
                  "At most this many alerts per rule a minute (20); the rest are counted");
  cmd->add_option("--config", opts->config_path,
                  "YAML config (default /etc/hostward/config.yaml if present)");
  cmd->add_option("--contain", opts->contain,
                  "Contain automatically: a finding on a process at this severity or above "
                  "(high, critical) runs `hostward contain PID --tree` on it");
  cmd->add_option("--contain-watch-s", opts->contain_watch_s,
                  "Seconds each automatic containment watches for a comeback (10)");
  cmd->callback([opts, &exit_code] {
    if (!opts->contain.empty()) {
      opts->watch.contain_at = parse_severity(opts->contain);
      if (!opts->watch.contain_at || *opts->watch.contain_at < Severity::medium)
        throw UsageError("--contain takes medium, high or critical");
      // The running image itself, even after a package upgrade replaced the file.
      opts->watch.contain_program = "/proc/self/exe";
      opts->watch.contain_args = {"--watch-s", std::to_string(opts->contain_watch_s)};
      opts->watch.contain_timeout_s = opts->contain_watch_s + 120 + 180;  // evidence, then margin
    }
    if (opts->watch.rescan_s <= 0 || opts->watch.heartbeat_s <= 0 || opts->watch.scan_s <= 0)
      throw UsageError("--rescan-s, --heartbeat-s and --scan-s must be above 0");
    HostOptions ho;
    ho.config_path = opts->config_path;
    opts->watch.hunt = load_config_for(ho).hunt;
    opts->watch.use_connector = !opts->no_connector;
    if (opts->sinks.empty()) opts->sinks.push_back("stdout");
    std::vector<std::unique_ptr<watch::Sink>> sinks;
    for (const auto& spec : opts->sinks) {
      try {
        sinks.push_back(watch::make_sink(spec, opts->spool));
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--sink ") + e.what());
      }
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGPIPE, SIG_IGN);
    watch::run_watch(opts->watch, catalog(), sinks, g_stop);
    exit_code = 0;
  });
}

}  // namespace hostward::cli

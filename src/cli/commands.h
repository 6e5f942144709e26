#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace hostward::cli {

// Options shared by the commands that look at the host.
struct HostOptions {
  std::string format = "text";
  std::string fail_on = "high";
  std::vector<std::string> only;
  int sample_ms = 1000;
  std::string config_path;
  std::string from;
  std::string save_snapshot;
  std::string color = "auto";
  bool wide = false;
  std::string docker_socket = "/var/run/docker.sock";
  bool probe_self = false;  // run the probe's checks against our own exposed listeners
  std::string root_dir;     // --root: judge an offline tree's configuration, nothing live
};

// Which parts of the host a command looks at; decides what is collected.
struct Areas {
  bool process = false;
  bool network = false;
  bool auth = false;    // sshd logs, wtmp, btmp: read live only (not part of a snapshot)
  bool config = false;  // the host's hardening, from its configuration files (live or --root)
};

// Each returns the process exit code (0, 1 or 2, as in docs/exit-codes).
void add_scan_command(CLI::App& app, int& exit_code);
void add_ps_command(CLI::App& app, int& exit_code);
void add_rules_command(CLI::App& app, int& exit_code);
void add_exposure_command(CLI::App& app, int& exit_code);
void add_probe_command(CLI::App& app, int& exit_code);
void add_logs_command(CLI::App& app, int& exit_code);
void add_lint_command(CLI::App& app, int& exit_code);
void add_watch_command(CLI::App& app, int& exit_code);
void add_evidence_command(CLI::App& app, int& exit_code);
void add_contain_command(CLI::App& app, int& exit_code);
void add_drill_command(CLI::App& app, int& exit_code);

}  // namespace hostward::cli

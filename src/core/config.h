#pragma once
#include <string>
#include <vector>

namespace hostward {

// Known-good exceptions and thresholds users can extend without touching the
// rules (as Falco lists and macros do). Loaded from YAML; every key optional.
struct HuntConfig {
  // Commands a database server may legitimately run (archive_command, backups):
  // matched against the child's executable name or, for `sh -c CMD`, CMD's first word.
  std::vector<std::string> database_child_allow = {"wal-g",
                                                   "wal-e",
                                                   "pgbackrest",
                                                   "barman-wal-archive",
                                                   "barman-cloud-wal-archive",
                                                   "pg_archivecleanup"};
  // memfd names that may be executed (runc clones itself into a memfd).
  std::vector<std::string> memfd_allow = {"runc_cloned:*"};
  // Executable path globs exempt from process.world-writable-executable.
  std::vector<std::string> world_writable_allow = {};
  double high_cpu_percent = 90.0;  // of one core
  long long high_cpu_min_age_s =
      120;  // "sustained": younger processes only count with another finding
  std::vector<int> miner_pool_ports = {3333, 3334, 3335,  3336,  3357,  4444,  5555, 6666,
                                       7777, 9999, 10343, 14433, 14444, 45560, 45700};
};

struct NetworkConfig {
  // Listeners meant to be reachable, silenced in network.exposed-service:
  // "PORT/PROTO" ("443/tcp") or "PROGRAM:PORT/PROTO" ("nginx:80/tcp"), PROGRAM
  // a glob over the listening program's name (for a Docker publish, the
  // program inside the container, else the container's name).
  std::vector<std::string> expected_listeners = {};
};

// Thresholds of the auth rules (defaults as fail2ban's sshd jail: maxretry 5, findtime 10m).
struct AuthConfig {
  int max_failures = 5;          // auth.ssh-brute-force: this many failures ...
  long long window_s = 600;      // ... from one address within this many seconds
  int login_after_failures = 3;  // auth.login-after-failures: failures within window_s before
  // Addresses or CIDR prefixes whose failures and logins are not judged
  // (fail2ban's ignoreip): a bastion, the monitoring host.
  std::vector<std::string> ignore_addresses = {};
};

// Whether `entry` (as in NetworkConfig::expected_listeners) covers a listener.
bool listener_expected(const std::string& entry, const std::string& program, int port,
                       const std::string& proto);

struct Config {
  HuntConfig hunt;
  NetworkConfig network;
  AuthConfig auth;
};

// Parses YAML text; throws std::runtime_error with a message naming the key on bad input.
Config parse_config(const std::string& yaml_text);

// Loads a file; `required` false means a missing file gives the defaults.
Config load_config(const std::string& path, bool required);

bool glob_match(const std::string& pattern, const std::string& text);

}  // namespace hostward

#pragma once
// Real processes and the real hostward binary, for integration tests.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hostward::itest {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv (no shell) and waits, killing it after `timeout`.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::seconds timeout = std::chrono::seconds(120));

CommandResult run_hostward(std::vector<std::string> args);

// `hostward scan --only process --format json ...`, parsed.
nlohmann::json scan_json(std::vector<std::string> extra = {});

std::vector<nlohmann::json> findings_for(const nlohmann::json& report, const std::string& rule,
                                         int pid);

// Every finding of `rule` in a hostward/v1 report.
std::vector<nlohmann::json> findings_with_rule(const nlohmann::json& report,
                                               const std::string& rule);

// `hostward probe ARGS --format json --fail-on critical`, parsed; throws when
// it exits with anything but 0 or 1.
nlohmann::json probe_json(std::vector<std::string> args);

// The open port `port` of the first probed host, or null.
nlohmann::json probed_port(const nlohmann::json& report, int port);

std::string helper(const std::string& name);  // path of a test helper binary

bool is_root();
bool have_program(const std::string& name);

// A process started with fork/exec; killed with its whole process group at the end.
class Spawned {
 public:
  Spawned(const std::string& path, std::vector<std::string> argv);
  ~Spawned();
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "/tmp/hwtest.");
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A network namespace with a veth pair: 198.51.100.1/24 on our side,
// 198.51.100.2/24 inside. Deleted (with the veth) by the destructor.
class Netns {
 public:
  Netns();
  ~Netns();
  bool create();
  void cleanup();
  const std::string& name() const { return name_; }
  const std::string& error() const { return error_; }
  // argv run inside the namespace (`ip netns exec NAME argv...`).
  CommandResult run(std::vector<std::string> argv) const;
  // `hostward exposure --save-snapshot` run inside, with no Docker socket;
  // the snapshot file is written in `dir`.
  nlohmann::json exposure_snapshot(const std::string& dir) const;

 private:
  std::string name_, veth_, error_;
};

bool wait_until(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

std::string read_link(const std::string& path);
std::vector<pid_t> children_of(pid_t pid);
void copy_executable(const std::string& from, const std::string& to);

}  // namespace hostward::itest

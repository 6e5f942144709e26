#pragma once
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "support.h"

namespace hostward::itest {

// How a test wants its server: where it listens, its pg_hba.conf, SQL run
// once it is up (over the unix socket, as postgres), and the network
// namespace to start it in.
struct PostgresConfig {
  std::string listen = "127.0.0.1";
  std::string hba;  // empty: initdb's (trust on local connections)
  std::vector<std::string> setup_sql;
  std::string netns;
  int port = 0;  // 0: a free loopback port
  // The postmaster as PID 1 of its own PID namespace (unshare --pid --fork),
  // as in a container: orphans are adopted by it.
  bool pid_namespace = false;
};

// initdb into a temporary directory and a postmaster on a free loopback port,
// trust on loopback only; stopped and removed by the destructor.
class PostgresServer {
 public:
  PostgresServer();
  ~PostgresServer();
  bool start();
  bool start(const PostgresConfig& config);
  const std::string& why_not() const { return why_; }
  std::string bin(const std::string& name) const { return bindir_ + "/" + name; }
  int port() const { return port_; }
  pid_t postmaster_pid() const;
  pid_t parent_of(pid_t pid) const;
  pid_t find_descendant(const std::string& comm) const;  // 0 when none
  std::string log_path() const { return dir_->path() + "/log"; }
  std::string data_dir() const { return dir_->path() + "/data"; }
  std::string socket_dir() const { return dir_->path(); }
  std::string conninfo() const;

 private:
  CommandResult as_owner(std::vector<std::string> argv) const;
  std::string netns_;
  std::string bindir_;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Spawned> launcher_;  // unshare, in pid_namespace mode
  pid_t ns_postmaster_ = 0;
  int port_ = 0;
  bool started_ = false;
  std::string why_;
};

int free_loopback_port();

}  // namespace hostward::itest

#pragma once
#include <sys/types.h>

#include <memory>
#include <string>

#include "support.h"

namespace hostward::itest {

// initdb into a temporary directory and a postmaster on a free loopback port,
// trust on loopback only; stopped and removed by the destructor.
class PostgresServer {
 public:
  PostgresServer();
  ~PostgresServer();
  bool start();
  const std::string& why_not() const { return why_; }
  std::string bin(const std::string& name) const { return bindir_ + "/" + name; }
  int port() const { return port_; }
  pid_t postmaster_pid() const;
  pid_t parent_of(pid_t pid) const;
  pid_t find_descendant(const std::string& comm) const;  // 0 when none

 private:
  CommandResult as_owner(std::vector<std::string> argv) const;
  std::string bindir_;
  std::unique_ptr<TempDir> dir_;
  int port_ = 0;
  bool started_ = false;
  std::string why_;
};

int free_loopback_port();

}  // namespace hostward::itest

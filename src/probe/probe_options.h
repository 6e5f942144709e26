#pragma once
#include <map>
#include <string>
#include <vector>

namespace hostward::probe {

struct ProbeOptions {
  int check_timeout_ms = 3000;  // per service check, connect to last byte
  std::vector<std::string> pg_users = {"postgres"};
  bool try_default_logins = false;      // MySQL root with an empty password
  std::map<int, std::string> services;  // port → service, over the usual port numbers
  bool run_checks = true;               // false: the port scan alone
};

}  // namespace hostward::probe

#pragma once
// "internet" ⇄ veth ⇄ "host" ⇄ bridge docker0 ⇄ "container", three network
// namespaces built by the test, for asking the kernel what a firewall does.
//
//   internet  eth0 203.0.113.2/24, 192.0.2.2/24, 2001:db8:1::2/64
//   host      eth0 203.0.113.1/24, 2001:db8:1::1/64; docker0 198.51.100.1/24;
//             forwarding on; a route back to 192.0.2.0/24
//   container eth0 198.51.100.2/24, default via 198.51.100.1
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "integration/support.h"

namespace hostward::itest {

class Topology {
 public:
  Topology();
  ~Topology();
  bool create();
  const std::string& error() const { return error_; }

  const std::string& internet() const { return inet_; }
  const std::string& host() const { return host_; }
  const std::string& container() const { return ctr_; }

  // Starts hw_listen in a namespace on ADDR PORT pairs; waits until bound.
  bool listen(const std::string& ns, const std::vector<std::string>& addr_ports);

  // Replaces the host's iptables (or ip6tables) rules with `rules` (iptables-restore).
  bool load_rules(const std::string& rules, bool ipv6 = false);

  // What a real connect() from "internet" sees: open, refused, timeout.
  std::string connect(const std::string& addr, int port, const std::string& source = "") const;

  // `hostward exposure --format json` run inside "host".
  nlohmann::json exposure() const;

 private:
  std::string run_in(const std::string& ns, std::vector<std::string> argv, bool& ok) const;
  std::string inet_, host_, ctr_, suffix_, error_;
  std::vector<std::unique_ptr<Spawned>> listeners_;
  std::unique_ptr<TempDir> tmp_;
};

// The exposure row for proto/address/port, or null.
nlohmann::json exposure_row(const nlohmann::json& report, const std::string& address, int port);

}  // namespace hostward::itest

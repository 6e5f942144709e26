#pragma once
#include <memory>
#include <string>
#include <vector>

#include "exposure/firewall.h"
#include "exposure/service.h"
#include "host/snapshot.h"

namespace hostward::exposure {

// One way in: a listening socket of this host's network namespace, or a port
// Docker publishes, with who answers and what the firewall says.
struct ExposureRow {
  std::string proto;    // tcp, udp
  std::string address;  // as bound: "0.0.0.0", "::", "127.0.0.1", or a publish's HostIp
  int port = 0;
  bool dual_stack = false;  // [::] without IPV6_V6ONLY also takes IPv4
  int pid = 0;              // the listening process on the host (docker-proxy for a publish)
  std::string process;
  std::string container;  // the container it belongs to, by name (or short id)
  std::string image;
  std::string published_from;  // "container:5432/tcp" for a Docker publish
  int served_by_pid = 0;       // the process inside the container that listens, when known
  std::string served_by;
  Service service;
  bool local_only = false;  // bound to loopback: never reachable from another host
  Verdict verdict;          // from the internet; for dual stack the worse of both
  std::map<std::string, std::string> auth_env;  // of the publishing container
};

// The firewall, the host's interfaces and the engines, built once from a snapshot.
struct FirewallSetup {
  HostView host;
  Firewall v4;
  Firewall v6;
  std::vector<std::string> errors;  // nft output that could not be read, ...
};
FirewallSetup firewall_setup(const host::Snapshot& snap);

// Every row, sorted by proto, port, address.
std::vector<ExposureRow> exposure_rows(const host::Snapshot& snap, const FirewallSetup& setup);

// "local-only" for a loopback listener, else the verdict's reach.
std::string verdict_label(const ExposureRow& row);

}  // namespace hostward::exposure

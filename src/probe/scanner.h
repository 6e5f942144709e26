#pragma once
#include <string>
#include <vector>

#include "probe/targets.h"

namespace hostward::probe {

// open: the handshake completed; closed: refused (RST); filtered: no answer
// within the timeout twice, or an ICMP unreachable.
enum class PortState { open, closed, filtered };
const char* port_state_name(PortState s);

struct PortResult {
  size_t host = 0;  // index into the hosts given to scan()
  int port = 0;
  PortState state = PortState::filtered;
  std::string why;  // for filtered: "timeout", "host unreachable", ...
};

struct ScanOptions {
  int timeout_ms = 1000;   // per connection attempt
  int retries = 1;         // more attempts for a timeout (not for a refusal)
  size_t concurrency = 0;  // connections in flight; 0: as many as the fd limit allows, ≤ 1024
};

// TCP connect scan: non-blocking connects on epoll, each closed with RST (no
// TIME-WAIT left behind). Results sorted by host, then port.
std::vector<PortResult> scan_ports(const std::vector<Host>& hosts, const std::vector<int>& ports,
                                   const ScanOptions& options);

}  // namespace hostward::probe

#pragma once
#include <optional>
#include <string>
#include <vector>

#include "probe/probe_options.h"
#include "probe/scanner.h"
#include "probe/service_result.h"
#include "probe/targets.h"

namespace hostward::probe {

struct PortReport {
  int port = 0;
  PortState state = PortState::filtered;
  std::string why;
  std::optional<ServiceResult> service;  // open ports that hostward knows a check for
};

struct HostReport {
  Host host;
  std::vector<PortReport> ports;  // open ones, sorted
  size_t closed = 0;
  size_t filtered = 0;
};

// Scans every host's ports, then runs the read-only check of each open port
// that has one (a few at a time).
std::vector<HostReport> run_probe(const std::vector<Host>& hosts, const std::vector<int>& ports,
                                  const ScanOptions& scan, const ProbeOptions& options);

// The checks alone, for ports known to be open (this host's own listeners).
std::vector<HostReport> check_open_ports(const std::vector<std::pair<Host, int>>& endpoints,
                                         const ProbeOptions& options);

}  // namespace hostward::probe

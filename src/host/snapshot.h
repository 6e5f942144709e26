#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/finding.h"
#include "host/docker.h"
#include "host/firewall_dump.h"
#include "host/interfaces.h"
#include "host/proc_reader.h"
#include "host/process.h"
#include "host/sockets.h"

namespace hostward::host {

// Everything the rules look at: plain data, written to JSON and read back so
// rules can run on a snapshot taken elsewhere (`--from FILE`).
struct Snapshot {
  std::string hostname;
  std::string kernel;
  long long taken_at = 0;  // epoch seconds
  int self_pid = 0;        // the collecting hostward
  int sample_ms = 0;       // CPU sampling window, 0 = lifetime averages
  ClockFacts clock;
  std::vector<ProcessInfo> processes;
  std::vector<UnlistedPid> unlisted;
  std::vector<Connection> connections;
  std::vector<std::string> local_addresses;
  uint64_t host_netns = 0;         // the network namespace the snapshot was taken in
  bool network_collected = false;  // listeners, interfaces, firewall and Docker were read
  std::vector<InterfaceInfo> interfaces;
  FirewallDump firewall;
  DockerFacts docker;
  std::vector<CollectorError> errors;
};

nlohmann::json snapshot_to_json(const Snapshot& s);
// Throws std::runtime_error with a message naming what is wrong.
Snapshot snapshot_from_json(const nlohmann::json& j);

}  // namespace hostward::host

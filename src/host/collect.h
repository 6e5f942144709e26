#pragma once
#include <set>
#include <string>

#include "host/snapshot.h"

namespace hostward::host {

struct CollectOptions {
  int sample_ms = 1000;       // CPU sampling window; 0 uses lifetime averages
  bool probe_hidden = true;   // look for PIDs missing from the /proc listing
  bool connections = true;    // established TCP in every network namespace
  std::set<int> owner_ports;  // resolve the owning process of connections to these remote ports
  bool network = false;       // listeners (TCP and UDP) with owners, firewall, Docker
  bool docker = true;         // with network: ask the Docker engine for its containers
  std::string docker_socket = "/var/run/docker.sock";
  std::string docker_daemon_json = "/etc/docker/daemon.json";
  std::string proc_root = "/proc";
  std::string passwd_path = "/etc/passwd";
};

// Host name, kernel, time and our pid: what every report says about the host.
void fill_host_facts(Snapshot& snap);

// One pass over the live host. Never throws for a single source: what cannot be
// read becomes an entry in Snapshot::errors.
Snapshot collect_snapshot(const CollectOptions& options);

// The process part alone, used by `collect_snapshot` and by tests. Large
// lists are read by one thread per core, each with a copy of `reader`.
std::vector<ProcessInfo> collect_processes(ProcessReader& reader, const std::vector<int>& pids);

// Re-reads each process's CPU time after the window and replaces the lifetime
// averages with the sampled rate.
void sample_cpu(const ProcessReader& reader, std::vector<ProcessInfo>& processes, int sample_ms,
                long ticks_per_second);

// PIDs that exist but were missing from `listed`: kill(pid, 0) over 1..bound,
// then every answer explained away if it can be: listed in a second listing,
// a thread of a listed process (its task/ entry or its Tgid), born after the
// scan began (start time), or listed again 100 ms later. What is left is hidden.
std::vector<UnlistedPid> probe_unlisted(const std::vector<ProcessInfo>& listed,
                                        const std::string& proc_root, const ClockFacts& clock);

}  // namespace hostward::host

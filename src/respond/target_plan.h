#pragma once
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "host/process.h"

// Which processes `contain` acts on, decided from one reading of the process
// table before anything is touched. Pure: tests hand it made-up tables.
namespace hostward::respond {

using host::ProcessInfo;

enum class TargetRole { named, descendant, ancestor, escaped };
const char* to_string(TargetRole r);

struct Target {
  int pid = 0;
  unsigned long long start_ticks = 0;
  int ppid = 0;
  std::string comm;
  std::string exe;
  TargetRole role = TargetRole::named;
  std::string why;  // for ancestors and escapees: what ties it to the intrusion
  // Its subtree hangs below a database server: it must end by exit(1), not a
  // signal, or the server takes the death for a crashed backend (PostgreSQL
  // then kills every session and runs crash recovery).
  bool quiet_exit = false;
  int anchor_pid = 0;  // the first process above it that is not a target
  std::string anchor_name;
  int depth = 0;  // below the anchor: parents before children
};

struct Refusal {
  int pid = 0;
  std::string reason;
};

struct TargetPlan {
  std::vector<Target> targets;  // parents before children
  std::vector<Refusal> refused;
  bool contains(int pid) const;
};

struct PlanInput {
  std::vector<int> named;
  bool tree = false;
  int self_pid = 0;
  std::set<int> never;  // hostward itself and its ancestors
  // Every process running hostward's own image (the same file): a watch, the
  // drill's helpers. A payload that is a copy of hostward is another file.
  std::set<int> hostward;
  // SHA-256 of a process's executable, "" when unreadable; asked only for
  // executables that could be a payload (deleted, memfd, in a world-writable place).
  std::function<std::string(const ProcessInfo&)> exe_hash;
};

// A process that is not part of an intrusion: where the climb with --tree stops.
// Init, service managers, sshd, container shims, CI agents, database servers,
// and the shell of a logged-in user; each only when its program is installed
// (not deleted, not in a world-writable place), so a payload named sshd is no anchor.
bool outside_intrusion(const ProcessInfo& p, const ProcessInfo* parent);

// An executable that could be a dropped payload, so sharing it ties processes together.
bool payload_like(const ProcessInfo& p);

TargetPlan plan_targets(const std::vector<ProcessInfo>& table, const PlanInput& in);

}  // namespace hostward::respond

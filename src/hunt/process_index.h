#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "host/snapshot.h"

namespace hostward::hunt {

using host::ProcessInfo;

// Parent/child lookups over a snapshot's process list.
class ProcessIndex {
 public:
  explicit ProcessIndex(const std::vector<ProcessInfo>& processes);
  const ProcessInfo* find(int pid) const;
  const ProcessInfo* parent(const ProcessInfo& p) const;
  const std::vector<int>& children(int pid) const;
  // Ancestors from the parent up to the top, guarded against cycles in hand-made snapshots.
  std::vector<const ProcessInfo*> ancestors(const ProcessInfo& p) const;
  const std::vector<ProcessInfo>& all() const { return *processes_; }

 private:
  const std::vector<ProcessInfo>* processes_;
  std::unordered_map<int, size_t> by_pid_;
  std::unordered_map<int, std::vector<int>> children_;
};

std::string_view base_name(std::string_view path);

// The program name argv[0] claims: "postgres: 15/main: checkpointer" -> "postgres",
// "/usr/sbin/sshd" -> "sshd", "sshd: root@pts/0" -> "sshd".
std::string argv0_name(const ProcessInfo& p);

// The executable's file name, or comm when the exe link could not be read.
std::string program_name(const ProcessInfo& p);

bool is_database_server(const ProcessInfo& p);

// The exe link could not be read only for lack of permission (not root): names
// may stand in for it then, never when it failed otherwise (a path longer than
// PATH_MAX hides a payload called "postgres").
bool exe_denied(const ProcessInfo& p);

// Where the executable lies relative to directories others can write to.
enum class WritableLocation {
  none,         // no world-writable directory on the way
  direct,       // its own directory is writable by others (/tmp/mysql)
  hidden,       // below a world-writable directory, in a dot-directory or one others can write
  private_tree  // below a world-writable directory, in a subtree owned by the user or root
};
struct LocationFacts {
  WritableLocation where = WritableLocation::none;
  std::string writable_dir;  // the world-writable directory
};
LocationFacts writable_location(const ProcessInfo& p);

}  // namespace hostward::hunt

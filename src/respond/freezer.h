#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "respond/proc_handle.h"

// Stops processes so that none of them can run, fork or respawn anything while
// evidence is taken, then kills them all at once. Three ways, best first:
// a fresh cgroup v2 with cgroup.freeze (and cgroup.kill), the v1 freezer,
// SIGSTOP (parents first).
namespace hostward::respond {

class Freezer {
 public:
  virtual ~Freezer() = default;
  virtual const char* method() const = 0;
  // Stops one more process (parents should come before their children).
  virtual bool add(const PidHandle& h, std::string& error) = 0;
  // Waits until everything added is stopped; false on timeout.
  virtual bool settle(int timeout_ms) = 0;
  // PIDs now inside the freezer that were not added: children forked before
  // their parent stopped (cgroups only; empty for SIGSTOP).
  virtual std::vector<int> members() const { return {}; }
  // SIGKILL to everything added, frozen or not.
  virtual void kill_all(const std::vector<const PidHandle*>& handles) = 0;
  // Lets go of what is still held (processes left alive are thawed) and removes the cgroup.
  virtual void release() = 0;
};

// Where the unified (v2) and v1 freezer hierarchies are mounted, "" when not.
struct CgroupMounts {
  std::string unified;
  std::string v1_freezer;
};
CgroupMounts find_cgroup_mounts(const std::string& mountinfo_text);

// `automatic`: the best this host offers. The others pick one (falling back
// to SIGSTOP when it cannot be had): for tests of each path.
enum class FreezerChoice { automatic, cgroup_v2, cgroup_v1, sigstop };
std::optional<FreezerChoice> parse_freezer_choice(const std::string& text);

// Never null (SIGSTOP always works). `notes` says why a better one was not used.
std::unique_ptr<Freezer> make_freezer(std::string& notes,
                                      FreezerChoice choice = FreezerChoice::automatic);

}  // namespace hostward::respond

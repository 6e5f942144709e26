#include "respond/target_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <unordered_set>

#include "hunt/process_index.h"

namespace hostward::respond {

namespace {

using hunt::ProcessIndex;

bool installed(const ProcessInfo& p) {
  if (hunt::exe_denied(p)) return true;  // not root: judged by name
  return (p.exe_state == host::ExeState::present || p.exe_state == host::ExeState::replaced) &&
         hunt::writable_location(p).where == hunt::WritableLocation::none;
}

bool is_shell(const std::string& name) {
  static const std::unordered_set<std::string> kShells = {"sh",  "bash", "dash", "zsh",
                                                          "ash", "fish", "ksh",  "busybox"};
  return kShells.count(name) > 0;
}

bool is_interpreter(const std::string& name) {
  static const std::unordered_set<std::string> kNames = {"python", "python2", "python3", "perl",
                                                         "ruby",   "node",    "nodejs",  "php",
                                                         "lua",    "java",    "tclsh"};
  if (kNames.count(name)) return true;
  return name.rfind("python3.", 0) == 0 || name.rfind("php", 0) == 0;
}

// Whether the climb with --tree goes on through this parent of a target: a
// payload, a shell, or an interpreter that is not a service's own main
// process (its parent is not PID 1). Any other installed program is a
// service the intrusion came out of (nginx, a Java agent, an IDE server):
// the climb stops below it.
bool climbable(const ProcessInfo& p, const ProcessInfo* parent) {
  if (payload_like(p) || !installed(p)) return true;
  const std::string name = hunt::program_name(p);
  if (is_shell(name)) return true;
  return is_interpreter(name) && parent != nullptr && parent->pid != 1;
}

std::string refusal_reason(const ProcessInfo& p, const PlanInput& in) {
  if (p.pid == 1) return "PID 1 (init) is never a target";
  if (p.kernel_thread || p.pid == 2 || p.ppid == 2) return "a kernel thread is never a target";
  if (p.pid == in.self_pid || in.hostward.count(p.pid)) return "hostward itself is never a target";
  if (in.never.count(p.pid))
    return "an ancestor of hostward (the shell running it) is never a target";
  return {};
}

class Planner {
 public:
  Planner(const std::vector<ProcessInfo>& table, const PlanInput& in)
      : table_(table), index_(table), in_(in) {}

  TargetPlan run() {
    for (int pid : in_.named) {
      const ProcessInfo* p = index_.find(pid);
      if (p == nullptr) {
        plan_.refused.push_back({pid, "no such process"});
        continue;
      }
      if (const std::string r = refusal_reason(*p, in_); !r.empty()) {
        plan_.refused.push_back({pid, r});
        continue;
      }
      add(*p, TargetRole::named, "");
    }
    if (in_.tree) add_ancestors();
    add_descendants();
    if (in_.tree) {
      while (add_escapees()) add_descendants();
    }
    finish();
    return std::move(plan_);
  }

 private:
  bool eligible(const ProcessInfo& p) const {
    return !chosen_.count(p.pid) && refusal_reason(p, in_).empty();
  }

  void add(const ProcessInfo& p, TargetRole role, std::string why) {
    if (!chosen_.insert(p.pid).second) return;
    Target t;
    t.pid = p.pid;
    t.start_ticks = p.start_ticks;
    t.ppid = p.ppid;
    t.comm = p.comm;
    t.exe = p.exe;
    t.role = role;
    t.why = std::move(why);
    plan_.targets.push_back(std::move(t));
  }

  void add_ancestors() {
    const std::vector<int> named(chosen_.begin(), chosen_.end());
    for (int pid : named) {
      const ProcessInfo* p = index_.find(pid);
      const ProcessInfo* cur = index_.parent(*p);
      std::set<int> seen;
      while (cur != nullptr && seen.insert(cur->pid).second) {
        if (outside_intrusion(*cur, index_.parent(*cur)) || !refusal_reason(*cur, in_).empty() ||
            !climbable(*cur, index_.parent(*cur)))
          break;
        add(*cur, TargetRole::ancestor, fmt::format("parent of {}", p->pid));
        p = cur;
        cur = index_.parent(*cur);
      }
    }
  }

  void add_descendants() {
    std::deque<int> queue(chosen_.begin(), chosen_.end());
    while (!queue.empty()) {
      const int pid = queue.front();
      queue.pop_front();
      for (int child : index_.children(pid)) {
        const ProcessInfo* c = index_.find(child);
        if (c == nullptr || !eligible(*c)) continue;
        // A login, a service or a database started below a target is not the
        // intrusion (sudo, sshd-session, a database a CI job started): spared.
        if (outside_intrusion(*c, index_.find(pid))) {
          if (spared_.insert(c->pid).second)
            plan_.refused.push_back({c->pid, "below a target, but outside the intrusion (" +
                                                 hunt::program_name(*c) + "): left alone"});
          continue;
        }
        add(*c, TargetRole::descendant, "");
        queue.push_back(child);
      }
    }
  }

  // A session or process group is the intrusion's when its leader is a
  // target, or the leader is gone and no process outside the intrusion shares it.
  std::set<int> owned_groups(int ProcessInfo::*field) const {
    std::set<int> candidates;
    for (int pid : chosen_) candidates.insert(index_.find(pid)->*field);
    std::set<int> owned;
    for (int id : candidates) {
      if (id <= 1) continue;
      if (chosen_.count(id)) {
        owned.insert(id);
        continue;
      }
      if (index_.find(id) != nullptr) continue;  // led by a process we do not act on
      bool shared_with_outside = false;
      for (const auto& p : table_) {
        if (p.*field == id && !chosen_.count(p.pid) &&
            (outside_intrusion(p, index_.parent(p)) || !refusal_reason(p, in_).empty()))
          shared_with_outside = true;
      }
      if (!shared_with_outside) owned.insert(id);
    }
    return owned;
  }

  // A cgroup is the intrusion's when nothing outside it lives there (a
  // container's cgroup holds its database server too: that one does not count).
  std::set<std::string> owned_cgroups() const {
    std::set<std::string> candidates;
    for (int pid : chosen_) candidates.insert(index_.find(pid)->cgroup);
    std::set<std::string> owned;
    for (const auto& cg : candidates) {
      if (cg.empty() || cg == "/") continue;
      bool shared_with_outside = false;
      for (const auto& p : table_) {
        if (p.cgroup == cg && !chosen_.count(p.pid) &&
            (outside_intrusion(p, index_.parent(p)) || !refusal_reason(p, in_).empty()))
          shared_with_outside = true;
      }
      if (!shared_with_outside) owned.insert(cg);
    }
    return owned;
  }

  std::string hash_of(const ProcessInfo& p) {
    auto it = hashes_.find(p.pid);
    if (it != hashes_.end()) return it->second;
    std::string h = in_.exe_hash ? in_.exe_hash(p) : "";
    hashes_[p.pid] = h;
    return h;
  }

  bool add_escapees() {
    const auto sessions = owned_groups(&ProcessInfo::session);
    const auto groups = owned_groups(&ProcessInfo::pgrp);
    const auto cgroups = owned_cgroups();
    std::map<std::string, int> hashes;  // payload hash -> a target running it
    for (int pid : chosen_) {
      const ProcessInfo* t = index_.find(pid);
      if (!payload_like(*t)) continue;
      if (const std::string h = hash_of(*t); !h.empty()) hashes.emplace(h, pid);
    }
    bool added = false;
    for (const auto& p : table_) {
      if (!eligible(p) || outside_intrusion(p, index_.parent(p))) continue;
      std::string why;
      if (sessions.count(p.session)) {
        why = fmt::format("shares session {}", p.session);
      } else if (groups.count(p.pgrp)) {
        why = fmt::format("shares process group {}", p.pgrp);
      } else if (cgroups.count(p.cgroup)) {
        why = fmt::format("shares cgroup {}", p.cgroup);
      } else if (!hashes.empty() && payload_like(p)) {
        const std::string h = hash_of(p);
        if (auto it = hashes.find(h); !h.empty() && it != hashes.end())
          why = fmt::format("runs the same executable as {} (sha256 {})", it->second,
                            h.substr(0, 16));
      }
      if (why.empty()) continue;
      add(p, TargetRole::escaped, std::move(why));
      added = true;
    }
    return added;
  }

  void finish() {
    for (auto& t : plan_.targets) {
      const ProcessInfo* cur = index_.find(t.pid);
      std::set<int> seen;
      int depth = 0;
      while (cur != nullptr && chosen_.count(cur->pid) && seen.insert(cur->pid).second) {
        cur = index_.parent(*cur);
        ++depth;
      }
      t.depth = depth;
      if (cur != nullptr && !chosen_.count(cur->pid)) {
        t.anchor_pid = cur->pid;
        t.anchor_name = cur->comm;
        t.quiet_exit = hunt::is_database_server(*cur);
      }
    }
    std::stable_sort(plan_.targets.begin(), plan_.targets.end(),
                     [](const Target& a, const Target& b) {
                       return a.depth != b.depth ? a.depth < b.depth : a.pid < b.pid;
                     });
  }

  const std::vector<ProcessInfo>& table_;
  ProcessIndex index_;
  const PlanInput& in_;
  TargetPlan plan_;
  std::set<int> chosen_;
  std::set<int> spared_;
  std::map<int, std::string> hashes_;
};

}  // namespace

const char* to_string(TargetRole r) {
  switch (r) {
    case TargetRole::named:
      return "named";
    case TargetRole::descendant:
      return "descendant";
    case TargetRole::ancestor:
      return "ancestor";
    case TargetRole::escaped:
      return "escaped";
  }
  return "named";
}

bool TargetPlan::contains(int pid) const {
  return std::any_of(targets.begin(), targets.end(),
                     [pid](const Target& t) { return t.pid == pid; });
}

bool payload_like(const ProcessInfo& p) {
  return p.exe_state == host::ExeState::deleted || p.exe_state == host::ExeState::memfd ||
         hunt::writable_location(p).where != hunt::WritableLocation::none;
}

bool outside_intrusion(const ProcessInfo& p, const ProcessInfo* parent) {
  if (p.pid == 1 || p.kernel_thread) return true;
  if (!installed(p)) return false;
  if (hunt::is_database_server(p)) return true;
  static const std::unordered_set<std::string> kInfrastructure = {"systemd",
                                                                  "init",
                                                                  "sshd",
                                                                  "sshd-session",
                                                                  "login",
                                                                  "su",
                                                                  "sudo",
                                                                  "cron",
                                                                  "crond",
                                                                  "atd",
                                                                  "tmux",
                                                                  "tmux: server",
                                                                  "screen",
                                                                  "agetty",
                                                                  "containerd",
                                                                  "containerd-shim",
                                                                  "containerd-shim-runc-v2",
                                                                  "runc",
                                                                  "crun",
                                                                  "conmon",
                                                                  "dockerd",
                                                                  "tini",
                                                                  "dumb-init",
                                                                  "docker-init",
                                                                  "Agent.Listener",
                                                                  "Agent.Worker",
                                                                  "Runner.Listener",
                                                                  "Runner.Worker",
                                                                  "gitlab-runner",
                                                                  "kubelet"};
  const std::string name = hunt::program_name(p);
  if (kInfrastructure.count(name)) return true;
  if (is_shell(name) && parent != nullptr && installed(*parent)) {
    static const std::unordered_set<std::string> kLoginParents = {
        "sshd", "sshd-session", "login", "su", "sudo", "tmux", "screen"};
    return kLoginParents.count(hunt::program_name(*parent)) > 0;
  }
  return false;
}

TargetPlan plan_targets(const std::vector<ProcessInfo>& table, const PlanInput& in) {
  return Planner(table, in).run();
}

}  // namespace hostward::respond

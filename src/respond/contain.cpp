#include "respond/contain.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "host/collect.h"
#include "host/proc_fs.h"
#include "host/proc_reader.h"
#include "respond/exe_hash.h"
#include "respond/freezer.h"
#include "respond/quiet_exit.h"

namespace hostward::respond {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::set<int> self_and_ancestors() {
  std::set<int> out;
  int pid = ::getpid();
  while (pid > 0 && out.insert(pid).second) {
    const auto st = read_stat(pid);
    if (!st) break;
    pid = st->ppid;
  }
  return out;
}

std::vector<host::ProcessInfo> read_table() {
  host::ProcessReader reader(host::read_clock_facts(), {});
  return host::collect_processes(reader, host::list_pids());
}

json target_json(const Target& t) {
  json j = {{"pid", t.pid},
            {"start_ticks", t.start_ticks},
            {"ppid", t.ppid},
            {"comm", t.comm},
            {"exe", t.exe},
            {"role", to_string(t.role)},
            {"quiet_exit", t.quiet_exit}};
  if (!t.why.empty()) j["why"] = t.why;
  if (t.anchor_pid) j["anchor"] = {{"pid", t.anchor_pid}, {"comm", t.anchor_name}};
  return j;
}

// One process contain acts on, with how it is held.
struct Held {
  Target target;
  std::optional<PidHandle> handle;
  std::string hold;  // freezer method, "ptrace", "sigstop", or "" when not held
  std::string action;
  std::string error;
};

class Containment {
 public:
  explicit Containment(const ContainOptions& o) : options_(o) {}

  ContainResult run() {
    const auto started = Clock::now();
    report_ = {{"schema", "hostward-contain/v1"},
               {"dry_run", options_.dry_run},
               {"tree", options_.tree},
               {"requested", options_.pids}};
    const auto table = read_table();
    ExeHasher hasher;
    PlanInput in;
    in.named = options_.pids;
    in.tree = options_.tree;
    in.self_pid = ::getpid();
    in.never = self_and_ancestors();
    in.exe_hash = [&hasher](const host::ProcessInfo& p) {
      return hasher.hash(p.pid, p.start_ticks);
    };
    plan_ = plan_targets(table, in);
    for (const auto& t : plan_.targets)
      if (payload_like_pid(table, t.pid)) payload_hashes_.insert(hasher.hash(t.pid, t.start_ticks));
    payload_hashes_.erase("");
    report_["refused"] = json::array();
    for (const auto& r : plan_.refused)
      report_["refused"].push_back({{"pid", r.pid}, {"reason", r.reason}});
    report_["timing_ms"]["plan"] = ms_since(started);

    if (plan_.targets.empty()) {
      report_["targets"] = json::array();
      report_["result"] = "nothing to contain";
      return {report_, 2};
    }
    if (options_.dry_run) {
      report_["targets"] = json::array();
      for (const auto& t : plan_.targets) {
        json j = target_json(t);
        j["action"] =
            t.quiet_exit ? "would stop by ptrace, then exit(0)" : "would freeze, then kill";
        report_["targets"].push_back(std::move(j));
      }
      report_["result"] = "dry run: nothing was touched";
      return {report_, 0};
    }

    const auto freeze_start = Clock::now();
    freeze();
    report_["timing_ms"]["freeze"] = ms_since(freeze_start);
    if (options_.evidence) take_evidence();
    const auto kill_start = Clock::now();
    kill();
    report_["timing_ms"]["kill"] = ms_since(kill_start);
    report_["timing_ms"]["start_to_dead"] = ms_since(started);
    freezer_->release();
    watch();
    return finish();
  }

 private:
  static bool payload_like_pid(const std::vector<host::ProcessInfo>& table, int pid) {
    for (const auto& p : table)
      if (p.pid == pid) return payload_like(p);
    return false;
  }

  void hold(Held& h) {
    std::string error;
    h.handle = PidHandle::open({h.target.pid, h.target.start_ticks}, error);
    if (!h.handle) {
      h.action = "none";
      h.error = error;
      return;
    }
    if (h.target.quiet_exit) {
      if (quiet_.hold(*h.handle, error)) {
        h.hold = "ptrace";
        return;
      }
      // Untraceable: a signal death would restart the database, so it is only stopped.
      std::string stop_error;
      if (h.handle->send(SIGSTOP, stop_error)) {
        h.hold = "sigstop";
        h.error = error + "; stopped, not ended: killing it would make the database restart";
      } else {
        h.error = error;
      }
      return;
    }
    if (freezer_->add(*h.handle, error)) {
      h.hold = freezer_->method();
      return;
    }
    std::string stop_error;
    if (h.handle->send(SIGSTOP, stop_error)) {
      h.hold = "sigstop";
      h.error = "freezer: " + error;
    } else {
      h.error = error + "; " + stop_error;
    }
  }

  // Parents first; then, until nothing new turns up, children born before
  // their parent stopped.
  void freeze() {
    std::string notes;
    freezer_ = make_freezer(notes, options_.use_cgroups);
    report_["freezer"] = freezer_->method();
    if (!notes.empty()) report_["freezer_notes"] = notes;
    for (const auto& t : plan_.targets) {
      held_.push_back({t, std::nullopt, "", "", ""});
      hold(held_.back());
    }
    for (int round = 0; round < 50; ++round) {
      freezer_->settle(500);
      if (!adopt_newcomers()) break;
    }
    freezer_->settle(500);
  }

  bool adopt_newcomers() {
    std::map<int, const Held*> by_pid;
    for (const auto& h : held_) by_pid[h.target.pid] = &h;
    std::set<int> in_freezer;
    for (int pid : freezer_->members()) in_freezer.insert(pid);
    std::vector<Held> fresh;
    for (const auto& st : read_all_stats()) {
      if (by_pid.count(st.pid)) continue;
      const auto parent = by_pid.find(st.ppid);
      if (parent == by_pid.end() && !in_freezer.count(st.pid)) continue;
      Target t;
      t.pid = st.pid;
      t.start_ticks = st.starttime;
      t.ppid = st.ppid;
      t.comm = st.comm;
      t.role = TargetRole::descendant;
      t.why = "born while its parent was being stopped";
      if (parent != by_pid.end()) {
        t.quiet_exit = parent->second->target.quiet_exit;
        t.anchor_pid = parent->second->target.anchor_pid;
        t.anchor_name = parent->second->target.anchor_name;
        t.depth = parent->second->target.depth + 1;
      }
      fresh.push_back({t, std::nullopt, "", "", ""});
    }
    for (auto& f : fresh) {
      held_.push_back(std::move(f));
      hold(held_.back());
    }
    return !fresh.empty();
  }

  void take_evidence() {
    const auto t0 = Clock::now();
    std::vector<ProcKey> keys;
    for (const auto& h : held_)
      if (h.handle) keys.push_back(h.handle->key());
    const auto r = capture_evidence(keys, options_.evidence_options);
    report_["timing_ms"]["evidence"] = ms_since(t0);
    if (!r.ok) {
      report_["evidence"] = {{"error", r.error}};
      return;
    }
    report_["evidence"] = {{"dir", r.dir}, {"manifest", r.manifest_path}};
    if (!r.archive_path.empty()) report_["evidence"]["archive"] = r.archive_path;
  }

  void kill() {
    std::vector<const PidHandle*> to_kill;
    for (auto& h : held_) {
      if (!h.handle || h.hold.empty() || h.target.quiet_exit) continue;
      to_kill.push_back(&*h.handle);
      h.action = "SIGKILL";
    }
    // Signal-stopped ones (the freezer refused them) die by their handle too.
    freezer_->kill_all(to_kill);
    for (auto& h : held_) {
      if (h.hold == "sigstop" && !h.target.quiet_exit) {
        std::string e;
        h.handle->send(SIGKILL, e);
      }
    }
    // Children of a database server: exit(0), deepest last so each orphan is
    // still held when it is reparented to the server.
    for (auto& h : held_) {
      if (h.hold != "ptrace") continue;
      std::string status;
      const bool ok = quiet_.end(h.target.pid, status);
      h.action = "exit(0) through ptrace";
      if (!ok) h.error = status;
    }
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    for (;;) {
      bool all = true;
      for (const auto& h : held_) {
        if (h.handle && !h.action.empty() && h.action != "none" && !h.handle->exited()) all = false;
      }
      if (all || Clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }

  // For watch_s seconds: anything new running a killed payload, named like
  // one, or started by an anchor under a killed process's name, is a respawn;
  // it is contained too and reported.
  void watch() {
    report_["respawns"] = json::array();
    if (options_.watch_s <= 0) return;
    std::set<std::string> names;
    std::set<int> anchors;
    for (const auto& h : held_) {
      names.insert(h.target.comm);
      if (h.target.anchor_pid) anchors.insert(h.target.anchor_pid);
    }
    std::set<std::pair<int, unsigned long long>> seen;
    for (const auto& st : read_all_stats()) seen.insert({st.pid, st.starttime});
    ExeHasher hasher;
    host::ProcessReader reader(host::read_clock_facts(), {});
    const auto end = Clock::now() + std::chrono::duration<double>(options_.watch_s);
    while (Clock::now() < end) {
      for (const auto& st : read_all_stats()) {
        if (!seen.insert({st.pid, st.starttime}).second) continue;
        const bool named_like = names.count(st.comm) > 0;
        const bool from_anchor = anchors.count(st.ppid) > 0;
        if (!named_like && !from_anchor && payload_hashes_.empty()) continue;
        const auto p = reader.read(st.pid);
        if (!p) continue;
        std::string why;
        const std::string h = payload_like(*p) ? hasher.hash(p->pid, p->start_ticks) : "";
        if (!h.empty() && payload_hashes_.count(h))
          why = "runs a killed payload (same SHA-256)";
        else if (named_like && payload_like(*p))
          why = "a payload under a killed process's name";
        else if (named_like && from_anchor)
          why = "started again by the same parent under the same name";
        if (why.empty()) continue;
        respawn(*p, why);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  void respawn(const host::ProcessInfo& p, const std::string& why) {
    json r = {{"pid", p.pid}, {"comm", p.comm}, {"exe", p.exe}, {"ppid", p.ppid}, {"why", why}};
    std::string error;
    auto h = PidHandle::open({p.pid, p.start_ticks}, error);
    if (h) {
      const auto parent = std::find_if(held_.begin(), held_.end(), [&](const Held& x) {
        return x.target.anchor_pid == p.ppid && x.target.quiet_exit;
      });
      if (parent != held_.end() && quiet_.hold(*h, error)) {
        std::string status;
        quiet_.end(p.pid, status);
        r["action"] = "exit(0) through ptrace: " + status;
      } else {
        h->send(SIGKILL, error);
        r["action"] = "SIGKILL";
      }
    } else {
      r["action"] = "none: " + error;
    }
    report_["respawns"].push_back(std::move(r));
  }

  ContainResult finish() {
    json targets = json::array();
    int alive = 0;
    for (const auto& h : held_) {
      json j = target_json(h.target);
      j["held_by"] = h.hold;
      j["action"] = h.action.empty() ? "none" : h.action;
      const bool gone = !h.handle || h.handle->exited();
      j["result"] = gone ? "dead" : "alive";
      if (!gone) ++alive;
      if (!h.error.empty()) j["error"] = h.error;
      targets.push_back(std::move(j));
    }
    report_["targets"] = targets;
    const size_t respawns = report_["respawns"].size();
    report_["summary"] = {{"targets", held_.size()}, {"alive", alive}, {"respawns", respawns}};
    const bool clean = alive == 0 && respawns == 0;
    report_["result"] = clean ? "contained" : "incomplete";
    return {report_, clean ? 0 : 1};
  }

  const ContainOptions& options_;
  json report_;
  TargetPlan plan_;
  std::vector<Held> held_;
  std::unique_ptr<Freezer> freezer_;
  QuietExit quiet_;
  std::set<std::string> payload_hashes_;
};

}  // namespace

ContainResult run_contain(const ContainOptions& options) { return Containment(options).run(); }

}  // namespace hostward::respond

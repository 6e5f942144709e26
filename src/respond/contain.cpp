#include "respond/contain.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <thread>

#include "host/collect.h"
#include "host/proc_fs.h"
#include "host/proc_reader.h"
#include "hunt/process_index.h"
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
    never_ = self_and_ancestors();
    in.never = never_;
    struct stat self {};
    if (::stat("/proc/self/exe", &self) == 0) {
      for (const auto& p : table)
        if (p.exe_dev == static_cast<uint64_t>(self.st_dev) &&
            p.exe_ino == static_cast<uint64_t>(self.st_ino) &&
            p.exe_state == host::ExeState::present)
          in.hostward.insert(p.pid);
    }
    for (int pid : in.hostward) never_.insert(pid);
    in.exe_hash = [&hasher](const host::ProcessInfo& p) {
      return hasher.hash(p.pid, p.start_ticks);
    };
    std::vector<Refusal> early;
    if (options_.expect_start != 0) {
      for (int pid : in.named) {
        const auto p = std::find_if(table.begin(), table.end(),
                                    [pid](const host::ProcessInfo& x) { return x.pid == pid; });
        if (p == table.end() || p->start_ticks != options_.expect_start)
          early.push_back({pid, "its PID now belongs to another process (start time differs)"});
      }
      if (!early.empty()) in.named.clear();
    }
    plan_ = plan_targets(table, in);
    plan_.refused.insert(plan_.refused.begin(), early.begin(), early.end());
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
            t.quiet_exit ? "would stop by ptrace, then exit(1)" : "would freeze, then kill";
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
    freezer_ = make_freezer(notes, options_.freezer);
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
    std::set<int> known;
    std::map<int, const Held*> by_pid;  // parents that are held and still theirs
    for (const auto& h : held_) {
      known.insert(h.target.pid);
      if (h.handle && !h.hold.empty() && h.handle->still_ours()) by_pid[h.target.pid] = &h;
    }
    std::set<int> in_freezer;
    for (int pid : freezer_->members()) in_freezer.insert(pid);
    for (const auto& r : plan_.refused) known.insert(r.pid);  // spared stays spared
    std::vector<Held> fresh;
    host::ProcessReader reader(host::read_clock_facts(), {});
    for (const auto& st : read_all_stats()) {
      if (known.count(st.pid) || st.pid <= 1 || never_.count(st.pid) ||
          (st.flags & host::kPfKthread))
        continue;
      const auto parent = by_pid.find(st.ppid);
      if (parent == by_pid.end() && !in_freezer.count(st.pid)) continue;
      // A database or a login below a target is not the intrusion, new or not.
      if (const auto info = reader.read(st.pid)) {
        const auto parent_info = reader.read(st.ppid);
        if (outside_intrusion(*info, parent_info ? &*parent_info : nullptr)) {
          plan_.refused.push_back({st.pid, "below a target, but outside the intrusion (" +
                                               info->comm + "): left alone"});
          continue;
        }
      }
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
    report_["evidence"] = capture_in_child(keys);
    report_["timing_ms"]["evidence"] = ms_since(t0);
  }

  // Evidence is read in a child process with a deadline: a read can block
  // for good (an image on a FUSE file system whose server is a frozen
  // target, userfaultfd memory), and the containment must go on regardless.
  json capture_in_child(const std::vector<ProcKey>& keys) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      return {{"error", "pipe: " + std::string(std::strerror(errno))}};
    const pid_t child = ::fork();
    if (child == 0) {
      ::close(fds[0]);
      json out;
      try {
        const auto r = capture_evidence(keys, options_.evidence_options);
        if (r.ok) {
          out = {{"dir", r.dir}, {"manifest", r.manifest_path}};
          if (!r.archive_path.empty()) out["archive"] = r.archive_path;
        } else {
          out = {{"error", r.error}};
        }
      } catch (const std::exception& e) {
        out = {{"error", std::string("evidence: ") + e.what()}};
      }
      const std::string text = out.dump(-1, ' ', false, json::error_handler_t::replace);
      size_t put = 0;
      while (put < text.size()) {
        const ssize_t n = ::write(fds[1], text.data() + put, text.size() - put);
        if (n <= 0) break;
        put += static_cast<size_t>(n);
      }
      ::_exit(0);  // never the parent's destructors: they would thaw the targets
    }
    ::close(fds[1]);
    if (child < 0) {
      ::close(fds[0]);
      return {{"error", "fork: " + std::string(std::strerror(errno))}};
    }
    std::string text;
    const auto deadline = Clock::now() + std::chrono::duration<double>(options_.evidence_timeout_s);
    bool done = false;
    while (!done && Clock::now() < deadline) {
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n > 0)
        text.append(buf, static_cast<size_t>(n));
      else
        done = true;
    }
    ::close(fds[0]);
    if (!done) ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    if (!done)
      return {{"error", fmt::format("evidence capture did not finish in {:.0f} s and was stopped "
                                    "(a hung file system?); containment went on",
                                    options_.evidence_timeout_s)},
              {"dir", options_.evidence_options.out_dir}};
    json r = json::parse(text, nullptr, false);
    if (r.is_discarded()) return {{"error", "evidence capture ended without a result"}};
    return r;
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
    // Children of a database server end by exit(1), deepest first: a child
    // ends as a zombie under its still-held parent, and is handed to the
    // server with its status when the parent ends (a parent ending first
    // could take a PR_SET_PDEATHSIG child down by a signal).
    for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
      Held& h = *it;
      if (h.hold != "ptrace") continue;
      std::string status;
      const bool ok = quiet_.end(h.target.pid, status);
      h.action = kQuietAction;
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

  // For watch_s seconds: a new process that is a payload itself (deleted,
  // memfd, world-writable place) and runs a killed payload's bytes or carries
  // a killed process's name is a respawn; it is contained too and reported.
  // Nothing else is touched: a new `sh` or a new backend is no respawn.
  void watch() {
    report_["respawns"] = json::array();
    if (options_.watch_s <= 0) return;
    std::set<std::string> names;
    for (const auto& h : held_) names.insert(h.target.comm);
    std::set<std::pair<int, unsigned long long>> seen;
    for (const auto& st : read_all_stats()) seen.insert({st.pid, st.starttime});
    ExeHasher hasher;
    host::ProcessReader reader(host::read_clock_facts(), {});
    const auto end = Clock::now() + std::chrono::duration<double>(options_.watch_s);
    while (Clock::now() < end) {
      for (const auto& st : read_all_stats()) {
        if (!seen.insert({st.pid, st.starttime}).second) continue;
        if (st.pid <= 1 || never_.count(st.pid) || (st.flags & host::kPfKthread)) continue;
        const bool named_like = names.count(st.comm) > 0;
        if (!named_like && payload_hashes_.empty()) continue;
        const auto p = reader.read(st.pid);
        if (!p || !payload_like(*p)) continue;
        const std::string h = hasher.hash(p->pid, p->start_ticks);
        std::string why;
        if (!h.empty() && payload_hashes_.count(h))
          why = "runs a killed payload (same SHA-256)";
        else if (named_like)
          why = "a payload under a killed process's name";
        if (why.empty()) continue;
        const auto parent = reader.read(p->ppid);
        respawn(*p, why, parent && hunt::is_database_server(*parent));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  void respawn(const host::ProcessInfo& p, const std::string& why, bool database_parent) {
    json r = {{"pid", p.pid}, {"comm", p.comm}, {"exe", p.exe}, {"ppid", p.ppid}, {"why", why}};
    if (const auto parent = read_stat(p.ppid)) r["parent_comm"] = parent->comm;
    std::string error;
    auto h = PidHandle::open({p.pid, p.start_ticks}, error);
    if (!h) {
      r["action"] = "none: " + error;
    } else if (!database_parent) {
      r["action"] = h->send(SIGKILL, error) ? "SIGKILL" : "SIGKILL failed: " + error;
    } else if (quiet_.hold(*h, error)) {
      std::string status;
      quiet_.end(p.pid, status);
      r["action"] = std::string(kQuietAction) + ": " + status;
    } else {
      // A signal death would restart the database: stop it, say so.
      std::string e;
      h->send(SIGSTOP, e);
      r["action"] = "stopped, not ended: " + error;
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
    report_["refused"] = json::array();  // with what the freeze spared
    for (const auto& r : plan_.refused)
      report_["refused"].push_back({{"pid", r.pid}, {"reason", r.reason}});
    const size_t respawns = report_["respawns"].size();
    report_["summary"] = {{"targets", held_.size()}, {"alive", alive}, {"respawns", respawns}};
    const bool clean = alive == 0 && respawns == 0;
    report_["result"] = clean ? "contained" : "incomplete";
    save_report();
    return {report_, clean ? 0 : 1};
  }

  // What was done, next to the evidence (written last, so not in its manifest).
  void save_report() {
    if (!report_.contains("evidence") || !report_["evidence"].contains("dir")) return;
    const std::string dir_path = report_["evidence"]["dir"].get<std::string>();
    const std::string path = dir_path + "/contain.json";
    const int dir = ::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0) return;
    const int fd =
        ::openat(dir, "contain.json", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    ::close(dir);
    if (fd < 0) return;
    report_["evidence"]["report"] = path;
    const std::string text =
        report_.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::fsync(fd);
    ::close(fd);
    if (!ok) report_["evidence"].erase("report");
  }

  const ContainOptions& options_;
  json report_;
  TargetPlan plan_;
  std::vector<Held> held_;
  std::unique_ptr<Freezer> freezer_;
  QuietExit quiet_;
  std::set<std::string> payload_hashes_;
  std::set<int> never_;
};

}  // namespace

ContainResult run_contain(const ContainOptions& options) { return Containment(options).run(); }

}  // namespace hostward::respond

#include "watch/watcher.h"

#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/time_format.h"
#include "host/collect.h"
#include "hunt/hunt.h"
#include "watch/auto_contain.h"
#include "watch/exec_check.h"
#include "watch/proc_connector.h"
#include "watch/respawn.h"

namespace hostward::watch {

namespace fs = std::filesystem;

void register_rules(RuleCatalog& catalog) {
  catalog.add({"process.respawn-loop",
               Severity::high,
               {"T1543", "T1496"},
               "A program is restarted every time it is killed",
               "The same executable or command line started three or more times within a minute "
               "under the same parent, each time after the one before was killed: a watchdog "
               "keeping a miner or backdoor alive, as in the seed incident.",
               "Freeze and kill the parent (the watchdog) and its whole tree first, then the "
               "program; hostward contain does it in one step where available."});
}

namespace {

double monotonic_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string now_rfc3339() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return rfc3339_utc(ts.tv_sec);
}

nlohmann::json finding_json(const Finding& f) {
  return {{"rule", f.rule},         {"severity", std::string(to_string(f.severity))},
          {"title", f.title},       {"subject", f.subject},
          {"evidence", f.evidence}, {"remediation", f.remediation},
          {"attack", f.attack},     {"fingerprint", f.fingerprint}};
}

std::string hostname() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}

// Deduplicates by fingerprint (repeats are counted and told at the next
// heartbeat) and limits each rule to N alerts a minute (the rest counted).
class AlertGate {
 public:
  explicit AlertGate(int per_minute) : per_minute_(per_minute) {}

  bool admit(const Finding& f, double now) {
    auto [it, fresh] = seen_.try_emplace(f.fingerprint, 0);
    ++it->second;
    if (!fresh) {
      ++repeats_[f.fingerprint];
      return false;
    }
    auto& times = sent_[f.rule];
    while (!times.empty() && times.front() < now - 60) times.erase(times.begin());
    if (static_cast<int>(times.size()) >= per_minute_) {
      ++suppressed_[f.rule];
      return false;
    }
    times.push_back(now);
    return true;
  }

  nlohmann::json take_counts() {
    nlohmann::json out = {{"repeats", repeats_}, {"rate_limited", suppressed_}};
    repeats_.clear();
    suppressed_.clear();
    return out;
  }

 private:
  int per_minute_;
  std::map<std::string, long> seen_;
  std::map<std::string, long> repeats_;
  std::map<std::string, long> suppressed_;
  std::map<std::string, std::vector<double>> sent_;
};

class Watcher {
 public:
  Watcher(const WatchOptions& o, const RuleCatalog& catalog,
          std::vector<std::unique_ptr<Sink>>& sinks, std::atomic<bool>& stop)
      : o_(o),
        catalog_(catalog),
        sinks_(sinks),
        stop_(stop),
        host_(hostname()),
        checker_(o.hunt, host_),
        gate_(o.rate_per_rule_per_min) {
    if (o.contain_at) contain_.emplace(o.contain_program, o.contain_args, o.contain_timeout_s);
  }

  void run() {
    const double start = monotonic_now();
    std::string error;
    const bool connected = o_.use_connector && connector_.open(error);
    emit_event("started", {{"source", connected ? "process connector" : "proc rescan"},
                           {"rescan_s", connected ? o_.rescan_s : polling_interval()},
                           {"connector_error", error}});
    for (const auto& [pid, start_ticks] : checker_.list_processes()) known_[pid] = start_ticks;
    scan_tmp(true);
    std::thread scanner([this] { periodic_scans(); });
    double next_rescan = monotonic_now() + (connected ? o_.rescan_s : polling_interval());
    double next_heartbeat = monotonic_now() + o_.heartbeat_s;
    while (!stop_) {
      const double now = monotonic_now();
      if (o_.duration_s > 0 && now - start >= o_.duration_s) break;
      const double wake = std::min(next_rescan, next_heartbeat);
      pollfd pfd{connected ? connector_.fd() : -1, POLLIN, 0};
      const int timeout_ms = static_cast<int>(std::max(0.0, std::min(wake - now, 0.25)) * 1000);
      ::poll(&pfd, 1, timeout_ms);
      if (connected && (pfd.revents & POLLIN)) {
        const bool complete = connector_.drain([this](const ProcEvent& e) { on_event(e); });
        if (!complete) {
          ++resyncs_;
          emit_event("resync", {{"reason", "the kernel dropped process events (ENOBUFS)"},
                                {"resyncs", resyncs_}});
          rescan(true);
        }
      }
      flush_scan_results();
      if (contain_) {
        for (auto& e : contain_->poll()) emit_event("contain", std::move(e));
      }
      if (monotonic_now() >= next_rescan) {
        rescan(!connected);
        next_rescan = monotonic_now() + (connected ? o_.rescan_s : polling_interval());
      }
      if (monotonic_now() >= next_heartbeat) {
        heartbeat();
        next_heartbeat = monotonic_now() + o_.heartbeat_s;
      }
    }
    stop_ = true;
    scanner.join();
    flush_scan_results();
    // A containment under way is seen through, then reported.
    if (contain_) contain_->drop_queue();
    while (contain_ && contain_->busy()) {
      for (auto& e : contain_->poll()) emit_event("contain", std::move(e));
      ::poll(nullptr, 0, 20);
    }
    heartbeat();
  }

 private:
  double polling_interval() const { return std::min(o_.rescan_s, 1.0); }

  void on_event(const ProcEvent& e) {
    ++events_;
    if (e.kind == ProcEvent::Kind::exec) {
      check_exec(e.pid, e.timestamp_ns);
    } else if (e.kind == ProcEvent::Kind::fork) {
      respawn_.forked(e.pid, e.parent_pid);
    } else if (e.kind == ProcEvent::Kind::exit) {
      respawn_.ended(e.pid, e.killed, monotonic_now());
      known_.erase(e.pid);
    }
  }

  // `event_ns`: the kernel's CLOCK_MONOTONIC time of the exec, 0 when unknown.
  void check_exec(int pid, uint64_t event_ns) {
    const auto result = checker_.check(pid);
    if (!result) return;  // gone before it could be read
    known_[pid] = result->process.start_ticks;
    for (const auto& f : result->findings) alert(f, event_ns);
    std::string cmdline;
    for (const auto& a : result->process.argv) cmdline += (cmdline.empty() ? "" : " ") + a;
    if (auto loop = respawn_.started(pid, result->process.ppid, result->process.exe_path, cmdline,
                                     monotonic_now())) {
      const RuleInfo* info = catalog_.find("process.respawn-loop");
      if (!info) return;
      nlohmann::json subject = {{"kind", "process"},
                                {"pid", pid},
                                {"ppid", loop->parent},
                                {"comm", result->process.comm},
                                {"exe", result->process.exe}};
      nlohmann::json evidence = {{"restarted", loop->what},
                                 {"starts_in_window", loop->starts},
                                 {"killed_in_window", loop->kills},
                                 {"window_s", 60},
                                 {"parent", loop->parent}};
      alert(
          make_finding(*info, Severity::high,
                       result->process.comm + " (pid " + std::to_string(pid) +
                           ") was started again by pid " + std::to_string(loop->parent) +
                           " after being killed: " + std::to_string(loop->starts) +
                           " starts within a minute",
                       subject, evidence, host_, std::to_string(loop->parent) + "\n" + loop->what),
          event_ns);
    }
  }

  // The safety net: processes the connector did not tell about (or all of
  // them without it). Without the connector, a vanished process counts as
  // killed for the respawn rule: no exit status is known.
  void rescan(bool as_source) {
    const auto now = checker_.list_processes();
    const double t = monotonic_now();
    for (auto it = known_.begin(); it != known_.end();) {
      auto n = now.find(it->first);
      if (n == now.end() || n->second != it->second) {
        if (as_source) respawn_.ended(it->first, true, t);
        it = known_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [pid, start_ticks] : now) {
      if (known_.count(pid)) continue;
      known_[pid] = start_ticks;
      if (pid != ::getpid()) check_exec(pid, 0);
    }
  }

  void alert(const Finding& f, uint64_t event_ns) {
    if (!gate_.admit(f, monotonic_now())) return;
    nlohmann::json a = {{"schema", "hostward-alert/v1"},
                        {"type", "finding"},
                        {"id", run_id_ + "-" + std::to_string(++seq_)},
                        {"time", now_rfc3339()},
                        {"host", host_},
                        {"finding", finding_json(f)}};
    if (event_ns > 0) {  // from the kernel's exec event to this alert
      timespec ts{};
      ::clock_gettime(CLOCK_MONOTONIC, &ts);
      const uint64_t now_ns =
          static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
      if (now_ns >= event_ns) a["latency_ms"] = static_cast<double>(now_ns - event_ns) / 1e6;
    }
    for (auto& s : sinks_) s->emit(a, f.severity);
    if (contain_ && f.severity >= *o_.contain_at && f.subject.value("kind", "") == "process" &&
        f.subject.contains("pid")) {
      const int pid = f.subject["pid"].get<int>();
      const auto known = known_.find(pid);
      if (known != known_.end()) contain_->request(pid, known->second, f.rule);
    }
  }

  void emit_event(const std::string& type, nlohmann::json fields) {
    nlohmann::json a = {{"schema", "hostward-alert/v1"},
                        {"type", type},
                        {"id", run_id_ + "-" + std::to_string(++seq_)},
                        {"time", now_rfc3339()},
                        {"host", host_}};
    for (auto& [k, v] : fields.items()) a[k] = v;
    for (auto& s : sinks_) s->emit(a, Severity::info);
  }

  void heartbeat() {
    auto counts = gate_.take_counts();
    emit_event("heartbeat", {{"process_events", events_},
                             {"resyncs", resyncs_},
                             {"repeats", counts["repeats"]},
                             {"rate_limited", counts["rate_limited"]},
                             {"processes", known_.size()}});
  }

  // New executable files in the world-writable places (depth 2), told once.
  void scan_tmp(bool baseline) {
    for (const auto& dir : o_.tmp_dirs) {
      std::error_code ec;
      fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
      for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it.depth() > 1) it.disable_recursion_pending();
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (!(st.st_mode & 0111)) continue;
        const auto key =
            std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
        if (!tmp_seen_.insert(key).second || baseline) continue;
        pending_events_.push_back({"new_tmp_executable",
                                   {{"path", it->path().string()},
                                    {"uid", st.st_uid},
                                    {"mode", st.st_mode & 07777},
                                    {"size", st.st_size}}});
      }
    }
  }

  // Every scan_s, in its own thread: a sampled scan for sustained CPU (and
  // anything the exec checks missed), new non-loopback listeners, new /tmp
  // executables. Results are handed to the main loop, which alone emits.
  void periodic_scans() {
    std::set<std::string> listeners;
    bool first = true;
    double next = monotonic_now() + o_.scan_s;
    while (!stop_) {
      if (monotonic_now() < next) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      next = monotonic_now() + o_.scan_s;
      host::CollectOptions co;
      co.sample_ms = 1000;
      co.probe_hidden = false;
      co.connections = false;
      co.network = true;
      const auto snap = host::collect_snapshot(co);
      auto findings = hunt::run_rules(snap, o_.hunt);
      std::map<int, std::string> comm;
      for (const auto& p : snap.processes) comm[p.pid] = p.comm;
      std::set<std::string> now;
      for (const auto& c : snap.connections) {
        if (c.state != "listen" && !(c.proto == "udp" && c.state == "unconnected")) continue;
        if (c.local_addr.rfind("127.", 0) == 0 || c.local_addr == "::1") continue;
        const auto owner = comm.find(c.pid);
        now.insert(c.proto + " " + c.local_addr + ":" + std::to_string(c.local_port) + " " +
                   (owner == comm.end() ? std::string() : owner->second));
      }
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& f : findings) scan_findings_.push_back(std::move(f));
      if (!first)
        for (const auto& l : now)
          if (!listeners.count(l)) pending_events_.push_back({"new_listener", {{"listener", l}}});
      listeners = now;
      first = false;
      scan_tmp(false);
    }
  }

  void flush_scan_results() {
    std::vector<Finding> findings;
    std::vector<std::pair<std::string, nlohmann::json>> events;
    {
      std::lock_guard<std::mutex> lock(mu_);
      findings.swap(scan_findings_);
      events.swap(pending_events_);
    }
    for (const auto& f : findings) alert(f, 0);
    for (auto& [type, fields] : events) emit_event(type, std::move(fields));
  }

  const WatchOptions& o_;
  const RuleCatalog& catalog_;
  std::vector<std::unique_ptr<Sink>>& sinks_;
  std::atomic<bool>& stop_;
  std::string host_;
  ExecChecker checker_;
  ProcConnector connector_;
  RespawnTracker respawn_;
  AlertGate gate_;
  std::map<int, unsigned long long> known_;
  std::optional<AutoContain> contain_;
  std::set<std::pair<uint64_t, uint64_t>> tmp_seen_;
  std::mutex mu_;
  std::vector<Finding> scan_findings_;
  std::vector<std::pair<std::string, nlohmann::json>> pending_events_;
  // alert ids stay unique across restarts: this run's pid and start time
  std::string run_id_ = std::to_string(::getpid()) + "." + std::to_string(::time(nullptr));
  long events_ = 0;
  long resyncs_ = 0;
  unsigned long long seq_ = 0;
};

}  // namespace

void run_watch(const WatchOptions& options, const RuleCatalog& catalog,
               std::vector<std::unique_ptr<Sink>>& sinks, std::atomic<bool>& stop) {
  Watcher(options, catalog, sinks, stop).run();
}

}  // namespace hostward::watch

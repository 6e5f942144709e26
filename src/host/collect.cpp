#include "host/collect.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_set>

#include "host/proc_fs.h"
#include "host/proc_parse.h"

namespace hostward::host {

namespace {

std::map<uint32_t, std::string> read_users(const std::string& path,
                                           std::vector<CollectorError>& errors) {
  auto text = read_file_at(AT_FDCWD, path.c_str(), 8 << 20);
  if (!text) {
    errors.push_back({"users", "cannot read " + path + ": " + std::strerror(errno) +
                                   " (user names left empty)"});
    return {};
  }
  return parse_passwd(*text);
}

// The highest PID the kernel has handed out in our namespace, for the sweep's bound.
int last_pid(const std::string& proc_root) {
  Fd fd(::open(proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  auto text = read_file_at(fd.get(), "sys/kernel/ns_last_pid", 64);
  return text ? std::atoi(text->c_str()) : 0;
}

bool pid_exists(int pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

// Runs fn(begin, end, worker) over [0, n) in contiguous chunks, one per core
// (at most four): /proc reads are system calls that scale across cores.
template <typename Fn>
void in_parallel(size_t n, Fn&& fn) {
  constexpr size_t kMinPerWorker = 256;
  const size_t cores = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  const size_t workers = std::max<size_t>(1, std::min(cores, n / kMinPerWorker));
  const size_t per = (n + workers - 1) / std::max<size_t>(workers, 1);
  std::vector<std::thread> threads;
  std::vector<size_t> inline_chunks = {0};
  for (size_t w = 1; w < workers; ++w) {
    try {
      threads.emplace_back([&, w] { fn(w * per, std::min(n, (w + 1) * per), w); });
    } catch (const std::system_error&) {
      inline_chunks.push_back(w);  // no thread to be had (pids.max): do it here
    }
  }
  for (size_t w : inline_chunks) fn(w * per, std::min(n, (w + 1) * per), w);
  for (auto& t : threads) t.join();
}

}  // namespace

std::vector<ProcessInfo> collect_processes(ProcessReader& reader, const std::vector<int>& pids) {
  std::vector<std::optional<ProcessInfo>> slots(pids.size());
  in_parallel(pids.size(), [&](size_t begin, size_t end, size_t) {
    ProcessReader local = reader;  // its own executable cache; `reader` is only read meanwhile
    for (size_t i = begin; i < end; ++i) slots[i] = local.read(pids[i]);
  });
  std::vector<ProcessInfo> out;
  out.reserve(pids.size());
  for (auto& slot : slots) {
    if (slot) out.push_back(std::move(*slot));
  }
  return out;
}

void sample_cpu(const ProcessReader& reader, std::vector<ProcessInfo>& processes, int sample_ms,
                long ticks_per_second) {
  if (sample_ms <= 0) return;
  std::this_thread::sleep_for(std::chrono::milliseconds(sample_ms));
  in_parallel(processes.size(), [&](size_t begin, size_t end, size_t) {
    for (size_t i = begin; i < end; ++i) {
      auto& p = processes[i];
      if (p.kernel_thread && p.cpu_ticks == 0) continue;
      const auto now = reader.read_cpu_ticks(p.pid, p.start_ticks);
      // Each process's own interval between its two reads, not just the sleep:
      // the passes themselves take time on a loaded machine.
      const double read_at = monotonic_seconds();
      const double window_s = read_at - p.cpu_read_at;
      if (!now || *now < p.cpu_ticks || window_s <= 0) continue;
      p.cpu_percent =
          100.0 * (static_cast<double>(*now - p.cpu_ticks) / ticks_per_second) / window_s;
      p.cpu_ticks = *now;
      p.cpu_read_at = read_at;
      p.cpu_sampled = true;
    }
  });
}

std::vector<UnlistedPid> probe_unlisted(const std::vector<ProcessInfo>& listed,
                                        const std::string& proc_root, const ClockFacts& clock) {
  std::unordered_set<int> known;
  int bound = last_pid(proc_root);
  for (const auto& p : listed) {
    known.insert(p.pid);
    bound = std::max(bound, p.pid);
  }
  std::vector<int> answered;
  for (int pid = 1; pid <= bound; ++pid) {
    if (!known.count(pid) && pid_exists(pid)) answered.push_back(pid);
  }
  if (answered.empty()) return {};

  // Born after the first listing: the second one shows them.
  for (int pid : list_pids(proc_root)) known.insert(pid);
  // Threads answer kill() too; their ids are listed under their process's task/.
  Fd proc(::open(proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (const auto& p : listed) {
    if (p.threads <= 1) continue;
    const std::string task = std::to_string(p.pid) + "/task";
    for (const auto& name : list_dir(proc.get(), task.c_str()))
      known.insert(std::atoi(name.c_str()));
  }

  std::vector<UnlistedPid> candidates;
  for (int pid : answered) {
    if (known.count(pid) || !pid_exists(pid)) continue;
    const std::string dir = std::to_string(pid);
    Fd dirfd(::openat(proc.get(), dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    UnlistedPid u;
    u.pid = pid;
    u.tgid = pid;
    u.how = "kill(0) answered";
    if (dirfd.valid()) {
      u.how += ", /proc/" + dir + " reachable";
      if (auto text = read_file_at(dirfd.get(), "status", 16384)) {
        if (auto st = parse_status(*text)) {
          u.tgid = st->tgid > 0 ? st->tgid : pid;
          u.comm = st->name;
        }
      }
      // Born while we were scanning (or a thread of such a process): not hidden, just new.
      if (auto text = read_file_at(dirfd.get(), "stat", 4096)) {
        if (auto st = parse_stat(*text);
            st &&
            static_cast<double>(st->starttime) / clock.ticks_per_second >= clock.uptime_s - 1.0) {
          continue;
        }
      }
    }
    if (u.tgid != pid && known.count(u.tgid)) continue;  // a thread of a listed process
    candidates.push_back(std::move(u));
  }
  if (candidates.empty()) return {};

  // A rootkit's process stays hidden; a process caught between states does not.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::unordered_set<int> third;
  for (int pid : list_pids(proc_root)) third.insert(pid);
  std::vector<UnlistedPid> out;
  for (auto& u : candidates) {
    if (third.count(u.tgid) || !pid_exists(u.tgid)) continue;
    out.push_back(std::move(u));
  }
  return out;
}

void fill_host_facts(Snapshot& snap) {
  snap.taken_at = static_cast<long long>(std::time(nullptr));
  snap.self_pid = getpid();
  struct utsname u {};
  if (uname(&u) == 0) {
    snap.hostname = u.nodename;
    snap.kernel = std::string(u.sysname) + " " + u.release;
  }
}

Snapshot collect_snapshot(const CollectOptions& options) {
  Snapshot snap;
  fill_host_facts(snap);
  snap.sample_ms = options.sample_ms;
  snap.clock = read_clock_facts(options.proc_root);
  if (snap.clock.boot_time == 0) {
    snap.errors.push_back({"processes", "cannot read btime from " + options.proc_root +
                                            "/stat: start times are relative to boot"});
  }

  std::vector<int> pids;
  try {
    pids = list_pids(options.proc_root);
  } catch (const std::system_error& e) {
    snap.errors.push_back({"processes", std::string(e.what()) + ": is /proc mounted?"});
    return snap;
  }
  ProcessReader reader(snap.clock, read_users(options.passwd_path, snap.errors), options.proc_root);
  snap.processes = collect_processes(reader, pids);
  if (geteuid() != 0) {
    snap.errors.push_back(
        {"processes",
         "not running as root: executables, working directories and namespaces "
         "of other users' processes are unreadable; run as root for a full scan"});
  }
  sample_cpu(reader, snap.processes, options.sample_ms, snap.clock.ticks_per_second);

  if (options.probe_hidden && geteuid() != 0) {
    // Other users' processes answer kill() with EPERM and may be invisible in
    // /proc (hidepid): only root can tell hidden from not shown.
    snap.errors.push_back({"hidden-processes", "skipped: the hidden-process probe needs root"});
  } else if (options.probe_hidden) {
    try {
      snap.unlisted = probe_unlisted(snap.processes, options.proc_root, snap.clock);
    } catch (const std::system_error& e) {
      snap.errors.push_back({"hidden-processes", e.what()});
    }
  }
  if (options.connections || options.network) {
    SocketQuery query{kTcpEstablished | kTcpSynSent, false};
    if (options.network) {
      query.tcp_states |= kTcpListen;
      query.udp = true;
    }
    snap.connections = collect_sockets(snap.processes, query, snap.errors);
    resolve_owners(snap.connections, snap.processes, [&](const Connection& c) {
      return c.state == "listen" || c.state == "unconnected" ||
             options.owner_ports.count(c.remote_port) > 0;
    });
    snap.interfaces = list_interfaces(snap.errors);
    snap.local_addresses = addresses_of(snap.interfaces);
    struct stat st {};
    if (::stat((options.proc_root + "/self/ns/net").c_str(), &st) == 0) snap.host_netns = st.st_ino;
  }
  if (options.network) {
    snap.network_collected = true;
    snap.firewall = collect_firewall(options.proc_root, snap.errors);
    if (options.docker)
      snap.docker = collect_docker(options.docker_socket, options.docker_daemon_json, snap.errors);
  }
  return snap;
}

}  // namespace hostward::host

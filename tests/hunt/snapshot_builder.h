#pragma once
// Hand-made snapshots for rule tests.
#include <algorithm>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/finding.h"
#include "host/snapshot.h"
#include "hunt/hunt.h"

namespace hostward::testing {

using host::ExeState;
using host::ProcessInfo;

constexpr uint32_t kDir755 = 040755;
constexpr uint32_t kTmp = 041777;

// A process running `exe` (present, in root-owned 755 directories).
inline ProcessInfo proc(int pid, int ppid, const std::string& comm, const std::string& exe,
                        std::vector<std::string> argv = {}) {
  ProcessInfo p;
  p.pid = pid;
  p.ppid = ppid;
  p.comm = comm;
  p.exe = exe;
  p.exe_path = exe;
  p.exe_state = ExeState::present;
  p.exe_ino = static_cast<uint64_t>(std::hash<std::string>{}(exe));
  p.exe_dev = 2049;
  p.argv = argv.empty() ? std::vector<std::string>{exe} : std::move(argv);
  p.user = "root";
  p.start_time = 1773700000;
  p.ns.mnt = 4026531841;
  p.ns.net = 4026531840;
  std::string dir = "/";
  p.exe_dirs.push_back({"/", 0, kDir755});
  for (size_t i = exe.find('/', 1); i != std::string::npos; i = exe.find('/', i + 1)) {
    const std::string d = exe.substr(0, i);
    const bool tmp = d == "/tmp" || d == "/var/tmp" || d == "/dev/shm";
    p.exe_dirs.push_back({d, 0, tmp ? kTmp : kDir755});
  }
  return p;
}

inline ProcessInfo deleted(ProcessInfo p) {
  p.exe = p.exe_path + " (deleted)";
  p.exe_state = ExeState::deleted;
  return p;
}

inline ProcessInfo kernel_thread(int pid, const std::string& comm) {
  ProcessInfo p;
  p.pid = pid;
  p.ppid = 2;
  p.comm = comm;
  p.kernel_thread = true;
  p.exe_state = ExeState::none;
  return p;
}

inline host::Snapshot snapshot(std::vector<ProcessInfo> procs) {
  host::Snapshot s;
  s.hostname = "testhost";
  s.taken_at = 1773736080;  // 2026-03-17T08:28:00Z
  s.sample_ms = 1000;
  s.processes = std::move(procs);
  s.processes.insert(s.processes.begin(),
                     proc(1, 0, "systemd", "/usr/lib/systemd/systemd", {"/sbin/init"}));
  return s;
}

inline std::vector<Finding> run(const host::Snapshot& s, const HuntConfig& config = {}) {
  return hunt::run_rules(s, config);
}

inline std::vector<Finding> of_rule(const std::vector<Finding>& all, const std::string& rule) {
  std::vector<Finding> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [&](const Finding& f) { return f.rule == rule; });
  return out;
}

inline int pid_of(const Finding& f) { return f.subject.at("pid").get<int>(); }

}  // namespace hostward::testing

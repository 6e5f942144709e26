#include "watch/exec_check.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "host/proc_fs.h"
#include "host/proc_parse.h"
#include "host/snapshot.h"
#include "hunt/hunt.h"

namespace hostward::watch {

namespace {

std::map<uint32_t, std::string> users() {
  std::ifstream in("/etc/passwd");
  std::stringstream s;
  s << in.rdbuf();
  return host::parse_passwd(s.str());
}

}  // namespace

ExecChecker::ExecChecker(HuntConfig config, std::string hostname, std::string proc_root)
    : config_(std::move(config)),
      hostname_(std::move(hostname)),
      proc_root_(proc_root),
      clock_(host::read_clock_facts(proc_root)),
      reader_(clock_, users(), proc_root) {}

std::optional<ExecResult> ExecChecker::check(int pid) {
  auto p = reader_.read(pid);
  if (!p) return std::nullopt;
  host::Snapshot snap;
  snap.hostname = hostname_;
  snap.self_pid = static_cast<int>(::getpid());
  snap.clock = clock_;
  snap.processes.push_back(*p);
  // the ancestors: "child of a database server", "same tree" need them
  int parent = p->ppid;
  for (int depth = 0; depth < 32 && parent > 0; ++depth) {
    auto a = reader_.read(parent);
    if (!a) break;
    parent = a->ppid;
    snap.processes.push_back(std::move(*a));
  }
  ExecResult out;
  out.process = *p;
  for (auto& f : hunt::run_rules(snap, config_)) {
    // CPU needs a window: the periodic scan judges it, not an exec
    if (f.rule == "process.high-cpu" || f.rule == "process.hidden") continue;
    if (f.subject.value("pid", 0) == pid) out.findings.push_back(std::move(f));
  }
  return out;
}

std::map<int, unsigned long long> ExecChecker::list_processes() {
  std::map<int, unsigned long long> out;
  for (int pid : host::list_pids(proc_root_)) {
    std::ifstream in(proc_root_ + "/" + std::to_string(pid) + "/stat");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (const auto st = host::parse_stat(text)) out[pid] = st->starttime;
  }
  return out;
}

}  // namespace hostward::watch

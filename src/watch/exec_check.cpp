#include "watch/exec_check.h"

#include <fcntl.h>
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
  // the ancestors: "child of a database server" (also through sh -c) needs
  // them; four levels reach past a shell and its wrapper
  int parent = p->ppid;
  for (int depth = 0; depth < 4 && parent > 0; ++depth) {
    auto a = ancestor(parent);
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

std::optional<unsigned long long> ExecChecker::start_ticks(int pid) const {
  return read_start_ticks(proc_root_, pid);
}

std::optional<host::ProcessInfo> ExecChecker::ancestor(int pid) {
  if (auto it = ancestors_.find(pid); it != ancestors_.end()) {
    if (start_ticks(pid) == it->second.start_ticks) return it->second;
    ancestors_.erase(it);
  }
  auto a = reader_.read(pid);
  if (!a) return std::nullopt;
  if (ancestors_.size() > 4096) ancestors_.clear();
  ancestors_[pid] = *a;
  return a;
}

std::map<int, unsigned long long> ExecChecker::list_processes() {
  std::map<int, unsigned long long> out;
  for (int pid : host::list_pids(proc_root_))
    if (const auto t = read_start_ticks(proc_root_, pid)) out[pid] = *t;
  return out;
}

std::optional<unsigned long long> read_start_ticks(const std::string& proc_root, int pid) {
  // one read of /proc/PID/stat, field 22 after the last ")": this runs for
  // every ancestor of every exec, so no stream and no field vector
  const std::string path = proc_root + "/" + std::to_string(pid) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[1024];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  const std::string_view text(buf, static_cast<size_t>(n));
  size_t at = text.rfind(')');
  if (at == std::string_view::npos) return std::nullopt;
  for (int field = 2; field < 22; ++field) {  // ")" ends field 2
    at = text.find(' ', at + 1);
    if (at == std::string_view::npos) return std::nullopt;
  }
  unsigned long long v = 0;
  size_t i = at + 1, digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 20; ++i, ++digits)
    v = v * 10 + static_cast<unsigned long long>(text[i] - '0');
  if (digits == 0) return std::nullopt;
  return v;
}

}  // namespace hostward::watch

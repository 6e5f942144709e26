#include <fmt/format.h>

#include <array>
#include <map>
#include <set>

#include "hunt/rule_context.h"

namespace hostward::hunt {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "process.masquerade",
      Severity::high,
      {"T1036.004", "T1036.005"},
      "Process claims the name of a well-known daemon or kernel thread but is another program",
      "Miners and backdoors name themselves mysql, sshd or [kworker/0:1] so a glance at ps passes "
      "them over; the seed's miner ran as /tmp/mysql.",
      "Compare /proc/PID/exe with the real program; capture evidence and stop the process tree."};
  return i;
}

// The programs each well-known name may really be.
const std::map<std::string, std::set<std::string>>& daemons() {
  static const std::map<std::string, std::set<std::string>> m = {
      {"mysql", {"mysql", "mariadb"}},
      {"mysqld", {"mysqld", "mariadbd"}},
      {"mariadbd", {"mariadbd", "mysqld"}},
      {"postgres", {"postgres", "postmaster"}},
      {"postmaster", {"postgres", "postmaster"}},
      {"sshd", {"sshd", "sshd-session", "sshd-auth"}},
      {"nginx", {"nginx"}},
      {"httpd", {"httpd"}},
      {"apache2", {"apache2"}},
      {"redis-server", {"redis-server", "redis-check-rdb"}},
      {"mongod", {"mongod"}},
      {"dockerd", {"dockerd"}},
      {"containerd", {"containerd"}},
      {"systemd", {"systemd"}},
      {"init",
       {"init", "systemd", "tini", "docker-init", "dumb-init", "busybox", "catatonit",
        "openrc-init", "runit-init", "s6-svscan"}},
      {"cron", {"cron", "crond", "busybox"}},
      {"crond", {"cron", "crond", "busybox"}},
      {"rsyslogd", {"rsyslogd"}},
      {"php-fpm", {"php-fpm"}},
  };
  return m;
}

bool looks_like_kernel_thread(const std::string& name) {
  static constexpr std::array<std::string_view, 14> kPrefixes = {
      "kworker/", "ksoftirqd/", "migration/", "rcu_",     "watchdog/",  "cpuhp/",    "jbd2/",
      "irq/",     "kcompactd",  "kswapd",     "kthreadd", "khugepaged", "kdevtmpfs", "kauditd"};
  for (auto prefix : kPrefixes) {
    if (name.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

bool bracketed(const std::string& s) {
  return s.size() >= 2 && s.front() == '[' && s.back() == ']';
}

bool trusted_image(const ProcessInfo& p) {
  if (p.exe_path.empty()) return false;  // a path too long to read is no installed program
  if (p.exe_state != host::ExeState::present && p.exe_state != host::ExeState::replaced)
    return false;
  return writable_location(p).where == WritableLocation::none;
}

void run(const RuleContext& ctx, std::vector<Finding>& out) {
  for (const auto& p : ctx.index.all()) {
    if (p.kernel_thread || p.exe_state == host::ExeState::unknown ||
        p.exe_state == host::ExeState::none) {
      continue;
    }
    const std::string argv0 = p.argv.empty() ? std::string() : p.argv[0];
    const std::string prog = program_name(p);
    std::string claimed;
    std::string why;
    // "[kworker/0:1]" is a kernel thread's look; "[celeryd: worker]" is only a title.
    // A bracketed single word ("[kworker/0:1]", "[watchdogd]") is a kernel thread's look;
    // "[celeryd: w@h:ForkPoolWorker-1]" is a program's title.
    const bool kthread_title = bracketed(argv0) && argv0.find_first_of(" \t") == std::string::npos;
    if (kthread_title || looks_like_kernel_thread(p.comm) ||
        looks_like_kernel_thread(argv0_name(p))) {
      claimed = kthread_title ? argv0 : p.comm;
      why = "kernel threads have no executable";
    } else {
      for (const std::string& name : {p.comm, argv0_name(p)}) {
        auto it = daemons().find(name);
        if (it == daemons().end()) continue;
        if (it->second.count(prog) && trusted_image(p)) continue;
        claimed = name;
        why = it->second.count(prog) ? "its executable is not an installed program"
                                     : "its executable is another program";
        break;
      }
    }
    if (claimed.empty()) continue;
    out.push_back(process_finding(
        ctx, info(), p,
        fmt::format("{} calls itself \"{}\" but runs {}: {}", describe(p), claimed, p.exe, why),
        {{"claimed_name", claimed},
         {"comm", p.comm},
         {"argv0", argv0},
         {"exe", p.exe},
         {"exe_state", host::to_string(p.exe_state)}}));
  }
}

}  // namespace

ProcessRule masquerade_rule() { return {info(), run}; }

}  // namespace hostward::hunt

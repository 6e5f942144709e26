#include <fmt/format.h>

#include "core/fingerprint.h"
#include "hunt/rule_context.h"

namespace hostward::hunt {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "process.hidden",
      Severity::critical,
      {"T1014", "T1564"},
      "A running process is missing from the /proc listing",
      "Only a rootkit (a kernel module or an LD_PRELOAD hook on a tool) makes a live process "
      "vanish "
      "from the directory listing while kill() and /proc/PID still answer.",
      "Treat the host as compromised at root level: capture memory and disk from outside (a rescue "
      "system), do not trust tools run on it, rebuild it."};
  return i;
}

void run(const RuleContext& ctx, std::vector<Finding>& out) {
  for (const auto& u : ctx.snap.unlisted) {
    // A thread of a listed process is not listed under /proc either; that is normal.
    if (u.tgid != u.pid && ctx.index.find(u.tgid) != nullptr) continue;
    const int pid = u.tgid > 0 ? u.tgid : u.pid;
    Finding f;
    f.rule = info().id;
    f.severity = info().severity;
    f.title = fmt::format("pid {}{} exists but is hidden from the /proc listing", pid,
                          u.comm.empty() ? "" : fmt::format(" ({})", u.comm));
    f.subject = {{"kind", "process"}, {"pid", pid}, {"comm", u.comm}};
    f.evidence = {{"found_by", u.how}, {"probed_pid", u.pid}, {"tgid", u.tgid}};
    f.remediation = info().remediation;
    f.attack = info().attack;
    f.fingerprint =
        make_fingerprint(ctx.snap.hostname, info().id, fmt::format("{}|{}", pid, u.comm));
    out.push_back(std::move(f));
  }
}

}  // namespace

ProcessRule hidden_process_rule() { return {info(), run}; }

}  // namespace hostward::hunt

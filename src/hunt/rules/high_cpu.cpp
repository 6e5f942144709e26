#include <fmt/format.h>

#include <set>

#include "core/time_format.h"
#include "hunt/rule_context.h"

namespace hostward::hunt {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "process.high-cpu",
      Severity::medium,
      {"T1496"},
      "Process uses a full core or more, sustained",
      "A miner shows as a long-running process pinned at 100% per thread; the seed's ran at 249% "
      "for 45 minutes. Raised to high when the same process tree has another finding.",
      "Check what the process is; if it is not expected, capture evidence and contain its tree. "
      "Tune hunt.high_cpu_percent and hunt.high_cpu_min_age_s for busy build machines."};
  return i;
}

// The process, its parent and grandparent (the seed's watchdog and database),
// and all its descendants. Farther ancestors (a session manager, a CI agent)
// are shared by too much of the host to say anything.
bool tree_flagged(const RuleContext& ctx, const ProcessInfo& p, const std::set<int>& flagged) {
  if (flagged.count(p.pid)) return true;
  const auto ancestors = ctx.index.ancestors(p);
  for (size_t i = 0; i < ancestors.size() && i < 2; ++i) {
    if (ancestors[i]->pid <= 1) break;
    if (flagged.count(ancestors[i]->pid)) return true;
  }
  std::vector<int> stack = ctx.index.children(p.pid);
  std::set<int> seen;
  while (!stack.empty()) {
    const int pid = stack.back();
    stack.pop_back();
    if (!seen.insert(pid).second) continue;
    if (flagged.count(pid)) return true;
    for (int c : ctx.index.children(pid)) stack.push_back(c);
  }
  return false;
}

void run(const RuleContext& ctx, std::vector<Finding>& out) {
  const std::set<int> flagged = ctx.earlier ? pids_with_findings(*ctx.earlier) : std::set<int>{};
  for (const auto& p : ctx.index.all()) {
    if (p.kernel_thread || p.cpu_percent < ctx.config.high_cpu_percent) continue;
    const long long age = p.start_time > 0 ? ctx.snap.taken_at - p.start_time : 0;
    const bool with_other = tree_flagged(ctx, p, flagged);
    if (age < ctx.config.high_cpu_min_age_s && !with_other) continue;
    Finding f = process_finding(
        ctx, info(), p,
        fmt::format(
            "{} uses {:.0f}% CPU ({}), running for {}", describe(p), p.cpu_percent,
            p.cpu_sampled ? fmt::format("over {} ms", ctx.snap.sample_ms) : "lifetime average",
            format_duration(age)),
        {{"cpu_percent", static_cast<int>(p.cpu_percent + 0.5)},
         {"measured", p.cpu_sampled ? "sampled" : "lifetime-average"},
         {"window_ms", p.cpu_sampled ? ctx.snap.sample_ms : 0},
         {"age_s", age},
         {"threads", p.threads},
         {"rss_kb", p.rss_kb},
         {"tree_has_other_finding", with_other}});
    if (with_other) f.severity = Severity::high;
    out.push_back(std::move(f));
  }
}

}  // namespace

ProcessRule high_cpu_rule() { return {info(), run, 2}; }

}  // namespace hostward::hunt

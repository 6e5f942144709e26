#include "hunt/rule_context.h"

#include <fmt/format.h>

#include "core/fingerprint.h"
#include "core/time_format.h"

namespace hostward::hunt {

const std::vector<ProcessRule>& process_rules() {
  static const std::vector<ProcessRule> rules = {deleted_executable_rule(),
                                                 world_writable_executable_rule(),
                                                 memfd_executable_rule(),
                                                 masquerade_rule(),
                                                 database_spawned_child_rule(),
                                                 miner_indicators_rule(),
                                                 high_cpu_rule(),
                                                 hidden_process_rule()};
  return rules;
}

nlohmann::json process_subject(const ProcessInfo& p) {
  nlohmann::json s = {
      {"kind", "process"}, {"pid", p.pid},
      {"ppid", p.ppid},    {"comm", p.comm},
      {"exe", p.exe},      {"uid", p.uid},
      {"user", p.user},    {"start_time", p.start_time > 0 ? rfc3339_utc(p.start_time) : ""}};
  if (!p.argv.empty()) s["cmdline"] = p.argv;
  if (!p.container_id.empty()) {
    s["container_id"] = p.container_id;
    s["container_runtime"] = p.container_runtime;
  }
  return s;
}

std::set<int> pids_with_findings(const std::vector<Finding>& findings, Severity min) {
  std::set<int> pids;
  for (const auto& f : findings) {
    if (f.severity >= min && f.subject.contains("pid")) pids.insert(f.subject["pid"].get<int>());
  }
  return pids;
}

std::string describe(const ProcessInfo& p) { return fmt::format("{} (pid {})", p.comm, p.pid); }

Finding process_finding(const RuleContext& ctx, const RuleInfo& info, const ProcessInfo& p,
                        std::string title, nlohmann::json evidence, const std::string& identity) {
  Finding f;
  f.rule = info.id;
  f.severity = info.severity;
  f.title = std::move(title);
  f.subject = process_subject(p);
  f.evidence = std::move(evidence);
  f.remediation = info.remediation;
  f.attack = info.attack;
  const std::string key =
      identity.empty() ? fmt::format("{}|{}|{}|{}", p.exe_path, p.comm, p.uid, p.container_id)
                       : identity;
  f.fingerprint = make_fingerprint(ctx.snap.hostname, info.id, key);
  return f;
}

}  // namespace hostward::hunt

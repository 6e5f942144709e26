#include <fmt/format.h>

#include "hunt/rule_context.h"

namespace hostward::hunt {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "process.world-writable-executable",
      Severity::high,
      {"T1105", "T1036.005"},
      "Process runs an executable from a world-writable directory",
      "Droppers write payloads to /tmp, /var/tmp and /dev/shm because any user can; programs "
      "installed on purpose live in root-owned directories.",
      "Find out who wrote the file and how (owner, times, parent process); stop the process tree "
      "and "
      "mount "
      "/tmp, /var/tmp and /dev/shm noexec. Exempt a known build tool with "
      "hunt.world_writable_allow "
      "in the config."};
  return i;
}

void run(const RuleContext& ctx, std::vector<Finding>& out) {
  for (const auto& p : ctx.index.all()) {
    if (p.kernel_thread) continue;
    const LocationFacts where = writable_location(p);
    if (where.where == WritableLocation::none) continue;
    bool allowed = false;
    for (const auto& glob : ctx.config.world_writable_allow) {
      allowed = allowed || glob_match(glob, p.exe_path);
    }
    if (allowed) continue;
    const char* how = where.where == WritableLocation::direct ? "in the directory itself"
                      : where.where == WritableLocation::hidden
                          ? "in a hidden or shared subdirectory"
                          : "in a private subdirectory";
    nlohmann::json evidence = {
        {"exe", p.exe}, {"writable_dir", where.writable_dir}, {"placement", how}};
    if (!p.container_id.empty()) evidence["seen_through"] = fmt::format("/proc/{}/root", p.pid);
    Finding f = process_finding(ctx, info(), p,
                                fmt::format("{} runs {} from world-writable {} ({})", describe(p),
                                            p.exe_path, where.writable_dir, how),
                                std::move(evidence));
    // A build tree the user made for itself below /tmp (go test, a CI checkout) is weak evidence.
    if (where.where == WritableLocation::private_tree) f.severity = Severity::low;
    out.push_back(std::move(f));
  }
}

}  // namespace

ProcessRule world_writable_executable_rule() { return {info(), run}; }

}  // namespace hostward::hunt

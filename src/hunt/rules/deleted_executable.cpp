#include <fmt/format.h>

#include "hunt/rule_context.h"

namespace hostward::hunt {

namespace {

void run(const RuleContext& ctx, std::vector<Finding>& out);

const RuleInfo& info() {
  static const RuleInfo i{
      "process.deleted-executable",
      Severity::high,
      {"T1070.004", "T1620"},
      "Process runs from an executable deleted from disk",
      "Malware deletes its binary after start so nothing is left to find or hash; a binary "
      "replaced by an upgrade only means the process runs old code.",
      "Save the image now, while the process still holds it (cp /proc/PID/exe somewhere safe and "
      "hash it), then stop the whole process tree. If a package upgrade replaced the file, "
      "restart the service."};
  return i;
}

void run(const RuleContext& ctx, std::vector<Finding>& out) {
  for (const auto& p : ctx.index.all()) {
    if (p.exe_state != host::ExeState::deleted && p.exe_state != host::ExeState::replaced) continue;
    const bool replaced = p.exe_state == host::ExeState::replaced;
    nlohmann::json evidence = {{"exe", p.exe},
                               {"path", p.exe_path},
                               {"state", replaced ? "replaced" : "gone"},
                               {"inode", p.exe_ino},
                               {"recoverable_from", fmt::format("/proc/{}/exe", p.pid)}};
    std::string title =
        replaced ? fmt::format("{} runs an old copy of {}: the file was replaced (restart needed)",
                               describe(p), p.exe_path)
                 : fmt::format("{} runs from {}, which has been deleted from disk", describe(p),
                               p.exe_path.empty() ? p.exe : p.exe_path);
    Finding f = process_finding(ctx, info(), p, std::move(title), std::move(evidence));
    // An upgrade replaces files in installed places; a dropper re-downloading its
    // payload to /tmp "replaces" too, and stays high.
    if (replaced && writable_location(p).where == WritableLocation::none)
      f.severity = Severity::low;
    out.push_back(std::move(f));
  }
}

}  // namespace

ProcessRule deleted_executable_rule() { return {info(), run}; }

}  // namespace hostward::hunt

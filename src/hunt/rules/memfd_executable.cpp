#include <fmt/format.h>

#include "hunt/rule_context.h"

namespace hostward::hunt {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "process.memfd-executable",
      Severity::critical,
      {"T1620", "T1027"},
      "Process runs from an anonymous memory file (memfd)",
      "Fileless malware writes its payload into a memfd and executes it, so no file ever touches "
      "the disk; apart from runc's self-clone, nothing on a normal host does this.",
      "Save the image through /proc/PID/exe (cp it somewhere safe and hash it) before anything "
      "else, then stop the whole process tree, its watchdog first (SIGSTOP all, then SIGKILL)."};
  return i;
}

std::string memfd_name(const std::string& exe) {
  std::string name = exe.substr(std::string("/memfd:").size());
  const std::string mark = " (deleted)";
  if (name.size() >= mark.size() &&
      name.compare(name.size() - mark.size(), mark.size(), mark) == 0) {
    name.resize(name.size() - mark.size());
  }
  return name;
}

void run(const RuleContext& ctx, std::vector<Finding>& out) {
  for (const auto& p : ctx.index.all()) {
    if (p.exe_state != host::ExeState::memfd) continue;
    const std::string name = memfd_name(p.exe);
    // runc's clone is named runc_cloned:… and runs as runc; a payload borrowing the name is not
    // runc.
    bool allowed = false;
    for (const auto& glob : ctx.config.memfd_allow) allowed = allowed || glob_match(glob, name);
    if (name.rfind("runc_cloned:", 0) == 0 && p.comm.rfind("runc", 0) != 0) allowed = false;
    if (allowed) continue;
    out.push_back(process_finding(
        ctx, info(), p,
        fmt::format("{} executes from memfd \"{}\": no file on disk", describe(p), name),
        {{"exe", p.exe},
         {"memfd_name", name},
         {"recoverable_from", fmt::format("/proc/{}/exe", p.pid)}},
        fmt::format("memfd|{}|{}|{}", name, p.comm, p.uid)));
  }
}

}  // namespace

ProcessRule memfd_executable_rule() { return {info(), run}; }

}  // namespace hostward::hunt

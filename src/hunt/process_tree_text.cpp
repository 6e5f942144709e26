#include "hunt/process_tree_text.h"

#include <fmt/format.h>

#include <functional>
#include <map>

#include "core/terminal.h"
#include "core/text_sanitize.h"
#include "hunt/hunt.h"

namespace hostward::hunt {

std::string process_line(const ProcessInfo& p) {
  std::string user = p.user.empty() ? std::to_string(p.uid) : p.user;
  std::string line = fmt::format("{} {} {}", p.comm, p.pid, user);
  if (p.cpu_percent >= 1.0) line += fmt::format(" {:.0f}%", p.cpu_percent);
  if (p.kernel_thread) return line + " [kernel]";
  if (!p.exe.empty()) line += " " + p.exe;
  if (!p.container_id.empty()) line += " ctr:" + p.container_id.substr(0, 12);
  return line;
}

std::map<int, std::string> flags_by_pid(const std::vector<Finding>& findings) {
  std::map<int, std::set<std::string>> sets;
  for (const auto& f : findings) {
    if (!f.subject.contains("pid")) continue;
    sets[f.subject["pid"].get<int>()].insert(f.rule.substr(f.rule.find('.') + 1));
  }
  std::map<int, std::string> out;
  for (const auto& [pid, names] : sets) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    out[pid] = s;
  }
  return out;
}

std::vector<std::string> incident_tree_lines(const ProcessIndex& index, int root,
                                             const std::set<int>& pids,
                                             const std::vector<Finding>& findings) {
  // Keep the processes on a path from the root to a flagged one.
  std::set<int> keep = {root};
  for (int pid : pids) {
    const ProcessInfo* p = index.find(pid);
    if (p == nullptr) continue;
    keep.insert(pid);
    for (const ProcessInfo* a : index.ancestors(*p)) {
      if (a->pid == root) break;
      keep.insert(a->pid);
    }
  }
  std::map<int, int> counts;
  for (const auto& f : findings) {
    if (f.subject.contains("pid")) ++counts[f.subject["pid"].get<int>()];
  }
  std::vector<std::string> lines;
  std::set<int> drawn;
  std::function<void(int, const std::string&, bool, bool)> draw =
      [&](int pid, const std::string& prefix, bool last, bool top) {
        const ProcessInfo* p = index.find(pid);
        if (p == nullptr || !drawn.insert(pid).second) return;
        std::string line = top ? "" : prefix + (last ? "└─ " : "├─ ");
        line += process_line(*p);
        if (auto it = counts.find(pid); it != counts.end()) {
          line += fmt::format("  [{} finding{}]", it->second, it->second == 1 ? "" : "s");
        }
        lines.push_back(line);
        std::vector<int> kids;
        for (int c : index.children(pid)) {
          if (keep.count(c)) kids.push_back(c);
        }
        const std::string child_prefix = top ? "" : prefix + (last ? "   " : "│  ");
        for (size_t i = 0; i < kids.size(); ++i)
          draw(kids[i], child_prefix, i + 1 == kids.size(), false);
      };
  draw(root, "", true, true);
  return lines;
}

std::string render_process_tree(const host::Snapshot& snap, const std::vector<Finding>& findings,
                                const TreeOptions& options) {
  const ProcessIndex index(snap.processes);
  const auto flags = flags_by_pid(findings);
  std::map<int, Severity> worst;
  for (const auto& f : findings) {
    if (!f.subject.contains("pid")) continue;
    const int pid = f.subject["pid"].get<int>();
    worst[pid] = std::max(worst.count(pid) ? worst[pid] : Severity::info, f.severity);
  }
  const Style style{options.color};
  std::string out = fmt::format("{:>7} {:>7} {:<10} {:>5} {:>8}  {}\n", "PID", "PPID", "USER",
                                "%CPU", "RSS", "COMMAND");
  std::set<int> drawn;
  std::function<void(const ProcessInfo&, const std::string&, bool, int)> draw =
      [&](const ProcessInfo& p, const std::string& prefix, bool last, int depth) {
        if (!drawn.insert(p.pid).second) return;
        std::string user = p.user.empty() ? std::to_string(p.uid) : p.user;
        std::string cmd = p.argv.empty() ? "[" + p.comm + "]" : p.argv[0];
        for (size_t i = 1; i < p.argv.size(); ++i) cmd += " " + p.argv[i];
        std::string line =
            fmt::format("{:>7} {:>7} {:<10} {:>5.1f} {:>8}  ", p.pid, p.ppid,
                        truncate_columns(sanitize_for_terminal(user), 10), p.cpu_percent, p.rss_kb);
        line += (depth == 0 ? "" : prefix + (last ? "└─ " : "├─ ")) + sanitize_for_terminal(cmd);
        std::string flag_text;
        if (auto it = flags.find(p.pid); it != flags.end()) flag_text = "  [" + it->second + "]";
        if (options.width > 0) {
          const size_t room = options.width > display_width(flag_text) + 8
                                  ? options.width - display_width(flag_text)
                                  : options.width;
          line = truncate_columns(line, room);
        }
        if (!flag_text.empty()) line += style.severity(worst[p.pid], flag_text);
        out += line + "\n";
        const auto& kids = index.children(p.pid);
        const std::string child_prefix = depth == 0 ? "" : prefix + (last ? "   " : "│  ");
        for (size_t i = 0; i < kids.size(); ++i) {
          if (const ProcessInfo* c = index.find(kids[i]))
            draw(*c, child_prefix, i + 1 == kids.size(), depth + 1);
        }
      };
  std::vector<const ProcessInfo*> roots;
  for (const auto& p : snap.processes) {
    if (index.parent(p) == nullptr) roots.push_back(&p);
  }
  std::sort(roots.begin(), roots.end(), [](auto* a, auto* b) { return a->pid < b->pid; });
  for (const ProcessInfo* r : roots) draw(*r, "", true, 0);
  for (const auto& p : snap.processes)
    draw(p, "", true, 0);  // members of a cycle in a hand-made snapshot
  return out;
}

}  // namespace hostward::hunt

#include "hunt/process_tree_text.h"

#include <fmt/format.h>

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

namespace {

constexpr size_t kMaxIndent = 24;  // deeper levels are summarised, not drawn

// Depth-first from `root` without recursion (a fork chain 20,000 deep is one
// unprivileged loop away). visit(p, branch) gets the box-drawing prefix.
template <typename Keep, typename Visit>
void walk_tree(const ProcessIndex& index, int root, std::set<int>& drawn, Keep keep, Visit visit) {
  struct Item {
    int pid;
    size_t depth;
    bool last;
  };
  std::vector<Item> stack = {{root, 0, true}};
  std::vector<bool>
      last_at;  // last_at[d]: was the node on the current path at depth d a last child
  while (!stack.empty()) {
    const Item item = stack.back();
    stack.pop_back();
    const ProcessInfo* p = index.find(item.pid);
    if (p == nullptr || !drawn.insert(item.pid).second) continue;
    last_at.resize(item.depth + 1);
    last_at[item.depth] = item.last;
    std::string branch;
    if (item.depth > 0) {
      const size_t from = item.depth > kMaxIndent ? item.depth - kMaxIndent : 1;
      if (from > 1) branch = fmt::format("[+{}] ", from - 1);
      for (size_t d = from; d < item.depth; ++d) branch += last_at[d] ? "   " : "│  ";
      branch += item.last ? "└─ " : "├─ ";
    }
    visit(*p, branch);
    std::vector<int> kids;
    for (int c : index.children(item.pid)) {
      if (keep(c)) kids.push_back(c);
    }
    for (size_t i = kids.size(); i-- > 0;)
      stack.push_back({kids[i], item.depth + 1, i + 1 == kids.size()});
  }
}

}  // namespace

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
  walk_tree(
      index, root, drawn, [&](int pid) { return keep.count(pid) > 0; },
      [&](const ProcessInfo& p, const std::string& branch) {
        std::string line = branch + process_line(p);
        if (auto it = counts.find(p.pid); it != counts.end()) {
          line += fmt::format("  [{} finding{}]", it->second, it->second == 1 ? "" : "s");
        }
        lines.push_back(line);
      });
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
  auto visit = [&](const ProcessInfo& p, const std::string& branch) {
    std::string user = p.user.empty() ? std::to_string(p.uid) : p.user;
    std::string cmd = p.argv.empty() ? "[" + p.comm + "]" : p.argv[0];
    for (size_t i = 1; i < p.argv.size(); ++i) cmd += " " + p.argv[i];
    std::string line =
        fmt::format("{:>7} {:>7} {:<10} {:>5.1f} {:>8}  ", p.pid, p.ppid,
                    truncate_columns(sanitize_for_terminal(user), 10), p.cpu_percent, p.rss_kb);
    line += branch + sanitize_for_terminal(cmd);
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
  };
  std::vector<const ProcessInfo*> roots;
  for (const auto& p : snap.processes) {
    if (index.parent(p) == nullptr) roots.push_back(&p);
  }
  std::sort(roots.begin(), roots.end(), [](auto* a, auto* b) { return a->pid < b->pid; });
  std::set<int> drawn;
  const auto all = [](int) { return true; };
  for (const ProcessInfo* r : roots) walk_tree(index, r->pid, drawn, all, visit);
  for (const auto& p : snap.processes) {
    walk_tree(index, p.pid, drawn, all, visit);  // members of a cycle in a hand-made snapshot
  }
  return out;
}

}  // namespace hostward::hunt

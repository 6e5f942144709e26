#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/fingerprint.h"
#include "hunt/hunt.h"
#include "hunt/process_tree_text.h"
#include "hunt/rule_context.h"

namespace hostward::hunt {

namespace {

// The top of the intrusion above a flagged process: climb while the parent is
// flagged too, then take one more step if that parent is the database server
// the tree came out of (the seed's postgres).
int incident_root(const ProcessIndex& index, const std::set<int>& flagged, int pid) {
  const ProcessInfo* cur = index.find(pid);
  if (cur == nullptr) return pid;
  std::set<int> seen = {pid};
  while (true) {
    const ProcessInfo* parent = index.parent(*cur);
    if (parent == nullptr || parent->pid <= 1 || !seen.insert(parent->pid).second) break;
    if (flagged.count(parent->pid)) {
      cur = parent;
      continue;
    }
    if (is_database_server(*parent)) cur = parent;
    break;
  }
  return cur->pid;
}

}  // namespace

std::vector<Incident> group_incidents(const host::Snapshot& snap, std::vector<Finding>& findings) {
  const ProcessIndex index(snap.processes);
  // A listener is a way in, not something happening: exposure findings stay
  // out of incidents (a miner's pool connection, subject "connection", joins).
  const auto is_listener = [](const Finding& f) {
    return f.subject.value("kind", "") == "listener";
  };
  std::vector<Finding> process_side;
  for (const auto& f : findings)
    if (!is_listener(f)) process_side.push_back(f);
  std::set<int> flagged;
  for (int pid : pids_with_findings(process_side)) {
    if (index.find(pid)) flagged.insert(pid);
  }
  std::map<int, std::vector<size_t>> by_root;
  for (size_t i = 0; i < findings.size(); ++i) {
    const auto& f = findings[i];
    if (!f.subject.contains("pid") || is_listener(f)) continue;
    const int pid = f.subject["pid"].get<int>();
    if (!flagged.count(pid)) continue;
    by_root[incident_root(index, flagged, pid)].push_back(i);
  }

  std::vector<Incident> incidents;
  for (const auto& [root, members] : by_root) {
    if (members.size() < 2) continue;
    Incident inc;
    inc.root_pid = root;
    std::set<int> pids;
    std::set<std::string> rules;
    std::set<std::string> strong_rules;  // rules at high or above
    std::vector<std::string> prints;
    for (size_t i : members) {
      const auto& f = findings[i];
      pids.insert(f.subject["pid"].get<int>());
      rules.insert(f.rule);
      if (f.severity >= Severity::high) strong_rules.insert(f.rule);
      inc.severity = std::max(inc.severity, f.severity);
      prints.push_back(f.fingerprint);
    }
    // Independent strong signals on one tree are one intrusion, not several suspicions.
    if (strong_rules.size() >= 2) inc.severity = Severity::critical;
    std::sort(prints.begin(), prints.end());
    std::string material;
    for (const auto& p : prints) material += p;
    inc.id = "inc-" + sha256_hex(material).substr(0, 8);
    inc.pids.assign(pids.begin(), pids.end());
    inc.rules.assign(rules.begin(), rules.end());
    const ProcessInfo* top = index.find(root);
    const size_t below = pids.size() - (pids.count(root) ? 1 : 0);
    inc.summary =
        fmt::format("{} (pid {}) and {} process{} below it, {} findings", top ? top->comm : "?",
                    root, below, below == 1 ? "" : "es", members.size());
    inc.tree = incident_tree_lines(index, root, pids, findings);
    for (size_t i : members) findings[i].incident = inc.id;
    incidents.push_back(std::move(inc));
  }
  std::sort(incidents.begin(), incidents.end(), [](const Incident& a, const Incident& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    return a.root_pid < b.root_pid;
  });
  return incidents;
}

}  // namespace hostward::hunt

#include "hunt/process_index.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <unordered_set>

namespace hostward::hunt {

namespace {
const std::vector<int> kNoChildren;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

constexpr std::array<std::string_view, 3> kTempDirs = {"/tmp", "/var/tmp", "/dev/shm"};

bool under(std::string_view path, std::string_view dir) {
  return starts_with(path, dir) && path.size() > dir.size() && path[dir.size()] == '/';
}
}  // namespace

ProcessIndex::ProcessIndex(const std::vector<ProcessInfo>& processes) : processes_(&processes) {
  for (size_t i = 0; i < processes.size(); ++i) {
    by_pid_.emplace(processes[i].pid, i);
    if (processes[i].ppid != processes[i].pid)
      children_[processes[i].ppid].push_back(processes[i].pid);
  }
  for (auto& [_, kids] : children_) std::sort(kids.begin(), kids.end());
}

const ProcessInfo* ProcessIndex::find(int pid) const {
  auto it = by_pid_.find(pid);
  return it == by_pid_.end() ? nullptr : &(*processes_)[it->second];
}

const ProcessInfo* ProcessIndex::parent(const ProcessInfo& p) const {
  if (p.ppid == p.pid || p.ppid <= 0) return nullptr;
  return find(p.ppid);
}

const std::vector<int>& ProcessIndex::children(int pid) const {
  auto it = children_.find(pid);
  return it == children_.end() ? kNoChildren : it->second;
}

std::vector<const ProcessInfo*> ProcessIndex::ancestors(const ProcessInfo& p) const {
  std::vector<const ProcessInfo*> out;
  std::unordered_set<int> seen = {p.pid};
  for (const ProcessInfo* cur = parent(p); cur != nullptr; cur = parent(*cur)) {
    if (!seen.insert(cur->pid).second) break;
    out.push_back(cur);
  }
  return out;
}

std::string_view base_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string argv0_name(const ProcessInfo& p) {
  if (p.argv.empty()) return {};
  std::string_view a = p.argv[0];
  const size_t cut = a.find_first_of(": ");
  if (cut != std::string_view::npos) a = a.substr(0, cut);
  return std::string(base_name(a));
}

std::string program_name(const ProcessInfo& p) {
  if (!p.exe_path.empty() && p.exe_state != host::ExeState::memfd) {
    return std::string(base_name(p.exe_path));
  }
  return p.comm;
}

bool exe_denied(const ProcessInfo& p) {
  return p.exe_state == host::ExeState::unknown &&
         (p.exe_error == "EACCES" || p.exe_error == "EPERM");
}

bool is_database_server(const ProcessInfo& p) {
  static const std::unordered_set<std::string> kServers = {
      "postgres", "postmaster", "mysqld", "mariadbd", "mongod", "redis-server", "redis-check-rdb"};
  if (p.kernel_thread) return false;
  if (p.exe_state == host::ExeState::unknown && !exe_denied(p)) return false;
  if (p.exe_state != host::ExeState::unknown && p.exe_path.empty())
    return false;  // path unreadable
  // A payload named /tmp/postgres is no database server.
  if (p.exe_state == host::ExeState::deleted || p.exe_state == host::ExeState::memfd ||
      writable_location(p).where != WritableLocation::none) {
    return false;
  }
  const std::string name = program_name(p);
  if (name == "redis-check-rdb") return p.comm.rfind("redis-server", 0) == 0;
  return kServers.count(name) > 0;
}

LocationFacts writable_location(const ProcessInfo& p) {
  LocationFacts facts;
  if (p.exe_path.empty() || p.exe_path[0] != '/' || p.exe_state == host::ExeState::memfd ||
      p.exe_state == host::ExeState::none) {
    return facts;
  }
  // A directory on the way replaced by a symlink after the exec: someone is hiding it.
  for (const auto& d : p.exe_dirs) {
    if (S_ISLNK(d.mode)) {
      facts.where = WritableLocation::hidden;
      facts.writable_dir = d.path;
      return facts;
    }
  }
  // The deepest directory on the way that others may write to.
  size_t ww = p.exe_dirs.size();
  for (size_t i = 0; i < p.exe_dirs.size(); ++i) {
    if (p.exe_dirs[i].mode & S_IWOTH) ww = i;
  }
  std::string_view temp_dir;
  for (auto d : kTempDirs) {
    if (under(p.exe_path, d)) temp_dir = d;
  }
  if (ww == p.exe_dirs.size() && temp_dir.empty()) return facts;

  const size_t parent_depth = static_cast<size_t>(
      std::count(p.exe_path.begin(), p.exe_path.end(), '/'));  // dirs on the way, "/" included
  const bool chain_complete = p.exe_dirs.size() == parent_depth;
  if (ww == p.exe_dirs.size()) {
    // A temp dir that is not world-writable in this root (odd, but seen in images): use its name.
    facts.writable_dir = std::string(temp_dir);
    for (size_t i = 0; i < p.exe_dirs.size(); ++i) {
      if (p.exe_dirs[i].path == temp_dir) ww = i;
    }
    if (ww == p.exe_dirs.size()) {
      facts.where = WritableLocation::hidden;  // its directories are gone: cannot vouch for them
      return facts;
    }
  } else {
    facts.writable_dir = p.exe_dirs[ww].path;
  }
  if (ww + 1 == p.exe_dirs.size() && chain_complete) {
    facts.where = WritableLocation::direct;
    return facts;
  }
  if (!chain_complete) {
    facts.where = WritableLocation::hidden;
    return facts;
  }
  for (size_t i = ww + 1; i < p.exe_dirs.size(); ++i) {
    const auto& d = p.exe_dirs[i];
    const bool dot = base_name(d.path).substr(0, 1) == ".";
    const bool others_write = (d.mode & (S_IWGRP | S_IWOTH)) != 0;
    const bool owner_ok = d.uid == 0 || d.uid == p.uid;
    if (dot || others_write || !owner_ok) {
      facts.where = WritableLocation::hidden;
      return facts;
    }
  }
  facts.where = WritableLocation::private_tree;
  return facts;
}

}  // namespace hostward::hunt

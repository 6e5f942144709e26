#include "watch/respawn.h"

namespace hostward::watch {

namespace {

void trim(std::deque<double>& times, double since) {
  while (!times.empty() && times.front() < since) times.pop_front();
}

}  // namespace

void RespawnTracker::prune(double now_s) {
  // bounded memory: a build starts thousands of distinct commands
  if (history_.size() < 20000 && running_.size() < 200000) return;
  for (auto it = history_.begin(); it != history_.end();) {
    trim(it->second.starts, now_s - window_);
    trim(it->second.kills, now_s - window_);
    it = it->second.starts.empty() && it->second.kills.empty() ? history_.erase(it) : std::next(it);
  }
  if (running_.size() >= 200000) running_.clear();
  if (parents_.size() >= 200000) parents_.clear();
  if (last_started_.size() >= 200000) last_started_.clear();
  if (unread_kills_.size() >= 10000) unread_kills_.clear();
}

std::optional<RespawnTracker::Loop> RespawnTracker::count(const Key& key, double now_s) {
  auto& h = history_[key];
  h.starts.push_back(now_s);
  trim(h.starts, now_s - window_);
  trim(h.kills, now_s - window_);
  if (static_cast<int>(h.starts.size()) < threshold_ ||
      static_cast<int>(h.kills.size()) < threshold_ - 1 || now_s - h.reported < window_)
    return std::nullopt;
  h.reported = now_s;
  return Loop{key.first, key.second.substr(4), static_cast<int>(h.starts.size()),
              static_cast<int>(h.kills.size())};
}

std::optional<RespawnTracker::Loop> RespawnTracker::started(int pid, int parent,
                                                            const std::string& exe,
                                                            const std::string& cmdline,
                                                            double now_s) {
  prune(now_s);
  if (exe.empty() && cmdline.empty()) {  // read as a zombie: nothing to go by
    parents_[pid] = parent;
    return std::nullopt;
  }
  const Key by_exe{parent, "exe:" + exe}, by_cmd{parent, "cmd:" + cmdline};
  // children killed before anything of them was read: most likely this same
  // program, started and killed before (a watchdog starts one thing)
  if (auto u = unread_kills_.find(parent); u != unread_kills_.end()) {
    for (double t : u->second) {
      if (t < now_s - window_) continue;
      for (const Key& key : {by_exe, by_cmd}) {
        history_[key].starts.push_back(t);
        history_[key].kills.push_back(t);
      }
    }
    unread_kills_.erase(u);
  }
  running_[pid] = {by_exe, by_cmd};
  last_started_[parent] = {by_exe, by_cmd};
  parents_.erase(pid);
  auto a = exe.empty() ? std::nullopt : count(by_exe, now_s);
  auto b = cmdline.empty() ? std::nullopt : count(by_cmd, now_s);
  return a ? a : b;
}

void RespawnTracker::forked(int pid, int parent) { parents_[pid] = parent; }

void RespawnTracker::ended(int pid, bool killed, double now_s) {
  auto it = running_.find(pid);
  if (it == running_.end()) {
    // killed before its exec could be read: count it for what its parent runs
    auto p = parents_.find(pid);
    if (p == parents_.end()) return;
    auto last = last_started_.find(p->second);
    if (killed && last != last_started_.end()) {  // it ran, and was killed
      for (const Key& key : {last->second.first, last->second.second}) {
        history_[key].starts.push_back(now_s);
        history_[key].kills.push_back(now_s);
      }
    } else if (killed && unread_kills_.size() < 10000) {
      unread_kills_[p->second].push_back(now_s);
    }
    parents_.erase(p);
    return;
  }
  if (killed) {
    history_[it->second.first].kills.push_back(now_s);
    history_[it->second.second].kills.push_back(now_s);
  }
  running_.erase(it);
}

}  // namespace hostward::watch

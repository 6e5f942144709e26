#pragma once
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace hostward::watch {

// process.respawn-loop: the same executable or command line started three or
// more times within a minute under the same parent, each time after the one
// before was killed: the seed's watchdog, bringing its miner back whenever it
// was killed. A build running cc1plus 500 times, or a health check looping,
// ends normally and is not a respawn.
class RespawnTracker {
 public:
  struct Loop {
    int parent = 0;
    std::string what;  // the executable, or the command line
    int starts = 0;    // within the window
    int kills = 0;
  };

  explicit RespawnTracker(int threshold = 3, double window_s = 60)
      : threshold_(threshold), window_(window_s) {}

  // `pid` ran `exe` (`cmdline`) under `parent` at `now_s`; the loop when this
  // start makes it one (reported once per loop and window).
  std::optional<Loop> started(int pid, int parent, const std::string& exe,
                              const std::string& cmdline, double now_s);
  // `pid` ended; `killed` when a signal ended it. A process killed before it
  // could be read counts for what its parent last started.
  void ended(int pid, bool killed, double now_s);
  // `parent` forked `pid` (the process connector says; polling cannot).
  void forked(int pid, int parent);

 private:
  using Key = std::pair<int, std::string>;
  struct History {
    std::deque<double> starts, kills;
    double reported = -1e18;
  };
  std::optional<Loop> count(const Key& key, double now_s);
  void prune(double now_s);

  int threshold_;
  double window_;
  std::map<Key, History> history_;
  std::map<int, std::pair<Key, Key>> running_;       // pid -> its two keys
  std::map<int, int> parents_;                       // pid -> parent, from fork events
  std::map<int, std::pair<Key, Key>> last_started_;  // parent -> what it last started
  std::map<int, std::deque<double>> unread_kills_;   // parent -> kills of children never read
};

}  // namespace hostward::watch

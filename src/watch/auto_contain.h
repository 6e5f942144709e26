#pragma once
#include <sys/types.h>

#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

// `watch --contain SEVERITY`: each finding at that severity or above on a
// process starts `hostward contain PID --tree` as a child process (watch does
// not link the response code; a crash there cannot take the watch down).
// One containment runs at a time: two would fight over the same tree.
namespace hostward::watch {

class AutoContain {
 public:
  // `program`: the hostward binary; `extra`: arguments added to each contain.
  // A containment running longer than `timeout_s` is killed (its frozen group
  // is released by the next contain).
  AutoContain(std::string program, std::vector<std::string> extra, double timeout_s = 300);
  ~AutoContain();
  AutoContain(const AutoContain&) = delete;
  AutoContain& operator=(const AutoContain&) = delete;

  // Queues a containment of pid (identified by its start time); a process
  // already queued, running or contained is not queued again.
  void request(int pid, unsigned long long start_ticks, const std::string& rule);
  // Starts the next one when none runs; returns the "contain" events of the
  // ones that ended.
  std::vector<nlohmann::json> poll();
  bool busy() const { return running_.has_value() || !queue_.empty(); }
  // At shutdown: what waits is dropped, what runs is seen through.
  void drop_queue() { queue_.clear(); }

 private:
  struct Request {
    int pid = 0;
    unsigned long long start_ticks = 0;
    std::string rule;
  };
  struct Running {
    Request request;
    pid_t child = 0;
    int output = -1;  // memfd holding the child's JSON report
    double started = 0;
  };
  void start_next();

  std::string program_;
  std::vector<std::string> extra_;
  double timeout_s_;
  std::deque<Request> queue_;
  std::optional<Running> running_;
  std::vector<std::pair<int, unsigned long long>> seen_;
};

}  // namespace hostward::watch

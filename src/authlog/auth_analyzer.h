#pragma once
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "authlog/auth_event.h"
#include "authlog/auth_summary.h"
#include "core/config.h"
#include "core/ip_address.h"

namespace hostward::authlog {

// Folds a stream of events into an AuthSummary.
class AuthAnalyzer {
 public:
  explicit AuthAnalyzer(const AuthConfig& config);
  void add(const AuthEvent& e);
  AuthSummary finish();
  WtmpFacts& wtmp() { return summary_.wtmp; }
  void add_lines(uint64_t n) { summary_.lines += n; }

 private:
  struct Tracker {
    AddressFailures facts;
    std::deque<int64_t> recent;  // failure times within the window, oldest first
  };
  using TrackerMap = std::unordered_map<std::string, Tracker, StringHash, std::equal_to<>>;
  Tracker& tracker(TrackerMap& map, std::string_view address);
  void count_failure(Tracker& t, const AuthEvent& e);
  bool ignored(std::string_view address) const;

  AuthConfig config_;
  std::vector<IpPrefix> ignore_;
  static constexpr size_t kMaxWindowEntries = 10000;
  TrackerMap logs_, btmp_;
  AuthSummary summary_;
  std::unordered_map<std::string, size_t> open_sessions_;  // tty -> index in sessions
  std::unordered_map<int, std::string> partial_;           // sshd pid -> first factor passed
};

}  // namespace hostward::authlog

#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "authlog/auth_event.h"

namespace hostward::authlog {

// What the rules judge, built while the events stream past: per address and
// per login, never per line, so memory does not grow with the log's length.
struct AddressFailures {
  std::string address;
  uint64_t failures = 0;
  uint64_t probes = 0;  // connections that never tried to log in (scanners)
  int64_t first = 0, last = 0;
  std::vector<std::string> users;  // the first 10 distinct users tried
  bool more_users = false;         // and others besides
  int max_in_window = 0;           // most failures within one window
  int64_t window_reached = 0;      // when the threshold was first reached, 0 never
  bool ignored = false;            // in auth.ignore_addresses
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Each distinct string once: the logins of a busy host repeat a handful of
// users, addresses, methods and file names. Move-only, so the views into it
// stay valid wherever the summary goes.
class StringPool {
 public:
  StringPool() = default;
  StringPool(StringPool&&) = default;
  StringPool& operator=(StringPool&&) = default;
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;
  std::string_view intern(std::string_view s) {
    auto it = strings_.find(s);
    if (it == strings_.end()) it = strings_.emplace(s).first;
    return *it;
  }

 private:
  std::unordered_set<std::string, StringHash, std::equal_to<>> strings_;
};

struct Login {
  int64_t time = 0;
  std::string_view user, address, method, key, source;  // in AuthSummary::strings
  int port = 0;
  uint64_t line = 0;
  int failures_before = 0;  // failures from the address within the window before
  bool ignored = false;
};

struct Session {  // from wtmp
  int64_t time = 0, end = 0;
  std::string user, tty, host, source;
};

struct WtmpFacts {
  bool expected = false;  // wtmp was looked for (the host's records, or --file gave one)
  uint64_t files_read = 0;
  uint64_t records = 0;
  uint64_t user_sessions = 0;
  uint64_t boots = 0;
  uint64_t zeroed_records = 0;  // all-zero records inside the file
  uint64_t backward_jumps = 0;  // time going back by more than an hour between records
  int64_t first = 0, last = 0;
};

struct AuthSummary {
  StringPool strings;                                 // what the logins' views point into
  std::map<std::string, AddressFailures> by_address;  // from auth logs / journal
  std::map<std::string, AddressFailures> btmp_by_address;
  std::vector<Login> logins;      // every accepted login, up to kMaxLogins
  uint64_t logins_dropped = 0;    // beyond kMaxLogins
  std::vector<Session> sessions;  // up to kMaxLogins
  std::vector<int64_t> reboots;
  std::vector<std::pair<std::string, int64_t>> lastlog;  // user (or uid), time
  WtmpFacts wtmp;
  std::array<uint64_t, kEventKinds> kind_counts{};
  uint64_t events = 0;
  uint64_t lines = 0;
  int64_t first_event = 0, last_event = 0;
};

constexpr size_t kMaxLogins = 200000;

struct FailureTotals {
  uint64_t failures = 0;
  uint64_t addresses = 0;  // with at least one failure
};
FailureTotals failure_totals(const std::map<std::string, AddressFailures>& by_address);

}  // namespace hostward::authlog

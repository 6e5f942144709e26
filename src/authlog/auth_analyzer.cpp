#include "authlog/auth_analyzer.h"

#include <algorithm>

namespace hostward::authlog {

AuthAnalyzer::AuthAnalyzer(const AuthConfig& config) : config_(config) {
  for (const auto& entry : config.ignore_addresses) {
    if (const auto p = parse_prefix(entry)) ignore_.push_back(*p);
  }
}

bool AuthAnalyzer::ignored(std::string_view address) const {
  if (ignore_.empty()) return false;
  const auto a = parse_ip(address);
  if (!a) return false;
  return std::any_of(ignore_.begin(), ignore_.end(),
                     [&](const IpPrefix& p) { return p.contains(*a); });
}

AuthAnalyzer::Tracker& AuthAnalyzer::tracker(TrackerMap& map, std::string_view address) {
  auto it = map.find(address);
  if (it == map.end()) {
    it = map.emplace(std::string(address), Tracker{}).first;
    it->second.facts.address = std::string(address);
    it->second.facts.ignored = ignored(address);
  }
  return it->second;
}

void AuthAnalyzer::count_failure(Tracker& t, const AuthEvent& e) {
  auto& f = t.facts;
  ++f.failures;
  if (e.time != 0) {
    if (f.first == 0 || e.time < f.first) f.first = e.time;
    f.last = std::max(f.last, e.time);
  }
  if (!e.user.empty()) {
    const bool known = std::find(f.users.begin(), f.users.end(), e.user) != f.users.end();
    if (!known && f.users.size() < 10)
      f.users.emplace_back(e.user);
    else if (!known)
      f.more_users = true;
  }
  if (e.time == 0) return;
  // The failures of the last window_s seconds (events arrive in time order,
  // oldest log first), bounded for an address that fails thousands of times.
  t.recent.push_back(e.time);
  const int64_t from = e.time - config_.window_s;
  while (!t.recent.empty() && (t.recent.front() < from || t.recent.size() > kMaxWindowEntries))
    t.recent.pop_front();
  const int in_window = static_cast<int>(t.recent.size());
  f.max_in_window = std::max(f.max_in_window, in_window);
  if (in_window >= config_.max_failures && f.window_reached == 0) f.window_reached = e.time;
}

void AuthAnalyzer::add(const AuthEvent& e) {
  auto& s = summary_;
  ++s.events;
  ++s.kind_counts[static_cast<size_t>(e.kind)];
  if (e.time != 0) {
    if (s.first_event == 0 || e.time < s.first_event) s.first_event = e.time;
    s.last_event = std::max(s.last_event, e.time);
  }
  switch (e.kind) {
    case EventKind::accepted: {
      if (s.logins.size() >= kMaxLogins) {
        ++s.logins_dropped;
        return;
      }
      Login l;
      l.time = e.time;
      l.user = s.strings.intern(e.user);
      l.address = s.strings.intern(e.address);
      l.port = e.port;
      l.method = s.strings.intern(e.method);
      if (auto p = partial_.find(e.pid); e.pid != 0 && p != partial_.end()) {
        // Key first, then a one-time code: not a password login.
        l.method = s.strings.intern(p->second + "+" + std::string(e.method));
        partial_.erase(p);
      }
      l.key = s.strings.intern(e.key);
      l.source = s.strings.intern(e.source);
      l.line = e.line;
      if (auto it = logs_.find(e.address); it != logs_.end()) {
        const int64_t from = e.time - config_.window_s;
        l.failures_before =
            static_cast<int>(std::count_if(it->second.recent.begin(), it->second.recent.end(),
                                           [&](int64_t x) { return x >= from && x <= e.time; }));
        l.ignored = it->second.facts.ignored;
      } else {
        l.ignored = ignored(e.address);
      }
      s.logins.push_back(std::move(l));
      return;
    }
    case EventKind::partial_auth:
      if (e.pid == 0) return;
      if (partial_.size() > 10000) partial_.clear();  // connections that never finished
      partial_[e.pid] = std::string(e.method);
      return;
    case EventKind::session_start: {
      if (s.sessions.size() >= kMaxLogins) return;
      open_sessions_[std::string(e.tty)] = s.sessions.size();
      s.sessions.push_back({e.time, 0, std::string(e.user), std::string(e.tty),
                            std::string(e.address), std::string(e.source)});
      return;
    }
    case EventKind::session_end: {
      if (auto it = open_sessions_.find(std::string(e.tty)); it != open_sessions_.end()) {
        s.sessions[it->second].end = e.time;
        open_sessions_.erase(it);
      }
      return;
    }
    case EventKind::reboot:
      s.reboots.push_back(e.time);
      open_sessions_.clear();
      return;
    case EventKind::lastlog:
      s.lastlog.emplace_back(std::string(e.user), e.time);
      return;
    case EventKind::btmp_failure:
      if (!e.address.empty()) count_failure(tracker(btmp_, e.address), e);
      return;
    case EventKind::no_identification:
    case EventKind::bad_banner:
    case EventKind::kex_failed:
    case EventKind::auth_timeout:
    case EventKind::preauth_closed:
      if (!e.address.empty()) ++tracker(logs_, e.address).facts.probes;
      return;
    default:
      if (is_failure(e.kind, e.method, e.invalid_user) && !e.address.empty())
        count_failure(tracker(logs_, e.address), e);
      return;
  }
}

FailureTotals failure_totals(const std::map<std::string, AddressFailures>& by_address) {
  FailureTotals t;
  for (const auto& [address, a] : by_address) {
    t.failures += a.failures;
    t.addresses += a.failures > 0 ? 1 : 0;
  }
  return t;
}

AuthSummary AuthAnalyzer::finish() {
  for (auto* from : {&logs_, &btmp_}) {
    auto& to = from == &logs_ ? summary_.by_address : summary_.btmp_by_address;
    for (auto& [address, t] : *from) to.emplace(address, std::move(t.facts));
    from->clear();
  }
  const auto by_time = [](const auto& a, const auto& b) { return a.time < b.time; };
  std::stable_sort(summary_.logins.begin(), summary_.logins.end(), by_time);
  std::stable_sort(summary_.sessions.begin(), summary_.sessions.end(), by_time);
  std::sort(summary_.reboots.begin(), summary_.reboots.end());
  return std::move(summary_);
}

}  // namespace hostward::authlog

#include "authlog/auth_output.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/text_sanitize.h"
#include "core/time_format.h"
#include "core/writers.h"

namespace hostward::authlog {

namespace {

void put(nlohmann::json& j, const char* key, std::string_view v) {
  if (!v.empty()) j[key] = std::string(v);
}

std::string clock_text(int64_t t) {
  if (t == 0) return "(no time)          ";
  std::string s = rfc3339_utc(t);  // 2026-11-28T20:43:31Z
  s[10] = ' ';
  s.pop_back();
  return s;
}

struct Row {
  int64_t time;
  int order;  // same second: reboot, failures, login, session
  std::string event, detail;
};

std::string clean(std::string_view s) { return sanitize_for_terminal(s); }

}  // namespace

nlohmann::json event_to_json(const AuthEvent& e) {
  nlohmann::json j;
  j["kind"] = std::string(kind_name(e.kind));
  j["time"] = e.time == 0 ? nlohmann::json(nullptr) : nlohmann::json(rfc3339_utc(e.time));
  put(j, "user", e.user);
  put(j, "address", e.address);
  if (e.port != 0) j["port"] = e.port;
  put(j, "method", e.method);
  put(j, "key", e.key);
  put(j, "tty", e.tty);
  if (e.invalid_user) j["invalid_user"] = true;
  if (is_failure(e.kind, e.method, e.invalid_user)) j["failure"] = true;
  if (e.pid != 0) j["pid"] = e.pid;
  put(j, "source", e.source);
  j["line"] = e.line;
  return j;
}

nlohmann::json summary_to_json(const AuthSummary& s) {
  nlohmann::json kinds = nlohmann::json::object();
  for (size_t i = 0; i < s.kind_counts.size(); ++i)
    if (s.kind_counts[i] > 0)
      kinds[std::string(kind_name(static_cast<EventKind>(i)))] = s.kind_counts[i];
  const FailureTotals totals = failure_totals(s.by_address);
  return {{"lines", s.lines},
          {"events", s.events},
          {"kinds", kinds},
          {"failures", totals.failures},
          {"failing_addresses", totals.addresses},
          {"logins", s.logins.size() + s.logins_dropped},
          {"wtmp_sessions", s.wtmp.user_sessions},
          {"reboots", s.reboots.size()},
          {"first_event", s.first_event == 0 ? nlohmann::json(nullptr)
                                             : nlohmann::json(rfc3339_utc(s.first_event))},
          {"last_event", s.last_event == 0 ? nlohmann::json(nullptr)
                                           : nlohmann::json(rfc3339_utc(s.last_event))}};
}

std::string summary_text(const AuthSummary& s) {
  const FailureTotals totals = failure_totals(s.by_address);
  std::string text = fmt::format(
      "Read {} log line(s): {} event(s), {} failed login(s) from {} address(es), {} "
      "accepted login(s); wtmp: {} session(s), {} reboot(s).",
      s.lines, s.events - s.wtmp.user_sessions, totals.failures, totals.addresses,
      s.logins.size() + s.logins_dropped, s.wtmp.user_sessions, s.reboots.size());
  if (s.first_event != 0)
    text += fmt::format(" From {} to {}.", rfc3339_utc(s.first_event), rfc3339_utc(s.last_event));
  return wrap(text, 80, 0) + "\n";
}

std::string render_timeline(const AuthSummary& s, const Style& style) {
  std::vector<Row> rows;
  for (int64_t t : s.reboots) rows.push_back({t, 0, "reboot", "system boot"});
  for (const auto& [address, a] : s.by_address) {
    if (a.failures == 0) continue;
    std::string users;
    for (const auto& u : a.users) users += (users.empty() ? "" : ", ") + clean(u);
    if (a.more_users) users += ", ...";
    rows.push_back({a.first, 1, "failures",
                    fmt::format("{} failure(s) from {} until {} (users: {})", a.failures,
                                clean(address), clock_text(a.last).substr(11), users)});
  }
  for (const auto& l : s.logins) {
    rows.push_back(
        {l.time, 2, "login",
         fmt::format(
             "{} from {} by {}{}", clean(l.user), clean(l.address), clean(l.method),
             l.failures_before > 0 ? fmt::format(" after {} failure(s)", l.failures_before) : "")});
  }
  for (const auto& x : s.sessions) {
    rows.push_back({x.time, 3, "session",
                    fmt::format("{} on {}{}{}", clean(x.user), clean(x.tty),
                                x.host.empty() ? "" : " from " + clean(x.host),
                                x.end == 0 ? ", still open or not closed"
                                           : " until " + clock_text(x.end).substr(11))});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.time != b.time ? a.time < b.time : a.order < b.order;
  });
  std::string out = style.bold("TIME (UTC)           EVENT     DETAIL") + "\n";
  if (rows.empty()) out += "(no logins, failures or reboots found)\n";
  for (const auto& r : rows) {
    const std::string head = fmt::format("{}  {:<8}  ", clock_text(r.time), r.event);
    out += (r.event == "failures" ? style.paint(head, "33")
            : r.event == "login"  ? style.bold(head)
                                  : head) +
           wrap(r.detail, 80, head.size(), head.size()) + "\n";
  }
  return out;
}

}  // namespace hostward::authlog

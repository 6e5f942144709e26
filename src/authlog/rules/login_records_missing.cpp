#include <fmt/format.h>

#include <algorithm>

#include "authlog/auth_rules.h"

namespace hostward::authlog {

namespace {

// How far apart sshd's log line and its wtmp record may be.
constexpr int64_t kMatchSlackS = 120;

const RuleInfo& info() {
  static const RuleInfo i{
      "auth.login-records-missing",
      Severity::medium,
      {"T1070.003", "T1070.002"},
      "Logins in the auth log that wtmp does not record",
      "Intruders edit wtmp so that last(1) does not show them; a wtmp without the logins the "
      "auth log saw, with zeroed records or with time running backwards, is what that leaves. "
      "(sshd writes wtmp only for sessions with a terminal: scp and remote commands are never "
      "there.)",
      "Compare `last -f /var/log/wtmp` with the auth log by hand; keep a copy of both off the "
      "host; if records were removed, treat the host as compromised and ship logs to a "
      "remote collector from now on."};
  return i;
}

nlohmann::json subject() { return {{"kind", "file"}, {"path", "wtmp"}}; }

void run(const AuthContext& ctx, std::vector<Finding>& out) {
  const auto& s = ctx.summary;
  const auto& w = s.wtmp;
  if (!w.expected) return;
  if (w.zeroed_records > 0 || w.backward_jumps > 0) {
    out.push_back(
        auth_finding(ctx, info(), Severity::medium,
                     fmt::format("wtmp looks edited: {} zeroed record(s), {} jump(s) back in time",
                                 w.zeroed_records, w.backward_jumps),
                     subject(),
                     {{"zeroed_records", w.zeroed_records},
                      {"backward_jumps", w.backward_jumps},
                      {"records", w.records}},
                     "edited"));
  }
  if (s.logins.empty()) return;
  // Password logins (people, who get a terminal) within the time wtmp covers
  // (all of them when it is empty). Key logins are left out: automation
  // logs in with keys and no terminal, and never reaches wtmp.
  std::vector<const Login*> covered;
  for (const auto& l : s.logins)
    if (!l.ignored && is_password_method(l.method) && l.time != 0 &&
        (w.first == 0 || l.time + kMatchSlackS >= w.first))
      covered.push_back(&l);
  if (covered.empty()) return;
  if (w.files_read == 0 || w.user_sessions == 0) {
    const std::string what = w.files_read == 0 ? "wtmp is missing"
                             : w.boots > 0
                                 ? fmt::format("wtmp holds only {} boot record(s)", w.boots)
                                 : std::string("wtmp is empty");
    out.push_back(
        auth_finding(ctx, info(), Severity::medium,
                     fmt::format("{} while the auth log shows {} password login(s) since {}", what,
                                 covered.size(), time_text(covered.front()->time)),
                     subject(),
                     {{"password_logins", covered.size()},
                      {"wtmp_files", w.files_read},
                      {"wtmp_sessions", w.user_sessions},
                      {"wtmp_boots", w.boots},
                      {"first_login", time_text(covered.front()->time)},
                      {"last_login", time_text(covered.back()->time)}},
                     "no-sessions"));
    return;
  }
  // A password login without its wtmp record is the one an editor removed.
  nlohmann::json missing = nlohmann::json::array();
  uint64_t count = 0;
  for (const Login* l : covered) {
    const bool recorded = std::any_of(s.sessions.begin(), s.sessions.end(), [&](const Session& x) {
      return x.user == l->user && x.time >= l->time - kMatchSlackS &&
             x.time <= l->time + kMatchSlackS;
    });
    if (recorded) continue;
    if (++count <= 10)
      missing.push_back({{"time", time_text(l->time)},
                         {"user", std::string(l->user)},
                         {"address", std::string(l->address)},
                         {"source", std::string(l->source)},
                         {"line", l->line}});
  }
  if (count == 0) return;
  out.push_back(auth_finding(
      ctx, info(), Severity::medium,
      fmt::format("{} password login(s) in the auth log have no wtmp record (first: {} from {})",
                  count, missing[0]["user"].get<std::string>(),
                  missing[0]["address"].get<std::string>()),
      subject(),
      {{"unrecorded_logins", count}, {"logins", missing}, {"wtmp_sessions", w.user_sessions}},
      "unrecorded"));
}

}  // namespace

AuthRule login_records_missing_rule() { return {info, run}; }

}  // namespace hostward::authlog

#include <fmt/format.h>

#include <algorithm>

#include "authlog/auth_rules.h"

namespace hostward::authlog {

namespace {

// Addresses reported one by one; the rest are summed up in one finding, so a
// host on the internet does not print a page per scanner.
constexpr size_t kMaxReported = 50;

const RuleInfo& info() {
  static const RuleInfo i{
      "auth.ssh-brute-force",
      Severity::high,
      {"T1110.001", "T1110.003"},
      "SSH password guessing from one address",
      "Repeated failed logins from one address are password guessing; one weak password is "
      "enough, and the seed's sibling host was under such an attack.",
      "Turn off password logins (PasswordAuthentication no, KbdInteractiveAuthentication no), "
      "ban repeat offenders (fail2ban's sshd jail, sshguard or CrowdSec), and limit who can "
      "reach port 22 in the firewall."};
  return i;
}

std::string users_text(const AddressFailures& a) {
  std::string s;
  for (const auto& u : a.users) s += (s.empty() ? "" : ", ") + u;
  if (a.more_users) s += ", ...";
  return s;
}

void run(const AuthContext& ctx, std::vector<Finding>& out) {
  const auto& s = ctx.summary;
  // btmp repeats what the auth log says: it counts only when the logs hold no
  // failure (none read, or rotated away).
  const bool from_btmp = failure_totals(s.by_address).failures == 0;
  const auto& map = from_btmp ? s.btmp_by_address : s.by_address;
  const char* source = &map == &s.btmp_by_address ? "btmp" : "auth log";
  std::vector<const AddressFailures*> hits;
  for (const auto& [address, a] : map) {
    if (a.window_reached != 0 && !a.ignored) hits.push_back(&a);
  }
  std::sort(hits.begin(), hits.end(), [](const AddressFailures* x, const AddressFailures* y) {
    return x->failures != y->failures ? x->failures > y->failures : x->address < y->address;
  });
  uint64_t rest_failures = 0;
  bool rest_ongoing = false;
  for (size_t i = 0; i < hits.size(); ++i) {
    const AddressFailures& a = *hits[i];
    const bool ongoing = a.last != 0 && ctx.now - a.last <= ctx.config.window_s;
    if (i >= kMaxReported) {
      rest_failures += a.failures;
      rest_ongoing = rest_ongoing || ongoing;
      continue;
    }
    nlohmann::json evidence = {{"failures", a.failures},
                               {"max_in_window", a.max_in_window},
                               {"threshold", ctx.config.max_failures},
                               {"window_s", ctx.config.window_s},
                               {"users", a.users},
                               {"first_seen", time_text(a.first)},
                               {"last_seen", time_text(a.last)},
                               {"ongoing", ongoing},
                               {"source", source}};
    if (a.more_users) evidence["more_users"] = true;
    if (a.probes > 0) evidence["probes"] = a.probes;
    out.push_back(auth_finding(
        ctx, info(), ongoing ? Severity::high : Severity::medium,
        fmt::format("{} failed SSH logins from {}{} (users: {})", a.failures, a.address,
                    ongoing ? ", still going on" : "", users_text(a)),
        {{"kind", "address"}, {"address", a.address}}, std::move(evidence), a.address));
  }
  if (hits.size() > kMaxReported) {
    const size_t more = hits.size() - kMaxReported;
    out.push_back(auth_finding(
        ctx, info(), rest_ongoing ? Severity::high : Severity::medium,
        fmt::format("{} more addresses guessed SSH passwords ({} failures)", more, rest_failures),
        {{"kind", "addresses"}, {"count", more}},
        {{"addresses", more},
         {"failures", rest_failures},
         {"ongoing", rest_ongoing},
         {"source", source}},
        "more-addresses"));
  }
}

}  // namespace

AuthRule brute_force_rule() { return {info, run}; }

}  // namespace hostward::authlog

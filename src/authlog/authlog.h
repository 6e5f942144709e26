#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "authlog/auth_event.h"
#include "authlog/auth_summary.h"
#include "core/config.h"
#include "core/finding.h"
#include "core/rule_catalog.h"

namespace hostward::authlog {

// Where the records are read from. Text logs are read in the order given
// (oldest first), so failures and logins reach the analyzer in time order.
struct AuthSources {
  std::vector<std::string> text;           // auth.log, secure, rotated and compressed ones, "-"
  std::vector<std::string> journal_files;  // journal files given by path
  bool system_journal = false;             // the local system journal
  std::vector<std::string> wtmp, btmp, lastlog;
  bool wtmp_expected = false;
  bool named_by_user = false;  // --file: symlinks and pipes allowed (see open_log)          // the
                               // host's own records: a missing wtmp is itself a finding
  std::string passwd = "/etc/passwd";  // uid -> name for lastlog
};

// The host's own records under `root` ("/" live): /var/log/auth.log* and
// /var/log/secure* oldest first, the journal when neither exists (a host
// without rsyslog), wtmp.1 and wtmp, btmp.1 and btmp, lastlog.
AuthSources default_sources(const std::string& root = "/");

// Paths given with --file, sorted by what they hold: a journal file (by its
// signature), wtmp/btmp/utmp and lastlog (by name, or utmp by its records),
// else a text log.
AuthSources classify_files(const std::vector<std::string>& paths);

struct AuthRun {
  AuthSummary summary;
  std::vector<std::string> errors;
};

// Reads every source once, streaming: `on_event` (optional) sees each event
// as it is parsed, the summary holds what the rules need.
AuthRun read_auth(const AuthSources& sources, const AuthConfig& config,
                  const std::function<void(const AuthEvent&)>& on_event = {});

struct AuthContext {
  const AuthSummary& summary;
  const AuthConfig& config;
  const std::string& hostname;
  int64_t now;  // "ongoing" is judged against this time
};

void register_rules(RuleCatalog& catalog);
std::vector<Finding> run_rules(const AuthContext& ctx);

}  // namespace hostward::authlog

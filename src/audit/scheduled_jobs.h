#pragma once
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_rules.h"
#include "audit/systemd_unit.h"

// config.cron-world-writable: cron jobs, anacron jobs, run-parts directories
// and systemd timers whose program, script, PATH lookup or defining file
// another user can change. Files are read the way Debian's cron (vixie cron
// 3.0pl1 with Debian's patches), anacron, run-parts and systemd read them.
namespace hostward::audit {

void scheduled_jobs_register(RuleCatalog& catalog);
void scheduled_jobs_rules(const AuditInput& in, AuditResult& out);

using JobEnvironment = std::map<std::string, std::string>;
// The assignments above a job: one snapshot shared by every job up to the
// next assignment, never a copy per job.
using SharedEnvironment = std::shared_ptr<const JobEnvironment>;

struct CronJob {
  int line = 0;
  std::string schedule;   // "*/5 * * * *" or "@reboot"
  std::string user;       // a system crontab's user field; "" in a user's own crontab
  std::string command;    // up to the first unescaped %, as cron hands it to the shell
  SharedEnvironment env;  // the crontab's assignments above this line
};

// Debian's cron (cron.h): a line is read into MAX_ENVSTR (1000) bytes when
// tried as an assignment, and the command into MAX_COMMAND (1000) bytes;
// get_string() keeps the first 999 bytes and drops the rest of the line. An
// assignment whose NAME=VALUE would not fit in 998 bytes is skipped.
constexpr size_t kCronMaxEnvString = 1000;
constexpr size_t kCronMaxCommand = 1000;

struct Crontab {
  std::vector<CronJob> jobs;
  // Debian's cron ignores the whole file when one entry is bad.
  int error_line = 0;
  std::string error;  // "bad minute", "missing newline before EOF", ...
  bool refused() const { return !error.empty(); }
  // Set when the assignments outgrew what is followed (a hostile crontab):
  // the jobs from this line on are not listed.
  int unread_from_line = 0;
  std::string unread_reason;
};

// /etc/crontab and /etc/cron.d/* have a user field (`system_crontab`);
// /var/spool/cron/crontabs/USER does not.
Crontab parse_crontab(std::string_view text, bool system_crontab);

// A command as cron runs it: the text before the first unescaped %, with \%
// turned into % (the rest becomes the job's stdin).
std::string cron_command_before_stdin(std::string_view raw);

struct AnacronJob {
  int line = 0;
  std::string period;  // days, or @monthly / @weekly / ...
  std::string identifier;
  std::string command;
  SharedEnvironment env;
};

// /etc/anacrontab; a line anacron cannot read is skipped (anacron only warns).
std::vector<AnacronJob> parse_anacrontab(std::string_view text);

// One word of a shell command after quote removal; `exact` is false when it
// holds an expansion we cannot know ($1, $(cmd), an unset variable), a glob,
// or grew past kMaxWordBytes (the rest is not kept).
struct CronWord {
  std::string text;
  bool exact = true;
};
using SimpleCommand = std::vector<CronWord>;
constexpr size_t kMaxWordBytes = 4096;

// The simple commands of a `sh -c` script: split at ; & | && || ( ) and
// newlines, redirections and comments dropped, $VAR and ~ expanded from
// `env`, and the commands inside $(...) and `...` appended as commands too.
std::vector<SimpleCommand> split_job_commands(std::string_view script, const JobEnvironment& env);

// The commands of an ExecStart= value: prefixes -@:+! stripped (with @ the
// second word is argv[0] and dropped), quotes removed, lone ";" separating
// commands. Words holding %-specifiers or $VARIABLES are not exact.
std::vector<SimpleCommand> parse_exec_value(std::string_view value);

// Names run-parts runs (and Debian's cron reads in /etc/cron.d): without
// --lsbsysinit ^[A-Za-z0-9_-]+$, so "backup.sh" or "x.dpkg-old" are skipped.
bool run_parts_name_ok(std::string_view name, bool lsbsysinit = false);

}  // namespace hostward::audit

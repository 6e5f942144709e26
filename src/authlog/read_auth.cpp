#include <sys/stat.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include "authlog/auth_analyzer.h"
#include "authlog/authlog.h"
#include "authlog/journal_source.h"
#include "authlog/sshd_message.h"
#include "authlog/syslog_line.h"
#include "authlog/text_source.h"
#include "authlog/utmp_file.h"
#include "core/number.h"
#include "host/proc_parse.h"

namespace hostward::authlog {

namespace {

bool is_sshd(std::string_view program) { return program == "sshd" || program == "sshd-session"; }

// rsyslog's "message repeated N times: [ MSG]" (RepeatedMsgReduction, on in
// Ubuntu's default): MSG, N times. 1 for any other message.
int repeats(std::string_view& message) {
  constexpr std::string_view kPrefix = "message repeated ";
  if (message.substr(0, kPrefix.size()) != kPrefix) return 1;
  constexpr std::string_view kTimes = " times: [ ";
  const std::string_view rest = message.substr(kPrefix.size());
  const size_t times = rest.find(kTimes);
  const auto n = parse_decimal<unsigned>(rest.substr(0, times), 99999);
  if (times == std::string_view::npos || !n || *n == 0 || rest.back() != ']') return 1;
  message = rest.substr(times + kTimes.size(), rest.size() - times - kTimes.size() - 1);
  return static_cast<int>(*n);
}

// The event a syslog line holds, when it is one of sshd's; its repeat count
// (0: none).
int event_of(const SyslogLine& line, AuthEvent& e) {
  if (!is_sshd(line.program)) return 0;
  std::string_view message = line.message;
  const int n = repeats(message);
  const auto m = parse_sshd_message(message);
  if (!m) return 0;
  e.kind = m->kind;
  e.time = line.time;
  e.user = m->user;
  e.address = m->address;
  e.port = m->port;
  e.method = m->method;
  e.key = m->key;
  e.invalid_user = m->invalid_user;
  e.pid = line.pid;
  return n;
}

// The fields a wtmp or btmp record gives every event; the caller sets the kind.
AuthEvent record_event(const UtmpRecord& r, const std::string& path, uint64_t index) {
  AuthEvent e;
  e.source = path;
  e.line = index;
  e.time = r.time;
  e.user = r.user;
  e.tty = r.line;
  e.address = unmap_address(r.host.empty() ? r.address : r.host);
  e.pid = r.pid;
  return e;
}

int64_t file_mtime(const std::string& path) {
  struct stat st {};
  if (path != "-" && ::stat(path.c_str(), &st) == 0) return st.st_mtim.tv_sec;
  return std::time(nullptr);
}

class Reader {
 public:
  Reader(const AuthConfig& config, const std::function<void(const AuthEvent&)>& on_event,
         std::vector<std::string>& errors, bool named_by_user)
      : analyzer_(config), on_event_(on_event), errors_(errors), named_(named_by_user) {}

  void emit(const AuthEvent& e) {
    if (on_event_) on_event_(e);
    analyzer_.add(e);
  }

  void text(const std::string& path) {
    LocalClock clock(file_mtime(path));
    AuthEvent e;
    e.source = path;
    const auto stats = read_text_lines(
        path,
        [&](std::string_view raw, uint64_t number) {
          const auto line = parse_syslog_line(raw, clock);
          if (!line) return;
          const int n = event_of(*line, e);
          if (n == 0) return;
          e.line = number;
          if (e.time != 0) {
            text_first_ = text_first_ == 0 ? e.time : std::min(text_first_, e.time);
            text_last_ = std::max(text_last_, e.time);
          }
          for (int i = 0; i < n; ++i) emit(e);
        },
        errors_, named_);
    analyzer_.add_lines(stats.lines);
  }

  void journal(const std::vector<std::string>& files) {
    AuthEvent e;
    const std::string source = files.empty() ? "journal" : files.front();
    e.source = source;
    const uint64_t n = read_journal(
        files,
        [&](const SyslogLine& line, uint64_t index) {
          // rsyslog writes what the journal holds: within the auth logs'
          // time span, the journal would count every event twice.
          if (text_first_ != 0 && line.time >= text_first_ && line.time <= text_last_) return;
          const int n = event_of(line, e);
          e.line = index;
          for (int i = 0; i < n; ++i) emit(e);
        },
        errors_);
    analyzer_.add_lines(n);
  }

  void wtmp(const std::string& path) {
    auto& facts = analyzer_.wtmp();
    ++facts.files_read;
    int64_t previous = 0;
    int since_boot = 10;  // records since the last boot or runlevel record
    const auto stats = read_utmp_file(
        path,
        [&](const UtmpRecord& r, uint64_t index) {
          if (r.all_zero) return;
          AuthEvent e = record_event(r, path, index);
          if (r.time != 0) {
            if (facts.first == 0 || r.time < facts.first) facts.first = r.time;
            facts.last = std::max(facts.last, r.time);
            // Clocks are set around boot (an RTC kept in local time, then
            // NTP): only a jump back well away from a boot is odd.
            if (previous != 0 && r.time < previous - 3600 && since_boot >= 10)
              ++facts.backward_jumps;
            previous = r.time;
          }
          since_boot = (r.type == 1 || r.type == 2) ? 0 : since_boot + 1;
          if (r.type == 7) {  // USER_PROCESS
            e.kind = EventKind::session_start;
            ++facts.user_sessions;
          } else if (r.type == 8) {  // DEAD_PROCESS
            e.kind = EventKind::session_end;
          } else if (r.type == 2) {  // BOOT_TIME
            e.kind = EventKind::reboot;
            ++facts.boots;
          } else if (r.type == 1 && r.user == "shutdown") {
            e.kind = EventKind::shutdown;
          } else {
            return;
          }
          emit(e);
        },
        errors_, named_);
    facts.records += stats.records;
    facts.zeroed_records += stats.zeroed_records;
  }

  void btmp(const std::string& path) {
    read_utmp_file(
        path,
        [&](const UtmpRecord& r, uint64_t index) {
          if (r.type != 6 && r.type != 7) return;  // LOGIN_PROCESS (sshd, login), USER_PROCESS
          AuthEvent e = record_event(r, path, index);
          e.kind = EventKind::btmp_failure;
          emit(e);
        },
        errors_, named_);
  }

  void lastlog(const std::string& path, const std::map<uint32_t, std::string>& users) {
    read_lastlog_file(
        path,
        [&](const LastlogEntry& entry) {
          const auto it = users.find(entry.uid);
          const std::string name = it != users.end() ? it->second : std::to_string(entry.uid);
          AuthEvent e;
          e.kind = EventKind::lastlog;
          e.source = path;
          e.line = entry.uid;
          e.time = entry.time;
          e.user = name;
          e.tty = entry.line;
          e.address = entry.host;
          emit(e);
        },
        errors_, named_);
  }

  AuthSummary finish() { return analyzer_.finish(); }
  WtmpFacts& wtmp_facts() { return analyzer_.wtmp(); }

 private:
  AuthAnalyzer analyzer_;
  const std::function<void(const AuthEvent&)>& on_event_;
  std::vector<std::string>& errors_;
  bool named_;                              // the paths came from the user (--file)
  int64_t text_first_ = 0, text_last_ = 0;  // time span of the auth logs' sshd events
};

std::map<uint32_t, std::string> read_users(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return host::parse_passwd(ss.str());
}

}  // namespace

AuthRun read_auth(const AuthSources& sources, const AuthConfig& config,
                  const std::function<void(const AuthEvent&)>& on_event) {
  AuthRun run;
  Reader reader(config, on_event, run.errors, sources.named_by_user);
  reader.wtmp_facts().expected = sources.wtmp_expected || !sources.wtmp.empty();
  for (const auto& f : sources.wtmp) reader.wtmp(f);
  for (const auto& f : sources.text) reader.text(f);
  if (!sources.journal_files.empty()) reader.journal(sources.journal_files);
  if (sources.system_journal) reader.journal({});
  for (const auto& f : sources.btmp) reader.btmp(f);
  if (!sources.lastlog.empty()) {
    const auto users = read_users(sources.passwd);
    for (const auto& f : sources.lastlog) reader.lastlog(f, users);
  }
  run.summary = reader.finish();
  return run;
}

}  // namespace hostward::authlog

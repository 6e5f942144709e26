#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "audit/job_text.h"
#include "audit/scheduled_jobs.h"

namespace hostward::audit {

namespace {

using namespace job_text;

// Hostile files: caps on everything that grows with input.
constexpr size_t kMaxLines = 100000;
constexpr size_t kMaxJobs = 10000;
// The environment snapshots of one file: each at most 64 KiB of names and
// values, all of them together at most 16 MiB.
constexpr size_t kMaxEnvironmentBytes = 64 * 1024;
constexpr size_t kMaxSnapshotBytes = 16 * 1024 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view skip_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

struct Line {
  int number = 0;
  std::string_view text;
  bool has_newline = false;
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  size_t start = 0;
  while (start < text.size() && lines.size() < kMaxLines) {
    const size_t nl = text.find('\n', start);
    const size_t end = nl == std::string_view::npos ? text.size() : nl;
    lines.push_back({static_cast<int>(lines.size()) + 1, text.substr(start, end - start),
                     nl != std::string_view::npos});
    start = end + 1;
  }
  return lines;
}

// cron reads lines into C strings: a NUL ends what it sees of a line.
std::string_view up_to_nul(std::string_view s) { return s.substr(0, s.find('\0')); }

// ---- crontab (vixie cron 3.0: env.c, entry.c, do_command.c) ----

// load_env: sscanf(line, "%[^ =] = %[^\n#]", name, value); trailing
// whitespace trimmed and one pair of matching quotes removed. An empty value
// ("MAILTO=") fails that sscanf, but later cron versions take it: taken as an
// assignment, so such a line never hides a whole file from the rule. `line`
// is what get_string() kept of it (kCronMaxEnvString - 1 bytes).
std::optional<std::pair<std::string, std::string>> parse_cron_assignment(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] != ' ' && line[i] != '=') ++i;
  if (i == 0) return std::nullopt;
  size_t j = i;
  while (j < line.size() && is_space(line[j])) ++j;
  if (j >= line.size() || line[j] != '=') return std::nullopt;
  ++j;
  while (j < line.size() && is_space(line[j])) ++j;
  size_t k = j;
  while (k < line.size() && line[k] != '#') ++k;
  std::string value(line.substr(j, k - j));
  while (!value.empty() && is_space(value.back())) value.pop_back();
  if (value.size() >= 2 && (value[0] == '\'' || value[0] == '"') && value.back() == value[0])
    value = value.substr(1, value.size() - 2);
  return std::make_pair(std::string(line.substr(0, i)), value);
}

const char* const kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",  "jul",
                                   "aug", "sep", "oct", "nov", "dec", nullptr};
const char* const kDowNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun", nullptr};

struct FieldReader {
  std::string_view s;
  size_t p = 0;
  char peek() const { return p < s.size() ? s[p] : '\0'; }
};

// get_number: an alphanumeric run, a name (case-insensitive) or digits;
// atoi("") is 0, so cron takes an empty number ("1,,2") as 0.
bool read_number(FieldReader& r, int low, const char* const* names, long long& out) {
  const size_t start = r.p;
  while (r.p < r.s.size() && is_alnum(r.s[r.p])) {
    if (r.p - start + 1 >= 100) return false;  // MAX_TEMPSTR
    ++r.p;
  }
  const std::string_view token = r.s.substr(start, r.p - start);
  for (int i = 0; names != nullptr && names[i] != nullptr; ++i) {
    if (iequals(token, names[i])) {
      out = i + low;
      return true;
    }
  }
  if (!all_digits(token)) return false;
  out = 0;
  if (!token.empty()) {
    const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), out);
    if (ec != std::errc()) out = LLONG_MAX;  // out of every range
  }
  return true;
}

// get_range: `*`, N, or N-M, with an optional /STEP; every value set must be
// in [low, high]. A step of 0 never ends in cron 3.0: taken as an error.
bool read_range(FieldReader& r, int low, int high, const char* const* names) {
  long long first = low, last = high, step = 1;
  if (r.peek() == '*') {
    ++r.p;
  } else {
    if (!read_number(r, low, names, first)) return false;
    if (r.peek() != '-') return first >= low && first <= high;
    ++r.p;
    if (!read_number(r, low, names, last)) return false;
  }
  if (r.peek() == '/') {
    ++r.p;
    if (!read_number(r, 0, nullptr, step) || step <= 0) return false;
  }
  if (first > last) return true;  // cron's loop sets nothing
  return first >= low && first + (last - first) / step * step <= high;
}

// get_list: ranges joined by commas; whatever follows a complete range
// that is not a comma is skipped (Skip_Nonblanks), so "5/2" is minute 5.
bool valid_time_field(std::string_view field, int low, int high, const char* const* names) {
  FieldReader r{field};
  while (true) {
    if (!read_range(r, low, high, names)) return false;
    if (r.peek() != ',') return true;
    ++r.p;
  }
}

std::string_view next_token(std::string_view& rest) {
  rest = skip_blanks(rest);
  size_t end = 0;
  while (end < rest.size() && !is_blank(rest[end])) ++end;
  const std::string_view token = rest.substr(0, end);
  rest.remove_prefix(end);
  return token;
}

bool is_cron_special(std::string_view name) {
  static const std::set<std::string_view> kSpecials = {"reboot", "yearly", "annually", "monthly",
                                                       "weekly", "daily",  "midnight", "hourly"};
  return kSpecials.count(name) != 0;
}

// load_entry for a line that is not a comment or an assignment: "" when
// cron accepts it, else cron's own words for what is wrong.
std::string parse_cron_entry(std::string_view line, bool system_crontab, CronJob& job) {
  std::string_view rest = line;
  if (skip_blanks(rest).substr(0, 1) == "@") {
    const std::string_view special = next_token(rest);
    if (!is_cron_special(special.substr(1))) return "bad time specifier";
    job.schedule = std::string(special);
  } else {
    struct Field {
      int low, high;
      const char* const* names;
      const char* error;
    };
    static const Field kFields[] = {{0, 59, nullptr, "bad minute"},
                                    {0, 23, nullptr, "bad hour"},
                                    {1, 31, nullptr, "bad day-of-month"},
                                    {1, 12, kMonthNames, "bad month"},
                                    {0, 7, kDowNames, "bad day-of-week"}};
    for (const Field& f : kFields) {
      const std::string_view token = next_token(rest);
      if (!valid_time_field(token, f.low, f.high, f.names)) return f.error;
      if (!job.schedule.empty()) job.schedule += ' ';
      job.schedule += token;
    }
  }
  rest = skip_blanks(rest);
  if (rest.empty()) return "bad command";
  if (system_crontab) {
    job.user = std::string(next_token(rest));
    if (rest.empty()) return "bad command";
  }
  job.command = cron_command_before_stdin(skip_blanks(rest).substr(0, kCronMaxCommand - 1));
  return "";
}

bool is_comment_or_blank(std::string_view line) {
  const std::string_view t = skip_blanks(line);
  return t.empty() || t.front() == '#';
}

// The assignments read so far, and the snapshot the jobs below them share: a
// new snapshot is taken only for a job after an assignment changed them.
class EnvironmentSnapshots {
 public:
  // False when it would make the environment larger than is followed.
  bool assign(const std::string& name, std::string value) {
    const auto it = env_.find(name);
    const size_t old_size = it == env_.end() ? 0 : name.size() + it->second.size();
    if (bytes_ - old_size + name.size() + value.size() > kMaxEnvironmentBytes) return false;
    bytes_ = bytes_ - old_size + name.size() + value.size();
    env_[name] = std::move(value);
    snapshot_.reset();
    return true;
  }
  // nullptr once the snapshots of this file add up to more than is kept.
  SharedEnvironment current() {
    if (!snapshot_) {
      snapshot_bytes_ += bytes_;
      if (snapshot_bytes_ > kMaxSnapshotBytes) return nullptr;
      snapshot_ = std::make_shared<const JobEnvironment>(env_);
    }
    return snapshot_;
  }

 private:
  JobEnvironment env_;
  size_t bytes_ = 0;
  SharedEnvironment snapshot_;
  size_t snapshot_bytes_ = 0;
};

constexpr const char* kTooMuchEnvironment =
    "its variable assignments add up to more than is followed (64 KiB at a time, 16 MiB in all)";

// load_env() gives up on an assignment too long for its buffer without
// rewinding: the line is dropped and load_entry() reads the next one.
bool too_long_for_cron(const std::pair<std::string, std::string>& assignment) {
  return assignment.first.size() + 1 + assignment.second.size() >= kCronMaxEnvString - 1;
}

}  // namespace

std::string cron_command_before_stdin(std::string_view raw) {
  // do_command.c: the first unescaped % ends the command; "\%" is a literal
  // %, any other backslash stays for the shell.
  std::string out;
  bool escaped = false;
  for (const char c : raw) {
    if (escaped) {
      if (c != '%') out += '\\';
      out += c;
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == '%') {
      return out;
    } else {
      out += c;
    }
  }
  if (escaped) out += '\\';
  return out;
}

Crontab parse_crontab(std::string_view text, bool system_crontab) {
  // user.c (Debian): assignments and entries in order, each entry seeing the
  // assignments above it; one bad entry, or a last line without its
  // newline, and cron ignores the whole file.
  Crontab tab;
  EnvironmentSnapshots env;
  bool entry_follows = false;  // the line after a dropped over-long assignment
  for (const Line& l : split_lines(text)) {
    const std::string_view line = up_to_nul(l.text);
    if (is_comment_or_blank(line)) continue;
    if (!l.has_newline) {
      tab.error_line = l.number;
      tab.error = "missing newline before EOF";
      return tab;
    }
    const std::string_view envstr = line.substr(0, kCronMaxEnvString - 1);
    auto assignment = entry_follows ? std::nullopt : parse_cron_assignment(skip_blanks(envstr));
    entry_follows = false;
    if (assignment && too_long_for_cron(*assignment)) {
      entry_follows = true;
      continue;
    }
    if (assignment) {
      if (!env.assign(assignment->first, std::move(assignment->second))) {
        tab.unread_from_line = l.number;
        tab.unread_reason = kTooMuchEnvironment;
        return tab;
      }
      continue;
    }
    CronJob job;
    job.line = l.number;
    if (std::string error = parse_cron_entry(line, system_crontab, job); !error.empty()) {
      tab.error_line = l.number;
      tab.error = std::move(error);
      return tab;
    }
    if (tab.jobs.size() >= kMaxJobs) continue;  // still read: a bad line below voids the file
    job.env = env.current();
    if (!job.env) {
      tab.unread_from_line = l.number;
      tab.unread_reason = kTooMuchEnvironment;
      return tab;
    }
    tab.jobs.push_back(std::move(job));
  }
  return tab;
}

std::vector<AnacronJob> parse_anacrontab(std::string_view text) {
  // anacron's readtab.c: "VAR=VALUE", "PERIOD DELAY ID COMMAND" with a period
  // in days or @monthly/@weekly/..., anything else skipped with a warning.
  static const std::set<std::string_view> kPeriods = {"@daily", "@weekly", "@monthly", "@yearly",
                                                      "@annually"};
  std::vector<AnacronJob> jobs;
  EnvironmentSnapshots env;
  for (const Line& l : split_lines(text)) {
    const std::string_view line = skip_blanks(up_to_nul(l.text));
    if (line.empty() || line.front() == '#') continue;
    size_t name_end = 0;
    while (name_end < line.size() && !is_blank(line[name_end]) && line[name_end] != '=') ++name_end;
    const std::string_view after_name = skip_blanks(line.substr(name_end));
    if (name_end > 0 && !after_name.empty() && after_name.front() == '=') {
      if (!env.assign(std::string(line.substr(0, name_end)),
                      std::string(trim(after_name.substr(1)))))
        break;  // root's own file grown past reason: the jobs below are not judged
      continue;
    }
    std::string_view rest = line;
    const std::string_view period = next_token(rest);
    const std::string_view delay = next_token(rest);
    const std::string_view id = next_token(rest);
    const std::string_view command = trim(rest);
    const bool period_ok = (!period.empty() && all_digits(period)) || kPeriods.count(period);
    if (!period_ok || delay.empty() || !all_digits(delay) || id.empty() ||
        id.find('/') != std::string_view::npos || command.empty())
      continue;
    if (jobs.size() >= kMaxJobs) continue;
    SharedEnvironment snapshot = env.current();
    if (!snapshot) break;
    jobs.push_back({l.number, std::string(period), std::string(id), std::string(command),
                    std::move(snapshot)});
  }
  return jobs;
}

bool run_parts_name_ok(std::string_view name, bool lsbsysinit) {
  if (name.empty()) return false;
  auto lower_digit = [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c); };
  if (!lsbsysinit) {
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return is_alnum(c) || c == '_' || c == '-'; });
  }
  // run-parts --lsbsysinit: LSB hierarchical names ^_?([a-z0-9_.]+-)+[a-z0-9]+$
  // except *.dpkg-old / *.dpkg-dist, else traditional ^[a-z0-9][a-z0-9-]*$.
  const size_t last_dash = name.rfind('-');
  bool hierarchical =
      last_dash != std::string_view::npos && last_dash + 1 < name.size() &&
      std::all_of(name.begin() + static_cast<long>(last_dash) + 1, name.end(), lower_digit);
  if (hierarchical) {
    size_t run = 0;
    for (size_t k = 0; k <= last_dash && hierarchical; ++k) {
      if (name[k] == '-') {
        hierarchical = run > 0;
        run = 0;
      } else {
        hierarchical = lower_digit(name[k]) || name[k] == '_' || name[k] == '.';
        ++run;
      }
    }
  }
  if (hierarchical) {
    const bool dpkg = (ends_with(name, "dpkg-old") && name.size() > 8) ||
                      (ends_with(name, "dpkg-dist") && name.size() > 9);
    return !(dpkg && (lower_digit(name[0]) || name[0] == '-'));
  }
  return lower_digit(name[0]) &&
         std::all_of(name.begin(), name.end(), [&](char c) { return lower_digit(c) || c == '-'; });
}

}  // namespace hostward::audit

#include "authlog/syslog_line.h"

#include <ctime>

#include "core/number.h"

namespace hostward::authlog {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at s[pos]; -1 when they are not all digits.
int digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!is_digit(s[pos + i])) return -1;
    v = v * 10 + (s[pos + i] - '0');
  }
  return v;
}

int month_number(std::string_view m) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (m == kMonths[i]) return i + 1;
  return 0;
}

bool valid_clock(int hour, int minute, int second) {
  return hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second <= 60;
}

bool valid_date(int year, int month, int day) {
  return year >= 1970 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// "HH:MM:SS" at pos, then optional ".ffffff"; returns the position after it.
std::optional<size_t> read_clock(std::string_view s, size_t pos, int& h, int& m, int& sec) {
  h = digits(s, pos, 2);
  m = digits(s, pos + 3, 2);
  sec = digits(s, pos + 6, 2);
  if (h < 0 || m < 0 || sec < 0 || s[pos + 2] != ':' || s[pos + 5] != ':') return std::nullopt;
  if (!valid_clock(h, m, sec)) return std::nullopt;
  pos += 8;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && is_digit(s[pos])) ++pos;
  }
  return pos;
}

std::string_view next_token(std::string_view s, size_t& pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
  const size_t start = pos;
  while (pos < s.size() && s[pos] != ' ') ++pos;
  return s.substr(start, pos - start);
}

int parse_pid(std::string_view text) {
  return static_cast<int>(parse_decimal<unsigned>(text, 0x7fffffff).value_or(0));
}

// "prog[pid]: message" or "prog: message" after the host.
bool read_tag(std::string_view rest, SyslogLine& out) {
  const size_t colon = rest.find(": ");
  const size_t space = rest.find(' ');
  if (colon == std::string_view::npos || space < colon) {
    // "prog[pid]:" at the very end, or a tag-less message: not ours.
    return false;
  }
  std::string_view tag = rest.substr(0, colon);
  if (const size_t bracket = tag.find('['); bracket != std::string_view::npos) {
    if (tag.back() != ']') return false;
    out.pid = parse_pid(tag.substr(bracket + 1, tag.size() - bracket - 2));
    tag = tag.substr(0, bracket);
  }
  out.program = tag;
  out.message = rest.substr(colon + 2);
  return true;
}

// "Z", "+HH:MM" or "+HHMM" at pos: the offset in seconds east of UTC.
std::optional<int> read_zone(std::string_view s, size_t& pos) {
  if (pos >= s.size()) return std::nullopt;
  if (s[pos] == 'Z') {
    ++pos;
    return 0;
  }
  if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
  const int sign = s[pos] == '-' ? -1 : 1;
  const int hh = digits(s, pos + 1, 2);
  if (hh < 0 || hh > 23) return std::nullopt;
  size_t after = pos + 3;
  if (after < s.size() && s[after] == ':') ++after;
  const int mm = digits(s, after, 2);
  if (mm < 0 || mm > 59) return std::nullopt;
  pos = after + 2;
  return sign * (hh * 3600 + mm * 60);
}

// "2026-11-28T20:43:31[.ffffff][Z|+01:00|+0100]" (a space for the T too).
std::optional<int64_t> read_iso_time(std::string_view s, size_t& pos, LocalClock& clock) {
  const int year = digits(s, pos, 4), month = digits(s, pos + 5, 2), day = digits(s, pos + 8, 2);
  if (year < 0 || month < 0 || day < 0 || s[pos + 4] != '-' || s[pos + 7] != '-') return {};
  if (pos + 10 >= s.size() || (s[pos + 10] != 'T' && s[pos + 10] != ' ')) return {};
  if (!valid_date(year, month, day)) return {};
  int h = 0, m = 0, sec = 0;
  const auto after = read_clock(s, pos + 11, h, m, sec);
  if (!after) return {};
  pos = *after;
  if (const auto zone = read_zone(s, pos)) {
    return days_from_civil(year, month, day) * 86400 + h * 3600 + m * 60 + sec - *zone;
  }
  return clock.from_local(year, month, day, h, m, sec);
}

std::optional<SyslogLine> parse_rfc5424(std::string_view line, size_t pos, LocalClock& clock) {
  SyslogLine out;
  if (line.compare(pos, 2, "1 ") != 0) return std::nullopt;
  pos += 2;
  if (line.compare(pos, 2, "- ") == 0) {
    ++pos;
  } else {
    const auto t = read_iso_time(line, pos, clock);
    if (!t) return std::nullopt;
    out.time = *t;
  }
  auto nil = [](std::string_view v) { return v == "-" ? std::string_view() : v; };
  out.host = nil(next_token(line, pos));
  out.program = nil(next_token(line, pos));
  out.pid = parse_pid(next_token(line, pos));
  next_token(line, pos);  // MSGID
  while (pos < line.size() && line[pos] == ' ') ++pos;
  if (pos < line.size() && line[pos] == '[') {
    // Structured data: [id k="v"]..., where a value may hold \] and \".
    while (pos < line.size() && line[pos] == '[') {
      bool quoted = false;
      for (++pos; pos < line.size(); ++pos) {
        if (line[pos] == '\\' && quoted) {
          ++pos;
        } else if (line[pos] == '"') {
          quoted = !quoted;
        } else if (line[pos] == ']' && !quoted) {
          ++pos;
          break;
        }
      }
    }
  } else if (line.compare(pos, 1, "-") == 0) {
    ++pos;
  }
  if (pos < line.size() && line[pos] == ' ') ++pos;
  std::string_view msg = pos < line.size() ? line.substr(pos) : std::string_view();
  if (msg.substr(0, 3) == "\xEF\xBB\xBF") msg.remove_prefix(3);
  out.message = msg;
  return out;
}

}  // namespace

std::optional<int64_t> parse_iso8601(std::string_view text) {
  if (text.size() < 19) return std::nullopt;
  LocalClock clock(0);
  size_t pos = 0;
  const auto t = read_iso_time(text, pos, clock);
  if (!t || pos != text.size()) return std::nullopt;
  return t;
}

int64_t days_from_civil(int year, int month, int day) {
  // Howard Hinnant's algorithm.
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

LocalClock::LocalClock(int64_t reference_utc) {
  const time_t t = static_cast<time_t>(reference_utc);
  struct tm tm {};
  if (localtime_r(&t, &tm) != nullptr) {
    ref_year_ = tm.tm_year + 1900;
    ref_month_ = tm.tm_mon + 1;
    ref_day_ = tm.tm_mday;
  }
}

int64_t LocalClock::from_month_day(int month, int day, int hour, int minute, int second) {
  // Up to two days past the reference still counts as this year: the mtime of
  // a log can be a little behind its last line's clock (also across a month
  // end: Feb 1 read with a Jan 31 mtime).
  const int64_t date = days_from_civil(ref_year_, month, day);
  const int64_t reference = days_from_civil(ref_year_, ref_month_, ref_day_);
  return from_local(date > reference + 2 ? ref_year_ - 1 : ref_year_, month, day, hour, minute,
                    second);
}

int64_t LocalClock::from_local(int year, int month, int day, int hour, int minute, int second) {
  // mktime is slow (it rereads the zone), so it runs once an hour of log.
  const int64_t key = ((static_cast<int64_t>(year) * 13 + month) * 32 + day) * 24 + hour;
  if (key != cached_key_) {
    struct tm tm {};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_isdst = -1;
    const time_t t = mktime(&tm);
    cached_hour_start_ = t == static_cast<time_t>(-1)
                             ? days_from_civil(year, month, day) * 86400 + hour * 3600
                             : static_cast<int64_t>(t);
    cached_key_ = key;
  }
  return cached_hour_start_ + minute * 60 + second;
}

std::optional<SyslogLine> parse_syslog_line(std::string_view line, LocalClock& clock) {
  size_t pos = 0;
  if (!line.empty() && line[0] == '<') {
    const size_t close = line.find('>');
    if (close == std::string_view::npos || close > 4) return std::nullopt;
    pos = close + 1;
    if (line.compare(pos, 2, "1 ") == 0) return parse_rfc5424(line, pos, clock);
  }
  SyslogLine out;
  if (pos + 15 <= line.size() && month_number(line.substr(pos, 3)) != 0 && line[pos + 3] == ' ') {
    const int month = month_number(line.substr(pos, 3));
    const int day = line[pos + 4] == ' ' ? digits(line, pos + 5, 1) : digits(line, pos + 4, 2);
    if (day < 1 || day > 31 || line[pos + 6] != ' ') return std::nullopt;
    int h = 0, m = 0, s = 0;
    const auto after = read_clock(line, pos + 7, h, m, s);
    if (!after) return std::nullopt;
    pos = *after;
    out.time = clock.from_month_day(month, day, h, m, s);
  } else if (pos + 19 <= line.size() && is_digit(line[pos])) {
    const auto t = read_iso_time(line, pos, clock);
    if (!t) return std::nullopt;
    out.time = *t;
  } else {
    return std::nullopt;
  }
  if (pos >= line.size() || line[pos] != ' ') return std::nullopt;
  out.host = next_token(line, pos);
  if (pos >= line.size()) return std::nullopt;
  if (!read_tag(line.substr(pos + 1), out)) return std::nullopt;
  return out;
}

}  // namespace hostward::authlog

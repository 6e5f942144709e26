#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace hostward::authlog {

// Turns the local wall-clock times of traditional syslog lines ("Nov 28
// 20:43:31", no year, no zone) into Unix time. The year is inferred from a
// reference time at or after the log's end (the file's mtime, or now): a date
// later in the year than the reference belongs to the year before, which also
// handles a log that crosses New Year.
class LocalClock {
 public:
  explicit LocalClock(int64_t reference_utc);
  int64_t from_month_day(int month, int day, int hour, int minute, int second);
  int64_t from_local(int year, int month, int day, int hour, int minute, int second);

 private:
  int ref_year_ = 1970, ref_month_ = 1, ref_day_ = 1;
  int64_t cached_key_ = -1;  // year/month/day/hour of the last conversion
  int64_t cached_hour_start_ = 0;
};

struct SyslogLine {
  int64_t time = 0;  // Unix seconds, UTC; 0 when the line has no readable time
  std::string_view host;
  std::string_view program;  // sshd, sshd-session, ...
  int pid = 0;
  std::string_view message;
};

// One line in any of: traditional (RFC 3164, "Nov 28 20:43:31 host sshd[1]:
// msg", with or without <PRI> and fractional seconds, as also printed by
// `journalctl -o short[-precise]`); ISO 8601 (rsyslog's high-precision file
// format, `journalctl -o short-iso`); RFC 5424 ("<38>1 2026-11-28T... host
// sshd 1 - - msg"). nullopt when the line is none of them.
std::optional<SyslogLine> parse_syslog_line(std::string_view line, LocalClock& clock);

// "2026-11-28T20:43:31Z", with an offset, or without one as local time.
std::optional<int64_t> parse_iso8601(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int year, int month, int day);

}  // namespace hostward::authlog

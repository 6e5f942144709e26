#include "authlog/syslog_line.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace hostward::authlog {
namespace {

// Times below are checked in UTC: the traditional format is local time.
class SyslogLineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
  // 2026-11-28T21:00:00Z
  LocalClock clock{1795899600};
};

constexpr int64_t kAt204331 = 1795898611;  // 2026-11-28T20:43:31Z

TEST_F(SyslogLineTest, Traditional) {
  const auto l =
      parse_syslog_line("Nov 28 20:43:31 web1 sshd[1234]: Accepted password for a", clock);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->time, kAt204331);
  EXPECT_EQ(l->host, "web1");
  EXPECT_EQ(l->program, "sshd");
  EXPECT_EQ(l->pid, 1234);
  EXPECT_EQ(l->message, "Accepted password for a");
}

TEST_F(SyslogLineTest, SpacePaddedDayFractionAndPriority) {
  const auto l = parse_syslog_line("<38>Nov  2 08:00:01.123456 h sshd-session[9]: x y", clock);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->time, 1793606401);  // 2026-11-02T08:00:01Z
  EXPECT_EQ(l->program, "sshd-session");
  EXPECT_EQ(l->pid, 9);
  EXPECT_EQ(l->message, "x y");
}

TEST_F(SyslogLineTest, YearRollsBackForDatesAfterTheReference) {
  // Reference is late November: a December line is from last year.
  const auto dec = parse_syslog_line("Dec 31 23:59:59 h sshd[1]: m", clock);
  ASSERT_TRUE(dec);
  EXPECT_EQ(dec->time, 1767225599);  // 2025-12-31T23:59:59Z
  // A log crossing New Year, read in January.
  LocalClock january(1767312000);  // 2026-01-02T00:00:00Z
  EXPECT_EQ(parse_syslog_line("Dec 31 23:59:59 h sshd[1]: m", january)->time, 1767225599);
  EXPECT_EQ(parse_syslog_line("Jan  1 00:00:01 h sshd[1]: m", january)->time, 1767225601);
  // A line a little after the mtime, across a month end, is still this year.
  LocalClock end_of_january(1769903999);  // 2026-01-31T23:59:59Z
  EXPECT_EQ(parse_syslog_line("Feb  1 00:00:01 h sshd[1]: m", end_of_january)->time,
            1769904001);  // 2026-02-01T00:00:01Z
  EXPECT_EQ(parse_syslog_line("Feb  5 00:00:01 h sshd[1]: m", end_of_january)->time,
            1738713601);  // 2025-02-05T00:00:01Z
}

TEST_F(SyslogLineTest, Iso8601WithOffsetZuluAndLocal) {
  EXPECT_EQ(parse_syslog_line("2026-11-28T21:43:31.123456+01:00 h sshd[1]: m", clock)->time,
            kAt204331);
  EXPECT_EQ(parse_syslog_line("2026-11-28T20:43:31Z h sshd[1]: m", clock)->time, kAt204331);
  // journalctl -o short-iso: +0000 without a colon
  EXPECT_EQ(parse_syslog_line("2026-11-28T20:43:31+0000 h sshd[1]: m", clock)->time, kAt204331);
  EXPECT_EQ(parse_syslog_line("2026-11-28 20:43:31 h sshd[1]: m", clock)->time, kAt204331);
}

TEST_F(SyslogLineTest, Rfc5424WithStructuredDataAndBom) {
  const auto l = parse_syslog_line(
      "<38>1 2026-11-28T20:43:31.000Z web1 sshd 1234 - [origin ip=\"192.0.2.1\" x=\"a\\]b\"] "
      "\xEF\xBB\xBF"
      "Failed password for root from 203.0.113.5 port 22 ssh2",
      clock);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->time, kAt204331);
  EXPECT_EQ(l->host, "web1");
  EXPECT_EQ(l->program, "sshd");
  EXPECT_EQ(l->pid, 1234);
  EXPECT_EQ(l->message, "Failed password for root from 203.0.113.5 port 22 ssh2");
  const auto nil = parse_syslog_line("<38>1 - - sshd - - - Invalid user a from 192.0.2.1", clock);
  ASSERT_TRUE(nil);
  EXPECT_EQ(nil->time, 0);
  EXPECT_EQ(nil->pid, 0);
  EXPECT_EQ(nil->message, "Invalid user a from 192.0.2.1");
}

TEST_F(SyslogLineTest, NotSyslog) {
  for (const char* bad :
       {"", "garbage", "Nov 28", "Nov 28 20:43:31", "Nov 28 25:43:31 h sshd[1]: m",
        "Foo 28 20:43:31 h sshd[1]: m", "Nov 28 20:43:31 h sshd[1]:", "2026-13-28T20:43:31Z h a: m",
        "<999999>Nov 28 20:43:31 h sshd[1]: m", "Nov 28 20:43:31 h sshd[1 m: x"}) {
    EXPECT_FALSE(parse_syslog_line(bad, clock)) << bad;
  }
}

TEST_F(SyslogLineTest, ParseIso8601) {
  EXPECT_EQ(parse_iso8601("2026-11-28T20:43:31Z"), kAt204331);
  EXPECT_FALSE(parse_iso8601("2026-11-28T20:43:31Zjunk"));
  EXPECT_FALSE(parse_iso8601("yesterday"));
}

}  // namespace
}  // namespace hostward::authlog

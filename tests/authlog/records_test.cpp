// wtmp, btmp and lastlog written by glibc itself, read back.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <utmpx.h>

#include <cstring>

#include "auth_test_support.h"
#include "authlog/utmp_file.h"

namespace hostward::authlog {
namespace {

using testing::judge;
using testing::ScratchDir;

constexpr int64_t kNow = 1795899600;  // 2026-11-28T21:00:00Z

struct Record {
  short type;
  const char* user;
  const char* line;
  const char* id;
  const char* host;
  int64_t time;
  int pid = 4242;
};

utmpx make(const Record& r) {
  utmpx ut{};
  ut.ut_type = r.type;
  ut.ut_pid = r.pid;
  std::strncpy(ut.ut_user, r.user, sizeof ut.ut_user);
  std::strncpy(ut.ut_line, r.line, sizeof ut.ut_line);
  std::strncpy(ut.ut_id, r.id, sizeof ut.ut_id);
  std::strncpy(ut.ut_host, r.host, sizeof ut.ut_host);
  ut.ut_tv.tv_sec = static_cast<int32_t>(r.time);
  in_addr a{};
  if (inet_pton(AF_INET, r.host, &a) == 1) std::memcpy(ut.ut_addr_v6, &a, 4);
  return ut;
}

// Logins through pututxline (as login(1) and sshd write utmp), everything
// else appended with updwtmpx (as they write wtmp).
void write_records(const std::string& path, const std::vector<Record>& records) {
  std::ofstream(path, std::ios::app).close();
  for (const auto& r : records) {
    utmpx ut = make(r);
    if (r.type == USER_PROCESS) {
      ASSERT_EQ(utmpxname(path.c_str()), 0);
      setutxent();
      ASSERT_NE(pututxline(&ut), nullptr) << std::strerror(errno);
      endutxent();
    } else {
      updwtmpx(path.c_str(), &ut);
    }
  }
}

class RecordsTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::use_utc(); }
  ScratchDir dir;
};

TEST_F(RecordsTest, ReadsWhatGlibcWrote) {
  const std::string wtmp = dir.path() + "/wtmp";
  write_records(wtmp, {{BOOT_TIME, "reboot", "~", "~~", "6.1.0", kNow - 7200},
                       {USER_PROCESS, "alice", "pts/0", "ts/0", "203.0.113.5", kNow - 3600},
                       {USER_PROCESS, "bob", "pts/1", "ts/1", "2001:db8::7", kNow - 3000},
                       {DEAD_PROCESS, "", "pts/0", "ts/0", "", kNow - 1800}});
  std::vector<UtmpRecord> got;
  std::vector<std::string> errors;
  const auto stats = read_utmp_file(
      wtmp, [&](const UtmpRecord& r, uint64_t) { got.push_back(r); }, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(stats.records, 4u);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].type, BOOT_TIME);
  EXPECT_EQ(got[1].type, USER_PROCESS);
  EXPECT_EQ(got[1].user, "alice");
  EXPECT_EQ(got[1].line, "pts/0");
  EXPECT_EQ(got[1].host, "203.0.113.5");
  EXPECT_EQ(got[1].address, "203.0.113.5");
  EXPECT_EQ(got[1].time, kNow - 3600);
  EXPECT_EQ(got[1].pid, 4242);
  EXPECT_EQ(got[2].host, "2001:db8::7");
  EXPECT_EQ(got[3].type, DEAD_PROCESS);

  const auto j = judge({wtmp}, kNow);
  const auto& s = j.run.summary;
  ASSERT_EQ(s.sessions.size(), 2u);
  EXPECT_EQ(s.sessions[0].user, "alice");
  EXPECT_EQ(s.sessions[0].end, kNow - 1800);
  EXPECT_EQ(s.sessions[1].end, 0);
  EXPECT_EQ(s.reboots, std::vector<int64_t>{kNow - 7200});
  EXPECT_EQ(s.wtmp.user_sessions, 2u);
  EXPECT_TRUE(j.findings.empty());
}

TEST_F(RecordsTest, BtmpFailuresFeedBruteForceWithoutAnAuthLog) {
  const std::string btmp = dir.write("btmp", "");  // updwtmpx appends, never creates
  std::vector<Record> records;
  for (int i = 0; i < 6; ++i)
    records.push_back({LOGIN_PROCESS, i % 2 ? "admin" : "root", "ssh:notty", "", "198.51.100.20",
                       kNow - 300 + i * 10});
  for (auto& r : records) {
    utmpx ut = make(r);
    updwtmpx(btmp.c_str(), &ut);
  }
  const auto j = judge({btmp}, kNow);
  const auto hits = j.of("auth.ssh-brute-force");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->subject["address"], "198.51.100.20");
  EXPECT_EQ(hits[0]->evidence["failures"], 6);
  EXPECT_EQ(hits[0]->evidence["source"], "btmp");
  EXPECT_EQ(hits[0]->evidence["users"], nlohmann::json::array({"root", "admin"}));
  EXPECT_EQ(hits[0]->severity, Severity::high);
}

TEST_F(RecordsTest, LoginsTheWtmpDoesNotHoldAreReported) {
  const std::string log = dir.write(
      "auth.log",
      "Nov 28 20:00:00 web1 sshd[10]: Accepted password for alice from 203.0.113.5 port 1 ssh2\n"
      "Nov 28 20:10:00 web1 sshd[11]: Accepted password for bob from 203.0.113.6 port 2 ssh2\n"
      "Nov 28 20:20:00 web1 sshd[12]: Accepted publickey for ci from 203.0.113.7 port 3 ssh2: "
      "ED25519 SHA256:x\n");
  // Only boots: every login is missing.
  const std::string only_boot = dir.path() + "/wtmp.boot";
  write_records(only_boot, {{BOOT_TIME, "reboot", "~", "~~", "6.1.0", kNow - 7200}});
  auto j = judge({log, only_boot}, kNow);
  auto hits = j.of("auth.login-records-missing");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->title,
            "wtmp holds only 1 boot record(s) while the auth log shows 2 password login(s) since "
            "2026-11-28T20:00:00Z");
  EXPECT_EQ(hits[0]->evidence["password_logins"], 2);

  // alice's session is there, bob's (a password login) was removed; ci's
  // key login ran a command without a terminal, never in wtmp.
  const std::string edited = dir.path() + "/wtmp.edited";
  write_records(edited, {{BOOT_TIME, "reboot", "~", "~~", "6.1.0", kNow - 7200},
                         {USER_PROCESS, "alice", "pts/0", "ts/0", "203.0.113.5", kNow - 3599}});
  j = judge({log, edited}, kNow);
  hits = j.of("auth.login-records-missing");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->evidence["unrecorded_logins"], 1);
  EXPECT_EQ(hits[0]->evidence["logins"][0]["user"], "bob");
  EXPECT_EQ(hits[0]->evidence["logins"][0]["address"], "203.0.113.6");

  // Both sessions recorded: nothing to say.
  const std::string full = dir.path() + "/wtmp.full";
  write_records(full, {{BOOT_TIME, "reboot", "~", "~~", "6.1.0", kNow - 7200},
                       {USER_PROCESS, "alice", "pts/0", "ts/0", "203.0.113.5", kNow - 3599},
                       {USER_PROCESS, "bob", "pts/1", "ts/1", "203.0.113.6", kNow - 2999}});
  j = judge({log, full}, kNow);
  EXPECT_TRUE(j.of("auth.login-records-missing").empty());
  // Automation only (key logins, no terminal): a boot-only wtmp is normal.
  const std::string keys = dir.write(
      "auth.log.keys",
      "Nov 28 20:20:00 web1 sshd[12]: Accepted publickey for ci from 203.0.113.7 port 3 ssh2: "
      "ED25519 SHA256:x\n"
      "Nov 28 20:30:00 web1 sshd[13]: Accepted publickey for ci from 203.0.113.7 port 4 ssh2: "
      "ED25519 SHA256:x\n");
  j = judge({keys, only_boot}, kNow);
  EXPECT_TRUE(j.of("auth.login-records-missing").empty());
  // Without any wtmp given, --file judges the log alone.
  j = judge({log}, kNow);
  EXPECT_TRUE(j.of("auth.login-records-missing").empty());
}

TEST_F(RecordsTest, ZeroedRecordsLookEdited) {
  const std::string wtmp = dir.path() + "/wtmp";
  write_records(wtmp, {{BOOT_TIME, "reboot", "~", "~~", "6.1.0", kNow - 7200},
                       {USER_PROCESS, "alice", "pts/0", "ts/0", "203.0.113.5", kNow - 3600}});
  {
    std::ofstream out(wtmp, std::ios::app | std::ios::binary);
    const std::string zero(kUtmpRecordSize, '\0');
    out << zero;
  }
  write_records(wtmp, {{DEAD_PROCESS, "", "pts/0", "ts/0", "", kNow - 1800}});
  const auto j = judge({wtmp}, kNow);
  const auto hits = j.of("auth.login-records-missing");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->evidence["zeroed_records"], 1);
  EXPECT_EQ(hits[0]->evidence["records"], 4);
}

TEST_F(RecordsTest, TimeRunningBackwardsLooksEditedExceptAroundABoot) {
  // An RTC kept in local time, three hours ahead, then NTP steps it back
  // after the boot: normal.
  std::vector<Record> boot_then_ntp = {{BOOT_TIME, "reboot", "~", "~~", "6.1.0", kNow}};
  for (int i = 0; i < 3; ++i)
    boot_then_ntp.push_back({LOGIN_PROCESS, "LOGIN", "tty1", "1", "", kNow - 3 * 3600 + i});
  const std::string ok = dir.path() + "/wtmp.ntp";
  write_records(ok, boot_then_ntp);
  EXPECT_TRUE(judge({ok}, kNow).of("auth.login-records-missing").empty());

  // Far from any boot, a record two hours older than the one before it.
  std::vector<Record> edited = {{BOOT_TIME, "reboot", "~", "~~", "6.1.0", kNow - 86400}};
  for (int i = 0; i < 12; ++i)
    edited.push_back({DEAD_PROCESS, "", "pts/0", "ts/0", "", kNow - 80000 + i * 600});
  edited.push_back({DEAD_PROCESS, "", "pts/1", "ts/1", "", kNow - 80000 + 11 * 600 - 7200});
  const std::string bad = dir.path() + "/wtmp.edited";
  write_records(bad, edited);
  const auto j = judge({bad}, kNow);
  const auto hits = j.of("auth.login-records-missing");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->evidence["backward_jumps"], 1);
  EXPECT_EQ(hits[0]->evidence["zeroed_records"], 0);
}

TEST_F(RecordsTest, TruncatedAndForeignFilesAreErrors) {
  const std::string wtmp = dir.path() + "/wtmp";
  write_records(wtmp, {{USER_PROCESS, "alice", "pts/0", "ts/0", "203.0.113.5", kNow - 3600}});
  {
    std::ofstream out(wtmp, std::ios::app | std::ios::binary);
    out << std::string(100, 'x');
  }
  std::vector<std::string> errors;
  uint64_t n = 0;
  read_utmp_file(
      wtmp, [&](const UtmpRecord&, uint64_t) { ++n; }, errors);
  EXPECT_EQ(n, 1u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("partial record (100 bytes)"), std::string::npos) << errors[0];

  const std::string junk = dir.write("wtmp.junk", std::string(kUtmpRecordSize * 2, '\x7f'));
  errors.clear();
  read_utmp_file(
      junk, [&](const UtmpRecord&, uint64_t) { ++n; }, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("2 of 2 records are not utmp records"), std::string::npos);
}

TEST_F(RecordsTest, LastlogIsReadSparse) {
  const std::string path = dir.path() + "/lastlog";
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  unsigned char rec[kLastlogRecordSize] = {};
  const int32_t t = static_cast<int32_t>(kNow - 60);
  std::memcpy(rec, &t, 4);
  std::memcpy(rec + 4, "pts/3", 5);
  std::memcpy(rec + 36, "192.0.2.44", 10);
  // uid 60000: a 17 MB file that is almost all hole
  ASSERT_EQ(::pwrite(fd, rec, sizeof rec, 60000LL * kLastlogRecordSize),
            static_cast<ssize_t>(sizeof rec));
  ::close(fd);
  std::vector<LastlogEntry> got;
  std::vector<std::string> errors;
  read_lastlog_file(
      path, [&](const LastlogEntry& e) { got.push_back(e); }, errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].uid, 60000u);
  EXPECT_EQ(got[0].time, kNow - 60);
  EXPECT_EQ(got[0].line, "pts/3");
  EXPECT_EQ(got[0].host, "192.0.2.44");
}

}  // namespace
}  // namespace hostward::authlog

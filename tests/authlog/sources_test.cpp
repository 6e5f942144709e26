#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>

#include "auth_test_support.h"
#include "authlog/text_source.h"

namespace hostward::authlog {
namespace {

using testing::judge;
using testing::ScratchDir;

constexpr int64_t kNow = 1795899600;  // 2026-11-28T21:00:00Z

class SourcesTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::use_utc(); }
  std::string gzip(const std::string& name, const std::string& content) {
    const std::string path = dir.path() + "/" + name;
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, content.data(), static_cast<unsigned>(content.size()));
    gzclose(f);
    return path;
  }
  ScratchDir dir;
};

std::string failed(int i, const char* address = "203.0.113.5") {
  char line[160];
  std::snprintf(line, sizeof line,
                "Nov 28 20:%02d:00 web1 sshd[%d]: Failed password for root from %s port %d ssh2\n",
                10 + i, 100 + i, address, 1000 + i);
  return line;
}

TEST_F(SourcesTest, GzipAndPlainRotationsReadOldestFirst) {
  const std::string log_dir = dir.path() + "/var/log";
  ASSERT_EQ(std::system(("mkdir -p " + log_dir).c_str()), 0);
  gzip("var/log/auth.log.2.gz", failed(0) + failed(1));
  dir.write("var/log/auth.log.1", failed(2));
  dir.write("var/log/auth.log", failed(3) + failed(4));
  dir.write("var/log/auth.log.bak", failed(9, "192.0.2.99"));  // not a rotation
  const AuthSources s = default_sources(dir.path());
  ASSERT_EQ(s.text.size(), 3u);
  EXPECT_EQ(s.text[0], log_dir + "/auth.log.2.gz");
  EXPECT_EQ(s.text[1], log_dir + "/auth.log.1");
  EXPECT_EQ(s.text[2], log_dir + "/auth.log");
  EXPECT_FALSE(s.system_journal);  // an offline tree never reads this host's journal
  const AuthRun run = read_auth(s, {});
  EXPECT_TRUE(run.errors.empty()) << run.errors.front();
  const auto& a = run.summary.by_address.at("203.0.113.5");
  EXPECT_EQ(a.failures, 5u);
  EXPECT_EQ(a.first, kNow - 50 * 60);
  EXPECT_EQ(a.last, kNow - 46 * 60);
  EXPECT_EQ(run.summary.by_address.count("192.0.2.99"), 0u);
}

TEST_F(SourcesTest, TruncatedGzipKeepsWhatWasRead) {
  std::string content;
  for (int i = 0; i < 40; ++i) content += failed(i);
  // Pad with many unrelated lines so the cut falls after the failures.
  for (int i = 0; i < 20000; ++i)
    content += "Nov 28 20:59:00 web1 CRON[5]: (root) CMD (run-parts /etc/cron.hourly " +
               std::to_string(i) + ")\n";
  const std::string path = gzip("auth.log.3.gz", content);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string cut = dir.write("auth.log.4.gz", bytes.substr(0, bytes.size() / 2));
  const auto j = judge({cut}, kNow);
  ASSERT_FALSE(j.run.errors.empty());
  EXPECT_NE(j.run.errors[0].find("auth.log.4.gz: read stopped after line"), std::string::npos)
      << j.run.errors[0];
  EXPECT_GT(j.run.summary.lines, 40u);
  EXPECT_EQ(j.run.summary.by_address.at("203.0.113.5").failures, 40u);
}

TEST_F(SourcesTest, BinaryDataAndHugeLinesAreSkippedTheRestIsRead) {
  std::string content = failed(0);
  content += std::string("\x01\x02\0\0garbage\0", 12) + "\n";
  content += std::string(10 * 1024 * 1024, 'A') + "\n";  // a 10 MB line
  content += failed(1);
  content += std::string(100, '\0');  // ends in NULs, no newline
  const auto j = judge({dir.write("auth.log", content)}, kNow);
  EXPECT_EQ(j.run.summary.by_address.at("203.0.113.5").failures, 2u);
  ASSERT_EQ(j.run.errors.size(), 2u);
  EXPECT_NE(j.run.errors[0].find("1 line(s) longer than 64 KiB skipped"), std::string::npos)
      << j.run.errors[0];
  EXPECT_NE(j.run.errors[1].find("2 line(s) with binary data skipped"), std::string::npos)
      << j.run.errors[1];
}

TEST_F(SourcesTest, PlantedLinksDevicesAndFifosAreNeverRead) {
  // Someone who can write to /var/log plants a device behind a log name: a
  // scan as root must not open it (opening /dev/watchdog arms it).
  const std::string log_dir = dir.path() + "/var/log";
  ASSERT_EQ(std::system(("mkdir -p " + log_dir).c_str()), 0);
  ASSERT_EQ(::symlink("/dev/zero", (log_dir + "/auth.log.9").c_str()), 0);
  ASSERT_EQ(::symlink("/dev/zero", (log_dir + "/wtmp.1").c_str()), 0);
  ASSERT_EQ(::mkfifo((log_dir + "/auth.log.8").c_str(), 0600), 0);
  dir.write("var/log/auth.log", failed(0));
  const AuthRun run = read_auth(default_sources(dir.path()), {});
  ASSERT_EQ(run.errors.size(), 3u);
  EXPECT_EQ(run.errors[0], log_dir + "/wtmp.1: a symlink, not followed");
  EXPECT_EQ(run.errors[1], log_dir + "/auth.log.9: a symlink, not followed");
  EXPECT_EQ(run.errors[2], log_dir + "/auth.log.8: not a regular file");
  EXPECT_EQ(run.summary.by_address.at("203.0.113.5").failures, 1u);
  // Named on the command line, a device is still refused.
  const auto named = judge({"/dev/zero"}, kNow);
  ASSERT_EQ(named.run.errors.size(), 1u);
  EXPECT_EQ(named.run.errors[0], "/dev/zero: not a regular file");
}

TEST_F(SourcesTest, MissingFilesAreErrorsNotAborts) {
  const auto j = judge({dir.path() + "/nope.log", dir.write("auth.log", failed(0))}, kNow);
  ASSERT_EQ(j.run.errors.size(), 1u);
  EXPECT_NE(j.run.errors[0].find("nope.log: No such file or directory"), std::string::npos);
  EXPECT_EQ(j.run.summary.by_address.at("203.0.113.5").failures, 1u);
}

TEST_F(SourcesTest, LineCountsSurviveReadBoundaries) {
  std::string content;
  for (int i = 0; i < 30000; ++i) content += failed(i % 40, i % 2 ? "192.0.2.1" : "192.0.2.2");
  uint64_t seen = 0, last = 0;
  std::vector<std::string> errors;
  const auto stats = read_text_lines(
      dir.write("big.log", content),
      [&](std::string_view line, uint64_t n) {
        ++seen;
        last = n;
        EXPECT_EQ(line.back(), '2') << n;  // "ssh2": never cut in two
      },
      errors);
  EXPECT_EQ(seen, 30000u);
  EXPECT_EQ(last, 30000u);
  EXPECT_EQ(stats.lines, 30000u);
  EXPECT_TRUE(errors.empty());
}

TEST_F(SourcesTest, JournalFileWrittenBySystemdJournalRemote) {
  const char* tool = "/lib/systemd/systemd-journal-remote";
  if (::access(tool, X_OK) != 0) GTEST_SKIP() << "needs systemd-journal-remote (Debian package)";
  std::string export_format;
  int64_t usec = (kNow - 600) * 1000000LL;
  const char* messages[] = {
      "Failed password for invalid user admin from 198.51.100.30 port 1 ssh2",
      "Failed password for invalid user admin from 198.51.100.30 port 2 ssh2",
      "Accepted publickey for alice from 2001:db8::4 port 3 ssh2: ED25519 SHA256:k",
  };
  int i = 0;
  for (const char* m : messages) {
    export_format += "__REALTIME_TIMESTAMP=" + std::to_string(usec + i * 1000000LL) +
                     "\n__MONOTONIC_TIMESTAMP=" + std::to_string(1000 + i) +
                     "\n_BOOT_ID=0123456789abcdef0123456789abcdef\n"
                     "SYSLOG_IDENTIFIER=" +
                     (i == 2 ? "sshd-session" : "sshd") + "\n_PID=" + std::to_string(500 + i) +
                     "\n_UID=0\n_HOSTNAME=web1\nMESSAGE=" + m + "\n\n";
    ++i;
  }
  export_format +=
      "__REALTIME_TIMESTAMP=1795899000000000\n__MONOTONIC_TIMESTAMP=9000\n_BOOT_ID="
      "0123456789abcdef0123456789abcdef\nSYSLOG_IDENTIFIER=cron\nMESSAGE=Failed password for "
      "root from 192.0.2.1 port 1 ssh2\n\n"
      // A user's `logger -t sshd`: the journal's _UID tells it from sshd.
      "__REALTIME_TIMESTAMP=1795899001000000\n__MONOTONIC_TIMESTAMP=9001\n_BOOT_ID="
      "0123456789abcdef0123456789abcdef\nSYSLOG_IDENTIFIER=sshd\n_UID=1000\nMESSAGE=Accepted "
      "password for root from 192.0.2.66 port 1 ssh2\n\n";
  const std::string input = dir.write("export.txt", export_format);
  const std::string journal = dir.path() + "/test.journal";
  const std::string cmd =
      std::string(tool) + " --output=" + journal + " - < " + input + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const auto j = judge({journal}, kNow);
  ASSERT_EQ(j.run.errors.size(), 1u);
  EXPECT_EQ(j.run.errors[0], journal +
                                 ": 1 entries calling themselves sshd were not logged by root: "
                                 "skipped (forged with logger?)");
  EXPECT_EQ(j.run.summary.events, 3u);  // cron's line is not sshd's
  EXPECT_EQ(j.run.summary.by_address.at("198.51.100.30").failures, 2u);
  EXPECT_EQ(j.run.summary.by_address.at("198.51.100.30").first, kNow - 600);
  ASSERT_EQ(j.run.summary.logins.size(), 1u);
  EXPECT_EQ(j.run.summary.logins[0].user, "alice");
  EXPECT_EQ(j.run.summary.logins[0].address, "2001:db8::4");
  EXPECT_EQ(j.run.summary.logins[0].time, kNow - 598);

  // rsyslog wrote the same two failures to auth.log: read with the journal,
  // they count once; the journal adds what lies outside the log's time span.
  const std::string text =
      dir.write("auth.log",
                "Nov 28 20:50:00 web1 sshd[500]: Failed password for invalid user admin from "
                "198.51.100.30 port 1 ssh2\n"
                "Nov 28 20:50:01 web1 sshd[501]: Failed password for invalid user admin from "
                "198.51.100.30 port 2 ssh2\n");
  const auto both = judge({text, journal}, kNow);
  EXPECT_EQ(both.run.summary.by_address.at("198.51.100.30").failures, 2u);
  EXPECT_EQ(both.run.summary.logins.size(), 1u);
}

}  // namespace
}  // namespace hostward::authlog

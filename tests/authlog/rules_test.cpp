#include <gtest/gtest.h>

#include "auth_test_support.h"

namespace hostward::authlog {
namespace {

using testing::judge;
using testing::ScratchDir;

constexpr int64_t kNow = 1795899600;        // 2026-11-28T21:00:00Z
constexpr int64_t kNextDay = kNow + 86400;  // long after everything below

class AuthRulesTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::use_utc(); }
  ScratchDir dir;
};

std::string failures(const char* address, int n, int first_minute, int step_s,
                     const char* user = "root") {
  std::string out;
  for (int i = 0; i < n; ++i) {
    const int t = first_minute * 60 + i * step_s;
    char line[256];
    std::snprintf(
        line, sizeof line,
        "Nov 28 20:%02d:%02d web1 sshd[%d]: Failed password for %s from %s port %d ssh2\n", t / 60,
        t % 60, 2000 + i, user, address, 40000 + i);
    out += line;
  }
  return out;
}

TEST_F(AuthRulesTest, BruteForceFiresAtFiveFailuresInTenMinutes) {
  const auto log = dir.write("auth.log", failures("203.0.113.5", 5, 10, 30) +
                                             "Nov 28 20:13:00 web1 sshd[9]: Invalid user oracle "
                                             "from 203.0.113.5 port 1\n");
  const auto j = judge({log}, kNow);
  const auto hits = j.of("auth.ssh-brute-force");
  ASSERT_EQ(hits.size(), 1u);
  const Finding& f = *hits[0];
  EXPECT_EQ(f.subject["address"], "203.0.113.5");
  EXPECT_EQ(f.evidence["failures"], 6);
  EXPECT_EQ(f.evidence["max_in_window"], 6);
  EXPECT_EQ(f.evidence["users"], nlohmann::json::array({"root", "oracle"}));
  EXPECT_EQ(f.evidence["first_seen"], "2026-11-28T20:10:00Z");
  EXPECT_EQ(f.evidence["last_seen"], "2026-11-28T20:13:00Z");
  EXPECT_EQ(f.evidence["ongoing"], false);  // last failure 47 minutes before kNow
  EXPECT_EQ(f.severity, Severity::medium);
  EXPECT_EQ(f.title, "6 failed SSH logins from 203.0.113.5 (users: root, oracle)");
}

TEST_F(AuthRulesTest, BruteForceIsHighWhileOngoing) {
  const auto log = dir.write("auth.log", failures("198.51.100.7", 5, 55, 10));
  const auto j = judge({log}, kNow);
  const auto hits = j.of("auth.ssh-brute-force");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->severity, Severity::high);
  EXPECT_EQ(hits[0]->evidence["ongoing"], true);
}

TEST_F(AuthRulesTest, BruteForceDoesNotFireBelowTheThresholdOrSpreadOut) {
  // 4 failures in a minute; 5 from another address, 15 minutes apart.
  const auto log =
      dir.write("auth.log", failures("203.0.113.5", 4, 10, 10) +
                                failures("203.0.113.6", 5, 0, 360));  // 6 minutes apart
  const auto j = judge({log}, kNow);
  EXPECT_TRUE(j.of("auth.ssh-brute-force").empty());
  EXPECT_EQ(j.run.summary.by_address.at("203.0.113.5").failures, 4u);
  EXPECT_EQ(j.run.summary.by_address.at("203.0.113.6").failures, 5u);
}

TEST_F(AuthRulesTest, ScannersAndRefusedKeysAreNotFailures) {
  std::string log;
  for (int i = 0; i < 8; ++i) {
    log += "Nov 28 20:10:0" + std::to_string(i) +
           " web1 sshd[1]: banner exchange: Connection from 192.0.2.50 port 1: invalid format\n";
    log += "Nov 28 20:10:0" + std::to_string(i) +
           " web1 sshd[1]: Failed publickey for alice from 192.0.2.51 port 2 ssh2: RSA SHA256:k\n";
    log += "Nov 28 20:10:0" + std::to_string(i) +
           " web1 sshd[1]: Connection closed by authenticating user root 192.0.2.52 port 3 "
           "[preauth]\n";
  }
  const auto j = judge({dir.write("auth.log", log)}, kNow);
  EXPECT_TRUE(j.of("auth.ssh-brute-force").empty());
  EXPECT_EQ(j.run.summary.by_address.at("192.0.2.50").probes, 8u);
  EXPECT_EQ(j.run.summary.by_address.count("192.0.2.51"), 0u);
}

TEST_F(AuthRulesTest, IgnoredAddressesAreNotJudged) {
  AuthConfig config;
  config.ignore_addresses = {"203.0.113.0/24"};
  const auto log = dir.write("auth.log", failures("203.0.113.5", 9, 10, 5) +
                                             "Nov 28 20:12:00 web1 sshd[1]: Accepted password for "
                                             "root from 203.0.113.5 port 9 ssh2\n");
  const auto j = judge({log}, kNow, config);
  EXPECT_TRUE(j.findings.empty()) << j.findings.front().rule;
}

TEST_F(AuthRulesTest, LoginAfterFailuresIsCritical) {
  const auto log =
      dir.write("auth.log", failures("203.0.113.5", 3, 10, 20, "deploy") +
                                "Nov 28 20:11:30 web1 sshd[77]: Accepted password for deploy from "
                                "203.0.113.5 port 50100 ssh2\n"
                                // two failures are a typo, not an attack
                                + failures("198.51.100.3", 2, 20, 20, "alice") +
                                "Nov 28 20:21:00 web1 sshd[78]: Accepted password for alice from "
                                "198.51.100.3 port 50200 ssh2\n");
  const auto j = judge({log}, kNow);
  const auto hits = j.of("auth.login-after-failures");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->severity, Severity::critical);
  EXPECT_EQ(hits[0]->subject["user"], "deploy");
  EXPECT_EQ(hits[0]->subject["address"], "203.0.113.5");
  EXPECT_EQ(hits[0]->evidence["failures_before"], 3);
  EXPECT_EQ(hits[0]->evidence["time"], "2026-11-28T20:11:30Z");
  EXPECT_EQ(hits[0]->evidence["line"], 4);
}

TEST_F(AuthRulesTest, RepeatedMessagesCountEveryTime) {
  // rsyslog's RepeatedMsgReduction folds identical lines into one.
  const auto log = dir.write(
      "auth.log",
      "Nov 28 20:10:00 web1 sshd[100]: Failed password for alice from 203.0.113.70 port 4444 "
      "ssh2\n"
      "Nov 28 20:10:09 web1 sshd[100]: message repeated 3 times: [ Failed password for alice "
      "from 203.0.113.70 port 4444 ssh2]\n"
      "Nov 28 20:10:30 web1 sshd[101]: Accepted password for alice from 203.0.113.70 port 4445 "
      "ssh2\n");
  const auto j = judge({log}, kNow);
  EXPECT_EQ(j.run.summary.by_address.at("203.0.113.70").failures, 4u);
  const auto hits = j.of("auth.login-after-failures");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->evidence["failures_before"], 4);
}

TEST_F(AuthRulesTest, RotationsNamedInAnyOrderAreReadOldestFirst) {
  const auto older = dir.write("auth.log.1", failures("203.0.113.5", 6, 10, 5));
  const auto newer = dir.write("auth.log",
                               "Nov 28 20:11:00 web1 sshd[1]: Accepted password for deploy from "
                               "203.0.113.5 port 9 ssh2\n");
  for (const auto& order : {std::vector<std::string>{older, newer}, {newer, older}}) {
    const auto j = judge(order, kNow);
    ASSERT_EQ(j.of("auth.login-after-failures").size(), 1u) << order[0];
    EXPECT_EQ(j.of("auth.login-after-failures")[0]->evidence["failures_before"], 6);
  }
}

TEST_F(AuthRulesTest, KeyThenOneTimeCodeIsNotAPasswordLogin) {
  const auto log = dir.write(
      "auth.log",
      "Nov 28 20:00:00 web1 sshd[7]: Partial publickey for bob from 192.0.2.9 port 1 ssh2: "
      "ED25519 SHA256:k\n"
      "Nov 28 20:00:05 web1 sshd[7]: Accepted keyboard-interactive/pam for bob from 192.0.2.9 "
      "port 1 ssh2\n");
  const auto j = judge({log}, kNow);
  EXPECT_TRUE(j.of("auth.password-login").empty());
  ASSERT_EQ(j.run.summary.logins.size(), 1u);
  EXPECT_EQ(j.run.summary.logins[0].method, "publickey+keyboard-interactive/pam");
}

TEST_F(AuthRulesTest, LoginAfterFailuresNeedsTheSameAddressAndWindow) {
  const auto log =
      dir.write("auth.log", failures("203.0.113.5", 4, 10, 20) +
                                "Nov 28 20:11:30 web1 sshd[1]: Accepted publickey for "
                                "root from 203.0.113.6 port 5 ssh2: ED25519 SHA256:a\n"
                                "Nov 28 20:40:00 web1 sshd[2]: Accepted publickey for "
                                "root from 203.0.113.5 port 5 ssh2: ED25519 SHA256:a\n");
  const auto j = judge({log}, kNow);
  EXPECT_TRUE(j.of("auth.login-after-failures").empty());
}

TEST_F(AuthRulesTest, RootLoginHighWithPasswordInfoWithKey) {
  const auto log = dir.write(
      "auth.log",
      "Nov 28 20:00:00 web1 sshd[1]: Accepted password for root from 192.0.2.9 port 1 ssh2\n"
      "Nov 28 20:05:00 web1 sshd[2]: Accepted password for root from 192.0.2.9 port 2 ssh2\n"
      "Nov 28 20:06:00 web1 sshd[3]: Accepted publickey for root from 192.0.2.10 port 3 ssh2: "
      "ED25519 SHA256:abc\n"
      "Nov 28 20:07:00 web1 sshd[4]: Accepted publickey for alice from 192.0.2.11 port 4 ssh2: "
      "ED25519 SHA256:def\n");
  const auto j = judge({log}, kNow);
  const auto hits = j.of("auth.root-login");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0]->subject["address"], "192.0.2.10");
  EXPECT_EQ(hits[0]->severity, Severity::info);
  EXPECT_EQ(hits[0]->evidence["keys"], nlohmann::json::array({"ED25519 SHA256:abc"}));
  EXPECT_EQ(hits[1]->subject["address"], "192.0.2.9");
  EXPECT_EQ(hits[1]->severity, Severity::high);
  EXPECT_EQ(hits[1]->evidence["count"], 2);
  EXPECT_EQ(hits[1]->evidence["first"], "2026-11-28T20:00:00Z");
  EXPECT_EQ(hits[1]->evidence["last"], "2026-11-28T20:05:00Z");
  // alice's key login is no finding at all
  EXPECT_TRUE(j.of("auth.password-login").empty());
}

TEST_F(AuthRulesTest, PasswordLoginForNamedUsersOnly) {
  const auto log = dir.write(
      "auth.log",
      "Nov 28 20:00:00 web1 sshd[1]: Accepted keyboard-interactive/pam for bob from 2001:db8::5 "
      "port 1 ssh2\n"
      "Nov 28 20:01:00 web1 sshd[2]: Accepted password for root from 192.0.2.9 port 2 ssh2\n"
      "Nov 28 20:02:00 web1 sshd[3]: Accepted publickey for carol from 192.0.2.9 port 3 ssh2: "
      "RSA SHA256:x\n");
  const auto j = judge({log}, kNow);
  const auto hits = j.of("auth.password-login");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->subject["user"], "bob");
  EXPECT_EQ(hits[0]->subject["address"], "2001:db8::5");
  EXPECT_EQ(hits[0]->evidence["method"], "keyboard-interactive/pam");
  EXPECT_EQ(hits[0]->severity, Severity::medium);
}

}  // namespace
}  // namespace hostward::authlog

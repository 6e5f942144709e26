// Logs as OpenSSH 6.x to 9.x write them, in each syslog format.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "auth_test_support.h"

namespace hostward::authlog {
namespace {

using testing::judge;
using testing::ScratchDir;

constexpr int64_t kNow = 1795899600;  // 2026-11-28T21:00:00Z

struct Expected {
  const char* fixture;
  uint64_t events;
  std::map<std::string, uint64_t> failures;  // address -> failures
  std::map<std::string, uint64_t> probes;    // address -> scanner connections
  std::vector<std::string> logins;           // user@address/method, in time order
  std::vector<std::string> rules;            // rule ids that fire, sorted
};

void PrintTo(const Expected& x, std::ostream* os) { *os << x.fixture; }

class FixtureTest : public ::testing::TestWithParam<Expected> {
 protected:
  void SetUp() override { testing::use_utc(); }
  ScratchDir dir;
};

TEST_P(FixtureTest, ReadsEveryKind) {
  const Expected& x = GetParam();
  std::ifstream in(std::string(HOSTWARD_SOURCE_DIR) + "/tests/authlog/fixtures/" + x.fixture);
  ASSERT_TRUE(in) << x.fixture;
  std::stringstream content;
  content << in.rdbuf();
  const auto j = judge({dir.write(x.fixture, content.str())}, kNow);
  EXPECT_TRUE(j.run.errors.empty()) << j.run.errors.front();
  EXPECT_EQ(j.run.summary.events, x.events);
  std::map<std::string, uint64_t> failures, probes;
  for (const auto& [address, a] : j.run.summary.by_address) {
    if (a.failures > 0) failures[address] = a.failures;
    if (a.probes > 0) probes[address] = a.probes;
  }
  EXPECT_EQ(failures, x.failures);
  EXPECT_EQ(probes, x.probes);
  std::vector<std::string> logins;
  for (const auto& l : j.run.summary.logins)
    logins.push_back(std::string(l.user) + "@" + std::string(l.address) + "/" +
                     std::string(l.method));
  EXPECT_EQ(logins, x.logins);
  std::vector<std::string> rules;
  for (const auto& f : j.findings) rules.push_back(f.rule);
  std::sort(rules.begin(), rules.end());
  EXPECT_EQ(rules, x.rules);
}

INSTANTIATE_TEST_SUITE_P(
    OpenSsh, FixtureTest,
    ::testing::Values(
        Expected{"openssh-6.log",
                 17,
                 {{"192.0.2.61", 5}, {"192.0.2.65", 1}, {"192.0.2.66", 1}},
                 {{"192.0.2.60", 1}, {"192.0.2.62", 1}, {"192.0.2.63", 1}, {"192.0.2.64", 1}},
                 {"deploy@192.0.2.70/publickey"},
                 {"auth.ssh-brute-force"}},
        Expected{"openssh-7.log",
                 14,
                 {{"198.51.100.61", 4}},
                 {{"198.51.100.60", 1},
                  {"198.51.100.61", 1},
                  {"198.51.100.62", 1},
                  {"198.51.100.63", 1},
                  {"198.51.100.64", 1},
                  {"198.51.100.65", 1}},
                 {"bob@198.51.100.70/keyboard-interactive/pam"},
                 {"auth.password-login"}},
        Expected{
            "openssh-8.log",
            15,
            {{"203.0.113.62", 6}},
            {{"203.0.113.61", 1}, {"203.0.113.62", 1}, {"203.0.113.63", 1}, {"203.0.113.64", 1}},
            {"root@203.0.113.62/password"},
            {"auth.login-after-failures", "auth.root-login", "auth.ssh-brute-force"}},
        Expected{
            "openssh-9.log",
            13,
            {{"2001:db8::61", 4}},
            {{"2001:db8::60", 1}, {"2001:db8::61", 1}, {"2001:db8::62", 1}, {"2001:db8::63", 1}},
            {"alice@2001:db8::70/publickey", "alice@2001:db8::71/password"},
            {"auth.password-login"}},
        Expected{"rfc5424.log",
                 3,
                 {{"203.0.113.80", 2}},
                 {},
                 {"alice@203.0.113.81/password"},
                 {"auth.password-login"}},
        Expected{"iso8601.log",
                 3,
                 {{"203.0.113.90", 2}},
                 {},
                 {"root@203.0.113.91/publickey"},
                 {"auth.root-login"}}),
    [](const auto& info) {
      std::string name = info.param.fixture;
      for (auto& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return name;
    });

}  // namespace
}  // namespace hostward::authlog

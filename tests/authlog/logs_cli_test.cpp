// hostward logs and scan --only auth, run as a user would.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "auth_test_support.h"

namespace hostward::authlog {
namespace {

using testing::ScratchDir;

struct Output {
  std::string out;
  int status = -1;
};

Output run(const std::string& args) {
  Output o;
  const std::string cmd = "TZ=UTC " HOSTWARD_BIN " " + args;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 65536> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) o.out.append(buf.data(), n);
  const int st = ::pclose(p);
  o.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return o;
}

std::string fixture(const ScratchDir& dir, const std::string& name) {
  std::ifstream in(std::string(HOSTWARD_SOURCE_DIR) + "/tests/authlog/fixtures/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return dir.write(name, s.str());
}

TEST(LogsCli, JsonListsEveryEventAndTheFindings) {
  ScratchDir dir;
  const auto o =
      run("logs --format json --now 2026-11-28T21:00:00Z --file " + fixture(dir, "openssh-8.log"));
  EXPECT_EQ(o.status, 1);  // a critical finding, --fail-on high
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["schema"], "hostward/v1");
  ASSERT_EQ(j["events"].size(), 15u);
  EXPECT_EQ(j["events"][0]["kind"], "disconnect");
  EXPECT_EQ(j["events"][0]["address"], "203.0.113.60");
  EXPECT_EQ(j["events"][0]["line"], 2);
  const auto& failed = j["events"][3];
  EXPECT_EQ(failed["kind"], "failed_auth");
  EXPECT_EQ(failed["user"], "oracle");
  EXPECT_EQ(failed["invalid_user"], true);
  EXPECT_EQ(failed["failure"], true);
  EXPECT_EQ(failed["port"], 52002);
  EXPECT_EQ(failed["pid"], 4003);
  EXPECT_EQ(j["auth"]["failures"], 6);
  EXPECT_EQ(j["auth"]["failing_addresses"], 1);
  std::set<std::string> rules;
  for (const auto& f : j["findings"]) rules.insert(f["rule"].get<std::string>());
  EXPECT_EQ(rules, (std::set<std::string>{"auth.login-after-failures", "auth.root-login",
                                          "auth.ssh-brute-force"}));
  EXPECT_TRUE(j["errors"].empty());
}

TEST(LogsCli, ReadsStdinAndPrintsATimeline) {
  ScratchDir dir;
  const auto o =
      run("logs --timeline --color never --fail-on critical --now "
          "2026-11-28T21:00:00Z --file - < " +
          fixture(dir, "iso8601.log"));
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.out.find("2026-11-28 20:00:00  failures  2 failure(s) from 203.0.113.90 until "
                       "20:00:01\n                               (users: admin)\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("2026-11-28 20:00:02  login     root from 203.0.113.91 by publickey"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("auth.root-login"), std::string::npos);
}

TEST(LogsCli, BadInputIsAnErrorEntryBadUsageExitsTwo) {
  ScratchDir dir;
  const auto missing = run("logs --format json --file " + dir.path() + "/none.log");
  EXPECT_EQ(missing.status, 0);
  const auto j = nlohmann::json::parse(missing.out);
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_EQ(j["errors"][0]["collector"], "logs");
  EXPECT_TRUE(j["events"].empty());
  const auto bad = run("logs --now yesterday 2>&1");
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(std::count(bad.out.begin(), bad.out.end(), '\n'), 1) << bad.out;
}

TEST(LogsCli, ScanRunsTheAuthArea) {
  const auto o = run("scan --only auth --format json --fail-on critical");
  EXPECT_TRUE(o.status == 0 || o.status == 1) << o.out;
  const auto j = nlohmann::json::parse(o.out);
  for (const auto& f : j["findings"]) EXPECT_EQ(f["rule"].get<std::string>().substr(0, 5), "auth.");
  const auto rules = run("rules");
  for (const char* id : {"auth.ssh-brute-force", "auth.login-after-failures", "auth.root-login",
                         "auth.password-login", "auth.login-records-missing"})
    EXPECT_NE(rules.out.find(id), std::string::npos) << id;
}

}  // namespace
}  // namespace hostward::authlog

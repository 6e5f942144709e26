// hostward lint as a user and a code-scanning tool run it: text like a
// compiler, hostward/v1 JSON, SARIF that Microsoft's validator accepts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "integration/support.h"
#include "lint_test_support.h"

namespace hostward::lint {
namespace {

using hostward::itest::run_command;
using hostward::itest::run_hostward;
using testing::fixture;
using testing::TempTree;

TEST(LintCli, TextIsOneCompilerLinePerFindingWithTheLineAndACaret) {
  const auto r = run_hostward({"lint", "--color", "never", fixture("seed/before")});
  EXPECT_EQ(r.exit_code, 1);
  const std::string p = fixture("seed/before/setup-database.yml");
  EXPECT_NE(r.out.find(p + ":6:13: high ci.port-published-all-interfaces postgresql port 5432 of "
                           "docker run (postgres:16) is published on all interfaces "
                           "(\"${PG_PORT}:5432\"); bind it to 127.0.0.1 [fixable]\n"
                           "            -p \"${PG_PORT}:5432\" \\\n"
                           "                ^\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(p + ":7:12: critical ci.database-no-auth "), std::string::npos);
  EXPECT_NE(r.out.find("4 findings (1 critical, 1 high, 2 medium) in 2 files\n"),
            std::string::npos);
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
}

TEST(LintCli, ExitCodesFollowFailOn) {
  EXPECT_EQ(run_hostward({"lint", fixture("seed/after")}).exit_code, 1);  // high trust on loopback
  EXPECT_EQ(run_hostward({"lint", "--fail-on", "critical", fixture("seed/after")}).exit_code, 0);
  EXPECT_EQ(run_hostward({"lint", "--fail-on", "critical", fixture("seed/before")}).exit_code, 1);
  const auto missing = run_hostward({"lint", "/nonexistent/hostward-lint"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("/nonexistent/hostward-lint: no such file or folder"),
            std::string::npos);
}

TEST(LintCli, JsonIsAHostwardReportWithFilePositions) {
  const auto r = run_hostward({"lint", "--format", "json", fixture("seed/before")});
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "hostward/v1");
  EXPECT_EQ(j["summary"]["critical"], 1);
  EXPECT_EQ(j["lint"]["files"], 2);
  ASSERT_EQ(j["findings"].size(), 4u);
  const auto& f = j["findings"][3];
  EXPECT_EQ(f["rule"], "ci.database-no-auth");
  EXPECT_EQ(f["severity"], "critical");
  EXPECT_EQ(f["subject"]["kind"], "file");
  EXPECT_EQ(f["subject"]["path"], fixture("seed/before/setup-database.yml"));
  EXPECT_EQ(f["subject"]["line"], 7);
  EXPECT_EQ(f["subject"]["column"], 12);
  EXPECT_EQ(f["subject"]["snippet"], "        -e POSTGRES_HOST_AUTH_METHOD=trust \\");
  EXPECT_EQ(f["evidence"]["published_on_all_interfaces"], true);
  EXPECT_EQ(f["attack"], (nlohmann::json{"T1078", "T1190"}));
  EXPECT_EQ(f["fingerprint"].get<std::string>().size(), 32u);
}

TEST(LintCli, SecretsNeverReachTheOutput) {
  const auto r = run_hostward({"lint", "--format", "json", fixture("rules/secret/fire")});
  for (const char* secret : {"correct-horse-battery", "sk_live_abcdefghijklmnopqrstuvwx",
                             "Pa55word!", "wJalrXUtnFEMI", "dckr_pat_abcdefghijklmnopqrstuvwx"})
    EXPECT_EQ(r.out.find(secret), std::string::npos) << secret;
}

// Microsoft's SARIF validator (npm @microsoft/sarif-multitool), installed by
// scripts/install-deps.sh test. It exits 0 even on invalid files, so its
// own SARIF output is read: no result at level error or warning.
std::string multitool() {
  if (const char* p = std::getenv("HOSTWARD_SARIF_MULTITOOL")) return p;
  return "/opt/hostward-tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool";
}

TEST(LintCli, SarifPassesMicrosoftsValidator) {
  if (::access(multitool().c_str(), X_OK) != 0)
    GTEST_SKIP() << "SARIF validator not installed at " << multitool()
                 << " (scripts/install-deps.sh test installs it)";
  TempTree t;
  const auto r = run_hostward({"lint", "--format", "sarif", fixture("rules")});
  ASSERT_EQ(r.exit_code, 1);
  const auto sarif = nlohmann::json::parse(r.out);
  ASSERT_GT(sarif["runs"][0]["results"].size(), 40u);
  t.write("hostward.sarif", r.out);
  const std::string verdict = t.path() + "/verdict.sarif";
  const auto v = run_command({multitool(), "validate", t.path() + "/hostward.sarif", "--quiet",
                              "true", "--output", verdict, "--log", "ForceOverwrite"},
                             std::chrono::seconds(120));
  ASSERT_EQ(v.exit_code, 0) << v.out << v.err;
  const auto out = nlohmann::json::parse(t.read("verdict.sarif"));
  const auto& results = out["runs"][0]["results"];
  EXPECT_TRUE(results.empty()) << results.dump(2);
}

TEST(LintCli, SarifResultsPointAtTheFile) {
  const auto r = run_hostward({"lint", "--format", "sarif", fixture("seed/before")});
  const auto s = nlohmann::json::parse(r.out);
  EXPECT_EQ(s["version"], "2.1.0");
  const auto& run = s["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), 8u);
  const auto& res = run["results"][2];
  EXPECT_EQ(res["ruleId"], "ci.port-published-all-interfaces");
  EXPECT_EQ(run["tool"]["driver"]["rules"][res["ruleIndex"].get<int>()]["id"], res["ruleId"]);
  EXPECT_EQ(res["level"], "error");
  // relative to the working directory (%SRCROOT%), or to / when outside it
  const auto& loc = res["locations"][0]["physicalLocation"];
  const std::string base = loc["artifactLocation"]["uriBaseId"];
  ASSERT_TRUE(run["originalUriBaseIds"].contains(base)) << base;
  EXPECT_EQ(run["originalUriBaseIds"][base]["uri"].get<std::string>() +
                loc["artifactLocation"]["uri"].get<std::string>(),
            "file://" + fixture("seed/before/setup-database.yml"));
  EXPECT_EQ(loc["region"]["startLine"], 6);
  EXPECT_EQ(loc["region"]["startColumn"], 13);
}

}  // namespace
}  // namespace hostward::lint

// The binary's contracts: exit codes, one-line errors, formats, --from.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "hunt/snapshot_builder.h"
#include "support.h"

namespace hostward::itest {
namespace {

using namespace hostward::testing;

std::string write_snapshot(const TempDir& dir, const host::Snapshot& s,
                           const std::string& name = "snap.json") {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << host::snapshot_to_json(s).dump();
  return path;
}

host::Snapshot seed_snapshot() {
  auto miner = deleted(proc(779680, 774094, "mysql", "/tmp/mysql"));
  miner.cpu_percent = 249;
  return snapshot({proc(773014, 1, "postgres", "/usr/lib/postgresql/16/bin/postgres"),
                   deleted(proc(774094, 773014, "init", "/tmp/init")), miner});
}

TEST(Cli, Version) {
  const auto r = run_hostward({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("hostward 0.", 0), 0u) << r.out;
}

TEST(Cli, RulesListsTheCatalog) {
  const auto r = run_hostward({"rules", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0);
  const auto rules = nlohmann::json::parse(r.out);
  std::set<std::string> ids;
  for (const auto& rule : rules) {
    ids.insert(rule["id"].get<std::string>());
    EXPECT_FALSE(rule["attack"].empty()) << rule["id"];
    EXPECT_FALSE(rule["rationale"].get<std::string>().empty());
  }
  EXPECT_EQ(ids, (std::set<std::string>{"process.database-spawned-child",
                                        "process.deleted-executable",
                                        "process.hidden",
                                        "process.high-cpu",
                                        "process.masquerade",
                                        "process.memfd-executable",
                                        "process.miner-indicators",
                                        "process.world-writable-executable",
                                        "process.respawn-loop",
                                        "ci.database-no-auth",
                                        "ci.docker-socket-mount",
                                        "ci.hardcoded-secret",
                                        "ci.host-network",
                                        "ci.missing-timeout",
                                        "ci.port-published-all-interfaces",
                                        "ci.privileged-container",
                                        "ci.remote-script-pipe",
                                        "network.exposed-service",
                                        "network.docker-api-exposed",
                                        "network.firewall-bypassed-by-docker",
                                        "network.miner-connection",
                                        "network.unauthenticated-service",
                                        "network.password-auth-exposed",
                                        "auth.ssh-brute-force",
                                        "auth.login-after-failures",
                                        "auth.root-login",
                                        "auth.password-login",
                                        "auth.login-records-missing",
                                        "config.ssh-root-login",
                                        "config.ssh-password-auth",
                                        "config.postgres-trust-auth",
                                        "config.postgres-listen-all",
                                        "config.no-brute-force-protection",
                                        "config.firewall-not-persistent",
                                        "config.ufw-allows-risky-port",
                                        "config.docker-tcp-socket",
                                        "config.docker-group-members",
                                        "config.tmp-exec-allowed",
                                        "config.cron-world-writable",
                                        "config.suid-in-world-writable",
                                        "secrets.shell-history"}));
  const auto text = run_hostward({"rules"});
  EXPECT_NE(text.out.find("process.memfd-executable             critical  T1620,T1027"),
            std::string::npos)
      << text.out;
}

TEST(Cli, UsageErrorsExitTwoWithOneLine) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"scan", "--bogus"},
                                                                {"scan", "--fail-on", "severe"},
                                                                {"scan", "--only", "kernel"},
                                                                {},
                                                                {"frobnicate"}}) {
    const auto r = run_hostward(args);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(args);
    EXPECT_EQ(r.err.rfind("hostward: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(Cli, FromSnapshotExitCodesFollowFailOn) {
  TempDir dir;
  const auto seed = write_snapshot(dir, seed_snapshot());
  auto r = run_hostward({"scan", "--from", seed, "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["schema"], "hostward/v1");
  EXPECT_EQ(findings_for(report, "process.deleted-executable", 779680).size(), 1u);
  EXPECT_EQ(report["incidents"][0]["severity"], "critical");
  EXPECT_EQ(run_hostward({"scan", "--from", seed, "--fail-on", "critical"}).exit_code,
            1);  // the incident

  auto upgraded = proc(900, 1, "nginx", "/usr/sbin/nginx");
  upgraded.exe_state = ExeState::replaced;
  const auto low = write_snapshot(dir, snapshot({upgraded}), "low.json");
  EXPECT_EQ(run_hostward({"scan", "--from", low}).exit_code, 0);
  EXPECT_EQ(run_hostward({"scan", "--from", low, "--fail-on", "low"}).exit_code, 1);
  EXPECT_EQ(run_hostward({"scan", "--from", seed, "--only", "network"}).exit_code, 0);
}

TEST(Cli, BadSnapshotAndConfigAreOneLineErrors) {
  TempDir dir;
  const std::string garbage = dir.path() + "/garbage.json";
  std::ofstream(garbage) << "{\"schema\":\"hostward-snapshot/v1\",\"processes\":[{\"pid\":\"x\"}]}";
  const std::string config = dir.path() + "/bad.yaml";
  std::ofstream(config) << "hunt: [\n";
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"scan", "--from", dir.path() + "/missing.json"},
                                             {"scan", "--from", garbage},
                                             {"scan", "--sample-ms", "0", "--config", config}}) {
    const auto r = run_hostward(args);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(args) << r.out;
    EXPECT_EQ(r.err.rfind("hostward: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(Cli, PsShowsTheAnnotatedTree) {
  TempDir dir;
  const auto r =
      run_hostward({"ps", "--from", write_snapshot(dir, seed_snapshot()), "--color", "never"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(
      r.out.find(
          "   └─ /tmp/mysql  [database-spawned-child, deleted-executable, high-cpu, masquerade, "
          "world-writable-executable]"),
      std::string::npos)
      << r.out;
}

TEST(Cli, SnapshotFileIsPrivateAndNeverFollowsALink) {
  TempDir dir;
  const std::string file = dir.path() + "/snap.json";
  const auto from = write_snapshot(dir, seed_snapshot(), "in.json");
  ASSERT_EQ(run_hostward({"ps", "--from", from, "--save-snapshot", file}).exit_code, 0);
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string target = dir.path() + "/victim";
  std::ofstream(target) << "keep";
  const std::string link = dir.path() + "/link.json";
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  const auto r = run_hostward({"ps", "--from", from, "--save-snapshot", link});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("symlink"), std::string::npos) << r.err;
  std::ifstream in(target);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "keep");
}

TEST(Cli, SavedSnapshotReproducesTheScan) {
  TempDir dir;
  const std::string saved = dir.path() + "/live.json";
  const auto live = run_hostward({"scan", "--only", "process", "--sample-ms", "0", "--format",
                                  "json", "--save-snapshot", saved});
  ASSERT_TRUE(live.exit_code == 0 || live.exit_code == 1) << live.err;
  const auto again = run_hostward({"scan", "--from", saved, "--format", "json"});
  const auto a = nlohmann::json::parse(live.out);
  const auto b = nlohmann::json::parse(again.out);
  std::set<std::string> fa, fb;
  for (const auto& f : a["findings"]) fa.insert(f["fingerprint"]);
  for (const auto& f : b["findings"]) fb.insert(f["fingerprint"]);
  EXPECT_EQ(fa, fb);
}

}  // namespace
}  // namespace hostward::itest

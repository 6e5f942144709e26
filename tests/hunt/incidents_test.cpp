#include <gtest/gtest.h>

#include "hunt/snapshot_builder.h"

namespace hostward::testing {
namespace {

host::Snapshot seed() {
  auto miner = deleted(proc(779680, 774094, "mysql", "/tmp/mysql"));
  miner.cpu_percent = 249;
  miner.cpu_sampled = true;
  miner.threads = 9;
  miner.start_time = 1773736080 - 7;
  miner.user = "lxd";
  return snapshot({proc(772988, 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2"),
                   proc(773014, 772988, "postgres", "/usr/lib/postgresql/16/bin/postgres"),
                   deleted(proc(774094, 773014, "init", "/tmp/init")), miner,
                   proc(777352, 773014, "postgres", "/usr/lib/postgresql/16/bin/postgres",
                        {"postgres: checkpointer"}),
                   proc(900, 1, "sshd", "/usr/sbin/sshd")});
}

TEST(Incidents, SeedShapeIsOneCriticalIncident) {
  const auto s = seed();
  auto findings = run(s);
  const auto incidents = hunt::group_incidents(s, findings);
  ASSERT_EQ(incidents.size(), 1u);
  const auto& inc = incidents[0];
  EXPECT_EQ(inc.severity, Severity::critical);
  EXPECT_EQ(inc.root_pid, 773014);
  EXPECT_EQ(inc.pids, (std::vector<int>{774094, 779680}));
  for (const char* rule :
       {"process.database-spawned-child", "process.deleted-executable", "process.high-cpu",
        "process.masquerade", "process.world-writable-executable"}) {
    EXPECT_NE(std::find(inc.rules.begin(), inc.rules.end(), rule), inc.rules.end()) << rule;
  }
  for (const auto& f : findings) EXPECT_EQ(f.incident, inc.id) << f.rule << " " << f.title;
  ASSERT_EQ(inc.tree.size(), 3u);
  EXPECT_EQ(inc.tree[0].rfind("postgres 773014", 0), 0u);
  EXPECT_NE(inc.tree[1].find("└─ init 774094"), std::string::npos);
  EXPECT_NE(inc.tree[2].find("└─ mysql 779680 lxd 249% /tmp/mysql (deleted)"), std::string::npos);
}

TEST(Incidents, LowFlaggedParentDoesNotJoin) {
  // A test runner built into a private tree under /tmp (a CI checkout there)
  // starts the planted tree: the incident is the tree, not the runner.
  auto runner = proc(500, 1, "integration_tests", "/tmp/ci/build/integration_tests");
  runner.exe_dirs[2] = {"/tmp/ci", 0, 040755};
  runner.exe_dirs[3] = {"/tmp/ci/build", 0, 040755};
  auto s = snapshot({runner, deleted(proc(501, 500, "init", "/tmp/init")),
                     deleted(proc(502, 501, "mysql", "/tmp/mysql"))});
  auto findings = run(s);
  const auto incidents = hunt::group_incidents(s, findings);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].root_pid, 501);
  EXPECT_EQ(incidents[0].pids, (std::vector<int>{501, 502}));
}

TEST(Incidents, DeepChainsRenderWithoutRecursion) {
  std::vector<ProcessInfo> chain;
  for (int pid = 10; pid < 20010; ++pid)
    chain.push_back(proc(pid, pid - 1 < 10 ? 1 : pid - 1, "sh", "/usr/bin/dash"));
  const auto s = snapshot(chain);
  const std::string out = hunt::render_process_tree(s, {}, {});
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 20002);  // header, init, the chain
  EXPECT_NE(out.find("[+19975] "), std::string::npos);         // indentation is capped
}

TEST(Incidents, UnrelatedSingleFindingsStayLoose) {
  auto s = snapshot({proc(10, 1, "xmrig", "/opt/xmrig/xmrig"),
                     proc(20, 1, "sshd", "/usr/bin/python3", {"sshd"})});
  auto findings = run(s);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_TRUE(hunt::group_incidents(s, findings).empty());
  for (const auto& f : findings) EXPECT_TRUE(f.incident.empty());
}

TEST(Incidents, TreeRendersEveryProcessWithFlags) {
  const auto s = seed();
  const auto findings = run(s);
  const std::string out = hunt::render_process_tree(s, findings, {});
  EXPECT_NE(out.find("mysql"), std::string::npos);
  EXPECT_NE(out.find("[database-spawned-child, deleted-executable, high-cpu, masquerade, "
                     "world-writable-executable]"),
            std::string::npos);
  EXPECT_NE(out.find("postgres: checkpointer"), std::string::npos);
}

TEST(Incidents, CyclesInHandMadeSnapshotsDoNotHang) {
  auto s = snapshot({proc(10, 11, "a", "/tmp/a"), proc(11, 10, "b", "/tmp/b")});
  auto findings = run(s);
  EXPECT_NO_THROW(hunt::group_incidents(s, findings));
  EXPECT_NE(hunt::render_process_tree(s, findings, {}).find("/tmp/b"), std::string::npos);
}

TEST(Incidents, ListenerFindingsStayOutButPoolConnectionsJoin) {
  const auto s = snapshot({proc(700, 1, "docker-proxy", "/usr/bin/docker-proxy"),
                           proc(800, 1, "sshd", "/usr/sbin/sshd")});
  Finding exposed, bypass, pool, cpu;
  exposed.rule = "network.exposed-service";
  exposed.severity = Severity::critical;
  exposed.subject = {{"kind", "listener"}, {"pid", 700}, {"port", 5432}};
  bypass = exposed;
  bypass.rule = "network.firewall-bypassed-by-docker";
  bypass.severity = Severity::high;
  std::vector<Finding> findings = {exposed, bypass};
  EXPECT_TRUE(hunt::group_incidents(s, findings).empty());
  pool.rule = "network.miner-connection";
  pool.severity = Severity::critical;
  pool.subject = {{"kind", "connection"}, {"pid", 800}};
  cpu.rule = "process.high-cpu";
  cpu.severity = Severity::high;
  cpu.subject = {{"kind", "process"}, {"pid", 800}};
  findings = {pool, cpu};
  ASSERT_EQ(hunt::group_incidents(s, findings).size(), 1u);
}

}  // namespace
}  // namespace hostward::testing

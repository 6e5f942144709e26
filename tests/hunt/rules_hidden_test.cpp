#include <gtest/gtest.h>

#include "hunt/snapshot_builder.h"

namespace hostward::testing {
namespace {

const char* kRule = "process.hidden";

TEST(Hidden, UnlistedProcessIsCritical) {
  auto s = snapshot({proc(100, 1, "bash", "/usr/bin/bash")});
  s.unlisted.push_back({4242, 4242, "diamorphine", "kill(0) answered, /proc/4242 reachable"});
  const auto f = of_rule(run(s), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(pid_of(f[0]), 4242);
  EXPECT_EQ(f[0].severity, Severity::critical);
  EXPECT_EQ(f[0].evidence["found_by"], "kill(0) answered, /proc/4242 reachable");
}

TEST(Hidden, ThreadOfAListedProcessIsNormal) {
  auto s = snapshot({proc(100, 1, "java", "/usr/bin/java")});
  s.unlisted.push_back({101, 100, "java", "kill(0) answered"});
  EXPECT_TRUE(of_rule(run(s), kRule).empty());
}

TEST(Hidden, ThreadOfAnUnlistedProcessReportsItsProcess) {
  auto s = snapshot({proc(100, 1, "bash", "/usr/bin/bash")});
  s.unlisted.push_back({5001, 5000, "miner", "kill(0) answered"});
  const auto f = of_rule(run(s), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(pid_of(f[0]), 5000);
}

}  // namespace
}  // namespace hostward::testing

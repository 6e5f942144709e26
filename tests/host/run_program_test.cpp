#include "host/run_program.h"

#include <gtest/gtest.h>

#include <chrono>

namespace hostward::host {
namespace {

TEST(RunProgram, OutputExitCodeAndCleanEnvironment) {
  const auto r =
      run_program({"/bin/sh", "-c", "echo out; echo err >&2; echo \"$HOME|$LC_ALL\"; exit 3"});
  EXPECT_TRUE(r.ran);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n|C\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(RunProgram, ChildThatClosesItsPipesAndLingersIsKilledAtTheDeadline) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_program({"/bin/sh", "-c", "exec >&- 2>&-; sleep 30"}, 300);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
}

TEST(RunProgram, OutputIsCapped) {
  const auto r = run_program({"/bin/sh", "-c", "head -c 100000 /dev/zero"}, 5000, 1000);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.out.size(), 1000u);
  EXPECT_EQ(r.exit_code, 0);
}

TEST(RunProgram, MissingProgramIsAnError) {
  const auto r = run_program({"/nonexistent/iptables-save"});
  EXPECT_FALSE(r.ran);
  EXPECT_NE(r.error.find("/nonexistent/iptables-save"), std::string::npos);
}

}  // namespace
}  // namespace hostward::host

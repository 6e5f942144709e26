#include <gtest/gtest.h>

#include "hunt/snapshot_builder.h"

namespace hostward::testing {
namespace {

ProcessInfo memfd(int pid, const std::string& name, const std::string& comm) {
  auto p = proc(pid, 1, comm, "/memfd:" + name + " (deleted)");
  p.exe_state = ExeState::memfd;
  p.exe_path = p.exe;
  return p;
}

TEST(MemfdExecutable, FiresCritical) {
  const auto f =
      of_rule(run(snapshot({memfd(30, "hwtest-payload", "payload")})), "process.memfd-executable");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(pid_of(f[0]), 30);
  EXPECT_EQ(f[0].severity, Severity::critical);
  EXPECT_EQ(f[0].evidence["memfd_name"], "hwtest-payload");
}

TEST(MemfdExecutable, RuncSelfCloneIsAllowed) {
  const auto f = run(snapshot({memfd(31, "runc_cloned:/proc/self/exe", "runc:[1:CHILD]")}));
  EXPECT_TRUE(of_rule(f, "process.memfd-executable").empty());
}

TEST(MemfdExecutable, RuncsNameOnAnotherProgramFires) {
  const auto f = run(snapshot({memfd(34, "runc_cloned:/proc/self/exe", "kworker")}));
  EXPECT_EQ(of_rule(f, "process.memfd-executable").size(), 1u);
}

TEST(MemfdExecutable, NotForAFileNamedLikeAMemfd) {
  // nlink != 0: the collector calls it present, so the rule must stay silent.
  auto p = proc(32, 1, "x", "/memfd:x (deleted)");
  const auto f = run(snapshot({p}));
  EXPECT_TRUE(of_rule(f, "process.memfd-executable").empty());
}

TEST(MemfdExecutable, AllowListFromConfig) {
  HuntConfig c;
  c.memfd_allow = {"sealed-*"};
  EXPECT_TRUE(
      of_rule(run(snapshot({memfd(33, "sealed-91", "agent")}), c), "process.memfd-executable")
          .empty());
}

}  // namespace
}  // namespace hostward::testing

#include <gtest/gtest.h>

#include "hunt/snapshot_builder.h"

namespace hostward::testing {
namespace {

TEST(DeletedExecutable, FiresHighWhenGone) {
  const auto f = of_rule(run(snapshot({deleted(proc(779680, 1, "mysql", "/tmp/mysql"))})),
                         "process.deleted-executable");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(pid_of(f[0]), 779680);
  EXPECT_EQ(f[0].severity, Severity::high);
  EXPECT_EQ(f[0].evidence["state"], "gone");
  EXPECT_EQ(f[0].evidence["recoverable_from"], "/proc/779680/exe");
  EXPECT_EQ(f[0].attack, (std::vector<std::string>{"T1070.004", "T1620"}));
}

TEST(DeletedExecutable, LowWhenReplacedByUpgrade) {
  auto p = proc(900, 1, "nginx", "/usr/sbin/nginx");
  p.exe = "/usr/sbin/nginx (deleted)";
  p.exe_state = ExeState::replaced;
  const auto f = of_rule(run(snapshot({p})), "process.deleted-executable");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::low);
  EXPECT_EQ(f[0].evidence["state"], "replaced");
}

TEST(DeletedExecutable, ReplacedInTmpStaysHigh) {
  // A dropper that re-downloads its payload to the same /tmp path "replaces" it too.
  auto p = proc(903, 1, "mysql", "/tmp/mysql");
  p.exe = "/tmp/mysql (deleted)";
  p.exe_state = ExeState::replaced;
  const auto f = of_rule(run(snapshot({p})), "process.deleted-executable");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::high);
}

TEST(DeletedExecutable, SilentForPresentMemfdAndKernelThreads) {
  auto literal = proc(901, 1, "tool", "/opt/tool (deleted)");  // a file really named so
  auto memfd = proc(902, 1, "x", "/memfd:x (deleted)");
  memfd.exe_state = ExeState::memfd;
  const auto f = run(snapshot({literal, memfd, kernel_thread(3, "kworker/0:1")}));
  EXPECT_TRUE(of_rule(f, "process.deleted-executable").empty());
}

TEST(DeletedExecutable, FingerprintIgnoresPid) {
  const auto a = of_rule(run(snapshot({deleted(proc(100, 1, "mysql", "/tmp/mysql"))})),
                         "process.deleted-executable");
  const auto b = of_rule(run(snapshot({deleted(proc(200, 1, "mysql", "/tmp/mysql"))})),
                         "process.deleted-executable");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].fingerprint, b[0].fingerprint);
}

}  // namespace
}  // namespace hostward::testing

#include <gtest/gtest.h>

#include "hunt/snapshot_builder.h"

namespace hostward::testing {
namespace {

const char* kRule = "process.world-writable-executable";

TEST(WorldWritable, DirectlyInTmpIsHigh) {
  const auto f = of_rule(run(snapshot({proc(10, 1, "mysql", "/tmp/mysql")})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(pid_of(f[0]), 10);
  EXPECT_EQ(f[0].severity, Severity::high);
  EXPECT_EQ(f[0].evidence["writable_dir"], "/tmp");
}

TEST(WorldWritable, DevShmAndDeletedToo) {
  const auto f = of_rule(
      run(snapshot({proc(11, 1, "x", "/dev/shm/x"), deleted(proc(12, 1, "y", "/var/tmp/y"))})),
      kRule);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].severity, Severity::high);
  EXPECT_EQ(f[1].severity, Severity::high);
}

TEST(WorldWritable, AnyWorldWritableDirectory) {
  auto p = proc(13, 1, "agent", "/srv/upload/agent");
  p.exe_dirs.back().mode = 040777;
  const auto f = of_rule(run(snapshot({p})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence["writable_dir"], "/srv/upload");
}

TEST(WorldWritable, HiddenSubdirectoryIsHigh) {
  const auto f = of_rule(run(snapshot({proc(14, 1, "x", "/tmp/.ICE-unix/x")})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::high);
}

TEST(WorldWritable, PrivateBuildTreeIsLow) {
  auto p = proc(15, 1, "x.test", "/tmp/go-build123/b001/x.test");
  p.uid = 1000;
  p.exe_dirs[2] = {"/tmp/go-build123", 1000, 040700};
  p.exe_dirs[3] = {"/tmp/go-build123/b001", 1000, 040755};
  const auto f = of_rule(run(snapshot({p})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::low);
}

TEST(WorldWritable, SubtreeOwnedBySomeoneElseIsHigh) {
  auto p = proc(16, 1, "x", "/tmp/shared/x");
  p.uid = 1000;
  p.exe_dirs[2] = {"/tmp/shared", 1001, 040755};
  const auto f = of_rule(run(snapshot({p})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::high);
}

TEST(WorldWritable, InsideAContainerSaysHowItWasSeen) {
  auto p = proc(17, 1, "mysql", "/tmp/mysql");
  p.container_id = std::string(64, 'c');
  const auto f = of_rule(run(snapshot({p})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence["seen_through"], "/proc/17/root");
  EXPECT_EQ(f[0].subject["container_id"], std::string(64, 'c'));
}

TEST(WorldWritable, DirectorySwappedForALinkIsHigh) {
  auto p = deleted(proc(21, 1, "m", "/tmp/x/m"));
  p.uid = 1000;
  p.exe_dirs[2] = {"/tmp/x", 1000, 0120777};  // now a symlink to /usr/lib
  const auto f = of_rule(run(snapshot({p})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::high);
  EXPECT_EQ(f[0].evidence["writable_dir"], "/tmp/x");
}

TEST(WorldWritable, SilentForSystemPathsAllowlistAndMemfd) {
  HuntConfig c;
  c.world_writable_allow = {"/tmp/ci-runner/*"};
  auto memfd = proc(20, 1, "x", "/memfd:x (deleted)");
  memfd.exe_state = ExeState::memfd;
  const auto f = run(snapshot({proc(18, 1, "sleep", "/usr/bin/sleep"),
                               proc(19, 1, "r", "/tmp/ci-runner/r"), memfd}),
                     c);
  EXPECT_TRUE(of_rule(f, kRule).empty());
}

}  // namespace
}  // namespace hostward::testing

#include "watch/respawn.h"

#include <gtest/gtest.h>

namespace hostward::watch {
namespace {

TEST(Respawn, AProgramBroughtBackAfterEachKillIsALoop) {
  RespawnTracker t;
  EXPECT_FALSE(t.started(100, 10, "/tmp/mysql", "/tmp/mysql -o pool", 0.0));
  t.ended(100, true, 5.0);
  EXPECT_FALSE(t.started(101, 10, "/tmp/mysql", "/tmp/mysql -o pool", 5.1));
  t.ended(101, true, 9.0);
  const auto loop = t.started(102, 10, "/tmp/mysql", "/tmp/mysql -o pool", 9.1);
  ASSERT_TRUE(loop);
  EXPECT_EQ(loop->parent, 10);
  EXPECT_EQ(loop->what, "/tmp/mysql");
  EXPECT_EQ(loop->starts, 3);
  EXPECT_EQ(loop->kills, 2);
  t.ended(102, true, 10.0);
  EXPECT_FALSE(t.started(103, 10, "/tmp/mysql", "/tmp/mysql -o pool", 10.1));  // told once
}

TEST(Respawn, ProgramsThatEndOnTheirOwnAreNot) {
  RespawnTracker t;
  for (int i = 0; i < 500; ++i) {  // make running the compiler over and over
    EXPECT_FALSE(
        t.started(1000 + i, 10, "/usr/lib/gcc/cc1plus", "cc1plus f" + std::to_string(i), i * 0.05));
    t.ended(1000 + i, false, i * 0.05 + 0.04);
  }
}

TEST(Respawn, OtherParentsAndOldKillsDoNotCount) {
  RespawnTracker t;
  t.started(1, 10, "/tmp/x", "x", 0);
  t.ended(1, true, 1);
  t.started(2, 11, "/tmp/x", "x", 2);  // another parent
  t.ended(2, true, 3);
  EXPECT_FALSE(t.started(3, 12, "/tmp/x", "x", 4));
  t.started(4, 20, "/tmp/y", "y", 0);
  t.ended(4, true, 1);
  t.started(5, 20, "/tmp/y", "y", 2);
  t.ended(5, true, 3);
  EXPECT_FALSE(t.started(6, 20, "/tmp/y", "y", 200));  // a minute later: the window moved on
}

}  // namespace
}  // namespace hostward::watch

namespace hostward::watch {
namespace {

TEST(Respawn, OneKilledBeforeItCouldBeReadStillCounts) {
  RespawnTracker t;
  t.forked(100, 10);
  EXPECT_FALSE(t.started(100, 10, "/tmp/mysql", "/tmp/mysql", 0.0));
  t.ended(100, true, 0.1);
  t.forked(101, 10);  // its exec was never read: killed at once
  t.ended(101, true, 0.2);
  t.forked(102, 10);
  const auto loop = t.started(102, 10, "/tmp/mysql", "/tmp/mysql", 0.4);
  ASSERT_TRUE(loop);
  EXPECT_EQ(loop->starts, 3);
  EXPECT_EQ(loop->kills, 2);
}

}  // namespace
}  // namespace hostward::watch

namespace hostward::watch {
namespace {

TEST(Respawn, EvenTheFirstKilledBeforeItCouldBeReadCounts) {
  RespawnTracker t;
  t.forked(100, 10);
  t.ended(100, true, 0.1);  // never read: nothing yet says what it ran
  t.forked(101, 10);
  EXPECT_FALSE(t.started(101, 10, "/tmp/mysql", "/tmp/mysql", 0.2));
  t.ended(101, true, 0.3);
  t.forked(102, 10);
  const auto loop = t.started(102, 10, "/tmp/mysql", "/tmp/mysql", 0.4);
  ASSERT_TRUE(loop);
  EXPECT_EQ(loop->kills, 2);
}

}  // namespace
}  // namespace hostward::watch

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "host/proc_parse.h"
#include "watch/exec_check.h"

namespace hostward::watch {
namespace {

TEST(StartTicks, ReadsField22PastAHostileName) {
  std::ifstream in("/proc/self/stat");
  const std::string self((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(read_start_ticks("/proc", static_cast<int>(::getpid())),
            host::parse_stat(self)->starttime);
  const std::string root = "/tmp/hw-starttime-" + std::to_string(::getpid());
  std::filesystem::create_directories(root + "/42");
  std::ofstream(root + "/42/stat")
      << "42 (a) b 1 2 3) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 2\n";
  std::filesystem::create_directories(root + "/43");
  std::ofstream(root + "/43/stat") << "43 (short) S 1\n";
  EXPECT_EQ(read_start_ticks(root, 42), 987654u);
  EXPECT_EQ(read_start_ticks(root, 43), std::nullopt);
  EXPECT_EQ(read_start_ticks(root, 44), std::nullopt);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace hostward::watch

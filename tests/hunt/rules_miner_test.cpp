#include <gtest/gtest.h>

#include "hunt/snapshot_builder.h"

namespace hostward::testing {
namespace {

const char* kRule = "process.miner-indicators";

TEST(Miner, StratumAndXmrigFlags) {
  const auto f = of_rule(
      run(snapshot({proc(
          70, 1, "mysql", "/tmp/mysql",
          {"/tmp/mysql", "-o", "stratum+tcp://pool.example.org:3333", "--donate-level", "1"})})),
      kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(pid_of(f[0]), 70);
  EXPECT_EQ(f[0].severity, Severity::critical);
  const auto marks = f[0].evidence["cmdline_marks"];
  EXPECT_NE(std::find(marks.begin(), marks.end(), "stratum+tcp://"), marks.end());
  EXPECT_NE(std::find(marks.begin(), marks.end(), "--donate-level"), marks.end());
  EXPECT_EQ(f[0].attack, std::vector<std::string>{"T1496"});
}

TEST(Miner, AlgoAndPoolOptions) {
  EXPECT_EQ(of_rule(run(snapshot({proc(71, 1, "x", "/opt/x",
                                       {"x", "-a", "rx/0", "-o", "pool.minexmr.com:4444"})})),
                    kRule)
                .size(),
            1u);
  EXPECT_EQ(
      of_rule(run(snapshot({proc(72, 1, "x", "/opt/x", {"x", "--url=pool.supportxmr.com:443"})})),
              kRule)
          .size(),
      1u);
}

TEST(Miner, KnownMinerName) {
  const auto f = of_rule(run(snapshot({proc(73, 1, "xmrig", "/opt/xmrig/xmrig")})), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence["miner_name"], "xmrig");
}

TEST(Miner, ConnectionToPoolPortOnRemoteAddress) {
  auto s = snapshot(
      {proc(74, 1, "updater", "/usr/local/bin/updater"), proc(75, 1, "psql", "/usr/bin/psql")});
  s.local_addresses = {"192.0.2.10"};
  s.connections.push_back(
      {1, "tcp", "established", "192.0.2.10", 40000, "203.0.113.5", 3333, 1, 0, 74});
  s.connections.push_back(
      {1, "tcp", "established", "127.0.0.1", 40001, "127.0.0.1", 3333, 2, 0, 75});
  s.connections.push_back(
      {1, "tcp", "established", "192.0.2.10", 40002, "192.0.2.10", 3333, 3, 0, 75});
  s.connections.push_back(
      {1, "tcp", "established", "192.0.2.10", 40003, "203.0.113.5", 443, 4, 0, 75});
  const auto f = of_rule(run(s), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(pid_of(f[0]), 74);
  EXPECT_EQ(f[0].evidence["pool_connections"][0]["remote"], "203.0.113.5:3333");
}

TEST(Miner, BuildsAndServiceContainersAreSilent) {
  auto s = snapshot(
      {proc(83, 1, "cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
            {"cc1", "mm/mempool.c", "-o", "mm/mempool.o"}),
       proc(84, 1, "git", "/usr/bin/git", {"git", "clone", "https://github.com/tevador/RandomX"}),
       proc(85, 1, "java", "/usr/bin/java", {"java", "-jar", "tests.jar"})});
  s.connections.push_back(
      {1, "tcp", "established", "172.18.0.1", 40000, "172.18.0.3", 4444, 1, 0, 85});
  s.connections.push_back(
      {1, "tcp", "established", "100.64.0.2", 40001, "100.64.1.1", 3333, 2, 0, 85});
  s.connections.push_back({1, "tcp", "established", "fd00::2", 40002, "fd00::3", 3333, 3, 0, 85});
  EXPECT_TRUE(of_rule(run(s), kRule).empty()) << of_rule(run(s), kRule).front().title;
}

TEST(Miner, OrdinaryProcessesAreSilent) {
  const auto f = run(
      snapshot({proc(80, 1, "cc1plus", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus",
                     {"/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus", "-quiet", "-o", "/tmp/ccX.s"}),
                proc(81, 1, "node", "/usr/bin/node", {"node", "pool.js"}),
                proc(82, 1, "make", "/usr/bin/make", {"make", "-j2"})}));
  EXPECT_TRUE(of_rule(f, kRule).empty());
}

}  // namespace
}  // namespace hostward::testing

// Plants the seed's shapes as real processes and checks that `hostward scan`
// reports each with the exact rule id and pid.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "support.h"

namespace hostward::itest {
namespace {

// The seed: a watchdog named init and a miner named mysql, both in a
// world-writable directory, both deleted after start, the miner burning CPU.
class SeedMiner : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(chmod(dir_.path().c_str(), 01777), 0);
    miner_path_ = dir_.path() + "/mysql";
    const std::string watchdog_path = dir_.path() + "/init";
    copy_executable(helper("hw_burn"), miner_path_);
    copy_executable(helper("hw_watchdog"), watchdog_path);
    watchdog_ = std::make_unique<Spawned>(watchdog_path,
                                          std::vector<std::string>{watchdog_path, miner_path_});
    ASSERT_TRUE(wait_until([&] { return miner_pid() > 0; }));
    // The burner may share a core with the rest of the suite: test the rule's
    // wiring with a threshold any spinning process reaches, not the machine's speed.
    config_ = config_dir_.path() + "/config.yaml";
    std::ofstream(config_) << "hunt:\n  high_cpu_percent: 15\n";
    unlink(watchdog_path.c_str());  // the watchdog deletes the miner itself
  }

  pid_t miner_pid() {
    for (pid_t c : children_of(watchdog_->pid())) {
      if (read_link("/proc/" + std::to_string(c) + "/exe") == miner_path_ + " (deleted)") return c;
    }
    return 0;
  }

  void expect_miner_reported(const nlohmann::json& report, pid_t miner) {
    const int watchdog = watchdog_->pid();
    auto deleted = findings_for(report, "process.deleted-executable", miner);
    ASSERT_EQ(deleted.size(), 1u) << report.dump(1);
    EXPECT_EQ(deleted[0]["severity"], "high");
    EXPECT_EQ(deleted[0]["evidence"]["state"], "gone");
    EXPECT_EQ(deleted[0]["evidence"]["path"], miner_path_);
    auto ww = findings_for(report, "process.world-writable-executable", miner);
    ASSERT_EQ(ww.size(), 1u);
    EXPECT_EQ(ww[0]["severity"], "high");
    EXPECT_EQ(ww[0]["evidence"]["writable_dir"], dir_.path());
    auto masq = findings_for(report, "process.masquerade", miner);
    ASSERT_EQ(masq.size(), 1u);
    EXPECT_EQ(masq[0]["evidence"]["claimed_name"], "mysql");
    EXPECT_EQ(findings_for(report, "process.masquerade", watchdog).size(), 1u);
    EXPECT_EQ(findings_for(report, "process.deleted-executable", watchdog).size(), 1u);
    auto cpu = findings_for(report, "process.high-cpu", miner);
    ASSERT_EQ(cpu.size(), 1u);
    EXPECT_EQ(cpu[0]["severity"], "high");  // raised: its tree has other findings
    // One incident for the whole tree, critical, rooted at the watchdog.
    bool found = false;
    for (const auto& inc : report["incidents"]) {
      const auto pids = inc["pids"].get<std::vector<int>>();
      if (std::find(pids.begin(), pids.end(), miner) == pids.end()) continue;
      found = true;
      EXPECT_EQ(inc["severity"], "critical");
      EXPECT_EQ(inc["root_pid"], watchdog);
      EXPECT_NE(std::find(pids.begin(), pids.end(), watchdog), pids.end());
    }
    EXPECT_TRUE(found) << report["incidents"].dump(1);
  }

  std::vector<std::string> scan_args() { return {"--sample-ms", "700", "--config", config_}; }

  TempDir dir_;
  TempDir config_dir_;
  std::string config_;
  std::string miner_path_;
  std::unique_ptr<Spawned> watchdog_;
};

TEST_F(SeedMiner, ScanReportsTheMinerAndItsWatchdog) {
  const pid_t miner = miner_pid();
  const auto report = scan_json(scan_args());
  expect_miner_reported(report, miner);
}

TEST_F(SeedMiner, RespawnedMinerIsFoundAgain) {
  const pid_t first = miner_pid();
  kill(first, SIGKILL);
  pid_t second = 0;
  ASSERT_TRUE(wait_until([&] {
    second = miner_pid();
    return second > 0 && second != first;
  }));
  const auto report = scan_json(scan_args());
  expect_miner_reported(report, second);
}

TEST_F(SeedMiner, TextReportShowsOneIncidentTree) {
  const auto r =
      run_hostward({"scan", "--only", "process", "--sample-ms", "500", "--color", "never"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("CRITICAL incident"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("└─ mysql " + std::to_string(miner_pid())), std::string::npos) << r.out;
}

TEST(Planted, MemfdExecution) {
  Spawned p(helper("hw_memfd_exec"), {"hw_memfd_exec", "/bin/sleep", "payload", "60"});
  ASSERT_TRUE(wait_until([&] {
    return read_link("/proc/" + std::to_string(p.pid()) + "/exe").rfind("/memfd:", 0) == 0;
  }));
  const auto report = scan_json({"--sample-ms", "0"});
  const auto f = findings_for(report, "process.memfd-executable", p.pid());
  ASSERT_EQ(f.size(), 1u) << report.dump(1);
  EXPECT_EQ(f[0]["severity"], "critical");
  EXPECT_EQ(f[0]["evidence"]["memfd_name"], "hwtest-payload");
}

TEST(Planted, FakeKernelThreadName) {
  Spawned p("/bin/sleep", {"[kworker/0:1-events]", "60"});
  ASSERT_TRUE(wait_until([&] {
    return read_link("/proc/" + std::to_string(p.pid()) + "/exe").find("sleep") !=
           std::string::npos;
  }));
  const auto report = scan_json({"--sample-ms", "0"});
  const auto f = findings_for(report, "process.masquerade", p.pid());
  ASSERT_EQ(f.size(), 1u) << report.dump(1);
  EXPECT_EQ(f[0]["evidence"]["claimed_name"], "[kworker/0:1-events]");
}

TEST(Planted, MinerCommandLine) {
  Spawned p(helper("hw_burn"),
            {"hw_burn", "--seconds", "60", "-o", "stratum+tcp://pool.example.org:3333",
             "--donate-level", "1", "--algo", "rx/0"});
  ASSERT_TRUE(wait_until([&] {
    return read_link("/proc/" + std::to_string(p.pid()) + "/exe").find("hw_burn") !=
           std::string::npos;
  }));
  const auto report = scan_json({"--sample-ms", "0"});
  const auto f = findings_for(report, "process.miner-indicators", p.pid());
  ASSERT_EQ(f.size(), 1u) << report.dump(1);
  EXPECT_EQ(f[0]["severity"], "critical");
  const auto marks = f[0]["evidence"]["cmdline_marks"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(marks.begin(), marks.end(), "stratum+tcp://"), marks.end());
  EXPECT_NE(std::find(marks.begin(), marks.end(), "--algo rx/0"), marks.end());
}

TEST(Planted, HostileNamesAreDefusedInText) {
  // comm, exe path and argv all carry terminal escapes; the finding's title quotes comm.
  TempDir dir;
  const std::string path = dir.path() + "/mi\x1b[2J\x07ner";
  copy_executable(helper("hw_burn"), path);
  Spawned p(path, {"x\x1b]0;owned\x07", "--seconds", "60", "stratum+tcp://pool.example.org:3333"});
  ASSERT_TRUE(
      wait_until([&] { return read_link("/proc/" + std::to_string(p.pid()) + "/exe") == path; }));
  const auto r =
      run_hostward({"scan", "--only", "process", "--sample-ms", "0", "--color", "never"});
  EXPECT_NE(r.out.find("mi\\e[2J\\x07ner (pid " + std::to_string(p.pid()) + ")"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.out.find('\x07'), std::string::npos);
  const auto ps = run_hostward({"ps", "--color", "never"});
  EXPECT_EQ(ps.out.find('\x1b'), std::string::npos);
  EXPECT_NE(ps.out.find("x\\e]0;owned\\x07 --seconds 60 stratum"), std::string::npos);
}

}  // namespace
}  // namespace hostward::itest

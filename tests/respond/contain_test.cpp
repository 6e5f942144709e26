// hostward contain against real adversaries: each scenario 50 times, zero
// respawns, zero survivors, every unrelated process alive afterwards.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "integration/postgres_server.h"
#include "integration/support.h"
#include "respond/freezer.h"
#include "respond/proc_handle.h"

namespace hostward::itest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using respond::start_ticks_of;

constexpr int kRuns = 50;

struct Proc {
  pid_t pid = 0;
  unsigned long long start = 0;
};

Proc proc_of(pid_t pid) { return {pid, start_ticks_of(pid)}; }

// Alive: same PID, same start time, not a zombie.
bool alive(const Proc& p) {
  const auto st = respond::read_stat(p.pid);
  return st && st->starttime == p.start && st->state != 'Z' && st->state != 'X';
}

// Processes whose image lies in `dir` (the copied adversaries), zombies excluded.
std::vector<pid_t> running_from(const std::string& dir) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string exe = read_link(e.path().string() + "/exe");
    if (exe.rfind(dir + "/", 0) != 0) continue;
    const auto st = respond::read_stat(std::stoi(name));
    if (st && st->state != 'Z') out.push_back(std::stoi(name));
  }
  return out;
}

// A directory under /tmp holding copies of the adversary: a payload's place.
struct PayloadDir {
  TempDir dir{"/tmp/hwtest-contain."};
  std::string adversary;
  PayloadDir() {
    chmod(dir.path().c_str(), 0755);
    adversary = dir.path() + "/kdevtmpfsi";
    copy_executable(helper("hw_adversary"), adversary);
    chmod(adversary.c_str(), 0755);
  }
};

// Unrelated processes that must outlive every containment: a sibling of the
// adversary, and another user's process. (Not the adversary's own binary:
// a build tree under /tmp makes that a payload with the payload's hash, and
// --tree rightly takes it.)
struct Bystanders {
  Spawned sibling{"/bin/sleep", {"sleep", "600"}};
  Spawned other_user{
      "/usr/bin/setpriv",
      {"setpriv", "--reuid=4242", "--regid=4242", "--clear-groups", "/bin/sleep", "600"}};
  Proc a, b;
  Bystanders() {
    wait_until([&] {
      return read_link("/proc/" + std::to_string(other_user.pid()) + "/exe") == "/usr/bin/sleep";
    });
    a = proc_of(sibling.pid());
    b = proc_of(other_user.pid());
  }
  bool all_alive() const { return alive(a) && alive(b); }
};

json contain(pid_t pid, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"contain", std::to_string(pid), "--no-evidence", "--watch-s",
                                   "0.3",     "--format",          "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_hostward(args);
  json j = json::parse(r.out, nullptr, false);
  j["exit_code"] = r.exit_code;
  if (j.is_discarded()) ADD_FAILURE() << r.out << r.err;
  return j;
}

pid_t first_child(pid_t pid) {
  pid_t child = 0;
  wait_until([&] {
    const auto kids = children_of(pid);
    child = kids.empty() ? 0 : kids.front();
    return child != 0;
  });
  return child;
}

void expect_contained(const json& r, int run) {
  EXPECT_EQ(r["exit_code"], 0) << "run " << run << ": " << r.dump();
  EXPECT_EQ(r["result"], "contained") << "run " << run;
  EXPECT_EQ(r["respawns"].size(), 0u) << "run " << run << ": " << r["respawns"].dump();
}

class Contain : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "contain freezes and kills processes: needs root";
  }
};

TEST_F(Contain, RefusesInitKernelThreadsAndItsOwnAncestors) {
  for (const auto& [pid, reason] : std::vector<std::pair<pid_t, std::string>>{
           {1, "PID 1 (init) is never a target"},
           {2, "a kernel thread is never a target"},
           {getpid(), "an ancestor of hostward (the shell running it) is never a target"}}) {
    const json r = contain(pid);
    EXPECT_EQ(r["exit_code"], 2) << pid;
    ASSERT_EQ(r["refused"].size(), 1u) << r.dump();
    EXPECT_EQ(r["refused"][0]["reason"], reason);
    EXPECT_TRUE(r["targets"].empty());
  }
}

TEST_F(Contain, DryRunTouchesNothing) {
  PayloadDir payload;
  Spawned w(payload.adversary, {"kdevtmpfsi", "respawn", "1000", payload.adversary, "sleep"});
  const pid_t child = first_child(w.pid());
  const Proc c = proc_of(child);
  const json r = contain(child, {"--tree", "--dry-run"});
  EXPECT_EQ(r["exit_code"], 0);
  ASSERT_EQ(r["targets"].size(), 2u) << r.dump();
  EXPECT_EQ(r["targets"][0]["pid"], w.pid());
  EXPECT_EQ(r["targets"][0]["role"], "ancestor");
  EXPECT_EQ(r["targets"][1]["action"], "would freeze, then kill");
  EXPECT_TRUE(alive(c));
  EXPECT_NE(respond::read_stat(child)->state, 'T');
}

// A watchdog that restarts its child 1 ms after each death.
TEST_F(Contain, WatchdogRespawningWithin1msNeverComesBack) {
  PayloadDir payload;
  Bystanders bystanders;
  for (int run = 0; run < kRuns; ++run) {
    Spawned w(payload.adversary, {"kdevtmpfsi", "respawn", "1000", payload.adversary, "sleep"});
    const Proc watchdog = proc_of(w.pid());
    const pid_t child = first_child(w.pid());
    const json r = contain(child, {"--tree"});
    expect_contained(r, run);
    EXPECT_FALSE(alive(watchdog)) << "run " << run;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(running_from(payload.dir.path()).empty()) << "run " << run;
    ASSERT_TRUE(bystanders.all_alive()) << "run " << run;
    if (HasFailure()) break;
  }
}

TEST_F(Contain, SignalStopFallbackAlsoHoldsTheWatchdog) {
  PayloadDir payload;
  Bystanders bystanders;
  for (int run = 0; run < 10; ++run) {
    Spawned w(payload.adversary, {"kdevtmpfsi", "respawn", "1000", payload.adversary, "sleep"});
    const pid_t child = first_child(w.pid());
    const json r = contain(child, {"--tree", "--no-cgroups"});
    expect_contained(r, run);
    EXPECT_EQ(r["freezer"], "sigstop");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(running_from(payload.dir.path()).empty()) << "run " << run;
    ASSERT_TRUE(bystanders.all_alive());
    if (HasFailure()) break;
  }
}

TEST_F(Contain, V1FreezerAlsoHoldsTheWatchdog) {
  std::ifstream mounts("/proc/self/mountinfo");
  const std::string text(std::istreambuf_iterator<char>(mounts), {});
  if (text.find(" - cgroup cgroup ") == std::string::npos ||
      text.find("freezer") == std::string::npos)
    GTEST_SKIP() << "no cgroup v1 freezer hierarchy on this host";
  PayloadDir payload;
  Bystanders bystanders;
  for (int run = 0; run < 10; ++run) {
    Spawned w(payload.adversary, {"kdevtmpfsi", "respawn", "1000", payload.adversary, "sleep"});
    const pid_t child = first_child(w.pid());
    const json r = contain(child, {"--tree", "--freezer", "cgroup-v1"});
    expect_contained(r, run);
    EXPECT_EQ(r["freezer"], "cgroup-v1-freezer");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(running_from(payload.dir.path()).empty()) << "run " << run;
    ASSERT_TRUE(bystanders.all_alive());
    if (HasFailure()) break;
  }
}

// A contain killed halfway leaves its group frozen; the next one thaws it,
// hands its processes back and removes it.
TEST_F(Contain, AGroupLeftFrozenByAKilledContainIsReleased) {
  std::ifstream mountinfo("/proc/self/mountinfo");
  const auto mounts =
      respond::find_cgroup_mounts(std::string(std::istreambuf_iterator<char>(mountinfo), {}));
  if (mounts.unified.empty()) GTEST_SKIP() << "no cgroup v2 hierarchy";
  const std::string stale = mounts.unified + "/hostward-contain-4194300-1";
  ASSERT_EQ(mkdir(stale.c_str(), 0700), 0) << strerror(errno);
  std::ofstream(stale + "/cgroup.freeze") << "1";
  Spawned sleeper("/bin/sleep", {"sleep", "60"});
  std::ofstream(stale + "/cgroup.procs") << sleeper.pid();
  ASSERT_TRUE(wait_until([&] {
    std::ifstream e(stale + "/cgroup.events");
    return std::string(std::istreambuf_iterator<char>(e), {}).find("frozen 1") != std::string::npos;
  }));
  PayloadDir payload;
  Spawned target(payload.adversary, {"kdevtmpfsi", "sleep"});
  const json r = contain(target.pid());
  expect_contained(r, 0);
  EXPECT_NE(r.value("freezer_notes", std::string()).find("released hostward-contain-4194300-1"),
            std::string::npos)
      << r.dump();
  EXPECT_FALSE(fs::exists(stale));
  std::ifstream cg("/proc/" + std::to_string(sleeper.pid()) + "/cgroup");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(cg), {}).find("hostward-contain"),
            std::string::npos);
  if (fs::exists(stale)) {  // leave nothing frozen behind, whatever happened
    std::ofstream(stale + "/cgroup.freeze") << "0";
    std::ofstream(mounts.unified + "/cgroup.procs") << sleeper.pid();
    rmdir(stale.c_str());
  }
}

// The miner double-forks and calls setsid: its copy runs outside the tree,
// in another session, adopted by init. --tree finds it by its executable.
TEST_F(Contain, DoubleForkedSetsidEscapeeIsFoundByItsExecutable) {
  PayloadDir payload;
  Bystanders bystanders;
  for (int run = 0; run < kRuns; ++run) {
    Spawned w(payload.adversary, {"kdevtmpfsi", "respawn", "1000", payload.adversary, "escape"});
    const pid_t miner = first_child(w.pid());
    // Wait for the escapee: running from the payload, parent neither the watchdog nor the miner.
    pid_t escapee = 0;
    ASSERT_TRUE(wait_until([&] {
      for (pid_t p : running_from(payload.dir.path())) {
        const auto st = respond::read_stat(p);
        if (st && p != w.pid() && p != miner && st->ppid != miner && st->ppid != w.pid())
          escapee = p;
      }
      return escapee != 0;
    })) << "run "
        << run;
    const json r = contain(miner, {"--tree"});
    expect_contained(r, run);
    bool found = false;
    for (const auto& t : r["targets"]) {
      if (t["pid"] == escapee) {
        found = true;
        EXPECT_EQ(t["role"], "escaped");
        EXPECT_NE(t["why"].get<std::string>().find("runs the same executable as"),
                  std::string::npos);
      }
    }
    EXPECT_TRUE(found) << "run " << run << ": " << r.dump();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(running_from(payload.dir.path()).empty()) << "run " << run;
    ASSERT_TRUE(bystanders.all_alive());
    if (HasFailure()) break;
  }
}

// Forks without end, bounded by RLIMIT_NPROC=150. Each run has its own user:
// the killed ones wait for init to reap them, and they would count against the next.
TEST_F(Contain, ForkingWithoutEndIsFrozenAndKilledWhole) {
  PayloadDir payload;
  Bystanders bystanders;
  for (int run = 0; run < kRuns; ++run) {
    Spawned bomb(payload.adversary, {"kdevtmpfsi", "forkbomb", "150", std::to_string(50000 + run)});
    ASSERT_TRUE(wait_until([&] { return running_from(payload.dir.path()).size() >= 20; }))
        << "run " << run;
    const json r = contain(bomb.pid());
    expect_contained(r, run);
    EXPECT_GE(r["targets"].size(), 20u);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(running_from(payload.dir.path()).empty()) << "run " << run;
    ASSERT_TRUE(bystanders.all_alive());
    if (HasFailure()) break;
  }
}

// A PID that ended and was given to another process after contain read it:
// the handle refuses it, and a signal through an old handle never reaches the newcomer.
TEST_F(Contain, RecycledPidIsNeverSignalled) {
  const std::string last_pid = "/proc/sys/kernel/ns_last_pid";
  if (access(last_pid.c_str(), W_OK) != 0) GTEST_SKIP() << "cannot steer PID allocation here";
  int recycled = 0;
  for (int run = 0; run < kRuns; ++run) {
    const pid_t first = fork();
    if (first == 0) {
      pause();
      _exit(0);
    }
    const Proc old = proc_of(first);
    // Start times count clock ticks: a newcomer in the same tick would be
    // indistinguishable by PID and start time (the held pidfd still is).
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::string error;
    auto held = respond::PidHandle::open({old.pid, old.start}, error);
    ASSERT_TRUE(held) << error;
    kill(first, SIGKILL);
    waitpid(first, nullptr, 0);
    std::ofstream(last_pid) << first - 1;
    const pid_t second = fork();
    if (second == 0) {
      pause();
      _exit(0);
    }
    if (second == first) {
      ++recycled;
      EXPECT_NE(start_ticks_of(second), old.start);
      EXPECT_FALSE(respond::PidHandle::open({old.pid, old.start}, error));
      EXPECT_FALSE(held->send(SIGKILL, error));
      EXPECT_FALSE(held->still_ours());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      EXPECT_TRUE(alive(proc_of(second))) << "run " << run;
    }
    kill(second, SIGKILL);
    waitpid(second, nullptr, 0);
  }
  EXPECT_GT(recycled, kRuns / 2);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The seed: PostgreSQL as PID 1 of its own PID namespace, a watchdog dropped
// by COPY ... TO PROGRAM and adopted by the postmaster, respawning its child.
TEST_F(Contain, DatabaseSurvivesContainmentOfItsChildren) {
  PostgresServer pg;
  PostgresConfig config;
  config.pid_namespace = true;
  if (!pg.start(config)) GTEST_SKIP() << pg.why_not();
  PayloadDir payload;
  Bystanders bystanders;
  const Proc postmaster = proc_of(pg.postmaster_pid());
  PGconn* session = PQconnectdb(pg.conninfo().c_str());
  ASSERT_EQ(PQstatus(session), CONNECTION_OK) << PQerrorMessage(session);
  PGconn* attacker = PQconnectdb(pg.conninfo().c_str());
  ASSERT_EQ(PQstatus(attacker), CONNECTION_OK);
  // The program reads what COPY writes first: else COPY may fail with EPIPE.
  const std::string drop = "COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; setsid " +
                           payload.adversary + " respawn 1000 " + payload.adversary +
                           " sleep </dev/null >/dev/null 2>&1 &'";
  const auto find_watchdog = [&]() -> pid_t {
    for (pid_t p : running_from(payload.dir.path())) {
      const auto st = respond::read_stat(p);
      if (st && st->ppid == postmaster.pid && !children_of(p).empty()) return p;
    }
    return 0;
  };
  for (int run = 0; run < kRuns; ++run) {
    PGresult* res = PQexec(attacker, drop.c_str());
    ASSERT_EQ(PQresultStatus(res), PGRES_COMMAND_OK) << PQerrorMessage(attacker);
    PQclear(res);
    pid_t watchdog = 0;
    ASSERT_TRUE(wait_until([&] { return (watchdog = find_watchdog()) != 0; })) << "run " << run;
    const pid_t child = children_of(watchdog).front();
    const json r = contain(child, {"--tree"});
    expect_contained(r, run);
    for (const auto& t : r["targets"]) {
      EXPECT_TRUE(t["quiet_exit"].get<bool>()) << t.dump();
      EXPECT_EQ(t["action"], "exit(1) through ptrace");
      EXPECT_EQ(t["anchor"]["pid"], postmaster.pid);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(running_from(payload.dir.path()).empty()) << "run " << run;
    EXPECT_TRUE(alive(postmaster)) << "run " << run;
    PGresult* q = PQexec(session, "SELECT 1");
    EXPECT_EQ(PQresultStatus(q), PGRES_TUPLES_OK)
        << "run " << run << ": " << PQerrorMessage(session);
    PQclear(q);
    ASSERT_TRUE(bystanders.all_alive());
    if (HasFailure()) break;
  }
  const std::string log = slurp(pg.log_path());
  EXPECT_EQ(log.find("terminating any other active server processes"), std::string::npos) << log;
  EXPECT_EQ(log.find("was terminated by signal"), std::string::npos) << log;

  // The oracle can fail: kill -9 of such a child sends the server into recovery.
  PGresult* res = PQexec(attacker, drop.c_str());
  PQclear(res);
  pid_t watchdog = 0;
  ASSERT_TRUE(wait_until([&] { return (watchdog = find_watchdog()) != 0; }));
  kill(watchdog, SIGKILL);
  EXPECT_TRUE(wait_until([&] {
    return slurp(pg.log_path()).find("terminating any other active server processes") !=
           std::string::npos;
  })) << slurp(pg.log_path());
  for (pid_t p : running_from(payload.dir.path())) kill(p, SIGKILL);
  PQfinish(attacker);
  PQfinish(session);
}

}  // namespace
}  // namespace hostward::itest

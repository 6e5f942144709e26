#include "respond/target_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hostward::respond {
namespace {

using host::DirFact;
using host::ExeState;

// An installed program: root-owned directories, nothing world-writable.
ProcessInfo installed(int pid, int ppid, const std::string& exe, const std::string& comm) {
  ProcessInfo p;
  p.pid = pid;
  p.ppid = ppid;
  p.pgrp = pid;
  p.session = pid;
  p.comm = comm;
  p.exe = exe;
  p.exe_path = exe;
  p.exe_state = ExeState::present;
  p.start_ticks = 1000 + static_cast<unsigned long long>(pid);
  p.cgroup = "/system.slice/x.service";
  std::string dir;
  p.exe_dirs.push_back({"/", 0, 040755});
  for (size_t i = 1; i < exe.size(); ++i) {
    if (exe[i] != '/') continue;
    p.exe_dirs.push_back({exe.substr(0, i), 0, 040755});
  }
  return p;
}

// A payload in /tmp, deleted after it started.
ProcessInfo payload(int pid, int ppid, const std::string& comm) {
  ProcessInfo p = installed(pid, ppid, "/tmp/" + comm, comm);
  p.exe = "/tmp/" + comm + " (deleted)";
  p.exe_state = ExeState::deleted;
  p.exe_dirs = {{"/", 0, 040755}, {"/tmp", 0, 041777}};
  p.cgroup = "/";
  return p;
}

ProcessInfo with_session(ProcessInfo p, int session, int pgrp) {
  p.session = session;
  p.pgrp = pgrp;
  return p;
}

std::vector<int> pids_of(const TargetPlan& plan) {
  std::vector<int> out;
  for (const auto& t : plan.targets) out.push_back(t.pid);
  return out;
}

const Target& target(const TargetPlan& plan, int pid) {
  for (const auto& t : plan.targets)
    if (t.pid == pid) return t;
  throw std::runtime_error("no target " + std::to_string(pid));
}

// The seed inside its container: postgres as PID 1 of the namespace (here
// 500), the watchdog adopted by it, the miner below the watchdog.
std::vector<ProcessInfo> seed_table() {
  return {installed(1, 0, "/usr/lib/systemd/systemd", "systemd"),
          installed(2, 0, "", "kthreadd"),
          installed(300, 1, "/usr/sbin/sshd", "sshd"),
          installed(310, 300, "/usr/bin/bash", "bash"),
          installed(500, 1, "/usr/lib/postgresql/16/bin/postgres", "postgres"),
          installed(501, 500, "/usr/lib/postgresql/16/bin/postgres", "postgres"),
          with_session(payload(600, 500, "mysql"), 600, 600),  // the watchdog
          with_session(payload(601, 600, "mysql"), 600, 600),  // the miner
          installed(700, 1, "/usr/bin/sleep", "sleep")};
}

TEST(TargetPlan, NamedProcessAndDescendantsParentsFirst) {
  PlanInput in;
  in.named = {600};
  const auto plan = plan_targets(seed_table(), in);
  EXPECT_EQ(pids_of(plan), (std::vector<int>{600, 601}));
  EXPECT_EQ(target(plan, 600).role, TargetRole::named);
  EXPECT_EQ(target(plan, 601).role, TargetRole::descendant);
}

TEST(TargetPlan, TreeClimbsToTheDatabaseServerAndStopsThere) {
  PlanInput in;
  in.named = {601};
  in.tree = true;
  const auto plan = plan_targets(seed_table(), in);
  EXPECT_EQ(pids_of(plan), (std::vector<int>{600, 601}));
  EXPECT_EQ(target(plan, 600).role, TargetRole::ancestor);
  for (int pid : {600, 601}) {
    EXPECT_TRUE(target(plan, pid).quiet_exit) << pid;
    EXPECT_EQ(target(plan, pid).anchor_pid, 500);
  }
}

TEST(TargetPlan, WithoutTreeTheParentIsLeftAlone) {
  PlanInput in;
  in.named = {601};
  const auto plan = plan_targets(seed_table(), in);
  EXPECT_EQ(pids_of(plan), (std::vector<int>{601}));
  // Its parent, the watchdog, reaps it: a signal is fine, the database never sees it.
  EXPECT_FALSE(target(plan, 601).quiet_exit);
  EXPECT_EQ(target(plan, 601).anchor_pid, 600);
}

TEST(TargetPlan, ChildOfInitIsKilledNotExitedQuietly) {
  auto table = seed_table();
  table.push_back(with_session(payload(800, 1, "kworkerd"), 800, 800));
  PlanInput in;
  in.named = {800};
  const auto plan = plan_targets(table, in);
  ASSERT_EQ(pids_of(plan), (std::vector<int>{800}));
  EXPECT_FALSE(target(plan, 800).quiet_exit);
  EXPECT_EQ(target(plan, 800).anchor_pid, 1);
}

TEST(TargetPlan, RefusesInitKernelThreadsAndItself) {
  auto table = seed_table();
  table.push_back(installed(900, 310, "/usr/bin/hostward", "hostward"));
  PlanInput in;
  in.named = {1, 2, 900, 310, 4242};
  in.self_pid = 900;
  in.never = {900, 310, 300, 1};
  const auto plan = plan_targets(table, in);
  EXPECT_TRUE(plan.targets.empty());
  ASSERT_EQ(plan.refused.size(), 5u);
  EXPECT_EQ(plan.refused[0].reason, "PID 1 (init) is never a target");
  EXPECT_EQ(plan.refused[1].reason, "a kernel thread is never a target");
  EXPECT_EQ(plan.refused[2].reason, "hostward itself is never a target");
  EXPECT_EQ(plan.refused[3].reason,
            "an ancestor of hostward (the shell running it) is never a target");
  EXPECT_EQ(plan.refused[4].reason, "no such process");
}

TEST(TargetPlan, AnyProcessRunningHostwardsOwnImageIsRefused) {
  auto table = seed_table();
  table.push_back(installed(910, 1, "/usr/local/bin/hostward", "hostward"));  // a watch
  PlanInput in;
  in.named = {910};
  in.hostward = {910};
  const auto plan = plan_targets(table, in);
  EXPECT_TRUE(plan.targets.empty());
  ASSERT_EQ(plan.refused.size(), 1u);
  EXPECT_EQ(plan.refused[0].reason, "hostward itself is never a target");
}

TEST(TargetPlan, HostwardBelowATargetIsNeverTaken) {
  auto table = seed_table();
  table.push_back(installed(900, 601, "/usr/bin/hostward", "hostward"));
  PlanInput in;
  in.named = {600};
  in.self_pid = 900;
  in.never = {900};
  const auto plan = plan_targets(table, in);
  EXPECT_EQ(pids_of(plan), (std::vector<int>{600, 601}));
}

TEST(TargetPlan, TreeStopsAtTheShellOfALoggedInUser) {
  auto table = seed_table();
  table.push_back(with_session(payload(820, 310, "xmrig"), 310, 820));
  PlanInput in;
  in.named = {820};
  in.tree = true;
  const auto plan = plan_targets(table, in);
  EXPECT_EQ(pids_of(plan), (std::vector<int>{820}));
  EXPECT_EQ(target(plan, 820).anchor_pid, 310);
  // The user's session is led by the shell: sharing it ties nothing to the intrusion.
}

TEST(TargetPlan, AShellUnderAPayloadIsPartOfTheIntrusion) {
  auto table = seed_table();
  table.push_back(with_session(payload(830, 1, "kdevtmp"), 830, 830));
  table.push_back(with_session(installed(831, 830, "/usr/bin/bash", "bash"), 830, 830));
  table.push_back(with_session(payload(832, 831, "miner"), 830, 830));
  PlanInput in;
  in.named = {832};
  in.tree = true;
  const auto plan = plan_targets(table, in);
  EXPECT_EQ(pids_of(plan), (std::vector<int>{830, 831, 832}));
}

TEST(TargetPlan, TreeStopsBelowAServiceTheIntrusionCameOutOf) {
  auto table = seed_table();
  table.push_back(installed(850, 1, "/usr/sbin/nginx", "nginx"));    // master
  table.push_back(installed(851, 850, "/usr/sbin/nginx", "nginx"));  // worker
  table.push_back(installed(852, 850, "/usr/sbin/nginx", "nginx"));  // another worker
  table.push_back(installed(853, 851, "/usr/bin/dash", "sh"));       // RCE: sh -c
  table.push_back(with_session(payload(854, 853, "kinsing"), 850, 850));
  PlanInput in;
  in.named = {854};
  in.tree = true;
  const auto plan = plan_targets(table, in);
  EXPECT_EQ(pids_of(plan), (std::vector<int>{853, 854}));
  EXPECT_EQ(target(plan, 853).anchor_pid, 851);
}

TEST(TargetPlan, AnInterpreterServiceIsAnAnchorItsWorkerIsNot) {
  auto table = seed_table();
  table.push_back(installed(860, 1, "/usr/bin/python3.11", "gunicorn"));    // master
  table.push_back(installed(861, 860, "/usr/bin/python3.11", "gunicorn"));  // worker
  table.push_back(installed(862, 860, "/usr/bin/python3.11", "gunicorn"));  // worker
  table.push_back(with_session(payload(863, 861, "xmrig"), 860, 860));
  PlanInput in;
  in.named = {863};
  in.tree = true;
  const auto plan = plan_targets(table, in);
  EXPECT_EQ(pids_of(plan), (std::vector<int>{861, 863}));
  EXPECT_EQ(target(plan, 861).anchor_pid, 860);
}

TEST(TargetPlan, LoginsAndDatabasesBelowATargetAreSpared) {
  auto table = seed_table();
  table.push_back(with_session(payload(870, 1, "kdevtmp"), 870, 870));
  table.push_back(with_session(installed(871, 870, "/usr/bin/sudo", "sudo"), 870, 870));
  table.push_back(with_session(installed(872, 871, "/usr/bin/bash", "bash"), 870, 870));
  table.push_back(with_session(
      installed(873, 870, "/usr/lib/postgresql/16/bin/postgres", "postgres"), 870, 870));
  table.push_back(with_session(payload(874, 870, "miner"), 870, 870));
  PlanInput in;
  in.named = {870};
  const auto plan = plan_targets(table, in);
  EXPECT_EQ(pids_of(plan), (std::vector<int>{870, 874}));
  ASSERT_EQ(plan.refused.size(), 2u);
  EXPECT_EQ(plan.refused[0].reason, "below a target, but outside the intrusion (sudo): left alone");
  EXPECT_EQ(plan.refused[1].pid, 873);
}

TEST(TargetPlan, PayloadNamedSshdIsNoAnchor) {
  auto table = seed_table();
  table.push_back(with_session(payload(840, 1, "sshd"), 840, 840));
  table.push_back(with_session(payload(841, 840, "mysql"), 840, 840));
  PlanInput in;
  in.named = {841};
  in.tree = true;
  const auto plan = plan_targets(table, in);
  EXPECT_EQ(pids_of(plan), (std::vector<int>{840, 841}));
}

TEST(TargetPlan, EscapeesBySessionAndProcessGroup) {
  auto table = seed_table();
  // Double-forked out of the watchdog's tree (parent init), still in its session.
  table.push_back(with_session(payload(650, 1, "sleeper"), 600, 650));
  // Moved into the watchdog's process group.
  table.push_back(with_session(installed(651, 1, "/usr/bin/sleep", "sleep"), 651, 600));
  PlanInput in;
  in.named = {601};
  in.tree = true;
  const auto plan = plan_targets(table, in);
  EXPECT_EQ(pids_of(plan), (std::vector<int>{600, 650, 651, 601}));
  EXPECT_EQ(target(plan, 650).why, "shares session 600");
  EXPECT_EQ(target(plan, 651).why, "shares process group 600");
  EXPECT_FALSE(target(plan, 650).quiet_exit);  // adopted by init: a signal is fine
}

TEST(TargetPlan, EscapeeByExecutableHashOnlyForPayloads) {
  auto table = seed_table();
  table.push_back(with_session(payload(660, 1, "other"), 660, 660));  // same bytes, new session
  table.push_back(with_session(installed(661, 1, "/usr/bin/bash", "bash"), 661, 661));
  PlanInput in;
  in.named = {601};
  in.tree = true;
  int asked_for_bash = 0;
  in.exe_hash = [&](const ProcessInfo& p) {
    if (p.comm == "bash") ++asked_for_bash;
    return p.exe_path.rfind("/tmp/", 0) == 0 ? std::string(64, 'a') : std::string(64, 'b');
  };
  const auto plan = plan_targets(table, in);
  EXPECT_TRUE(plan.contains(660));
  EXPECT_EQ(target(plan, 660).role, TargetRole::escaped);
  EXPECT_NE(target(plan, 660).why.find("runs the same executable as"), std::string::npos);
  EXPECT_FALSE(plan.contains(661));
  EXPECT_EQ(asked_for_bash, 0);  // an installed program is never hashed: it ties nothing
}

TEST(TargetPlan, CgroupSharedWithTheDatabaseDoesNotCount) {
  auto table = seed_table();
  for (auto& p : table)
    if (p.pid == 500 || p.pid == 501 || p.pid == 600 || p.pid == 601) p.cgroup = "/docker/abc";
  table.push_back(with_session(
      installed(670, 500, "/usr/lib/postgresql/16/bin/postgres", "postgres"), 670, 670));
  table.back().cgroup = "/docker/abc";
  PlanInput in;
  in.named = {601};
  in.tree = true;
  const auto plan = plan_targets(table, in);
  EXPECT_EQ(pids_of(plan), (std::vector<int>{600, 601}));
}

TEST(TargetPlan, CgroupOfTheIntrusionAloneCounts) {
  auto table = seed_table();
  for (auto& p : table)
    if (p.pid == 600 || p.pid == 601) p.cgroup = "/user.slice/evil.scope";
  table.push_back(with_session(installed(680, 1, "/usr/bin/sleep", "sleep"), 680, 680));
  table.back().cgroup = "/user.slice/evil.scope";
  PlanInput in;
  in.named = {601};
  in.tree = true;
  const auto plan = plan_targets(table, in);
  EXPECT_TRUE(plan.contains(680));
  EXPECT_EQ(target(plan, 680).why, "shares cgroup /user.slice/evil.scope");
}

}  // namespace
}  // namespace hostward::respond

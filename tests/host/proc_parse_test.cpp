#include "host/proc_parse.h"

#include <gtest/gtest.h>

namespace hostward::host {
namespace {

const char* kStat =
    "779680 (mysql) R 774094 773014 773014 0 -1 4194304 100 0 0 0 26930 3 0 0 20 0 9 0 12345 "
    "2500000000 600000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ParseStat, ReadsFields) {
  const auto st = parse_stat(kStat);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->pid, 779680);
  EXPECT_EQ(st->comm, "mysql");
  EXPECT_EQ(st->state, 'R');
  EXPECT_EQ(st->ppid, 774094);
  EXPECT_EQ(st->pgrp, 773014);
  EXPECT_EQ(st->utime, 26930u);
  EXPECT_EQ(st->stime, 3u);
  EXPECT_EQ(st->num_threads, 9);
  EXPECT_EQ(st->starttime, 12345u);
  EXPECT_EQ(st->rss_pages, 600000);
}

TEST(ParseStat, CommWithParensAndSpaces) {
  const auto st =
      parse_stat("42 (a) (b c) S 1 42 42 0 -1 4194560 1 0 0 0 5 6 0 0 20 0 1 0 99 1000 10 0 0 0\n");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->comm, "a) (b c");
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 1);
  EXPECT_EQ(st->starttime, 99u);
}

TEST(ParseStat, KernelThreadFlag) {
  const auto st =
      parse_stat("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0 0\n");
  ASSERT_TRUE(st);
  EXPECT_NE(st->flags & kPfKthread, 0u);
}

TEST(ParseStat, RejectsGarbage) {
  EXPECT_FALSE(parse_stat(""));
  EXPECT_FALSE(parse_stat("12 (x"));
  EXPECT_FALSE(parse_stat("12 (x) R 1 2"));
  EXPECT_FALSE(parse_stat("x (y) R 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 1 0 0 0"));
  EXPECT_FALSE(
      parse_stat("12 (x) R 1 2 3 0 -1 0 0 0 0 0 99999999999999999999999 0 0 0 0 0 1 0 1 0 0 0"));
}

TEST(ParseStatus, ReadsIdentity) {
  const auto st = parse_status(
      "Name:\tmysql\nUmask:\t0022\nState:\tR (running)\nTgid:\t779680\nNgid:\t0\nPid:\t779680\n"
      "PPid:\t774094\nUid:\t999\t998\t997\t996\nGid:\t100\t101\t102\t103\nThreads:\t9\n");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->name, "mysql");
  EXPECT_EQ(st->tgid, 779680);
  EXPECT_EQ(st->ppid, 774094);
  EXPECT_EQ(st->uid[0], 999u);
  EXPECT_EQ(st->uid[1], 998u);
  EXPECT_EQ(st->gid[1], 101u);
  EXPECT_EQ(st->threads, 9);
  EXPECT_TRUE(st->has_uid);
}

TEST(ParseStatus, PartialAndBad) {
  EXPECT_FALSE(parse_status(""));
  EXPECT_FALSE(parse_status("Tgid:\t1\n"));
  const auto st = parse_status("Name:\tx\nUid:\t1\t2\n");
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->has_uid);
}

TEST(SplitCmdline, NulSeparated) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split_cmdline(std::string("a\0b c\0\0d\0", 9)), (V{"a", "b c", "", "d"}));
  EXPECT_EQ(split_cmdline(std::string("nofinal\0x", 9)), (V{"nofinal", "x"}));
  EXPECT_EQ(split_cmdline("rewritten title with spaces"), V{"rewritten title with spaces"});
  EXPECT_TRUE(split_cmdline("").empty());
}

TEST(ParseCgroup, ContainerIdsOfEachRuntime) {
  const std::string id(64, 'a');
  struct Case {
    std::string text, runtime;
  } cases[] = {
      {"0::/system.slice/docker-" + id + ".scope\n", "docker"},
      {"12:memory:/docker/" + id + "\n0::/\n", "docker"},
      {"0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-" + id + ".scope\n", "containerd"},
      {"0::/kubepods/besteffort/pod1/crio-" + id + ".scope\n", "cri-o"},
      {"0::/machine.slice/libpod-" + id + ".scope/container\n", "podman"},
  };
  for (const auto& c : cases) {
    const auto info = parse_cgroup(c.text);
    EXPECT_EQ(info.container_id, id) << c.text;
    EXPECT_EQ(info.runtime, c.runtime) << c.text;
  }
}

TEST(ParseCgroup, HostProcessesAndHybridHierarchy) {
  auto info = parse_cgroup("0::/user.slice/user-1000.slice/session-3.scope\n");
  EXPECT_EQ(info.path, "/user.slice/user-1000.slice/session-3.scope");
  EXPECT_TRUE(info.container_id.empty());
  info = parse_cgroup("4:memory:/process_api/99b3\n1:cpu:/\n0::/\n");
  EXPECT_EQ(info.path, "/process_api/99b3");
  EXPECT_TRUE(info.container_id.empty());
  // 63 or 65 hex characters are no container id.
  EXPECT_TRUE(parse_cgroup("0::/docker/" + std::string(63, 'b') + "\n").container_id.empty());
  EXPECT_TRUE(parse_cgroup("0::/docker/" + std::string(65, 'b') + "\n").container_id.empty());
}

TEST(ParseNsLink, Inode) {
  EXPECT_EQ(parse_ns_link("pid:[4026531836]"), 4026531836u);
  EXPECT_FALSE(parse_ns_link("pid:[]"));
  EXPECT_FALSE(parse_ns_link("garbage"));
  EXPECT_FALSE(parse_ns_link(""));
}

TEST(ParseBootTime, FromProcStat) {
  EXPECT_EQ(parse_boot_time("cpu 1 2 3\nintr 5\nbtime 1773734400\nprocesses 9\n"), 1773734400);
  EXPECT_EQ(parse_boot_time("btime 7\n"), 7);
  EXPECT_FALSE(parse_boot_time("cpu 1\n"));
  EXPECT_FALSE(parse_boot_time("\nbtime x\n"));
}

TEST(ParsePasswd, FirstEntryWinsBadLinesSkipped) {
  const auto users = parse_passwd(
      "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken\nlxd:x:999:100::/var/lib/lxd:/bin/false\n"
      "toor:x:0:0::/:/bin/sh\nbad:x:notanumber:0::/:/bin/sh\n:x:5:5::/:/bin/sh\n");
  EXPECT_EQ(users.at(0), "root");
  EXPECT_EQ(users.at(999), "lxd");
  EXPECT_EQ(users.size(), 2u);
}

}  // namespace
}  // namespace hostward::host

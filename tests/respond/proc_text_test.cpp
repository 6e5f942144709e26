#include "respond/proc_text.h"

#include <gtest/gtest.h>

#include "respond/freezer.h"

namespace hostward::respond {
namespace {

TEST(ParseMaps, RegionsWithNamesAndSpaces) {
  const auto r = parse_maps(
      "55d0c0a00000-55d0c0a21000 rw-p 00000000 00:00 0                          [heap]\n"
      "7f0000000000-7f0000001000 r-xp 00001000 fd:01 1234   /usr/lib/x (deleted) y\n"
      "7f0000002000-7f0000003000 rw-p 00000000 00:00 0 \n"
      "garbage line\n"
      "7f0000004000-7f0000003000 rw-p 00000000 00:00 0\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].start, 0x55d0c0a00000u);
  EXPECT_EQ(r[0].name, "[heap]");
  EXPECT_TRUE(r[0].writable_anonymous());
  EXPECT_EQ(r[1].inode, 1234u);
  EXPECT_EQ(r[1].name, "/usr/lib/x (deleted) y");
  EXPECT_FALSE(r[1].writable_anonymous());
  EXPECT_TRUE(r[2].writable_anonymous());
}

TEST(ParseProcNet, TcpV4AndV6) {
  const auto v4 = parse_proc_net(
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
      "inode\n"
      "   0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 "
      "31337 1 0000000000000000 100 0 0 10 0\n"
      "   1: 0100007F:9C40 0200A8C0:0D05 01 00000000:00000000 00:00000000 00000000     0        0 "
      "42 1\n"
      "   2: bad\n",
      "tcp");
  ASSERT_EQ(v4.size(), 2u);
  EXPECT_EQ(v4[0].local, "127.0.0.1:5432");
  EXPECT_EQ(v4[0].state, "listen");
  EXPECT_EQ(v4[0].inode, 31337u);
  EXPECT_EQ(v4[1].remote, "192.168.0.2:3333");
  EXPECT_EQ(v4[1].state, "established");
  const auto v6 = parse_proc_net(
      "header\n"
      "   0: B80D0120000000000000000001000000:0016 00000000000000000000000000000000:0000 0A "
      "00000000:00000000 00:00000000 00000000     0        0 77 1\n",
      "tcp6");
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].local, "[2001:db8::1]:22");
}

TEST(ParseProcNet, UdpAndUnix) {
  const auto udp = parse_proc_net(
      "h\n   0: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 9 2\n",
      "udp");
  ASSERT_EQ(udp.size(), 1u);
  EXPECT_EQ(udp[0].state, "unconnected");
  EXPECT_EQ(udp[0].remote, "");
  const auto ux = parse_proc_net(
      "Num       RefCount Protocol Flags    Type St Inode Path\n"
      "0000000000000000: 00000002 00000000 00010000 0001 01 1234 /run/a b.sock\n"
      "0000000000000000: 00000003 00000000 00000000 0001 03 1235\n",
      "unix");
  ASSERT_EQ(ux.size(), 2u);
  EXPECT_EQ(ux[0].local, "/run/a b.sock");
  EXPECT_EQ(ux[0].state, "listen");
  EXPECT_EQ(ux[1].inode, 1235u);
}

TEST(CgroupMounts, HybridAndUnifiedLayouts) {
  const auto hybrid = find_cgroup_mounts(
      "30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
      "31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw\n"
      "35 30 0:31 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n"
      "36 30 0:32 /sub /mnt/bind rw - cgroup2 cgroup2 rw\n");
  EXPECT_EQ(hybrid.unified, "/sys/fs/cgroup/unified");
  EXPECT_EQ(hybrid.v1_freezer, "/sys/fs/cgroup/freezer");
  const auto unified = find_cgroup_mounts("29 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  EXPECT_EQ(unified.unified, "/sys/fs/cgroup");
  EXPECT_EQ(unified.v1_freezer, "");
  EXPECT_EQ(find_cgroup_mounts("junk\n - \n").unified, "");
}

}  // namespace
}  // namespace hostward::respond

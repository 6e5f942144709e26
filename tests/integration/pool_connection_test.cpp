// "The internet" is a network namespace this test makes: a pool on
// 198.51.100.2:3333 behind a veth pair. A process connected to it must be
// reported; one connected to a local port 3333 must not.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "postgres_server.h"
#include "support.h"

namespace hostward::itest {
namespace {

const char* kServer =
    "import socket,sys,time\n"
    "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(4)\n"
    "c=[s.accept() for _ in range(1)]\n"
    "time.sleep(60)\n";
const char* kClient =
    "import socket,sys,time\n"
    "s=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)\n"
    "time.sleep(60)\n";

bool established_to(const std::string& addr_port) {
  const auto r = run_command({"ss", "-Htn", "state", "established"});
  return r.out.find(addr_port) != std::string::npos;
}

TEST(PoolConnection, RemotePoolPortFiresLocalDoesNot) {
  if (!is_root()) GTEST_SKIP() << "needs root to create a network namespace";
  if (!have_program("ip") || !have_program("python3") || !have_program("ss")) {
    GTEST_SKIP() << "needs ip, ss (iproute2) and python3";
  }
  Netns ns;
  ASSERT_TRUE(ns.create()) << ns.error();
  Spawned pool("/usr/bin/ip", {"ip", "netns", "exec", ns.name(), "python3", "-c", kServer,
                               "198.51.100.2", "3333"});
  const std::string local_port = std::to_string(free_loopback_port());
  Spawned local_server("/usr/bin/python3", {"python3", "-c", kServer, "127.0.0.1", local_port});
  ASSERT_TRUE(wait_until([&] {
    return ns.run({"ss", "-Htln"}).out.find("198.51.100.2:3333") != std::string::npos;
  }));
  ASSERT_TRUE(wait_until([&] {
    return run_command({"ss", "-Htln"}).out.find("127.0.0.1:" + local_port) != std::string::npos;
  }));
  Spawned client("/usr/bin/python3", {"python3", "-c", kClient, "198.51.100.2", "3333"});
  Spawned local_client("/usr/bin/python3", {"python3", "-c", kClient, "127.0.0.1", local_port});
  ASSERT_TRUE(wait_until([&] { return established_to("198.51.100.2:3333"); }));
  ASSERT_TRUE(wait_until([&] { return established_to("127.0.0.1:" + local_port); }));

  // The local pair's port counts as a pool port too, so only its locality keeps it quiet.
  TempDir dir;
  const std::string config = dir.path() + "/config.yaml";
  std::ofstream(config) << "hunt:\n  miner_pool_ports: [3333, " << local_port << "]\n";
  const auto report = scan_json({"--sample-ms", "0", "--config", config});
  const auto f = findings_for(report, "process.miner-indicators", client.pid());
  ASSERT_EQ(f.size(), 1u) << report.dump(1);
  EXPECT_EQ(f[0]["severity"], "critical");
  EXPECT_EQ(f[0]["evidence"]["pool_connections"][0]["remote"], "198.51.100.2:3333");
  EXPECT_TRUE(findings_for(report, "process.miner-indicators", pool.pid()).empty());
  EXPECT_TRUE(findings_for(report, "process.miner-indicators", local_client.pid()).empty());
}

}  // namespace
}  // namespace hostward::itest

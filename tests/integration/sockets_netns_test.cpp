// A listener inside a network namespace the test made is found in that
// namespace, with its owning process; 0.0.0.0 and 127.0.0.1 are told apart.
#include <gtest/gtest.h>
#include <unistd.h>

#include "host/collect.h"
#include "host/proc_fs.h"
#include "host/sockets.h"
#include "support.h"

namespace hostward::itest {
namespace {

const char* kListeners =
    "import socket,time\n"
    "a=socket.socket(); a.bind(('0.0.0.0', 5432)); a.listen()\n"
    "b=socket.socket(); b.bind(('127.0.0.1', 6379)); b.listen()\n"
    "time.sleep(60)\n";

TEST(SocketsNetns, ListenersInAnotherNamespaceWithOwners) {
  if (!is_root()) GTEST_SKIP() << "needs root to create a network namespace";
  if (!have_program("ip") || !have_program("python3")) GTEST_SKIP() << "needs ip and python3";
  Netns ns;
  ASSERT_TRUE(ns.create()) << ns.error();
  Spawned server("/usr/bin/ip", {"ip", "netns", "exec", ns.name(), "python3", "-c", kListeners});
  ASSERT_TRUE(wait_until([&] {
    return ns.run({"ss", "-Htln"}).out.find("127.0.0.1:6379") != std::string::npos;
  }));
  host::ProcessReader reader(host::read_clock_facts(), {});
  const auto procs = host::collect_processes(reader, host::list_pids());
  std::vector<CollectorError> errors;
  auto all = host::collect_sockets(procs, {host::kTcpListen, false}, errors);
  host::resolve_owners(all, procs, [](const host::Connection&) { return true; });
  const auto self =
      std::find_if(procs.begin(), procs.end(), [](auto& p) { return p.pid == getpid(); });
  const auto srv =
      std::find_if(procs.begin(), procs.end(), [&](auto& p) { return p.pid == server.pid(); });
  ASSERT_NE(srv, procs.end());
  ASSERT_NE(srv->ns.net, self->ns.net);
  int found = 0;
  for (const auto& c : all) {
    if (c.netns != srv->ns.net) continue;
    if (c.local_port == 5432) {
      EXPECT_EQ(c.local_addr, "0.0.0.0");
      EXPECT_EQ(c.pid, server.pid());
      ++found;
    }
    if (c.local_port == 6379) {
      EXPECT_EQ(c.local_addr, "127.0.0.1");
      EXPECT_EQ(c.pid, server.pid());
      ++found;
    }
  }
  EXPECT_EQ(found, 2);
  // And neither is in our own namespace.
  for (const auto& c : all) {
    if (c.netns == self->ns.net) {
      EXPECT_FALSE(c.local_port == 5432 && c.pid == server.pid());
    }
  }
}

}  // namespace
}  // namespace hostward::itest

// Sockets of this test process, read back through NETLINK_SOCK_DIAG and mapped
// to their owner by the /proc/PID/fd walk.
#include "host/sockets.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "host/collect.h"

namespace hostward::host {
namespace {

struct Socket {
  int fd = -1;
  int port = 0;
  ~Socket() {
    if (fd >= 0) close(fd);
  }
};

void bind_any_port(Socket& s, int family, int type, const char* addr) {
  s.fd = socket(family, type | SOCK_CLOEXEC, 0);
  ASSERT_GE(s.fd, 0);
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    inet_pton(AF_INET, addr, &a->sin_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    inet_pton(AF_INET6, addr, &a->sin6_addr);
    len = sizeof *a;
  }
  ASSERT_EQ(bind(s.fd, reinterpret_cast<sockaddr*>(&ss), len), 0) << addr;
  if (type == SOCK_STREAM) {
    ASSERT_EQ(listen(s.fd, 4), 0);
  }
  getsockname(s.fd, reinterpret_cast<sockaddr*>(&ss), &len);
  s.port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                   : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

const Connection* find(const std::vector<Connection>& all, const std::string& proto,
                       const std::string& state, int local_port) {
  for (const auto& c : all) {
    if (c.proto == proto && c.state == state && c.local_port == local_port) return &c;
  }
  return nullptr;
}

TEST(Sockets, ListenersBoundUdpAndEstablishedWithOwners) {
  Socket loopback, any, v6, udp, client;
  bind_any_port(loopback, AF_INET, SOCK_STREAM, "127.0.0.1");
  bind_any_port(any, AF_INET, SOCK_STREAM, "0.0.0.0");
  bind_any_port(v6, AF_INET6, SOCK_STREAM, "::1");
  bind_any_port(udp, AF_INET, SOCK_DGRAM, "127.0.0.1");
  client.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(loopback.port));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  ASSERT_EQ(connect(client.fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);

  ProcessReader reader(read_clock_facts(), {});
  const auto procs = collect_processes(reader, {getpid()});
  ASSERT_EQ(procs.size(), 1u);
  std::vector<CollectorError> errors;
  auto all = collect_sockets(procs, {kTcpListen | kTcpEstablished, true}, errors);
  EXPECT_TRUE(errors.empty()) << errors.front().message;
  resolve_owners(all, procs, [](const Connection&) { return true; });

  const auto* l = find(all, "tcp", "listen", loopback.port);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->local_addr, "127.0.0.1");
  EXPECT_EQ(l->pid, getpid());
  EXPECT_EQ(l->netns, procs[0].ns.net);
  const auto* a = find(all, "tcp", "listen", any.port);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->local_addr, "0.0.0.0");
  const auto* six = find(all, "tcp", "listen", v6.port);
  ASSERT_NE(six, nullptr);
  EXPECT_EQ(six->local_addr, "::1");
  const auto* u = find(all, "udp", "unconnected", udp.port);
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->pid, getpid());
  // The client side of the established pair: remote is the loopback listener.
  const auto established = std::find_if(all.begin(), all.end(), [&](const Connection& c) {
    return c.proto == "tcp" && c.state == "established" && c.remote_port == loopback.port;
  });
  ASSERT_NE(established, all.end());
  EXPECT_EQ(established->pid, getpid());
  // Nothing asked for, nothing dumped.
  EXPECT_TRUE(collect_sockets(procs, {0, false}, errors).empty());
}

}  // namespace
}  // namespace hostward::host

// The scanner on loopback: listeners this test opens are open, the rest closed.
#include "probe/scanner.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace hostward::probe {
namespace {

int listen_any_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  listen(fd, 512);
  return fd;
}

int port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

TEST(Scanner, OpenAndClosedOnLoopback) {
  std::vector<int> fds, open;
  for (int i = 0; i < 5; ++i) {
    fds.push_back(listen_any_port());
    open.push_back(port_of(fds.back()));
  }
  std::vector<int> ports = open;
  // Neighbours of the open ones, most of them closed.
  for (int p : open) ports.push_back(p == 65535 ? p - 1 : p + 1);
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  std::vector<Host> hosts = {{"127.0.0.1", *exposure::parse_ip("127.0.0.1")}};
  ScanOptions o;
  o.concurrency = 3;  // fewer than the ports: the queue must refill
  const auto results = scan_ports(hosts, ports, o);
  ASSERT_EQ(results.size(), ports.size());
  for (const auto& r : results) {
    const bool expected_open = std::find(open.begin(), open.end(), r.port) != open.end();
    if (expected_open)
      EXPECT_EQ(r.state, PortState::open) << r.port;
    else
      EXPECT_NE(r.state, PortState::filtered) << r.port << " " << r.why;
  }
  for (int fd : fds) close(fd);
}

TEST(Scanner, ThousandsOfPortsWithoutLeakingDescriptors) {
  const int fd = listen_any_port();
  const int port = port_of(fd);
  std::vector<int> ports;
  for (int p = 20000; p < 24000; ++p) ports.push_back(p);
  ports.push_back(port);
  std::vector<Host> hosts = {{"localhost", *exposure::parse_ip("127.0.0.1")}};
  const auto results = scan_ports(hosts, ports, ScanOptions{});
  size_t open = 0;
  for (const auto& r : results) open += r.state == PortState::open;
  EXPECT_GE(open, 1u);
  close(fd);
  // Every socket was closed: the next one we open gets a low descriptor again.
  const int probe = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_LT(probe, 64);
  close(probe);
}

}  // namespace
}  // namespace hostward::probe

#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/finding.h"
#include "host/process.h"

namespace hostward::host {

struct Connection {
  uint64_t netns = 0;
  std::string proto = "tcp";  // tcp or udp
  std::string state;  // tcp: established, syn-sent, listen, ...; udp: unconnected, connected
  std::string local_addr;
  int local_port = 0;
  std::string remote_addr;
  int remote_port = 0;
  uint64_t inode = 0;
  uint32_t uid = 0;
  int pid = 0;          // owner, 0 when not resolved
  bool v6only = false;  // IPv6 only; false on [::] means IPv4 is taken too
};

// Linux TCP state numbers as bits for idiag_states.
constexpr uint32_t kTcpEstablished = 1u << 1;
constexpr uint32_t kTcpSynSent = 1u << 2;
constexpr uint32_t kTcpListen = 1u << 10;

const char* tcp_state_name(int state);

// What to dump: TCP sockets in these states (0: none), and all UDP sockets
// (state "unconnected" for a bound socket, "connected" after connect()).
struct SocketQuery {
  uint32_t tcp_states = 0;
  bool udp = false;
};

// Sockets over NETLINK_SOCK_DIAG, IPv4 and IPv6, in every network namespace
// that one of `processes` is in (joined by setns in a helper thread, so the
// caller's own namespace never changes). Namespaces that cannot be entered add
// an error.
std::vector<Connection> collect_sockets(const std::vector<ProcessInfo>& processes,
                                        const SocketQuery& query,
                                        std::vector<CollectorError>& errors);

// Fills Connection::pid for the connections `wanted` selects, by one walk of
// /proc/PID/fd over the processes that share each connection's namespace.
template <typename Pred>
void resolve_owners(std::vector<Connection>& conns, const std::vector<ProcessInfo>& processes,
                    Pred wanted);
void resolve_owners_of(std::vector<Connection*>& conns, const std::vector<ProcessInfo>& processes);

template <typename Pred>
void resolve_owners(std::vector<Connection>& conns, const std::vector<ProcessInfo>& processes,
                    Pred wanted) {
  std::vector<Connection*> selected;
  for (auto& c : conns) {
    if (wanted(c)) selected.push_back(&c);
  }
  if (!selected.empty()) resolve_owners_of(selected, processes);
}

}  // namespace hostward::host

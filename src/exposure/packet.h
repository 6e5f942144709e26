#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "exposure/ip_address.h"

namespace hostward::exposure {

// One interface of the host as routing sees it.
struct Interface {
  std::string name;
  std::vector<IpAddress> addresses;
  std::vector<IpPrefix> networks;  // the on-link prefix of each address, same order
  bool loopback = false;
};

// The first packet (a TCP SYN, or a UDP datagram) of a new connection, as the
// firewall sees it while it walks the hooks; nat PREROUTING may rewrite it.
struct Packet {
  std::string proto = "tcp";
  IpAddress src;
  IpAddress dst;
  int sport = 40000;
  int dport = 0;
  std::string in_iface;
  std::string out_iface;  // known after routing, on the FORWARD path
  bool routed = false;    // past the routing decision
  // conntrack's view of the new connection
  IpAddress orig_dst;
  int orig_dport = 0;
  bool dnat = false;
  uint32_t mark = 0;
  uint32_t ct_mark = 0;
};

// What the host knows about itself, needed to match addrtype and route.
struct HostView {
  std::vector<Interface> interfaces;
  bool is_local(const IpAddress& a) const;
  // The interface whose on-link prefix holds `a`, "" when none does.
  std::string route_interface(const IpAddress& a) const;
  // The first address of `family` on interface `name`.
  const IpAddress* address_of(const std::string& name, int family) const;
};

}  // namespace hostward::exposure

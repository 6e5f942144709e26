#pragma once
#include <string>

#include "exposure/firewall.h"

namespace hostward::exposure::testing {

// A host with eth0 203.0.113.1/24 (the internet side), docker0 172.17.0.1/16
// and lo, forwarding on.
inline HostView docker_host() {
  HostView h;
  h.interfaces.push_back({"lo",
                          {*parse_ip("127.0.0.1"), *parse_ip("::1")},
                          {*parse_prefix("127.0.0.0/8"), *parse_prefix("::1/128")},
                          true});
  h.interfaces.push_back({"eth0",
                          {*parse_ip("203.0.113.1"), *parse_ip("2001:db8:1::1")},
                          {*parse_prefix("203.0.113.0/24"), *parse_prefix("2001:db8:1::/64")},
                          false});
  h.interfaces.push_back(
      {"docker0", {*parse_ip("172.17.0.1")}, {*parse_prefix("172.17.0.0/16")}, false});
  return h;
}

inline Firewall firewall(const std::string& save, int family = 4) {
  Firewall fw;
  fw.family = family;
  fw.read = true;
  fw.forwarding = true;
  fw.rules = host::parse_iptables_save(save);
  return fw;
}

inline Verdict tcp_any(const Firewall& fw, const HostView& h, int port, int family = 4) {
  FirewallEngine engine(fw, h);
  Target t;
  t.family = family;
  t.dst.family = family;
  t.port = port;
  return engine.from_outside(t);
}

}  // namespace hostward::exposure::testing

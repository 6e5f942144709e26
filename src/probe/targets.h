#pragma once
#include <sys/socket.h>

#include <string>
#include <vector>

#include "exposure/ip_address.h"

namespace hostward::probe {

using exposure::IpAddress;

struct Host {
  std::string name;  // as given ("db1.example", "192.0.2.7"); for a range, the address
  IpAddress address;
};

// Host names (resolved, every address), IPv4/IPv6 literals and CIDR ranges
// ("192.0.2.0/28", network and broadcast excluded for IPv4 shorter than /31).
// More than `max_hosts` in all is an error, as is a name that does not resolve.
// Throws std::invalid_argument with a message for people.
std::vector<Host> expand_targets(const std::vector<std::string>& specs, size_t max_hosts);

// The socket address of host:port, for connect(); returns its length.
socklen_t fill_sockaddr(const IpAddress& a, int port, sockaddr_storage& ss);

// "22,80,8000-8100", "-" (all 65,535), or empty for `default_ports()`.
// Throws std::invalid_argument.
std::vector<int> parse_ports(const std::string& spec);

// The services hostward checks, plus common risky ones.
const std::vector<int>& default_ports();

}  // namespace hostward::probe

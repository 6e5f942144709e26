#pragma once
#include <string>
#include <vector>

#include "core/finding.h"

namespace hostward::host {

struct InterfaceInfo {
  std::string name;
  bool loopback = false;
  std::vector<std::string> addresses;  // "192.0.2.1/24", "2001:db8::1/64"
};

// The interfaces that are up in this process's network namespace, with their
// addresses (getifaddrs).
std::vector<InterfaceInfo> list_interfaces(std::vector<CollectorError>& errors);

// Every address of `interfaces`, without its prefix length.
std::vector<std::string> addresses_of(const std::vector<InterfaceInfo>& interfaces);

}  // namespace hostward::host

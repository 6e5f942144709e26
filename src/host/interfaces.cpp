#include "host/interfaces.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <bit>
#include <cerrno>
#include <cstring>

namespace hostward::host {

namespace {
int prefix_length(const struct sockaddr* mask) {
  if (mask == nullptr) return -1;
  int bits = 0;
  if (mask->sa_family == AF_INET) {
    bits = std::popcount(reinterpret_cast<const sockaddr_in*>(mask)->sin_addr.s_addr);
  } else if (mask->sa_family == AF_INET6) {
    for (uint8_t b : reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr.s6_addr)
      bits += std::popcount(b);
  } else {
    return -1;
  }
  return bits;
}
}  // namespace

std::vector<InterfaceInfo> list_interfaces(std::vector<CollectorError>& errors) {
  std::vector<InterfaceInfo> out;
  struct ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    errors.push_back({"interfaces", std::string("getifaddrs: ") + std::strerror(errno)});
    return out;
  }
  for (auto* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_name == nullptr || !(a->ifa_flags & IFF_UP)) continue;
    const int family = a->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    char buf[INET6_ADDRSTRLEN] = {};
    const void* raw =
        family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr)
            : &reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr;
    inet_ntop(family, raw, buf, sizeof buf);
    int len = prefix_length(a->ifa_netmask);
    if (len < 0) len = family == AF_INET ? 32 : 128;
    InterfaceInfo* iface = nullptr;
    for (auto& i : out)
      if (i.name == a->ifa_name) iface = &i;
    if (iface == nullptr) {
      out.push_back({a->ifa_name, (a->ifa_flags & IFF_LOOPBACK) != 0, {}});
      iface = &out.back();
    }
    iface->addresses.push_back(std::string(buf) + "/" + std::to_string(len));
  }
  freeifaddrs(list);
  return out;
}

std::vector<std::string> addresses_of(const std::vector<InterfaceInfo>& interfaces) {
  std::vector<std::string> out;
  for (const auto& i : interfaces)
    for (const auto& a : i.addresses) out.push_back(a.substr(0, a.find('/')));
  return out;
}

}  // namespace hostward::host

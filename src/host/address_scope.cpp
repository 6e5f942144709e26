#include "host/address_scope.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdint>

namespace hostward::host {

bool is_local_or_private(const std::string& addr, const std::vector<std::string>& locals) {
  in_addr v4{};
  if (inet_pton(AF_INET, addr.c_str(), &v4) == 1) {
    const uint32_t a = ntohl(v4.s_addr);
    const auto in = [a](uint32_t net, int bits) {
      return (a >> (32 - bits)) == (net >> (32 - bits));
    };
    if (in(0x7F000000, 8) || a == 0 || in(0x0A000000, 8) || in(0xAC100000, 12) ||
        in(0xC0A80000, 16) || in(0x64400000, 10) || in(0xA9FE0000, 16)) {
      return true;
    }
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, addr.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6) || IN6_IS_ADDR_UNSPECIFIED(&v6) || IN6_IS_ADDR_LINKLOCAL(&v6) ||
        (v6.s6_addr[0] & 0xFE) == 0xFC) {
      return true;
    }
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      char buf[INET_ADDRSTRLEN] = {};
      inet_ntop(AF_INET, &v6.s6_addr[12], buf, sizeof buf);
      return is_local_or_private(buf, locals);
    }
  }
  return std::find(locals.begin(), locals.end(), addr) != locals.end();
}

}  // namespace hostward::host

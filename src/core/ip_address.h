#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hostward {

struct IpAddress {
  int family = 0;  // 4 or 6
  std::array<uint8_t, 16> bytes{};

  bool operator==(const IpAddress&) const = default;
  std::string str() const;
};

// "10.0.0.0/8", "10.0.0.0/255.0.0.0", "2001:db8::/32", or a bare address (full length).
struct IpPrefix {
  IpAddress address;
  int length = 0;
  bool contains(const IpAddress& a) const;
  std::string str() const;
};

std::optional<IpAddress> parse_ip(std::string_view text);
std::optional<IpPrefix> parse_prefix(std::string_view text);

bool is_loopback(const IpAddress& a);
bool is_unspecified(const IpAddress& a);
// 169.254.0.0/16 or fe80::/10: never routed beyond the link.
bool is_link_local(const IpAddress& a);
// Last address of the prefix (broadcast-like); the first is address itself.
IpAddress last_address(const IpPrefix& p);

}  // namespace hostward

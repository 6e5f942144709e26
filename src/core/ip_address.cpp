#include "core/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace hostward {

namespace {
int width(const IpAddress& a) { return a.family == 4 ? 32 : 128; }

// Mask the address to its first `length` bits.
IpAddress masked(IpAddress a, int length) {
  const int bytes = a.family == 4 ? 4 : 16;
  for (int i = 0; i < bytes; ++i) {
    const int keep = std::max(0, std::min(8, length - i * 8));
    a.bytes[i] &= static_cast<uint8_t>(keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff);
  }
  return a;
}

std::optional<int> mask_length(const IpAddress& mask) {
  const int bytes = mask.family == 4 ? 4 : 16;
  int length = 0;
  bool ended = false;
  for (int i = 0; i < bytes; ++i) {
    for (int bit = 7; bit >= 0; --bit) {
      const bool set = (mask.bytes[i] >> bit) & 1;
      if (set && ended) return std::nullopt;  // not contiguous: not a prefix
      if (set)
        ++length;
      else
        ended = true;
    }
  }
  return length;
}
}  // namespace

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN] = {};
  std::memcpy(buf, text.data(), text.size());
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.family = 4;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) {
    a.family = 6;
    return a;
  }
  return std::nullopt;
}

std::optional<IpPrefix> parse_prefix(std::string_view text) {
  const auto slash = text.find('/');
  const auto addr = parse_ip(text.substr(0, slash));
  if (!addr) return std::nullopt;
  IpPrefix p{*addr, width(*addr)};
  if (slash != std::string_view::npos) {
    const auto rest = text.substr(slash + 1);
    if (rest.empty()) return std::nullopt;
    if (rest.find_first_not_of("0123456789") == std::string_view::npos) {
      if (rest.size() > 3) return std::nullopt;
      const int len = std::stoi(std::string(rest));
      if (len > width(*addr)) return std::nullopt;
      p.length = len;
    } else {
      const auto mask = parse_ip(rest);
      if (!mask || mask->family != addr->family) return std::nullopt;
      const auto len = mask_length(*mask);
      if (!len) return std::nullopt;
      p.length = *len;
    }
  }
  p.address = masked(p.address, p.length);
  return p;
}

bool IpPrefix::contains(const IpAddress& a) const {
  if (a.family != address.family) return false;
  return masked(a, length) == address;
}

std::string IpPrefix::str() const { return address.str() + "/" + std::to_string(length); }

bool is_loopback(const IpAddress& a) {
  if (a.family == 4) return a.bytes[0] == 127;
  static const IpAddress one = *parse_ip("::1");
  if (a == one) return true;
  // ::ffff:127.x.y.z, the v4-mapped loopback
  static const IpPrefix mapped = *parse_prefix("::ffff:127.0.0.0/104");
  return mapped.contains(a);
}

bool is_unspecified(const IpAddress& a) {
  for (uint8_t b : a.bytes)
    if (b != 0) return false;
  return true;
}

bool is_link_local(const IpAddress& a) {
  if (a.family == 4) return a.bytes[0] == 169 && a.bytes[1] == 254;
  return a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

IpAddress last_address(const IpPrefix& p) {
  IpAddress a = p.address;
  const int bytes = a.family == 4 ? 4 : 16;
  for (int i = 0; i < bytes; ++i) {
    const int keep = std::max(0, std::min(8, p.length - i * 8));
    a.bytes[i] |= static_cast<uint8_t>(0xff >> keep);
  }
  return a;
}

}  // namespace hostward

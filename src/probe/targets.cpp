#include "probe/targets.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <stdexcept>

namespace hostward::probe {

namespace {

int to_port(const std::string& s, const std::string& spec) {
  if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("bad port \"" + s + "\" in --ports " + spec);
  const int p = std::stoi(s);
  if (p < 1 || p > 65535) throw std::invalid_argument("port " + s + " is out of 1-65535");
  return p;
}

std::vector<IpAddress> resolve(const std::string& name) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(name.c_str(), nullptr, &hints, &list);
  if (rc != 0) throw std::invalid_argument("cannot resolve " + name + ": " + gai_strerror(rc));
  std::vector<IpAddress> out;
  for (auto* a = list; a; a = a->ai_next) {
    IpAddress ip;
    if (a->ai_family == AF_INET) {
      ip.family = 4;
      std::memcpy(ip.bytes.data(), &reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr, 4);
    } else if (a->ai_family == AF_INET6) {
      ip.family = 6;
      std::memcpy(ip.bytes.data(), &reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), ip) == out.end()) out.push_back(ip);
  }
  freeaddrinfo(list);
  return out;
}

// Adds `n` to the address (big-endian arithmetic over its bytes).
IpAddress plus(IpAddress a, uint64_t n) {
  const int last = a.family == 4 ? 3 : 15;
  for (int i = last; i >= 0 && n > 0; --i) {
    const uint64_t sum = a.bytes[i] + (n & 0xff);
    a.bytes[i] = static_cast<uint8_t>(sum & 0xff);
    n = (n >> 8) + (sum >> 8);
  }
  return a;
}

}  // namespace

socklen_t fill_sockaddr(const IpAddress& a, int port, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (a.family == 4) {
    auto* s = reinterpret_cast<sockaddr_in*>(&ss);
    s->sin_family = AF_INET;
    s->sin_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&s->sin_addr, a.bytes.data(), 4);
    return sizeof *s;
  }
  auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
  s->sin6_family = AF_INET6;
  s->sin6_port = htons(static_cast<uint16_t>(port));
  std::memcpy(&s->sin6_addr, a.bytes.data(), 16);
  return sizeof *s;
}

std::vector<Host> expand_targets(const std::vector<std::string>& specs, size_t max_hosts) {
  std::vector<Host> out;
  auto add = [&](Host h) {
    if (out.size() >= max_hosts)
      throw std::invalid_argument("more than " + std::to_string(max_hosts) +
                                  " hosts; narrow the range or raise --max-hosts");
    out.push_back(std::move(h));
  };
  for (const auto& spec : specs) {
    if (spec.find('/') != std::string::npos) {
      const auto prefix = exposure::parse_prefix(spec);
      if (!prefix) throw std::invalid_argument("not a CIDR range: " + spec);
      const int width = prefix->address.family == 4 ? 32 : 128;
      const int host_bits = width - prefix->length;
      if (host_bits > 24)
        throw std::invalid_argument(spec + " holds more than 16M addresses; use --max-hosts " +
                                    "with a narrower range");
      const uint64_t count = 1ull << host_bits;
      // An IPv4 network's first and last addresses are the network and broadcast.
      const bool skip_ends = prefix->address.family == 4 && host_bits >= 2;
      if (out.size() + (skip_ends ? count - 2 : count) > max_hosts)
        throw std::invalid_argument(spec + " holds more than --max-hosts " +
                                    std::to_string(max_hosts) + " hosts; narrow the range");
      for (uint64_t i = skip_ends ? 1 : 0; i < (skip_ends ? count - 1 : count); ++i) {
        const IpAddress a = plus(prefix->address, i);
        add({a.str(), a});
      }
      continue;
    }
    if (const auto ip = exposure::parse_ip(spec)) {
      add({spec, *ip});
      continue;
    }
    if (spec.empty() || spec.size() > 253 || spec.find_first_of(" \t/") != std::string::npos)
      throw std::invalid_argument("not a host name, address or range: \"" + spec + "\"");
    for (const auto& ip : resolve(spec)) add({spec, ip});
  }
  return out;
}

std::vector<int> parse_ports(const std::string& spec) {
  if (spec.empty()) return default_ports();
  std::set<int> ports;
  if (spec == "-") {
    for (int p = 1; p <= 65535; ++p) ports.insert(p);
    return {ports.begin(), ports.end()};
  }
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string item = spec.substr(start, comma - start);
    const auto dash = item.find('-');
    if (dash == std::string::npos) {
      ports.insert(to_port(item, spec));
    } else {
      const int lo = dash == 0 ? 1 : to_port(item.substr(0, dash), spec);
      const int hi = dash + 1 == item.size() ? 65535 : to_port(item.substr(dash + 1), spec);
      if (lo > hi) throw std::invalid_argument("empty port range " + item);
      for (int p = lo; p <= hi; ++p) ports.insert(p);
    }
    start = comma + 1;
  }
  return {ports.begin(), ports.end()};
}

const std::vector<int>& default_ports() {
  static const std::vector<int> ports = {
      21,   22,   23,   25,   80,   111,  135,  139,   443,   445,   873,   1433,
      1521, 2049, 2375, 2376, 2379, 3000, 3306, 3389,  4243,  5000,  5432,  5601,
      5672, 5900, 5984, 6379, 6443, 7001, 8000, 8080,  8086,  8443,  8500,  8888,
      9000, 9042, 9090, 9092, 9100, 9200, 9300, 10250, 11211, 15672, 27017, 27018};
  return ports;
}

}  // namespace hostward::probe

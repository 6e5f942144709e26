#include "respond/proc_text.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <sstream>

#include "host/sockets.h"

namespace hostward::respond {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// Whitespace-separated fields; the last one keeps its inner spaces when `rest` is set.
std::vector<std::string_view> fields(std::string_view line, size_t keep_rest_from = SIZE_MAX) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    if (out.size() == keep_rest_from) {
      out.push_back(line.substr(i));
      break;
    }
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool hex(std::string_view s, uint64_t& v) {
  if (s.empty() || s.size() > 16) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// "0100007F:1538" (IPv4, host byte order words) or 32 hex digits for IPv6.
bool address(std::string_view s, bool v6, std::string& out) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view addr = s.substr(0, colon);
  uint64_t port = 0;
  if (!hex(s.substr(colon + 1), port) || port > 65535) return false;
  unsigned char bytes[16];
  const size_t words = v6 ? 4 : 1;
  if (addr.size() != words * 8) return false;
  for (size_t w = 0; w < words; ++w) {
    uint64_t word = 0;
    if (!hex(addr.substr(w * 8, 8), word)) return false;
    const uint32_t host_order = static_cast<uint32_t>(word);
    std::memcpy(bytes + w * 4, &host_order, 4);  // the kernel printed the word in host order
  }
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, text, sizeof text) == nullptr) return false;
  out = v6 ? "[" + std::string(text) + "]:" + std::to_string(port)
           : std::string(text) + ":" + std::to_string(port);
  return true;
}

}  // namespace

bool MemoryRegion::writable_anonymous() const {
  return perms.size() >= 2 && perms[1] == 'w' && inode == 0 &&
         (name.empty() || name == "[heap]" || name == "[stack]" || name.rfind("[anon", 0) == 0);
}

std::vector<MemoryRegion> parse_maps(std::string_view text) {
  std::vector<MemoryRegion> out;
  for (auto line : split_lines(text)) {
    const auto f = fields(line, 5);
    if (f.size() < 5) continue;
    MemoryRegion r;
    const size_t dash = f[0].find('-');
    if (dash == std::string_view::npos || !hex(f[0].substr(0, dash), r.start) ||
        !hex(f[0].substr(dash + 1), r.end) || r.end < r.start)
      continue;
    if (f[1].size() != 4 || !hex(f[2], r.offset)) continue;
    r.perms = std::string(f[1]);
    const auto ir = std::from_chars(f[4].data(), f[4].data() + f[4].size(), r.inode);
    if (ir.ec != std::errc() || ir.ptr != f[4].data() + f[4].size()) continue;
    if (f.size() > 5) r.name = std::string(f[5]);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<NetEntry> parse_proc_net(std::string_view text, const std::string& proto) {
  std::vector<NetEntry> out;
  const auto lines = split_lines(text);
  const bool unix_socket = proto == "unix";
  const bool v6 = proto == "tcp6" || proto == "udp6";
  const bool udp = proto.rfind("udp", 0) == 0;
  for (size_t i = 1; i < lines.size(); ++i) {  // line 0 is the header
    NetEntry e;
    e.proto = proto;
    if (unix_socket) {
      // Num RefCount Protocol Flags Type St Inode [Path]
      const auto f = fields(lines[i], 7);
      if (f.size() < 7) continue;
      const auto r = std::from_chars(f[6].data(), f[6].data() + f[6].size(), e.inode);
      if (r.ec != std::errc()) continue;
      if (f.size() > 7) e.local = std::string(f[7]);
      e.state = f[5] == "01" ? "listen" : "connected";
      out.push_back(std::move(e));
      continue;
    }
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    const auto f = fields(lines[i]);
    if (f.size() < 10) continue;
    uint64_t st = 0;
    if (!address(f[1], v6, e.local) || !address(f[2], v6, e.remote) || !hex(f[3], st)) continue;
    const auto r = std::from_chars(f[9].data(), f[9].data() + f[9].size(), e.inode);
    if (r.ec != std::errc()) continue;
    if (udp) {
      e.state = st == 1 ? "connected" : "unconnected";
      if (st != 1) e.remote.clear();
    } else {
      e.state = host::tcp_state_name(static_cast<int>(st));
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace hostward::respond

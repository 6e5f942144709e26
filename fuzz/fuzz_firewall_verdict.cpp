// iptables-save text through the verdict engine: any ruleset (loops, deep
// jumps, odd targets) gives a verdict in bounded time, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "exposure/firewall.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hostward::exposure;
  if (size > 64 * 1024) return 0;
  static const HostView host = [] {
    HostView h;
    h.interfaces.push_back({"lo", {*parse_ip("127.0.0.1")}, {*parse_prefix("127.0.0.0/8")}, true});
    h.interfaces.push_back(
        {"eth0", {*parse_ip("203.0.113.1")}, {*parse_prefix("203.0.113.0/24")}, false});
    h.interfaces.push_back(
        {"docker0", {*parse_ip("172.17.0.1")}, {*parse_prefix("172.17.0.0/16")}, false});
    return h;
  }();
  Firewall fw;
  fw.read = true;
  fw.forwarding = true;
  fw.rules = hostward::host::parse_iptables_save(
      std::string_view(reinterpret_cast<const char*>(data), size));
  const FirewallEngine engine(fw, host);
  for (int port : {22, 5432}) {
    Target t;
    t.dst.family = 4;
    t.port = port;
    const Verdict v = engine.from_outside(t);
    if (v.reach == Reach::restricted && v.allowed_from.empty()) abort();
  }
  return 0;
}

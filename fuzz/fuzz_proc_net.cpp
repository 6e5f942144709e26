// /proc/PID/net/{tcp,tcp6,udp,udp6,unix}, whose sockets evidence capture
// ties to file descriptors. Properties: addresses are printable, a port is
// at most 65535 (it is printed after the last colon).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "respond/freezer.h"
#include "respond/proc_text.h"

namespace {

void check_address(const std::string& a) {
  const size_t colon = a.rfind(':');
  if (colon == std::string::npos) abort();
  if (std::stol(a.substr(colon + 1)) > 65535) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const char* proto : {"tcp", "tcp6", "udp", "udp6"}) {
    for (const auto& e : hostward::respond::parse_proc_net(text, proto)) {
      check_address(e.local);
      if (!e.remote.empty()) check_address(e.remote);
    }
  }
  volatile size_t sink = hostward::respond::parse_proc_net(text, "unix").size();
  // The same bytes as /proc/self/mountinfo, for the cgroup hierarchies.
  const auto m = hostward::respond::find_cgroup_mounts(std::string(text));
  sink = sink + m.unified.size() + m.v1_freezer.size();
  (void)sink;
  return 0;
}

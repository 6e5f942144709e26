#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Parsers for the /proc text evidence capture reads. They take bytes a
// process can influence (map names hold any path) and must never crash.
namespace hostward::respond {

struct MemoryRegion {
  uint64_t start = 0, end = 0;
  std::string perms;  // "rw-p"
  uint64_t offset = 0;
  uint64_t inode = 0;
  std::string name;  // path, [heap], [stack], "" for anonymous
  bool writable_anonymous() const;
};
// /proc/PID/maps; malformed lines are skipped.
std::vector<MemoryRegion> parse_maps(std::string_view text);

struct NetEntry {
  std::string proto;  // tcp, tcp6, udp, udp6, unix
  uint64_t inode = 0;
  std::string local;   // "192.0.2.1:5432", "[2001:db8::1]:22", a unix path
  std::string remote;  // empty for unix and unconnected udp
  std::string state;   // listen, established, ... (tcp); unconnected/connected (udp)
};
// /proc/PID/net/{tcp,tcp6,udp,udp6} (`proto` names which) and net/unix.
std::vector<NetEntry> parse_proc_net(std::string_view text, const std::string& proto);

}  // namespace hostward::respond

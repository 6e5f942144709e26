#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace hostward::respond {

// SHA-256 of a running process's image, read through /proc/PID/exe (so a
// deleted or memfd binary hashes as what was run). Cached per file identity.
class ExeHasher {
 public:
  // "" when the image cannot be read or the PID no longer has that start time.
  std::string hash(int pid, unsigned long long start_ticks);

 private:
  std::map<std::pair<uint64_t, uint64_t>, std::string> by_file_;
};

}  // namespace hostward::respond

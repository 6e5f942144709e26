#pragma once
#include <chrono>
#include <string>
#include <string_view>

#include "probe/targets.h"

namespace hostward::probe {

// A blocking-looking TCP connection driven by poll() against one deadline:
// every call returns by then, whatever the peer does.
class TcpClient {
 public:
  using Deadline = std::chrono::steady_clock::time_point;
  TcpClient() = default;
  ~TcpClient();
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;

  // Empty on success, else why not.
  std::string connect(const IpAddress& address, int port, Deadline deadline);
  std::string send_all(std::string_view bytes, Deadline deadline);
  // Appends what arrives (at most `max` bytes); returns false when the peer
  // closed, reset or the deadline passed (`error` says which).
  bool receive_some(std::string& into, size_t max, Deadline deadline, std::string& error);
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace hostward::probe

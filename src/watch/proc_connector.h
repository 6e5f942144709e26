#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace hostward::watch {

// What the kernel's process connector says happened.
struct ProcEvent {
  enum class Kind { fork, exec, exit } kind = Kind::exec;
  int pid = 0;                // the process (the child for fork)
  int parent_pid = 0;         // fork only
  uint64_t timestamp_ns = 0;  // CLOCK_MONOTONIC of the event, from the kernel
  bool killed = false;        // exit only: a signal ended it
};

// Reads the process events in one netlink datagram of `len` bytes.
void parse_proc_messages(const void* buf, size_t len,
                         const std::function<void(const ProcEvent&)>& on_event);

// The netlink process connector (NETLINK_CONNECTOR, CN_IDX_PROC): fork, exec
// and exit as they happen. Needs CAP_NET_ADMIN in the initial namespaces.
class ProcConnector {
 public:
  ProcConnector() = default;
  ~ProcConnector();
  ProcConnector(const ProcConnector&) = delete;
  ProcConnector& operator=(const ProcConnector&) = delete;

  // Subscribes; false with a message for people when the kernel refuses.
  bool open(std::string& error);
  int fd() const { return fd_; }

  // Reads what is queued without blocking. Returns false when the kernel
  // dropped events (ENOBUFS): the caller must resync from /proc.
  bool drain(const std::function<void(const ProcEvent&)>& on_event);

 private:
  int fd_ = -1;
};

}  // namespace hostward::watch

#include "watch/proc_connector.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hostward::watch {

ProcConnector::~ProcConnector() {
  if (fd_ >= 0) ::close(fd_);
}

bool ProcConnector::open(std::string& error) {
  fd_ = ::socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
  if (fd_ < 0) {
    error = std::string("netlink connector socket: ") + std::strerror(errno);
    return false;
  }
  // a large receive buffer rides out bursts (a build starting 1,000 processes)
  int size = 4 << 20;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = CN_IDX_PROC;
  addr.nl_pid = 0;  // the kernel assigns a port id
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error = std::string("netlink connector bind: ") + std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  // nlmsghdr, cn_msg, then the operation: laid out by hand (cn_msg ends in a
  // flexible array, which C++ cannot nest)
  alignas(
      nlmsghdr) unsigned char request[NLMSG_SPACE(sizeof(cn_msg) + sizeof(proc_cn_mcast_op))] = {};
  auto* header = reinterpret_cast<nlmsghdr*>(request);
  header->nlmsg_len = NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_cn_mcast_op));
  header->nlmsg_type = NLMSG_DONE;
  cn_msg msg{};
  msg.id.idx = CN_IDX_PROC;
  msg.id.val = CN_VAL_PROC;
  msg.len = sizeof(proc_cn_mcast_op);
  const proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;
  std::memcpy(NLMSG_DATA(header), &msg, sizeof msg);
  std::memcpy(static_cast<unsigned char*>(NLMSG_DATA(header)) + sizeof msg, &op, sizeof op);
  if (::send(fd_, request, header->nlmsg_len, 0) < 0) {
    error = std::string("netlink connector subscribe: ") + std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  return true;
}

void parse_proc_messages(const void* data, size_t len,
                         const std::function<void(const ProcEvent&)>& on_event) {
  // Offsets, not NLMSG_NEXT: with an unaligned nlmsg_len its size_t length
  // wraps below zero and the walk runs off the buffer (fuzz_proc_connector).
  const auto* bytes = static_cast<const unsigned char*>(data);
  size_t off = 0;
  while (off + sizeof(nlmsghdr) <= len) {
    nlmsghdr h;
    std::memcpy(&h, bytes + off, sizeof h);
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > len - off) break;
    const size_t at = off;
    off += NLMSG_ALIGN(h.nlmsg_len);
    if (h.nlmsg_type == NLMSG_ERROR || h.nlmsg_type == NLMSG_NOOP) continue;
    if (h.nlmsg_len < NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_event))) continue;
    cn_msg msg;
    std::memcpy(&msg, bytes + at + NLMSG_HDRLEN, sizeof msg);
    if (msg.id.idx != CN_IDX_PROC || msg.len < sizeof(proc_event)) continue;
    proc_event ev;
    std::memcpy(&ev, bytes + at + NLMSG_HDRLEN + sizeof(cn_msg), sizeof ev);
    ProcEvent out;
    out.timestamp_ns = ev.timestamp_ns;
    switch (ev.what) {
      case proc_event::PROC_EVENT_FORK:
        if (ev.event_data.fork.child_pid != ev.event_data.fork.child_tgid) continue;  // a thread
        out.kind = ProcEvent::Kind::fork;
        out.pid = ev.event_data.fork.child_tgid;
        out.parent_pid = ev.event_data.fork.parent_tgid;
        break;
      case proc_event::PROC_EVENT_EXEC:
        out.kind = ProcEvent::Kind::exec;
        out.pid = ev.event_data.exec.process_tgid;
        break;
      case proc_event::PROC_EVENT_EXIT:
        if (ev.event_data.exit.process_pid != ev.event_data.exit.process_tgid) continue;
        out.kind = ProcEvent::Kind::exit;
        out.pid = ev.event_data.exit.process_tgid;
        out.killed = (ev.event_data.exit.exit_code & 0x7f) != 0;  // a wait status
        break;
      default:
        continue;
    }
    on_event(out);
  }
}

bool ProcConnector::drain(const std::function<void(const ProcEvent&)>& on_event) {
  alignas(nlmsghdr) char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) return false;
      return true;  // EAGAIN: nothing more queued
    }
    parse_proc_messages(buf, static_cast<size_t>(n), on_event);
  }
}

}  // namespace hostward::watch

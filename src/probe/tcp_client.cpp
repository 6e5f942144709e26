#include "probe/tcp_client.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hostward::probe {

namespace {

int ms_left(TcpClient::Deadline d) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(d - std::chrono::steady_clock::now())
          .count();
  return static_cast<int>(std::clamp<long long>(left, 0, 24LL * 3600 * 1000));
}

// Waits for `events`; false on timeout.
bool wait_for(int fd, short events, TcpClient::Deadline d) {
  while (true) {
    pollfd p{fd, events, 0};
    const int left = ms_left(d);
    if (left <= 0) return false;
    const int n = ::poll(&p, 1, left);
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

}  // namespace

TcpClient::~TcpClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::string TcpClient::connect(const IpAddress& a, int port, Deadline deadline) {
  fd_ = ::socket(a.family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return std::string("socket: ") + std::strerror(errno);
  sockaddr_storage ss;
  const socklen_t len = fill_sockaddr(a, port, ss);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) == 0) return "";
  if (errno != EINPROGRESS) return std::strerror(errno);
  if (!wait_for(fd_, POLLOUT, deadline)) return "connect timed out";
  int err = 0;
  socklen_t elen = sizeof err;
  ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &elen);
  return err == 0 ? "" : std::strerror(err);
}

std::string TcpClient::send_all(std::string_view bytes, Deadline deadline) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_for(fd_, POLLOUT, deadline)) return "send timed out";
      continue;
    }
    return std::string("send: ") + std::strerror(errno);
  }
  return "";
}

bool TcpClient::receive_some(std::string& into, size_t max, Deadline deadline, std::string& error) {
  if (into.size() >= max) {
    error = "reply longer than " + std::to_string(max) + " bytes";
    return false;
  }
  if (!wait_for(fd_, POLLIN, deadline)) {
    error = "no answer in time";
    return false;
  }
  char buf[16384];
  const size_t room = std::min(sizeof buf, max - into.size());
  while (true) {
    const ssize_t n = ::recv(fd_, buf, room, 0);
    if (n > 0) {
      into.append(buf, static_cast<size_t>(n));
      return true;
    }
    if (n == 0) {
      error = "closed by the server";
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;  // spurious wake-up
    error = errno == ECONNRESET ? "reset by the server" : std::strerror(errno);
    return false;
  }
}

}  // namespace hostward::probe

#include "probe/scanner.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <exception>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace hostward::probe {

namespace {

using Clock = std::chrono::steady_clock;

struct Attempt {
  size_t host;
  int port;
  int tries = 0;
  int local_port_waits = 0;
};

struct InFlight {
  Attempt attempt;
  Clock::time_point deadline;
  uint64_t serial;
};

constexpr size_t kStartConcurrency = 64;

size_t default_concurrency() {
  rlimit lim{};
  size_t soft = 1024;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) soft = lim.rlim_cur;
  return std::clamp<size_t>(soft > 64 ? soft - 64 : 16, 16, 4096);
}

class Scan {
 public:
  Scan(const std::vector<Host>& hosts, const ScanOptions& o, size_t shards = 1)
      : hosts_(hosts), options_(o) {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
    // A fixed --concurrency is kept; otherwise start modest (fast answers
    // need few in flight, and more slow the kernel's search for a free local
    // port) and open up as attempts time out (slow or filtered targets).
    ceiling_ =
        std::max<size_t>(1, (o.concurrency ? o.concurrency : default_concurrency()) / shards);
    limit_ = o.concurrency ? ceiling_ : std::min<size_t>(ceiling_, kStartConcurrency);
  }
  ~Scan() {
    for (auto& [fd, f] : flight_) ::close(fd);
    ::close(epfd_);
  }
  Scan(const Scan&) = delete;
  Scan& operator=(const Scan&) = delete;

  std::vector<PortResult> run(const std::vector<std::pair<size_t, int>>& work) {
    for (const auto& [h, p] : work) pending_.push_back({h, p, 0, 0});
    epoll_event events[1024];
    while (!pending_.empty() || !flight_.empty()) {
      launch();
      const int wait_ms = next_wait_ms();
      const int n = epoll_wait(epfd_, events, 1024, wait_ms);
      if (n < 0 && errno != EINTR)
        throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
      for (int i = 0; i < n; ++i) finish(events[i].data.fd, events[i].events);
      expire();
    }
    std::sort(results_.begin(), results_.end(), [](const PortResult& a, const PortResult& b) {
      return a.host != b.host ? a.host < b.host : a.port < b.port;
    });
    return std::move(results_);
  }

 private:
  void launch() {
    while (!pending_.empty() && flight_.size() < limit_) {
      Attempt a = pending_.front();
      pending_.pop_front();
      const IpAddress& ip = hosts_[a.host].address;
      const int fd = ::socket(ip.family == 4 ? AF_INET : AF_INET6,
                              SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: carry on with fewer in flight.
          pending_.push_front(a);
          limit_ = std::max<size_t>(1, flight_.size() > 1 ? flight_.size() - 1 : 1);
          if (flight_.empty())
            throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
          return;
        }
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
      }
      sockaddr_storage ss;
      const socklen_t len = fill_sockaddr(ip, a.port, ss);
      ++a.tries;
      if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) {
        record(a, connected_to_itself(fd, a) ? PortState::closed : PortState::open, "");
        close_with_reset(fd);
        continue;
      }
      if (errno != EINPROGRESS) {
        const int err = errno;
        ::close(fd);
        if (err == EAGAIN || err == EADDRNOTAVAIL) {
          // No local port free right now: fewer in flight, a pause, and after
          // a few rounds of that the port is given up on, never spun on.
          if (++a.local_port_waits > 50) {
            record(a, PortState::filtered, "no local port free");
            continue;
          }
          pending_.push_back({a.host, a.port, a.tries - 1, a.local_port_waits});
          limit_ = std::max<size_t>(1, flight_.size());
          backoff_ = true;
          return;
        }
        conclude(a, err);
        continue;
      }
      epoll_event ev{};
      ev.events = EPOLLOUT | EPOLLERR | EPOLLHUP;
      ev.data.fd = fd;
      if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
        ::close(fd);
        throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(errno));
      }
      const uint64_t serial = ++serial_;
      flight_[fd] = {a, Clock::now() + std::chrono::milliseconds(options_.timeout_ms), serial};
      order_.push_back({fd, serial});
    }
  }

  int next_wait_ms() {
    while (!order_.empty()) {
      const auto it = flight_.find(order_.front().first);
      if (it == flight_.end() || it->second.serial != order_.front().second) {
        order_.pop_front();  // already done
        continue;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(it->second.deadline - Clock::now())
              .count();
      return static_cast<int>(std::clamp<long long>(left + 1, 0, 100));
    }
    if (backoff_) {
      backoff_ = false;
      return 10;
    }
    return pending_.empty() ? 100 : 0;
  }

  void finish(int fd, uint32_t events) {
    const auto it = flight_.find(fd);
    if (it == flight_.end()) return;
    // Writable without an error is a completed handshake: no need to ask.
    int err = 0;
    if (events & (EPOLLERR | EPOLLHUP)) {
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) err = ECONNREFUSED;
    }
    const Attempt a = it->second.attempt;
    flight_.erase(it);
    if (err == 0 && connected_to_itself(fd, a)) err = ECONNREFUSED;
    if (err == 0) {
      record(a, PortState::open, "");
      close_with_reset(fd);  // also leaves the epoll set
      return;
    }
    ::close(fd);
    conclude(a, err);
  }

  void expire() {
    const auto now = Clock::now();
    while (!order_.empty()) {
      const auto [fd, serial] = order_.front();
      const auto it = flight_.find(fd);
      if (it == flight_.end() || it->second.serial != serial) {
        order_.pop_front();
        continue;
      }
      if (it->second.deadline > now) break;
      const Attempt a = it->second.attempt;
      flight_.erase(it);
      ::close(fd);
      order_.pop_front();
      if (limit_ < ceiling_) limit_ = std::min(ceiling_, limit_ + 8);
      if (a.tries <= options_.retries)
        pending_.push_back(a);
      else
        record(a, PortState::filtered, "timeout");
    }
  }

  // A connect to one of our own addresses at port P may pick P as its source
  // port and meet itself (TCP simultaneous open): nobody listens there.
  static bool connected_to_itself(int fd, const Attempt&) {
    sockaddr_storage local{}, peer{};
    socklen_t llen = sizeof local, plen = sizeof peer;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) != 0 ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) != 0)
      return false;
    return llen == plen && std::memcmp(&local, &peer, llen) == 0;
  }

  // An open port's connection ends with RST, not FIN: no TIME-WAIT left
  // behind, and the service sees a reset rather than a client that hung up.
  static void close_with_reset(int fd) {
    const linger lg{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    ::close(fd);
  }

  void conclude(const Attempt& a, int err) {
    if (err == ECONNREFUSED) return record(a, PortState::closed, "");
    // Accepted, then reset before we looked: something listens there.
    if (err == ECONNRESET) return record(a, PortState::open, "");
    if (err == ETIMEDOUT && a.tries <= options_.retries) {
      pending_.push_back(a);
      return;
    }
    record(a, PortState::filtered, std::strerror(err));
  }

  void record(const Attempt& a, PortState s, std::string why) {
    results_.push_back({a.host, a.port, s, std::move(why)});
  }

  const std::vector<Host>& hosts_;
  ScanOptions options_;
  int epfd_ = -1;
  size_t limit_ = 0;
  size_t ceiling_ = 0;
  bool backoff_ = false;
  uint64_t serial_ = 0;
  std::deque<Attempt> pending_;
  std::unordered_map<int, InFlight> flight_;
  std::deque<std::pair<int, uint64_t>> order_;  // by start time, so by deadline
  std::vector<PortResult> results_;
};

}  // namespace

const char* port_state_name(PortState s) {
  switch (s) {
    case PortState::open:
      return "open";
    case PortState::closed:
      return "closed";
    case PortState::filtered:
      return "filtered";
  }
  return "filtered";
}

std::vector<PortResult> scan_ports(const std::vector<Host>& hosts, const std::vector<int>& ports,
                                   const ScanOptions& options) {
  // Most of a scan's time is the kernel's, per connect: large scans are split
  // across cores, each shard with its own epoll set and share of the sockets.
  const size_t total = hosts.size() * ports.size();
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t shards = total < 2048 ? 1 : std::min<size_t>(cores, 4);
  std::vector<std::vector<std::pair<size_t, int>>> split(shards);
  size_t n = 0;
  for (size_t h = 0; h < hosts.size(); ++h)
    for (int p : ports) split[n++ % shards].push_back({h, p});
  if (shards == 1) return Scan(hosts, options).run(split[0]);
  std::vector<std::vector<PortResult>> parts(shards);
  std::vector<std::exception_ptr> errors(shards);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < shards; ++i) {
    threads.emplace_back([&, i] {
      try {
        parts[i] = Scan(hosts, options, shards).run(split[i]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  std::vector<PortResult> out;
  out.reserve(total);
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  std::sort(out.begin(), out.end(), [](const PortResult& a, const PortResult& b) {
    return a.host != b.host ? a.host < b.host : a.port < b.port;
  });
  return out;
}

}  // namespace hostward::probe

#include "host/sockets.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <set>
#include <thread>

#include "host/proc_fs.h"

namespace hostward::host {

namespace {

struct DumpContext {
  uint64_t netns;
  int family;
  int protocol;
  std::vector<Connection>* out;
};

std::string addr_text(int family, const uint32_t* words) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, words, buf, sizeof buf);
  return buf;
}

int on_diag_attribute(const struct nlattr* attr, void* data) {
  if (mnl_attr_get_type(attr) == INET_DIAG_SKV6ONLY && mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
    static_cast<Connection*>(data)->v6only = mnl_attr_get_u8(attr) != 0;
  return MNL_CB_OK;
}

int on_diag_message(const struct nlmsghdr* nlh, void* data) {
  auto* ctx = static_cast<DumpContext*>(data);
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct inet_diag_msg)) return MNL_CB_OK;
  const auto* msg = static_cast<const struct inet_diag_msg*>(mnl_nlmsg_get_payload(nlh));
  Connection c;
  c.netns = ctx->netns;
  if (ctx->protocol == IPPROTO_UDP) {
    c.proto = "udp";
    c.state = msg->idiag_state == 1 ? "connected" : "unconnected";
  } else {
    c.state = tcp_state_name(msg->idiag_state);
  }
  c.local_addr = addr_text(ctx->family, msg->id.idiag_src);
  c.local_port = ntohs(msg->id.idiag_sport);
  c.remote_addr = addr_text(ctx->family, msg->id.idiag_dst);
  c.remote_port = ntohs(msg->id.idiag_dport);
  c.inode = msg->idiag_inode;
  c.uid = msg->idiag_uid;
  if (ctx->family == AF_INET6) {
    // A socket on [::] takes IPv4 too unless it is v6-only.
    mnl_attr_parse(nlh, sizeof(*msg), on_diag_attribute, &c);
  }
  ctx->out->push_back(std::move(c));
  return MNL_CB_OK;
}

// One dump of one family in the calling thread's network namespace.
bool dump_family(struct mnl_socket* nl, int family, int protocol, uint32_t states, uint64_t netns,
                 std::vector<Connection>& out, std::string& error) {
  alignas(struct nlmsghdr) char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  const unsigned seq = static_cast<unsigned>(time(nullptr)) + family * 256 + protocol;
  nlh->nlmsg_seq = seq;
  auto* req = static_cast<struct inet_diag_req_v2*>(
      mnl_nlmsg_put_extra_header(nlh, sizeof(struct inet_diag_req_v2)));
  req->sdiag_family = static_cast<uint8_t>(family);
  req->sdiag_protocol = static_cast<uint8_t>(protocol);
  req->idiag_states = states;
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
    error = std::string("sock_diag send: ") + std::strerror(errno);
    return false;
  }
  const unsigned portid = mnl_socket_get_portid(nl);
  DumpContext ctx{netns, family, protocol, &out};
  while (true) {
    const ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
    if (n < 0) {
      error = std::string("sock_diag receive: ") + std::strerror(errno);
      return false;
    }
    const int rc = mnl_cb_run(buf, static_cast<size_t>(n), seq, portid, on_diag_message, &ctx);
    if (rc == MNL_CB_ERROR) {
      error = std::string("sock_diag reply: ") + std::strerror(errno);
      return false;
    }
    if (rc == MNL_CB_STOP) return true;
  }
}

bool dump_here(const SocketQuery& query, uint64_t netns, std::vector<Connection>& out,
               std::string& error) {
  struct mnl_socket* nl = mnl_socket_open(NETLINK_SOCK_DIAG);
  if (nl == nullptr) {
    error = std::string("netlink socket: ") + std::strerror(errno);
    return false;
  }
  bool ok = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0;
  if (!ok) error = std::string("netlink bind: ") + std::strerror(errno);
  for (int family : {AF_INET, AF_INET6}) {
    if (ok && query.tcp_states != 0) {
      ok = dump_family(nl, family, IPPROTO_TCP, query.tcp_states, netns, out, error);
    }
    if (ok && query.udp) ok = dump_family(nl, family, IPPROTO_UDP, ~0u, netns, out, error);
  }
  mnl_socket_close(nl);
  return ok;
}

}  // namespace

const char* tcp_state_name(int state) {
  static const char* const kNames[] = {"unknown",    "established", "syn-sent",  "syn-recv",
                                       "fin-wait-1", "fin-wait-2",  "time-wait", "close",
                                       "close-wait", "last-ack",    "listen",    "closing"};
  if (state < 0 || state >= static_cast<int>(sizeof kNames / sizeof kNames[0])) return "unknown";
  return kNames[state];
}

std::vector<Connection> collect_sockets(const std::vector<ProcessInfo>& processes,
                                        const SocketQuery& query,
                                        std::vector<CollectorError>& errors) {
  // The processes of each network namespace; the first one still there is used to enter it.
  std::map<uint64_t, std::vector<int>> namespaces;
  for (const auto& p : processes) {
    if (p.ns.net != 0 && !p.kernel_thread) namespaces[p.ns.net].push_back(p.pid);
  }
  std::vector<Connection> out;
  std::vector<CollectorError> thread_errors;
  // setns() changes the calling thread only; a helper thread keeps ours untouched.
  std::thread worker([&] {
    Fd own(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    struct stat own_st {};
    uint64_t own_ino = (own.valid() && fstat(own.get(), &own_st) == 0) ? own_st.st_ino : 0;
    if (namespaces.empty()) namespaces[own_ino].push_back(getpid());
    for (const auto& [netns, pids] : namespaces) {
      std::string error;
      if (netns == own_ino) {
        // An earlier namespace may still be entered: come back first.
        if (own.valid() && setns(own.get(), CLONE_NEWNET) != 0) {
          thread_errors.push_back({"sockets", std::string("cannot return to our own network "
                                                          "namespace: ") +
                                                  std::strerror(errno)});
          continue;
        }
      } else {
        bool entered = false;
        int last_errno = ESRCH;
        for (int pid : pids) {
          const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
          Fd nsfd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
          struct stat st {};
          // A recycled pid may sit in another namespace now: check before entering.
          if (!nsfd.valid() || fstat(nsfd.get(), &st) != 0) {
            last_errno = errno;
            continue;
          }
          if (st.st_ino != netns) continue;
          if (setns(nsfd.get(), CLONE_NEWNET) == 0) {
            entered = true;
            break;
          }
          last_errno = errno;
        }
        if (!entered) {
          if (last_errno == ENOENT || last_errno == ESRCH) continue;  // all of them gone
          thread_errors.push_back({"sockets", "cannot enter network namespace net:[" +
                                                  std::to_string(netns) +
                                                  "]: " + std::strerror(last_errno)});
          continue;
        }
      }
      if (!dump_here(query, netns, out, error)) {
        thread_errors.push_back({"sockets", "net:[" + std::to_string(netns) + "]: " + error});
      }
    }
    if (own.valid()) setns(own.get(), CLONE_NEWNET);
  });
  worker.join();
  errors.insert(errors.end(), thread_errors.begin(), thread_errors.end());
  return out;
}

void resolve_owners_of(std::vector<Connection*>& conns, const std::vector<ProcessInfo>& processes) {
  std::map<std::pair<uint64_t, uint64_t>, std::vector<Connection*>> by_inode;
  std::set<uint64_t> wanted_ns;
  for (auto* c : conns) {
    by_inode[{c->netns, c->inode}].push_back(c);
    wanted_ns.insert(c->netns);
  }
  for (const auto& p : processes) {
    if (p.kernel_thread || !wanted_ns.count(p.ns.net)) continue;
    const std::string dir = "/proc/" + std::to_string(p.pid);
    Fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!dirfd.valid()) continue;
    Fd fddir(::openat(dirfd.get(), "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fddir.valid()) continue;
    for (const auto& name : list_dir(dirfd.get(), "fd")) {
      auto link = read_link_at(fddir.get(), name.c_str());
      if (!link || link->rfind("socket:[", 0) != 0) continue;
      const uint64_t ino = std::strtoull(link->c_str() + 8, nullptr, 10);
      auto it = by_inode.find({p.ns.net, ino});
      if (it == by_inode.end()) continue;
      for (auto* c : it->second) {
        if (c->pid == 0) c->pid = p.pid;
      }
    }
  }
}

}  // namespace hostward::host

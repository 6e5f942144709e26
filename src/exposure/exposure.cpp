#include "exposure/exposure.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace hostward::exposure {

namespace {

int rank(Reach r) {
  switch (r) {
    case Reach::reachable:
      return 3;
    case Reach::unknown:
      return 2;
    case Reach::restricted:
      return 1;
    case Reach::blocked:
      return 0;
  }
  return 2;
}

bool is_listener(const host::Connection& c) {
  return c.local_port != 0 && ((c.proto == "tcp" && c.state == "listen") ||
                               (c.proto == "udp" && c.state == "unconnected"));
}

std::string container_label(const host::DockerContainer& c) {
  return c.name.empty() ? c.id.substr(0, 12) : c.name;
}

class RowBuilder {
 public:
  RowBuilder(const host::Snapshot& snap, const FirewallSetup& setup)
      : snap_(snap), v4_(setup.v4, setup.host), v6_(setup.v6, setup.host) {
    for (const auto& p : snap.processes) by_pid_[p.pid] = &p;
    for (const auto& c : snap.docker.containers) by_container_id_[c.id] = &c;
  }

  std::vector<ExposureRow> build() {
    add_host_listeners();
    add_docker_publishes();
    std::vector<ExposureRow> out;
    for (auto& [key, row] : rows_) {
      classify(row);
      judge(row);
      out.push_back(std::move(row));
    }
    std::sort(out.begin(), out.end(), [](const ExposureRow& a, const ExposureRow& b) {
      return std::tie(a.port, a.proto, a.address) < std::tie(b.port, b.proto, b.address);
    });
    return out;
  }

 private:
  using Key = std::tuple<std::string, std::string, int>;  // proto, address, port

  const host::ProcessInfo* process(int pid) const {
    const auto it = by_pid_.find(pid);
    return it == by_pid_.end() ? nullptr : it->second;
  }

  void add_host_listeners() {
    for (const auto& c : snap_.connections) {
      if (!is_listener(c)) continue;
      if (snap_.host_netns != 0 && c.netns != snap_.host_netns) continue;
      ExposureRow& row = rows_[{c.proto, c.local_addr, c.local_port}];
      if (row.port == 0) {
        row.proto = c.proto;
        row.address = c.local_addr;
        row.port = c.local_port;
        row.dual_stack = c.local_addr == "::" && !c.v6only;
      }
      if (row.pid == 0 && c.pid != 0) {
        row.pid = c.pid;
        if (const auto* p = process(c.pid)) {
          row.process = p->comm;
          if (!p->container_id.empty()) {
            const auto it = by_container_id_.find(p->container_id);
            row.container = it != by_container_id_.end() ? container_label(*it->second)
                                                         : p->container_id.substr(0, 12);
          }
        }
      }
    }
  }

  // The process listening on `port` inside the container's own network namespace.
  const host::ProcessInfo* served_by(const host::DockerContainer& c, const std::string& proto,
                                     int port) const {
    const auto* main = process(c.pid);
    if (main == nullptr || main->ns.net == 0) return nullptr;
    for (const auto& s : snap_.connections) {
      if (s.netns == main->ns.net && s.proto == proto && s.local_port == port && is_listener(s) &&
          s.pid != 0)
        return process(s.pid);
    }
    return nullptr;
  }

  void add_docker_publishes() {
    for (const auto& c : snap_.docker.containers) {
      for (const auto& p : c.ports) {
        const std::string addr = p.host_ip.empty() ? "0.0.0.0" : p.host_ip;
        ExposureRow& row = rows_[{p.proto, addr, p.host_port}];
        if (row.port == 0) {
          row.proto = p.proto;
          row.address = addr;
          row.port = p.host_port;
        }
        row.container = container_label(c);
        row.image = c.image;
        row.published_from = row.container + ":" + std::to_string(p.container_port) + "/" + p.proto;
        row.auth_env = c.auth_env;
        if (const auto* inner = served_by(c, p.proto, p.container_port)) {
          row.served_by_pid = inner->pid;
          row.served_by = inner->comm;
        }
      }
    }
  }

  static void classify(ExposureRow& row) {
    row.service =
        classify_service(row.served_by.empty() ? row.process : row.served_by, row.port, row.proto);
    if (row.service.cls == ServiceClass::unknown && !row.served_by.empty())
      row.service = classify_service(row.process, row.port, row.proto);
  }

  void judge(ExposureRow& row) {
    const auto addr = parse_ip(row.address);
    if (!addr) {
      row.verdict.reason = "cannot read the bound address " + row.address;
      return;
    }
    const bool link_local =
        (addr->family == 4 && addr->bytes[0] == 169 && addr->bytes[1] == 254) ||
        (addr->family == 6 && addr->bytes[0] == 0xfe && (addr->bytes[1] & 0xc0) == 0x80);
    if (is_loopback(*addr) || link_local) {
      row.local_only = true;
      row.verdict.reach = Reach::blocked;
      row.verdict.reason = link_local ? "bound to a link-local address: not routed beyond the link"
                                      : "bound to a loopback address: other hosts cannot connect";
      return;
    }
    Target t;
    t.family = addr->family;
    t.proto = row.proto;
    t.dst = *addr;
    t.port = row.port;
    row.verdict = (t.family == 4 ? v4_ : v6_).from_outside(t);
    if (row.dual_stack) {
      Target t4 = t;
      t4.family = 4;
      t4.dst = IpAddress{};
      t4.dst.family = 4;
      Verdict v = v4_.from_outside(t4);
      if (rank(v.reach) > rank(row.verdict.reach)) row.verdict = std::move(v);
    }
  }

  const host::Snapshot& snap_;
  FirewallEngine v4_;
  FirewallEngine v6_;
  std::map<int, const host::ProcessInfo*> by_pid_;
  std::map<std::string, const host::DockerContainer*> by_container_id_;
  std::map<Key, ExposureRow> rows_;
};

}  // namespace

std::vector<ExposureRow> exposure_rows(const host::Snapshot& snap, const FirewallSetup& setup) {
  return RowBuilder(snap, setup).build();
}

std::string verdict_label(const ExposureRow& row) {
  return row.local_only ? "local-only" : reach_name(row.verdict.reach);
}

}  // namespace hostward::exposure

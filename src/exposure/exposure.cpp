#include "exposure/exposure.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace hostward::exposure {

namespace {

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
      : snap_(snap), setup_(setup), v4_(setup.v4, setup.host), v6_(setup.v6, setup.host) {
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
    const bool link_local = is_link_local(*addr);
    if (is_loopback(*addr) || link_local) {
      row.local_only = true;
      row.verdict.reach = Reach::blocked;
      row.verdict.reason = link_local ? "bound to a link-local address: not routed beyond the link"
                                      : "bound to a loopback address: other hosts cannot connect";
      return;
    }
    row.verdict = judge_family(row, *addr);
    if (row.dual_stack) {
      IpAddress any4;
      any4.family = 4;
      Verdict v = judge_family(row, any4);
      if (reach_rank(v.reach) > reach_rank(row.verdict.reach)) row.verdict = std::move(v);
    }
  }

  // Packets sent to the listener's own port, and packets that nat rewrites
  // to it from another port (REDIRECT 80 → 8080, a firewalld forward-port).
  Verdict judge_family(const ExposureRow& row, const IpAddress& addr) const {
    const FirewallEngine& engine = addr.family == 4 ? v4_ : v6_;
    Target t{addr.family, row.proto, addr, row.port};
    Verdict best = engine.from_outside(t);
    if (sent_elsewhere(best, row)) {
      best.reach = Reach::blocked;
      best.reason = "nat sends this port to " + best.translated_to + " instead";
    }
    for (int from : nat_ports_into(addr.family == 4 ? setup_.v4 : setup_.v6, row)) {
      Target via = t;
      via.port = from;
      Verdict v = engine.from_outside(via);
      if (sent_elsewhere(v, row) || v.translated_to.empty()) continue;
      if (reach_rank(v.reach) > reach_rank(best.reach)) {
        v.reason = "via port " + std::to_string(from) + ": " + v.reason;
        best = std::move(v);
      }
    }
    return best;
  }

  // A packet that nat translated to a local port other than this listener's.
  static bool sent_elsewhere(const Verdict& v, const ExposureRow& row) {
    if (v.translated_to.empty() || v.forwarded) return false;
    const auto colon = v.translated_to.rfind(':');
    return v.translated_to.substr(colon + 1) != std::to_string(row.port);
  }

  // The destination ports of nat rules (REDIRECT, or a DNAT to this host) that
  // end on the listener's port, when the rule names a single one.
  std::vector<int> nat_ports_into(const Firewall& fw, const ExposureRow& row) const {
    std::vector<int> out;
    for (const auto& table : fw.rules.tables) {
      if (table.name != "nat") continue;
      for (const auto& r : table.rules) {
        if (r.target != "DNAT" && r.target != "REDIRECT") continue;
        std::string to;
        for (const auto& o : r.target_options)
          if ((o.name == "--to-destination" || o.name == "--to-ports") && !o.values.empty())
            to = o.values.front();
        const auto colon = to.rfind(':');
        const std::string port_text = r.target == "REDIRECT"       ? to
                                      : colon == std::string::npos ? ""
                                                                   : to.substr(colon + 1);
        if (port_text != std::to_string(row.port)) continue;
        if (r.target == "DNAT") {
          // Only to this host: a DNAT to another address is a publish, seen on its own.
          std::string host_part = to.substr(0, colon);
          if (!host_part.empty() && host_part.front() == '[')
            host_part = host_part.substr(1, host_part.size() - 2);
          const auto a = parse_ip(host_part);
          if (!host_part.empty() && (!a || !host_is_local(*a))) continue;
        }
        for (const auto& o : r.options)
          if ((o.name == "--dport" || o.name == "--destination-port") && !o.negated &&
              o.values.size() == 1 &&
              o.values[0].find_first_not_of("0123456789") == std::string::npos &&
              o.values[0].size() <= 5) {
            const int p = std::stoi(o.values[0]);
            if (p != row.port && std::find(out.begin(), out.end(), p) == out.end())
              out.push_back(p);
          }
      }
    }
    return out;
  }

  bool host_is_local(const IpAddress& a) const { return setup_.host.is_local(a); }

  const host::Snapshot& snap_;
  const FirewallSetup& setup_;
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

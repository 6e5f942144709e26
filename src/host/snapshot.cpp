#include "host/snapshot.h"

#include <stdexcept>

namespace hostward {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CollectorError, collector, message)
}

namespace hostward::host {

void to_json(nlohmann::json& j, const ExeState& s) { j = to_string(s); }
void from_json(const nlohmann::json& j, ExeState& s) {
  const auto parsed = parse_exe_state(j.get<std::string>());
  if (!parsed) throw std::runtime_error("unknown exe_state " + j.get<std::string>());
  s = *parsed;
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DirFact, path, uid, mode)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Namespaces, pid, mnt, net, user, cgroup)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ProcessInfo, pid, ppid, pgrp, session, state,
                                                kernel_thread, comm, argv, argv_truncated, exe,
                                                exe_path, exe_state, exe_error, exe_dev, exe_ino,
                                                exe_uid, exe_dirs, uid, euid, gid, egid, user,
                                                start_time, start_ticks, cpu_ticks, cpu_percent,
                                                cpu_sampled, rss_kb, threads, cwd, cgroup,
                                                container_id, container_runtime, ns)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(UnlistedPid, pid, tgid, comm, how)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Connection, netns, proto, state, local_addr,
                                                local_port, remote_addr, remote_port, inode, uid,
                                                pid, v6only)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(InterfaceInfo, name, loopback, addresses)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(IptablesText, read, text, error)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FirewallDump, v4, v6, nft_read, nft_json, nft_error,
                                                forwarding_v4, forwarding_v6)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DockerPort, host_ip, host_port, container_port,
                                                proto)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DockerContainer, id, name, image, status, pid,
                                                privileged, network_mode, ip_addresses, ports,
                                                auth_env, docker_socket_mounted)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DockerFacts, reachable, socket, api_version,
                                                engine_version, containers, daemon_tlsverify,
                                                daemon_hosts)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ClockFacts, boot_time, ticks_per_second, page_kb,
                                                uptime_s)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Snapshot, hostname, kernel, taken_at, self_pid,
                                                sample_ms, clock, processes, unlisted, connections,
                                                local_addresses, host_netns, network_collected,
                                                interfaces, firewall, docker, errors)

nlohmann::json snapshot_to_json(const Snapshot& s) {
  nlohmann::json j = s;
  j["schema"] = "hostward-snapshot/v1";
  return j;
}

namespace {

// nlohmann converts a JSON float to an integer field with a plain cast, which is
// undefined behaviour when it does not fit (found by fuzz/fuzz_snapshot_json). The
// writer only emits floats for small non-negative doubles (cpu_percent, uptime_s),
// so reject any float that would not fit every integer field. Iterative: input may nest deeply.
void check_floats(const nlohmann::json& root) {
  std::vector<const nlohmann::json*> todo{&root};
  while (!todo.empty()) {
    const nlohmann::json* v = todo.back();
    todo.pop_back();
    if (v->is_number_float()) {
      const double d = v->get<double>();
      if (!(d > -1.0 && d < 2147483648.0)) {
        throw std::runtime_error("snapshot: number out of range: " + v->dump());
      }
    } else if (v->is_structured()) {
      for (const auto& item : *v) todo.push_back(&item);
    }
  }
}

}  // namespace

Snapshot snapshot_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::runtime_error("snapshot: not a JSON object");
  const auto schema = j.find("schema");
  if (schema == j.end() || !schema->is_string() || *schema != "hostward-snapshot/v1") {
    throw std::runtime_error("snapshot: schema is not hostward-snapshot/v1");
  }
  check_floats(j);
  try {
    Snapshot s = j.get<Snapshot>();
    if (s.clock.ticks_per_second <= 0)
      throw std::runtime_error("clock.ticks_per_second must be > 0");
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("snapshot: ") + e.what());
  }
}

}  // namespace hostward::host

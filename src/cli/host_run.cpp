#include "cli/host_run.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "audit/audit_rules.h"
#include "audit/mounts.h"
#include "authlog/authlog.h"
#include "core/terminal.h"
#include "core/time_format.h"
#include "exposure/network_rules.h"
#include "host/collect.h"
#include "hunt/hunt.h"
#include "lint/lint.h"
#include "probe/probe.h"
#include "probe/probe_rules.h"
#include "watch/watcher.h"

namespace hostward::cli {

namespace {
constexpr const char* kDefaultConfig = "/etc/hostward/config.yaml";
}

void write_private_file(const std::string& path, const std::string& content) {
  // Snapshots hold every command line (passwords included): 0600, and never
  // through a symlink someone planted at the path.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw UsageError("cannot write " + path + ": " + std::strerror(errno) +
                     (errno == ELOOP ? " (it is a symlink)" : ""));
  }
  ::fchmod(fd, 0600);  // an existing file keeps its mode otherwise
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      ::close(fd);
      throw UsageError("cannot write " + path + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

const RuleCatalog& catalog() {
  static const RuleCatalog c = [] {
    RuleCatalog cat;
    hunt::register_rules(cat);
    authlog::register_rules(cat);
    exposure::register_rules(cat);
    probe::register_rules(cat);
    lint::register_rules(cat);
    watch::register_rules(cat);
    audit::register_rules(cat);
    return cat;
  }();
  return c;
}

Config load_config_for(const HostOptions& o) {
  try {
    if (!o.config_path.empty()) return load_config(o.config_path, true);
    return load_config(kDefaultConfig, false);
  } catch (const std::runtime_error& e) {
    throw UsageError(std::string(e.what()) + "; fix the file or pass --config FILE");
  }
}

void add_common_options(CLI::App& cmd, HostOptions& o) {
  cmd.add_option("--format", o.format, "Output: text (for people) or json (hostward/v1)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd.add_option("--sample-ms", o.sample_ms, "CPU sampling window in ms; 0 uses lifetime averages")
      ->check(CLI::Range(0, 60000));
  cmd.add_option("--config", o.config_path,
                 "YAML config (default /etc/hostward/config.yaml if present)");
  cmd.add_option("--from", o.from,
                 "Evaluate a snapshot saved with --save-snapshot instead of this host");
  cmd.add_option("--save-snapshot", o.save_snapshot, "Also write the collected snapshot to FILE");
  cmd.add_option("--color", o.color, "Colour: auto (only on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

bool use_color(const HostOptions& o) {
  if (o.color == "always") return true;
  if (o.color == "never") return false;
  return want_color(STDOUT_FILENO);
}

Areas selected_areas(const HostOptions& o) {
  const auto has = [&o](const char* area) {
    return o.only.empty() || std::find(o.only.begin(), o.only.end(), area) != o.only.end();
  };
  // An offline tree has configuration files only: nothing live is read.
  if (!o.root_dir.empty()) return {false, false, false, has("config")};
  return {has("process"), has("network"), has("auth"), has("config")};
}

host::Snapshot obtain_snapshot(const HostOptions& o, const Config& config, const Areas& areas) {
  host::Snapshot snap;
  if (!o.from.empty()) {
    std::ifstream in(o.from);
    if (!in) throw UsageError("cannot read snapshot " + o.from + ": check the path");
    try {
      snap = host::snapshot_from_json(nlohmann::json::parse(in));
    } catch (const nlohmann::json::exception& e) {
      throw UsageError(o.from + ": not a JSON snapshot (" + e.what() + ")");
    } catch (const std::runtime_error& e) {
      throw UsageError(o.from + ": " + e.what());
    }
    if (areas.network && !snap.network_collected)
      snap.errors.push_back({"network", o.from + " holds no listeners, firewall or Docker facts "
                                                 "(saved without the network area)"});
  } else if (!areas.process && !areas.network && (!areas.config || !o.root_dir.empty())) {
    host::fill_host_facts(snap);
  } else {
    // The config rules judge the live host with its processes, listeners and
    // firewall too (sshd reachable, fail2ban running, rules persisted).
    host::CollectOptions co;
    co.sample_ms = areas.process ? o.sample_ms : 0;
    co.probe_hidden = areas.process;
    co.network = areas.network || areas.config;
    co.docker = areas.network;  // the config rules read Docker's files and argv, not its API
    co.docker_socket = o.docker_socket;
    co.owner_ports.insert(config.hunt.miner_pool_ports.begin(), config.hunt.miner_pool_ports.end());
    snap = host::collect_snapshot(co);
  }
  if (!o.save_snapshot.empty())
    write_private_file(
        o.save_snapshot,
        host::snapshot_to_json(snap).dump(1, ' ', false, nlohmann::json::error_handler_t::replace) +
            "\n");
  return snap;
}

namespace {

// Our own listeners that the internet could reach, checked as the probe
// would: over a non-loopback address of this host.
std::vector<Finding> probe_self(const std::vector<exposure::ExposureRow>& rows,
                                const exposure::FirewallSetup& setup, const std::string& hostname) {
  std::vector<std::pair<probe::Host, int>> endpoints;
  std::map<int, std::string> services;
  const exposure::FirewallEngine v4(setup.v4, setup.host), v6(setup.v6, setup.host);
  const std::vector<exposure::IpAddress> own4 = v4.outside_addresses(4),
                                         own6 = v6.outside_addresses(6);
  for (const auto& row : rows) {
    if (row.local_only || row.proto != "tcp") continue;
    const auto addr = exposure::parse_ip(row.address);
    if (!addr) continue;
    exposure::IpAddress target = *addr;
    if (exposure::is_unspecified(target)) {
      const auto& own = addr->family == 4 ? own4 : own6;
      if (own.empty()) continue;
      target = own.front();
    }
    endpoints.push_back({{target.str(), target}, row.port});
    // What exposure knows the listener to be decides the check, whatever its port.
    const std::string& name = row.service.name;
    for (const char* known :
         {"postgresql", "redis", "memcached", "mongodb", "mysql", "elasticsearch", "docker", "ssh"})
      if (name == known) services[row.port] = name;
    if (name == "mariadb") services[row.port] = "mysql";
  }
  probe::ProbeOptions options;
  options.services = services;
  return probe::probe_findings(probe::check_open_ports(endpoints, options), hostname);
}

}  // namespace

Report evaluate(const host::Snapshot& snap, const HostOptions& o, const Config& config,
                std::vector<exposure::ExposureRow>* rows_out) {
  Report report;
  report.errors = snap.errors;
  const Areas areas = selected_areas(o);
  if (areas.process) report.findings = hunt::run_rules(snap, config.hunt);
  if (areas.network && snap.network_collected) {
    const auto setup = exposure::firewall_setup(snap);
    for (const auto& e : setup.errors) report.errors.push_back({"firewall", e});
    const auto rows = exposure::exposure_rows(snap, setup);
    auto network = exposure::run_rules(snap, config, setup, rows);
    if (o.probe_self) {
      auto proven = probe_self(rows, setup, snap.hostname);
      network.insert(network.end(), proven.begin(), proven.end());
    }
    report.findings.insert(report.findings.end(), std::make_move_iterator(network.begin()),
                           std::make_move_iterator(network.end()));
    if (rows_out) *rows_out = rows;
  }
  if (areas.auth && o.from.empty()) {
    // The host's own logs; a snapshot from elsewhere carries none.
    auto run = authlog::read_auth(authlog::default_sources(), config.auth);
    for (auto& e : run.errors) report.errors.push_back({"auth", std::move(e)});
    auto auth = authlog::run_rules({run.summary, config.auth, snap.hostname, snap.taken_at});
    report.findings.insert(report.findings.end(), std::make_move_iterator(auth.begin()),
                           std::make_move_iterator(auth.end()));
  }
  if (areas.config && (o.from.empty() || !o.root_dir.empty())) {
    audit::AuditInput in;
    in.files.root = o.root_dir;
    in.files.skipped_mounts = audit::unsafe_mount_points(audit::host_mounts(), o.root_dir, false);
    in.hostname = snap.hostname;
    if (!o.root_dir.empty()) {  // the tree's own name, not this host's
      const auto name = in.files.read("/etc/hostname");
      in.hostname = name ? name->substr(0, name->find_first_of("\r\n")) : o.root_dir;
      report.host.hostname = in.hostname;
    }
    if (o.root_dir.empty()) in.live = &snap;
    auto run = audit::run_config_rules(in);
    report.hardening = audit::hardening_summary(run);
    report.errors.insert(report.errors.end(), run.errors.begin(), run.errors.end());
    report.findings.insert(report.findings.end(), std::make_move_iterator(run.findings.begin()),
                           std::make_move_iterator(run.findings.end()));
  }
  report.incidents = hunt::group_incidents(snap, report.findings);
  if (report.host.hostname.empty()) report.host.hostname = snap.hostname;
  report.host.kernel = snap.kernel;
  report.host.started_at = rfc3339_utc(snap.taken_at);
  return report;
}

}  // namespace hostward::cli

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>

#include "cli/host_run.h"
#include "core/time_format.h"
#include "core/writers.h"
#include "host/collect.h"
#include "probe/probe.h"
#include "probe/probe_output.h"
#include "probe/probe_rules.h"

namespace hostward::cli {

namespace {

struct ProbeArgs {
  std::vector<std::string> targets;
  std::string ports;
  size_t max_hosts = 256;
  int timeout_ms = 1000;
  size_t concurrency = 0;
  bool scan_only = false;
  probe::ProbeOptions probe;
  std::vector<std::string> pg_users;
  std::vector<std::string> services;
  std::string format = "text";
  std::string fail_on = "high";
  std::string color = "auto";
};

}  // namespace

void add_probe_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<ProbeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "probe",
      "Look at hosts from outside, as an attacker would: open ports, and what answers "
      "without credentials (read-only)");
  cmd->add_option("targets", a->targets, "Host names, IPv4/IPv6 addresses, CIDR ranges")
      ->required();
  cmd->add_option("-p,--ports", a->ports,
                  "Ports: 22,80,8000-8100, or - for all 65,535 (default: hostward's list)");
  cmd->add_option("--max-hosts", a->max_hosts, "Refuse to probe more hosts than this")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--timeout-ms", a->timeout_ms, "Connect timeout per port (one retry)")
      ->check(CLI::Range(50, 60000));
  cmd->add_option("--check-timeout-ms", a->probe.check_timeout_ms,
                  "Time for each service check, first byte to last")
      ->check(CLI::Range(200, 120000));
  cmd->add_option("--concurrency", a->concurrency, "Connections in flight (default: by fd limit)")
      ->check(CLI::Range(1, 65536));
  cmd->add_option("--pg-user", a->pg_users,
                  "PostgreSQL roles to try without a password (default postgres)");
  cmd->add_flag("--try-default-logins", a->probe.try_default_logins,
                "Also try MySQL root with an empty password");
  cmd->add_option("--service", a->services,
                  "Check a port as a service: NAME=PORT (postgresql, redis, memcached, mongodb, "
                  "mysql, elasticsearch, docker, ssh)");
  cmd->add_flag("--scan-only", a->scan_only, "Only the port scan, no service checks");
  cmd->add_option("--format", a->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--fail-on", a->fail_on, "Exit 1 when a finding is at or above this severity")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  cmd->add_option("--color", a->color, "auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->callback([a, &exit_code] {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<probe::Host> hosts;
    std::vector<int> ports;
    try {
      hosts = probe::expand_targets(a->targets, a->max_hosts);
      ports = probe::parse_ports(a->ports);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    if (!a->pg_users.empty()) a->probe.pg_users = a->pg_users;
    a->probe.run_checks = !a->scan_only;
    static const std::set<std::string> kKnown = {
        "postgresql", "redis", "memcached", "mongodb", "mysql", "elasticsearch", "docker", "ssh"};
    for (const auto& s : a->services) {
      const auto eq = s.find('=');
      const std::string name = s.substr(0, eq);
      const std::string port = eq == std::string::npos ? "" : s.substr(eq + 1);
      if (!kKnown.count(name) || port.empty() || port.size() > 5 ||
          port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) < 1 ||
          std::stoi(port) > 65535)
        throw UsageError("--service " + s +
                         ": expected NAME=PORT, NAME one of postgresql, redis, "
                         "memcached, mongodb, mysql, elasticsearch, docker, ssh");
      a->probe.services[std::stoi(port)] = name;
    }
    probe::ScanOptions scan;
    scan.timeout_ms = a->timeout_ms;
    scan.concurrency = a->concurrency;
    std::vector<int> check_ports = ports;
    auto result = probe::run_probe(hosts, ports, scan, a->probe);
    host::Snapshot facts;
    host::fill_host_facts(facts);
    Report report;
    report.host.hostname = facts.hostname;
    report.host.kernel = facts.kernel;
    report.host.started_at = rfc3339_utc(facts.taken_at);
    report.findings = probe::probe_findings(result, facts.hostname);
    report.host.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    if (a->format == "json") {
      nlohmann::json j = nlohmann::json::parse(write_json(report));
      j["probe"] = probe::hosts_to_json(result);
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      HostOptions o;
      o.color = a->color;
      const Style style{use_color(o)};
      std::cout << probe::render_probe(result, style);
      if (!report.findings.empty()) std::cout << "\n" << write_text(report, style);
    }
    std::cout.flush();
    const auto worst = worst_severity(report);
    exit_code = (worst && *worst >= *parse_severity(a->fail_on)) ? 1 : 0;
  });
}

}  // namespace hostward::cli

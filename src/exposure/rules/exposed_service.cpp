#include <fmt/format.h>

#include <algorithm>

#include "exposure/network_rules.h"

namespace hostward::exposure {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "network.exposed-service",
      Severity::high,
      {"T1190", "T1133"},
      "Service reachable from the internet",
      "What listens on a non-loopback address (or is published by Docker) and gets past the "
      "firewall is one password guess, or none, from an intruder: the seed's PostgreSQL was. "
      "Databases, caches, queues and admin or metrics endpoints are high; unknown services "
      "medium; web low; SSH info. Critical when the container's environment turns "
      "authentication off.",
      "Bind it to 127.0.0.1 (Docker: publish as 127.0.0.1:PORT:PORT), or drop the port for "
      "outside sources (for Docker publishes in DOCKER-USER, since INPUT never sees them), and "
      "require authentication."};
  return i;
}

Severity class_severity(ServiceClass c) {
  switch (c) {
    case ServiceClass::database:
    case ServiceClass::cache:
    case ServiceClass::queue:
    case ServiceClass::admin:
      return Severity::high;
    case ServiceClass::web:
    case ServiceClass::infra:
      return Severity::low;
    case ServiceClass::remote_access:
      return Severity::info;
    default:
      return Severity::medium;
  }
}

// An environment switch that lets anyone in without a password.
std::string open_auth(const std::map<std::string, std::string>& env) {
  for (const auto& [k, v] : env) {
    if (k == "POSTGRES_HOST_AUTH_METHOD" && v == "trust") return k + "=" + v;
    if (k.find("ALLOW_EMPTY") != std::string::npos &&
        (v == "yes" || v == "true" || v == "1" || v == "YES" || v == "TRUE"))
      return k + "=" + v;
    if ((k == "xpack.security.enabled" && v == "false") ||
        ((k == "DISABLE_SECURITY_PLUGIN" || k == "plugins.security.disabled") && v == "true"))
      return k + "=" + v;
  }
  return "";
}

Severity lower(Severity s) {
  return s == Severity::info ? s : static_cast<Severity>(static_cast<int>(s) - 1);
}

void run(const NetworkContext& ctx, std::vector<Finding>& out) {
  for (const auto& row : ctx.rows) {
    if (row.local_only || is_docker_api(row)) continue;
    const Reach r = row.verdict.reach;
    if (r != Reach::reachable && r != Reach::unknown) continue;
    // Unconnected UDP on a port no service is known by is a client's socket.
    if (row.proto == "udp" && row.service.cls == ServiceClass::unknown) continue;
    const std::string program = !row.served_by.empty() ? row.served_by
                                : !row.process.empty() ? row.process
                                                       : row.container;
    if (std::any_of(ctx.config.network.expected_listeners.begin(),
                    ctx.config.network.expected_listeners.end(), [&](const std::string& e) {
                      return listener_expected(e, program, row.port, row.proto);
                    }))
      continue;
    Severity sev = class_severity(row.service.cls);
    // An unknown program on an ephemeral port is most often a test job's
    // server on a build machine: worth knowing, not worth an alarm, and one
    // finding per program rather than per port.
    const bool ephemeral =
        row.service.cls == ServiceClass::unknown && row.port >= 32768 && row.port <= 60999;
    if (ephemeral) sev = Severity::low;
    const std::string auth = open_auth(row.auth_env);
    if (!auth.empty()) sev = Severity::critical;
    if (r == Reach::unknown) sev = lower(sev);
    const std::string what = row.service.name.empty() ? "Unknown service" : row.service.name;
    const std::string who = row.served_by.empty() ? row.process : row.served_by;
    std::string title = fmt::format("{} on {} {} from the internet{}", what, endpoint_text(row),
                                    r == Reach::reachable ? "is reachable" : "may be reachable",
                                    who.empty() ? "" : " (" + who + ")");
    if (!row.published_from.empty()) title += ", published from " + row.published_from;
    if (!auth.empty()) title += "; authentication off: " + auth;
    nlohmann::json evidence = verdict_evidence(row.verdict);
    evidence["service"] = row.service.name;
    evidence["service_class"] = class_name(row.service.cls);
    if (!row.auth_env.empty()) evidence["auth_env"] = row.auth_env;
    out.push_back(network_finding(
        ctx, info(), sev, std::move(title), listener_subject(row), std::move(evidence),
        ephemeral
            ? fmt::format("{}|{}|ephemeral|{}|{}", row.proto, row.address, who, row.container)
            : fmt::format("{}|{}|{}|{}|{}", row.proto, row.address, row.port, who, row.container)));
  }
}

}  // namespace

NetworkRule exposed_service_rule() { return {info(), run}; }

}  // namespace hostward::exposure

#include "probe/probe_rules.h"

#include <fmt/format.h>

#include "core/fingerprint.h"

namespace hostward::probe {

namespace {

const RuleInfo& unauthenticated() {
  static const RuleInfo i{
      "network.unauthenticated-service",
      Severity::critical,
      {"T1190", "T1078.001"},
      "Service lets anyone in without credentials",
      "The seed's attacker needed one thing: a PostgreSQL that let postgres in without a "
      "password, as superuser, so COPY ... TO PROGRAM ran a shell. An unauthenticated "
      "database, Redis, Docker API or SSH is the same hole. Critical for databases, Redis, the "
      "Docker API and anything that runs commands; high for caches and search engines' "
      "metadata.",
      "Require authentication (pg_hba.conf scram-sha-256 instead of trust, requirepass / ACLs, "
      "--tlsverify, xpack security), and do not expose the port beyond the hosts that need it."};
  return i;
}

const RuleInfo& password_auth() {
  static const RuleInfo i{
      "network.password-auth-exposed",
      Severity::medium,
      {"T1110"},
      "SSH offers password authentication",
      "Password logins can be guessed; the seed's sibling hosts allowed them. Keys cannot be "
      "brute-forced.",
      "Set PasswordAuthentication no and KbdInteractiveAuthentication no in sshd_config (and in "
      "its Match blocks), then reload sshd; use keys."};
  return i;
}

Severity unauthenticated_severity(const ServiceResult& r) {
  if (r.command_execution) return Severity::critical;
  if (r.service == "postgresql" || r.service == "mysql" || r.service == "mongodb" ||
      r.service == "redis" || r.service == "docker" || r.service == "elasticsearch")
    return Severity::critical;
  return Severity::high;  // memcached and the like: data, not a shell
}

nlohmann::json subject_of(const HostReport& h, const PortReport& p) {
  return {{"kind", "service"},
          {"host", h.host.name},
          {"address", h.host.address.str()},
          {"port", p.port},
          {"service", p.service->service}};
}

nlohmann::json evidence_of(const ServiceResult& r) {
  nlohmann::json e = {{"access", access_name(r.access)},
                      {"detail", r.detail},
                      {"sent", r.sent},
                      {"received", r.received}};
  if (!r.version.empty()) e["version"] = r.version;
  if (!r.facts.empty()) e["facts"] = r.facts;
  if (r.command_execution) e["command_execution"] = true;
  return e;
}

Finding make(const RuleInfo& info, Severity sev, std::string title, const HostReport& h,
             const PortReport& p, const std::string& origin) {
  Finding f;
  f.rule = info.id;
  f.severity = sev;
  f.title = std::move(title);
  f.subject = subject_of(h, p);
  f.evidence = evidence_of(*p.service);
  f.remediation = info.remediation;
  f.attack = info.attack;
  f.fingerprint = make_fingerprint(
      origin, info.id, fmt::format("{}|{}|{}", h.host.address.str(), p.port, p.service->service));
  return f;
}

}  // namespace

void register_rules(RuleCatalog& catalog) {
  catalog.add(unauthenticated());
  catalog.add(password_auth());
}

std::vector<Finding> probe_findings(const std::vector<HostReport>& hosts,
                                    const std::string& origin) {
  std::vector<Finding> out;
  for (const auto& h : hosts) {
    for (const auto& p : h.ports) {
      if (!p.service) continue;
      const ServiceResult& r = *p.service;
      const std::string where = fmt::format("{} port {}", h.host.name, p.port);
      if (r.access == Access::open)
        out.push_back(make(unauthenticated(), unauthenticated_severity(r),
                           fmt::format("{} on {} lets anyone in: {}", r.service, where, r.detail),
                           h, p, origin));
      if (r.service == "ssh" && r.facts.value("password", false))
        out.push_back(make(password_auth(), Severity::medium,
                           fmt::format("SSH on {} offers password logins ({})", where, r.detail), h,
                           p, origin));
    }
  }
  return out;
}

}  // namespace hostward::probe

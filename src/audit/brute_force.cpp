#include <fmt/format.h>

#include "audit/fail2ban.h"
#include "audit/modules.h"
#include "audit/systemd_unit.h"
#include "core/ip_address.h"

namespace hostward::audit {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "config.no-brute-force-protection",
      Severity::medium,
      {"T1110.001", "T1110.003"},
      "sshd is reachable and nothing bans password guessers",
      "The seed's siblings were being brute-forced with no fail2ban: every guess was free. A "
      "ban after a few failures turns millions of guesses into a handful.",
      "Install fail2ban (Debian enables its sshd jail; on Debian 12 without rsyslog add "
      "`backend = systemd` to the [sshd] jail in jail.local), or sshguard, or CrowdSec with the "
      "sshd collection and a firewall bouncer; better still, turn passwords off."};
  return i;
}

const host::ProcessInfo* running(const host::Snapshot* live, const std::string& comm_prefix) {
  if (live == nullptr) return nullptr;
  for (const auto& p : live->processes)
    if (p.comm.rfind(comm_prefix, 0) == 0 && trusted_daemon(p)) return &p;
  return nullptr;
}

// Listening sockets of sshd beyond loopback: "address:port" each.
std::vector<std::string> outside_ssh_listeners(const host::Snapshot& live,
                                               const std::vector<int>& ports) {
  std::vector<std::string> out;
  for (const auto& c : live.connections) {
    if (c.proto != "tcp" || c.state != "listen" || c.netns != live.host_netns) continue;
    bool sshd = std::find(ports.begin(), ports.end(), c.local_port) != ports.end();
    for (const auto& p : live.processes)  // ssh.socket: systemd (PID 1) holds sshd's port
      if (c.pid != 0 && p.pid == c.pid)
        sshd = (p.comm == "sshd" && trusted_daemon(p)) || (sshd && p.pid == 1);
    const auto addr = parse_ip(c.local_addr);
    if (!sshd || !addr || is_loopback(*addr)) continue;
    out.push_back(fmt::format("{}:{}", c.local_addr, c.local_port));
  }
  return out;
}

struct Protection {
  bool protects = false;
  std::string what;  // for the check's detail or the finding's evidence
};

std::string option_value(const std::vector<std::string>& argv, const std::string& flag) {
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == flag) return argv[i + 1];
  return "";
}

Protection fail2ban(const AuditInput& in, nlohmann::json& evidence, AuditResult& out) {
  const host::ProcessInfo* server = running(in.live, "fail2ban-server");
  std::string dir = "/etc/fail2ban";
  if (server != nullptr && !option_value(server->argv, "-c").empty())
    dir = option_value(server->argv, "-c");
  const Fail2banConfig config = read_fail2ban(in.files, dir);
  if (!config.found) return {};
  nlohmann::json e = {{"config_dir", dir}};
  for (const auto& p : config.problems) out.errors.push_back({"config", "fail2ban: " + p});
  for (const auto& w : config.warnings) out.errors.push_back({"config", "fail2ban: " + w});
  const bool started = in.live ? server != nullptr : unit_enabled(in.files, "fail2ban.service");
  e[in.live ? "running" : "enabled_at_boot"] = started;
  const Fail2banJail* jail = config.sshd_jail();
  Protection result;
  if (!config.problems.empty()) {
    result.what = "fail2ban refuses its configuration";
  } else if (jail == nullptr) {
    result.what = "fail2ban has no enabled sshd jail";
  } else {
    e["jail"] = {{"name", jail->name},
                 {"enabled_by", jail->enabled_origin},
                 {"backend", jail->backend},
                 {"logpath", jail->logpaths}};
    bool log_found = jail->backend.rfind("systemd", 0) == 0;
    for (const auto& path : jail->logpaths)
      if (!in.files.glob(path).empty()) log_found = true;
    if (!log_found) {
      result.what = fmt::format(
          "fail2ban's {} jail cannot start: backend {} and no log file matches {} (fail2ban "
          "stops with \"Have not found any log file\")",
          jail->name, jail->backend, jail->logpaths.empty() ? "(none)" : jail->logpaths[0]);
    } else if (!started) {
      result.what = in.live ? "fail2ban is configured but fail2ban-server is not running"
                            : "fail2ban is configured but not enabled at boot";
    } else {
      result = {true, fmt::format("fail2ban jail {} (backend {})", jail->name, jail->backend)};
    }
  }
  e["verdict"] = result.what;
  evidence["fail2ban"] = e;
  return result;
}

Protection sshguard(const AuditInput& in, nlohmann::json& evidence) {
  const bool on = in.live ? running(in.live, "sshguard") != nullptr
                          : unit_enabled(in.files, "sshguard.service");
  if (!on && !in.files.read("/etc/sshguard/sshguard.conf")) return {};
  evidence["sshguard"] = {{in.live ? "running" : "enabled_at_boot", on}};
  return {on, on ? "sshguard" : "sshguard is installed but not running"};
}

Protection crowdsec(const AuditInput& in, nlohmann::json& evidence) {
  const bool agent = in.live ? running(in.live, "crowdsec") != nullptr
                             : unit_enabled(in.files, "crowdsec.service");
  // The agent only decides; a bouncer enforces ("crowdsec-firewall-bouncer", comm truncated).
  const bool bouncer = in.live ? (running(in.live, "crowdsec-firewa") != nullptr ||
                                  running(in.live, "cs-firewall-bou") != nullptr)
                               : (unit_enabled(in.files, "crowdsec-firewall-bouncer.service"));
  const bool collection = in.files.stat("/etc/crowdsec/collections/sshd.yaml").has_value();
  if (!agent && !in.files.stat("/etc/crowdsec/config.yaml")) return {};
  evidence["crowdsec"] = {{"agent", agent}, {"bouncer", bouncer}, {"sshd_collection", collection}};
  if (agent && bouncer && collection) return {true, "CrowdSec with the sshd collection"};
  return {false, !agent        ? "CrowdSec is installed but not running"
                 : !collection ? "CrowdSec has no sshd collection"
                               : "CrowdSec runs without a firewall bouncer"};
}

}  // namespace

void brute_force_register(RuleCatalog& catalog) { catalog.add(info()); }

void brute_force_rules(const AuditInput& in, AuditResult& out) {
  const std::string main = "/etc/ssh/sshd_config";
  if (!in.files.read(main)) {
    out.not_applicable(info().id, "no OpenSSH server");
    return;
  }
  const auto e = effective_sshd_config(in.files, main, in.ssh_connection);
  nlohmann::json evidence = nlohmann::json::object();
  if (in.live != nullptr) {
    std::vector<int> ports;
    if (const auto p = e.values.find("port"); p != e.values.end() && !p->second.empty())
      ports.push_back(std::atoi(p->second[0].c_str()));
    if (ports.empty() || ports[0] <= 0) ports = {22};
    const auto listeners = outside_ssh_listeners(*in.live, ports);
    if (listeners.empty()) {
      out.not_applicable(info().id, "sshd is not listening beyond loopback");
      return;
    }
    evidence["ssh_listeners"] = listeners;
  } else {
    if (!unit_enabled(in.files, "ssh.service") && !unit_enabled(in.files, "sshd.service") &&
        !unit_enabled(in.files, "ssh.socket")) {
      out.not_applicable(info().id, "sshd is not enabled at boot");
      return;
    }
    if (const auto l = e.values.find("listenaddress"); l != e.values.end() && !l->second.empty()) {
      std::string host = l->second[0];
      if (!host.empty() && host[0] == '[')
        host = host.substr(1, host.find(']') - 1);
      else if (std::count(host.begin(), host.end(), ':') == 1)
        host = host.substr(0, host.find(':'));
      const auto addr = parse_ip(host);
      if (addr && is_loopback(*addr)) {
        out.not_applicable(info().id, "sshd listens on loopback only");
        return;
      }
    }
  }
  std::vector<std::string> gaps;
  for (const Protection& p :
       {fail2ban(in, evidence, out), sshguard(in, evidence), crowdsec(in, evidence)}) {
    if (p.protects) {
      out.checks[info().id] = {info().id, "passed", p.what};
      return;
    }
    if (!p.what.empty()) gaps.push_back(p.what);
  }
  out.judged(info().id);
  const bool passwords = !e.surely_refused() && e.accepts_passwords();
  evidence["passwords_accepted"] = passwords;
  evidence["gaps"] = gaps;
  const std::string why = gaps.empty() ? "no fail2ban, sshguard or CrowdSec" : gaps.front();
  out.findings.push_back(make_finding(
      info(), passwords ? Severity::high : Severity::low,
      fmt::format("sshd is reachable and nothing bans guessers: {}{}", why,
                  passwords ? "; and it accepts passwords" : ""),
      {{"kind", "service"}, {"service", "sshd"}, {"path", main}}, evidence, in.hostname, "sshd"));
}

}  // namespace hostward::audit

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "audit/fail2ban.h"
#include "audit/modules.h"
#include "audit/systemd_unit.h"
#include "audit/ufw.h"
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

// `comm` is the kernel's 15-byte name, compared whole: "crowdsec" must not
// take the bouncer "crowdsec-firewa" for the agent.
const host::ProcessInfo* running(const host::Snapshot* live, const std::string& comm) {
  if (live == nullptr) return nullptr;
  for (const auto& p : live->processes)
    if (p.comm == comm && trusted_daemon(p)) return &p;
  return nullptr;
}

struct SshListener {
  std::string address;
  int port = 0;
};

// Listening sockets of sshd beyond loopback.
std::vector<SshListener> outside_ssh_listeners(const host::Snapshot& live,
                                               const std::vector<int>& ports) {
  std::vector<SshListener> out;
  for (const auto& c : live.connections) {
    if (c.proto != "tcp" || c.state != "listen" || c.netns != live.host_netns) continue;
    bool sshd = std::find(ports.begin(), ports.end(), c.local_port) != ports.end();
    for (const auto& p : live.processes)  // ssh.socket: systemd (PID 1) holds sshd's port
      if (c.pid != 0 && p.pid == c.pid)
        sshd = (p.comm == "sshd" && trusted_daemon(p)) || (sshd && p.pid == 1);
    const auto addr = parse_ip(c.local_addr);
    if (!sshd || !addr || is_loopback(*addr)) continue;
    out.push_back({c.local_addr, c.local_port});
  }
  return out;
}

// 1-65535 written in digits only; nullopt otherwise (an offline tree's
// "Port 99999999999" must not overflow).
std::optional<int> tcp_port(std::string_view digits) {
  int port = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port < 1 || port > 65535)
    return std::nullopt;
  return port;
}

// The port of a ListenAddress written "host:port" or "[v6]:port"; 0 for none.
int listen_address_port(const std::string& written) {
  size_t colon = std::string::npos;
  if (!written.empty() && written[0] == '[') {
    const size_t close = written.find(']');
    if (close != std::string::npos && close + 1 < written.size() && written[close + 1] == ':')
      colon = close + 1;
  } else if (std::count(written.begin(), written.end(), ':') == 1) {
    colon = written.find(':');
  }
  if (colon == std::string::npos) return 0;
  return tcp_port(std::string_view(written).substr(colon + 1)).value_or(0);
}

// sshd's Port lines, which add up (22 when there is none); the live check
// also uses them to recognise a socket whose owner it cannot see.
std::vector<int> configured_ports(const SshdEffective& e) {
  std::vector<int> out;
  for (const auto& written : e.ports)
    if (const auto port = tcp_port(written);
        port && std::find(out.begin(), out.end(), *port) == out.end())
      out.push_back(*port);
  if (out.empty()) out.push_back(22);
  return out;
}

struct OfflineListener {
  std::string host;  // "" for every address
  int port = 0;
};

// Names Debian's and RHEL's /etc/hosts give the loopback addresses.
bool loopback_host(const std::string& host) {
  if (const auto addr = parse_ip(host)) return is_loopback(*addr);
  const std::string name = lowercase(host);
  return name == "localhost" || name == "localhost.localdomain" || name == "ip6-localhost" ||
         name == "ip6-loopback" || name == "localhost6" || name == "localhost6.localdomain6";
}

// Offline, as sshd binds: each ListenAddress on its own port when it names
// one, else on every Port; without ListenAddress, every Port on any address.
std::vector<OfflineListener> offline_ssh_listeners(const SshdEffective& e) {
  const auto ports = configured_ports(e);
  std::vector<OfflineListener> out;
  if (e.listen_addresses.empty())
    for (const int port : ports) out.push_back({"", port});
  for (const auto& written : e.listen_addresses) {
    std::string host = written;
    if (!host.empty() && host[0] == '[')
      host = host.substr(1, host.find(']') - 1);
    else if (std::count(host.begin(), host.end(), ':') == 1)
      host = host.substr(0, host.find(':'));
    if (const int port = listen_address_port(written))
      out.push_back({host, port});
    else
      for (const int p : ports) out.push_back({host, p});
  }
  return out;
}

// The ports a ban reaches, from fail2ban port lists as its actions hand them
// to iptables multiport or nft: numbers, names through /etc/services, lo:hi
// (or nft's lo-hi) ranges with either end open, comma-separated.
struct BannedPorts {
  bool all = false;
  std::vector<std::pair<int, int>> ranges;
  std::vector<std::string> unresolved;  // names or numbers hostward cannot read

  bool covers(int port) const {
    return all || std::any_of(ranges.begin(), ranges.end(), [port](const auto& r) {
             return port >= r.first && port <= r.second;
           });
  }
};

std::optional<int> port_number(const std::string& word, const ServicePorts& services) {
  if (!word.empty() && word.find_first_not_of("0123456789") == std::string::npos) {
    if (word.size() > 5) return std::nullopt;
    const int n = std::atoi(word.c_str());
    return n <= 65535 ? std::optional<int>(n) : std::nullopt;
  }
  const auto it = services.find(word);
  return it == services.end() ? std::nullopt : std::optional<int>(it->second);
}

std::string trim_spaces(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

void add_port_list(const std::string& list, const ServicePorts& services, BannedPorts& out) {
  size_t start = 0;
  for (size_t items = 0; start <= list.size() && items < 64; ++items) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string item = trim_spaces(list.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) continue;
    if (lowercase(item) == "all") {
      out.all = true;
      continue;
    }
    // lo:hi, or nft's lo-hi (digits only: a service name may hold a '-').
    size_t sep = item.find(':');
    if (sep == std::string::npos && item.find_first_not_of("0123456789-") == std::string::npos)
      sep = item.find('-');
    std::optional<int> lo, hi;
    if (sep != std::string::npos) {
      const std::string a = item.substr(0, sep), b = item.substr(sep + 1);
      lo = a.empty() ? std::optional<int>(0) : port_number(a, services);
      hi = b.empty() ? std::optional<int>(65535) : port_number(b, services);
    } else {
      lo = hi = port_number(item, services);
    }
    if (!lo || !hi || *lo > *hi) {
      out.unresolved.push_back(item.substr(0, 64));
      continue;
    }
    out.ranges.emplace_back(*lo, *hi);
    if (*lo <= 1 && *hi == 65535) out.all = true;
  }
}

// What the jail's bans reach: an all-ports action reaches every port; else
// the port lists its actions were given. A jail without actions is judged
// by its own port. Actions with no port at all (route, ufw, a custom one)
// cannot be judged here: nullopt, and the jail counts as covering.
std::optional<BannedPorts> jail_bans(const Fail2banJail& jail, const ServicePorts& services) {
  BannedPorts bans;
  bool any_port = false;
  for (const auto& a : jail.actions) {
    if (a.all_ports) {
      bans.all = true;
      return bans;
    }
    if (a.port.empty()) continue;
    add_port_list(a.port, services, bans);
    any_port = true;
  }
  if (jail.actions.empty() && !jail.port.empty()) {
    add_port_list(jail.port, services, bans);
    any_port = true;
  }
  if (!any_port) return std::nullopt;
  return bans;
}

// The sshd ports none of the jail's bans reach, when that is certain.
std::vector<int> unbanned_ports(const Fail2banJail& jail, const ServicePorts& services,
                                const std::vector<int>& ssh_ports, nlohmann::json& evidence) {
  const auto bans = jail_bans(jail, services);
  if (!bans) return {};
  std::vector<int> out;
  for (const int port : ssh_ports)
    if (!bans->covers(port) && std::find(out.begin(), out.end(), port) == out.end())
      out.push_back(port);
  if (!bans->unresolved.empty()) {
    evidence["unresolved_ports"] = bans->unresolved;
    return {};  // a name hostward cannot read may be sshd's port
  }
  return out;
}

nlohmann::json actions_evidence(const Fail2banJail& jail) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : jail.actions)
    out.push_back({{"name", a.name.substr(0, 64)},
                   {"port", a.port.substr(0, 128)},
                   {"all_ports", a.all_ports}});
  return out;
}

std::string joined(const std::vector<int>& ports) {
  std::string out;
  for (const int p : ports) out += (out.empty() ? "" : ", ") + std::to_string(p);
  return out;
}

// The port lists the jail bans, as written, for the finding's words.
std::string written_bans(const Fail2banJail& jail) {
  std::string out;
  for (const auto& a : jail.actions)
    if (!a.port.empty() && out.find(a.port) == std::string::npos)
      out += (out.empty() ? "" : "; ") + a.port.substr(0, 64);
  return out.empty() ? jail.port.substr(0, 64) : out;
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

Protection fail2ban(const AuditInput& in, const std::vector<int>& ssh_ports,
                    nlohmann::json& evidence, AuditResult& out) {
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
                 {"logpath", jail->logpaths},
                 {"port", jail->port.substr(0, 128)},
                 {"actions", actions_evidence(*jail)}};
    bool log_found = jail->backend.rfind("systemd", 0) == 0;
    for (const auto& path : jail->logpaths)
      if (!in.files.glob(path).empty()) log_found = true;
    const ServicePorts services = parse_etc_services(in.files.read("/etc/services").value_or(""));
    const std::vector<int> unbanned = unbanned_ports(*jail, services, ssh_ports, e["jail"]);
    if (!log_found) {
      result.what = fmt::format(
          "fail2ban's {} jail cannot start: backend {} and no log file matches {} (fail2ban "
          "stops with \"Have not found any log file\")",
          jail->name, jail->backend, jail->logpaths.empty() ? "(none)" : jail->logpaths[0]);
    } else if (!started) {
      result.what = in.live ? "fail2ban is configured but fail2ban-server is not running"
                            : "fail2ban is configured but not enabled at boot";
    } else if (!unbanned.empty()) {
      e["jail"]["unbanned_ssh_ports"] = unbanned;
      result.what = fmt::format(
          "fail2ban's {} jail bans {} but sshd listens on {} {}: a banned address goes on "
          "guessing there",
          jail->name, written_bans(*jail), unbanned.size() == 1 ? "port" : "ports",
          joined(unbanned));
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
  const bool agent = in.live ? running(in.live, "crowdsec") != nullptr  // the agent, exactly
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
  std::vector<int> ssh_ports;  // the ports a guesser reaches sshd on
  if (in.live != nullptr) {
    // A socket whose owner is hidden is sshd's when it is on one of its ports.
    std::vector<int> ports = configured_ports(e);
    for (const auto& written : e.listen_addresses)
      if (const int port = listen_address_port(written)) ports.push_back(port);
    const auto listeners = outside_ssh_listeners(*in.live, ports);
    if (listeners.empty()) {
      out.not_applicable(info().id, "sshd is not listening beyond loopback");
      return;
    }
    evidence["ssh_listeners"] = nlohmann::json::array();
    for (const auto& l : listeners) {
      evidence["ssh_listeners"].push_back(fmt::format("{}:{}", l.address, l.port));
      if (std::find(ssh_ports.begin(), ssh_ports.end(), l.port) == ssh_ports.end())
        ssh_ports.push_back(l.port);
    }
  } else {
    std::vector<OfflineListener> outside;
    for (const auto& l : offline_ssh_listeners(e)) {
      if (l.host.empty() || !loopback_host(l.host)) outside.push_back(l);
    }
    for (const auto& l : outside)
      if (std::find(ssh_ports.begin(), ssh_ports.end(), l.port) == ssh_ports.end())
        ssh_ports.push_back(l.port);
    evidence["ssh_ports"] = ssh_ports;
    if (!unit_enabled(in.files, "ssh.service") && !unit_enabled(in.files, "sshd.service") &&
        !unit_enabled(in.files, "ssh.socket")) {
      out.not_applicable(info().id, "sshd is not enabled at boot");
      return;
    }
    if (outside.empty()) {
      out.not_applicable(info().id, "sshd listens on loopback only");
      return;
    }
  }
  std::vector<std::string> gaps;
  for (const Protection& p :
       {fail2ban(in, ssh_ports, evidence, out), sshguard(in, evidence), crowdsec(in, evidence)}) {
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

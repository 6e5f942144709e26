#include "audit/audit_rules.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <sstream>

#include "audit/modules.h"
#include "audit/postgres_config.h"

namespace hostward::audit {

namespace {

const RuleInfo& root_login_info() {
  static const RuleInfo i{
      "config.ssh-root-login",
      Severity::high,
      {"T1078.003", "T1110.001"},
      "sshd lets root log in with a password",
      "The seed's sibling hosts ran PermitRootLogin yes while being brute-forced: one guessed "
      "password is the whole machine.",
      "Set PermitRootLogin prohibit-password (or no) in the file that decides it (an earlier "
      "Include wins: look in sshd_config.d too), log in as a user and use sudo, then run "
      "`sshd -t` and reload sshd."};
  return i;
}

const RuleInfo& password_auth_info() {
  static const RuleInfo i{
      "config.ssh-password-auth",
      Severity::medium,
      {"T1110.001", "T1110.003"},
      "sshd accepts passwords from the network",
      "Password logins can be guessed; the seed's siblings saw an active brute force. Keys "
      "cannot be.",
      "Set PasswordAuthentication no and, with UsePAM yes, KbdInteractiveAuthentication no in "
      "the file that decides it (cloud-init writes sshd_config.d/50-cloud-init.conf, which an "
      "Include reads first), install keys for every user first, then `sshd -t` and reload."};
  return i;
}

nlohmann::json connection_json(const SshdConnection& c) {
  return {{"user", c.user}, {"address", c.address}, {"local_port", c.local_port}};
}

// Splits "file:line" into a subject.
nlohmann::json setting_subject(const SshdEffective& e, const std::string& keyword,
                               const std::string& setting, const std::string& main_file) {
  const std::string where = e.where(keyword);
  nlohmann::json s = {{"kind", "config"}, {"setting", setting}};
  const size_t colon = where.rfind(':');
  if (where == "default" || colon == std::string::npos) {
    s["path"] = main_file;
    s["default"] = true;
  } else {
    s["path"] = where.substr(0, colon);
    s["line"] = std::stoi(where.substr(colon + 1));
  }
  return s;
}

void ssh_rules(const AuditInput& in, AuditResult& out) {
  const std::string main = "/etc/ssh/sshd_config";
  if (!in.files.read(main)) {
    out.not_applicable(root_login_info().id, "no /etc/ssh/sshd_config");
    out.not_applicable(password_auth_info().id, "no /etc/ssh/sshd_config");
    return;
  }
  const auto e = effective_sshd_config(in.files, main, in.ssh_connection);
  for (const auto& p : e.problems) {
    out.errors.push_back(
        {"config", fmt::format("{}{}: {}{}", p.file, p.line ? ":" + std::to_string(p.line) : "",
                               p.message, p.fatal ? " (sshd refuses to start with this)" : "")});
  }
  if (e.surely_refused()) {  // sshd would not run with it: nothing effective to judge
    out.unknown(root_login_info().id, "sshd refuses its configuration");
    out.unknown(password_auth_info().id, "sshd refuses its configuration");
    return;
  }
  out.judged(root_login_info().id);
  out.judged(password_auth_info().id);
  const double version = openssh_version(in.files);
  // Before OpenSSH 7.0 the compiled-in default was yes.
  std::string root = e.permit_root_login();
  if (e.where("permitrootlogin") == "default" && version > 0 && version < 7.0) root = "yes";
  const bool passwords = e.accepts_passwords();
  const nlohmann::json files_read = e.files_read;
  if (root == "yes") {
    const Severity sev = passwords ? Severity::high : Severity::medium;
    out.findings.push_back(make_finding(
        root_login_info(), sev,
        passwords ? "root may log in over SSH with a password (PermitRootLogin yes)"
                  : "root may log in over SSH (PermitRootLogin yes; passwords are off)",
        setting_subject(e, "permitrootlogin", "PermitRootLogin", main),
        {{"effective", "yes"},
         {"decided_by", e.where("permitrootlogin")},
         {"passwords_accepted", passwords},
         {"judged_for", connection_json(in.ssh_connection)},
         {"files_read", files_read}},
        in.hostname, "PermitRootLogin"));
  }
  // Passwords matter for every account, not only root's: judge an ordinary
  // user too (a Match User or Match Group block may open them for others).
  SshdConnection ordinary = in.ssh_connection;
  ordinary.user = "hostward-probe";
  ordinary.groups = {};
  const SshdEffective other = effective_sshd_config(in.files, main, ordinary);
  const bool for_root = passwords;
  const SshdEffective& e2 = for_root ? e : other;
  if (for_root || other.accepts_passwords()) {
    const SshdEffective& e = e2;
    const bool direct = e.password_authentication();
    const std::string keyword = direct ? "passwordauthentication" : "kbdinteractiveauthentication";
    nlohmann::json evidence = {
        {"passwordauthentication", e.password_authentication() ? "yes" : "no"},
        {"passwordauthentication_decided_by", e.where("passwordauthentication")},
        {"kbdinteractiveauthentication", e.kbd_interactive_authentication() ? "yes" : "no"},
        {"usepam", e.use_pam() ? "yes" : "no"},
        {"judged_for", connection_json(for_root ? in.ssh_connection : ordinary)},
        {"files_read", files_read}};
    out.findings.push_back(make_finding(
        password_auth_info(), Severity::medium,
        direct ? fmt::format("sshd accepts passwords (PasswordAuthentication yes, from {})",
                             e.where("passwordauthentication"))
               : "sshd accepts passwords through PAM (KbdInteractiveAuthentication yes with "
                 "UsePAM yes)",
        setting_subject(e, keyword,
                        direct ? "PasswordAuthentication" : "KbdInteractiveAuthentication", main),
        evidence, in.hostname, "PasswordAuthentication"));
  }
}

const RuleInfo& pg_trust_info() {
  static const RuleInfo i{
      "config.postgres-trust-auth",
      Severity::high,
      {"T1078.001", "T1190"},
      "PostgreSQL lets network clients in without a password (trust)",
      "The seed: a trust line let anyone who reached the port in as superuser, and COPY ... TO "
      "PROGRAM turned that into a shell on the host.",
      "Replace trust with scram-sha-256 for every host line (keep trust, if at all, for local "
      "sockets), set passwords, bind listen_addresses to localhost unless clients need it, "
      "then reload PostgreSQL."};
  return i;
}

const RuleInfo& pg_listen_info() {
  static const RuleInfo i{
      "config.postgres-listen-all",
      Severity::medium,
      {"T1133", "T1190"},
      "PostgreSQL listens on every interface",
      "A database reachable from everywhere is one pg_hba.conf mistake away from the seed.",
      "Set listen_addresses = 'localhost' (or the one private address clients use) in "
      "postgresql.conf and restart; put a firewall rule in front of port 5432 either way."};
  return i;
}

// Addresses inside a record's network that are not loopback, one per family
// the record covers, to ask the whole file whether this record is the one
// that decides for such a client (an earlier reject may shadow it).
std::vector<std::string> outside_addresses_in(const std::string& spec) {
  if (spec == "all") return {"203.0.113.5", "2001:db8::5"};
  const size_t slash = spec.find('/');
  if (slash == std::string::npos) return {};  // samehost, samenet, host names: not judged
  unsigned char b[16] = {};
  const std::string net = spec.substr(0, slash);
  const int bits = std::atoi(spec.c_str() + slash + 1);
  if (inet_pton(AF_INET, net.c_str(), b) == 1) {
    if (bits == 0) return {"203.0.113.5"};
    if (b[0] == 127 && bits >= 8) return {};
    if (bits < 32) b[3] = static_cast<unsigned char>(b[3] | 5);  // a host, not the network
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, b, text, sizeof text);
    return {text};
  }
  if (inet_pton(AF_INET6, net.c_str(), b) == 1) {
    if (bits == 0) return {"2001:db8::5"};
    static const unsigned char kLoop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (std::equal(b, b + 16, kLoop)) return {};
    if (bits < 128) b[15] = static_cast<unsigned char>(b[15] | 5);
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, b, text, sizeof text);
    return {text};
  }
  return {};
}

// Names a record lets in, to probe with: each plain or quoted name, +role
// as the role itself, and for all/sameuser/... both postgres and a name used
// nowhere (an earlier line for postgres alone must not hide the rest).
std::vector<std::string> probe_names(const std::vector<std::string>& tokens) {
  std::vector<std::string> out;
  for (const auto& t : tokens) {
    if (t.empty() || t[0] == '@') continue;
    if (t == "all" || t == "sameuser" || t == "samerole" || t == "samegroup") {
      out.push_back("postgres");
      out.push_back("hostward_probe");
    } else if (t[0] == '+') {
      out.push_back(t.substr(1));
    } else if (t.front() == '"' && t.size() >= 2) {
      out.push_back(t.substr(1, t.size() - 2));
    } else if (t != "replication") {
      out.push_back(t);
    }
  }
  if (out.empty()) out.push_back("postgres");
  return out;
}

bool is_on(const std::string& value) {
  std::string v;
  for (char c : value) v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "on" || v == "true" || v == "yes" || v == "1" || v == "t" || v == "y" || v == "tr" ||
         v == "tru";
}

void postgres_rules(const AuditInput& in, AuditResult& out, bool live) {
  const auto clusters = find_postgres_clusters(in.files, live);
  if (clusters.empty()) {
    out.not_applicable(pg_trust_info().id, "no PostgreSQL cluster");
    out.not_applicable(pg_listen_info().id, "no PostgreSQL cluster");
  } else {
    out.judged(pg_trust_info().id);
    out.judged(pg_listen_info().id);
  }
  for (const auto& cluster : clusters) {
    for (const auto& p : cluster.settings.problems)
      out.errors.push_back({"config", "PostgreSQL " + cluster.name + ": " + p});
    const bool exposed = !loopback_only(cluster.listen_addresses);
    if (exposed) {
      const size_t colon = cluster.listen_origin.rfind(':');
      nlohmann::json subject = {{"kind", "config"},
                                {"setting", "listen_addresses"},
                                {"cluster", cluster.name},
                                {"path", cluster.config_file}};
      if (colon != std::string::npos && cluster.listen_origin != "default") {
        subject["path"] = cluster.listen_origin.substr(0, colon);
        subject["line"] = std::atoi(cluster.listen_origin.c_str() + colon + 1);
      }
      out.findings.push_back(make_finding(
          pg_listen_info(), Severity::medium,
          fmt::format("PostgreSQL {} listens on '{}'", cluster.name, cluster.listen_addresses),
          subject,
          {{"listen_addresses", cluster.listen_addresses}, {"decided_by", cluster.listen_origin}},
          in.hostname, cluster.name + "\n" + cluster.listen_addresses));
    }
    const auto ssl = cluster.settings.values.find("ssl");
    const bool ssl_on = ssl != cluster.settings.values.end() && is_on(ssl->second);
    const HbaFile hba = read_pg_hba(cluster.files, cluster.hba_file);
    for (const auto& p : hba.problems)
      out.errors.push_back(
          {"config", fmt::format("PostgreSQL {}: {}:{}: {} (the server refuses to load this file; "
                                 "a running server keeps its previous rules)",
                                 cluster.name, p.file, p.line, p.message)});
    for (const auto& r : hba.records) {
      if (r.method != "trust" || r.type == "local" || r.type == "hostgssenc") continue;
      if (r.type == "hostssl" && !ssl_on) continue;  // loaded, never matches
      const bool replication =
          std::find(r.databases.begin(), r.databases.end(), "replication") != r.databases.end();
      // Every client this record could decide for, until one it does decide for.
      std::optional<HbaConnection> decided;
      for (const auto& address : outside_addresses_in(r.address)) {
        for (const auto& user : probe_names(r.users)) {
          for (const auto& database : probe_names(r.databases)) {
            for (const bool with_ssl : {false, true}) {
              if (decided || (with_ssl && !ssl_on) || (r.type == "hostssl" && !with_ssl) ||
                  (r.type == "hostnossl" && with_ssl))
                continue;
              HbaConnection probe;
              probe.address = address;
              probe.user = user;
              probe.database = replication ? "replication" : database;
              probe.replication = replication;
              probe.ssl = with_ssl;
              if (decide(hba, probe).record == &r) decided = probe;
            }
          }
        }
      }
      if (!decided) continue;  // earlier lines decide for all of these clients
      const HbaConnection probe = *decided;
      const Severity sev = exposed ? Severity::critical : Severity::high;
      nlohmann::json subject = {{"kind", "config"},
                                {"setting", "pg_hba"},
                                {"cluster", cluster.name},
                                {"path", r.file},
                                {"line", r.line}};
      out.findings.push_back(make_finding(
          pg_trust_info(), sev,
          fmt::format("PostgreSQL {}: {} {} {} {} trust lets clients in without a password{}",
                      cluster.name, r.type, fmt::join(r.databases, ","), fmt::join(r.users, ","),
                      r.address, exposed ? ", and it listens beyond loopback" : ""),
          subject,
          {{"record",
            {{"type", r.type},
             {"databases", r.databases},
             {"users", r.users},
             {"address", r.address},
             {"method", r.method}}},
           {"decides_for",
            {{"address", probe.address}, {"user", probe.user}, {"database", probe.database}}},
           {"listen_addresses", cluster.listen_addresses},
           {"listen_decided_by", cluster.listen_origin}},
          in.hostname, cluster.name + "\n" + r.file + ":" + std::to_string(r.line)));
    }
  }
}

}  // namespace

void register_rules(RuleCatalog& catalog) {
  catalog.add(root_login_info());
  catalog.add(password_auth_info());
  catalog.add(pg_trust_info());
  catalog.add(pg_listen_info());
  ufw_register(catalog);
  docker_daemon_register(catalog);
  scheduled_jobs_register(catalog);
  shell_history_register(catalog);
  host_hardening_register(catalog);
  brute_force_register(catalog);
  firewall_persistence_register(catalog);
}

double openssh_version(const ConfigFiles& files) {
  const auto status = files.read("/var/lib/dpkg/status");
  if (!status) return 0;
  std::istringstream in(*status);
  std::string line;
  bool ours = false;
  while (std::getline(in, line)) {
    if (line.rfind("Package: ", 0) == 0) ours = line == "Package: openssh-server";
    if (ours && line.rfind("Version: ", 0) == 0) {
      // "1:9.2p1-2+deb12u3": an epoch, then major.minor; read by hand, bounded.
      std::string v = line.substr(9, 32);
      if (const size_t colon = v.find(':'); colon != std::string::npos) v = v.substr(colon + 1);
      int major = 0, minor = 0;
      size_t i = 0;
      for (; i < v.size() && i < 3 && std::isdigit(static_cast<unsigned char>(v[i])); ++i)
        major = major * 10 + (v[i] - '0');
      if (i == 0 || i >= v.size() || v[i] != '.') return 0;
      for (size_t j = i + 1;
           j < v.size() && j < i + 3 && std::isdigit(static_cast<unsigned char>(v[j])); ++j)
        minor = minor * 10 + (v[j] - '0');
      return major + (minor < 10 ? minor / 10.0 : minor / 100.0);
    }
  }
  return 0;
}

void AuditResult::judged(const std::string& rule) { checks[rule] = {rule, "passed", ""}; }

void AuditResult::not_applicable(const std::string& rule, std::string why) {
  checks[rule] = {rule, "not_applicable", std::move(why)};
}

void AuditResult::unknown(const std::string& rule, std::string why) {
  checks[rule] = {rule, "unknown", std::move(why)};
}

bool trusted_daemon(const host::ProcessInfo& p) {
  // An executable replaced or deleted by an upgrade is still root's daemon.
  return !p.kernel_thread && p.euid == 0 && p.uid == 0 && p.exe_uid == 0 &&
         (p.exe_state == host::ExeState::present || p.exe_state == host::ExeState::replaced ||
          p.exe_state == host::ExeState::deleted);
}

AuditResult run_config_rules(const AuditInput& input) {
  AuditResult out;
  ssh_rules(input, out);
  postgres_rules(input, out, input.files.root.empty() && input.files.memory.empty());
  ufw_rules(input, out);
  docker_daemon_rules(input, out);
  scheduled_jobs_rules(input, out);
  shell_history_rules(input, out);
  host_hardening_rules(input, out);
  brute_force_rules(input, out);
  firewall_persistence_rules(input, out);
  // A mistyped --root or an empty directory passes the few checks that need
  // nothing (no set-id file in no /tmp): it must not look like a hardened host.
  if (!input.files.root.empty() && !input.files.stat("/etc/passwd") &&
      !input.files.stat("/etc/os-release")) {
    out.not_a_system = true;
    out.errors.push_back({"config", input.files.root +
                                        ": no /etc/passwd or /etc/os-release; not a system's "
                                        "root, so no hardening score"});
  }
  return out;
}

namespace {

int weight(Severity s) {
  switch (s) {
    case Severity::critical:
      return 10;
    case Severity::high:
      return 6;
    case Severity::medium:
      return 3;
    case Severity::low:
      return 1;
    case Severity::info:
      return 0;
  }
  return 0;
}

}  // namespace

Hardening hardening_summary(const AuditResult& result) {
  RuleCatalog ours;
  register_rules(ours);
  Hardening h;
  h.present = true;
  int passed = 0, applicable = 0;
  for (const auto& rule : ours.all()) {
    HardeningCheck check{rule.id, "unknown", "not judged"};
    if (const auto it = result.checks.find(rule.id); it != result.checks.end()) check = it->second;
    std::optional<Severity> worst;
    for (const auto& f : result.findings)
      if (f.rule == rule.id && (!worst || f.severity > *worst)) worst = f.severity;
    if (worst) check = {rule.id, "failed", ""};
    if (check.status == "passed") {
      passed += weight(rule.severity);
      applicable += weight(rule.severity);
    } else if (check.status == "failed") {
      applicable += weight(*worst);
    }
    h.checks.push_back(std::move(check));
  }
  if (applicable > 0 && !result.not_a_system) h.score = passed * 100 / applicable;
  return h;
}

}  // namespace hostward::audit

// config.no-brute-force-protection: which sshd ports fail2ban's bans reach,
// fail2ban's %(known/x)s against fail2ban-client's own dump, sshguard and
// CrowdSec, offline trees and live snapshots.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "audit/audit_rules.h"
#include "audit/fail2ban.h"
#include "audit/fixture_tree.h"
#include "audit/modules.h"
#include "host/snapshot.h"
#include "integration/support.h"

namespace hostward::itest {
namespace {

using nlohmann::json;

const std::string kRule = "config.no-brute-force-protection";
const std::string kTitle = "sshd is reachable and nothing bans guessers: ";
const json kSubject = {{"kind", "service"}, {"service", "sshd"}, {"path", "/etc/ssh/sshd_config"}};

void sshd_enabled(Tree& t, const std::string& config = "UsePAM yes\n") {
  t.write("/etc/ssh/sshd_config", config);
  enable_unit(t, "ssh.service", "/usr/sbin/sshd -D");
}

// Debian's jail.conf where it matters here: the stock action hands the
// jail's port to the ban action; [sshd] bans `ssh`.
void stock_fail2ban(Tree& t, const std::string& jail_local) {
  t.write("/etc/fail2ban/jail.conf",
          "[INCLUDES]\nbefore = paths-debian.conf\n[DEFAULT]\nenabled = false\nbackend = auto\n"
          "port = 0:65535\nprotocol = tcp\nchain = INPUT\nbanaction = iptables-multiport\n"
          "banaction_allports = iptables-allports\n"
          "action_ = %(banaction)s[port=\"%(port)s\", protocol=\"%(protocol)s\", "
          "chain=\"%(chain)s\"]\naction = %(action_)s\n"
          "[sshd]\nport    = ssh\nlogpath = %(sshd_log)s\nbackend = %(sshd_backend)s\n");
  write_debian_fail2ban_paths(t);
  // The action files' own default port, for an action line without port=.
  t.write("/etc/fail2ban/action.d/iptables.conf",
          "[Definition]\ntype = multiport\nmultiport = -p <protocol> -m multiport --dports <port>\n"
          "actionstart = <iptables> -I <chain> <multiport> -j f2b-<name>\n[Init]\nport = ssh\n");
  // ufw's action bans "from IP to any": it never uses the port it is given.
  t.write("/etc/fail2ban/action.d/ufw.conf",
          "[Definition]\nactionban = ufw insert <insertpos> <blocktype> from <ip> to "
          "<destination>\n[Init]\ninsertpos = 1\nblocktype = reject\ndestination = any\n");
  t.write("/etc/fail2ban/action.d/iptables-multiport.conf",
          "[INCLUDES]\nbefore = iptables.conf\n[Definition]\ntype = multiport\n");
  t.write("/etc/fail2ban/action.d/iptables-allports.conf",
          "[INCLUDES]\nbefore = iptables.conf\n[Definition]\ntype = allports\n");
  t.write("/etc/fail2ban/jail.local", jail_local);
  t.write("/etc/services", "# Network services\nssh\t\t22/tcp\nhttp\t\t80/tcp\t\twww\n");
  enable_unit(t, "fail2ban.service", "/usr/bin/fail2ban-server -xf start");
}

audit::AuditResult run(const Tree& t, const host::Snapshot* live = nullptr) {
  audit::AuditInput in;
  in.files.root = t.dir.path();
  in.hostname = "web-1";
  in.live = live;
  audit::AuditResult out;
  audit::brute_force_rules(in, out);
  return out;
}

std::string status(const audit::AuditResult& r) {
  const auto it = r.checks.find(kRule);
  return it == r.checks.end() ? "absent" : it->second.status;
}

std::string detail(const audit::AuditResult& r) {
  const auto it = r.checks.find(kRule);
  return it == r.checks.end() ? "" : it->second.detail;
}

void expect_one_finding(const audit::AuditResult& r, Severity severity, const std::string& why) {
  ASSERT_EQ(r.findings.size(), 1u) << detail(r);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.rule, kRule);
  EXPECT_EQ(f.severity, severity);
  EXPECT_EQ(f.title, kTitle + why);
  EXPECT_EQ(f.subject, kSubject);
}

// --- fail2ban: the ports the jail's bans reach ---

TEST(BruteForcePorts, StockJailBansSshWhileSshdListensOnAnotherPort) {
  Tree t;
  sshd_enabled(t, "Port 2222\nUsePAM yes\n");
  stock_fail2ban(t, "[sshd]\nbackend = systemd\n");
  const auto r = run(t);
  expect_one_finding(r, Severity::high,
                     "fail2ban's sshd jail bans ssh but sshd listens on port 2222: a banned "
                     "address goes on guessing there; and it accepts passwords");
  const json& jail = r.findings[0].evidence["fail2ban"]["jail"];
  EXPECT_EQ(jail["port"], "ssh");
  EXPECT_EQ(jail["actions"],
            json::array({{{"name", "iptables-multiport"}, {"port", "ssh"}, {"all_ports", false}}}));
  EXPECT_EQ(jail["unbanned_ssh_ports"], json::array({2222}));
  EXPECT_EQ(r.findings[0].evidence["ssh_ports"], json::array({2222}));
  EXPECT_EQ(r.findings[0].evidence["gaps"].at(0),
            "fail2ban's sshd jail bans ssh but sshd listens on port 2222: a banned address goes "
            "on guessing there");
}

TEST(BruteForcePorts, ListenAddressPortIsSshdsPort) {
  Tree t;
  sshd_enabled(t,
               "ListenAddress 0.0.0.0:2200\nPasswordAuthentication no\n"
               "KbdInteractiveAuthentication no\n");
  stock_fail2ban(t, "[sshd]\nbackend = systemd\n");
  const auto r = run(t);
  expect_one_finding(r, Severity::low,
                     "fail2ban's sshd jail bans ssh but sshd listens on port 2200: a banned "
                     "address goes on guessing there");
}

// Port and ListenAddress add up in sshd: the second Port is a port too, and
// a loopback ListenAddress beside an outside one leaves sshd reachable.
TEST(BruteForcePorts, EveryPortAndListenAddressOfflineIsSshds) {
  Tree t;
  sshd_enabled(t, "Port 22\nPort 2222\nUsePAM yes\n");
  stock_fail2ban(t, "[sshd]\nbackend = systemd\n");
  const auto r = run(t);
  expect_one_finding(r, Severity::high,
                     "fail2ban's sshd jail bans ssh but sshd listens on port 2222: a banned "
                     "address goes on guessing there; and it accepts passwords");
  EXPECT_EQ(r.findings[0].evidence["ssh_ports"], json::array({22, 2222}));

  t.write("/etc/ssh/sshd_config",
          "Port 22\nPort 2222\nListenAddress 127.0.0.1\nListenAddress 192.0.2.7:22\n");
  const auto one_outside = run(t);
  EXPECT_TRUE(one_outside.findings.empty());
  EXPECT_EQ(status(one_outside), "passed");

  t.write("/etc/ssh/sshd_config",
          "Port 22\nPort 2222\nListenAddress 127.0.0.1\nListenAddress [::1]:2200\n");
  const auto loopback = run(t);
  EXPECT_TRUE(loopback.findings.empty());
  EXPECT_EQ(status(loopback), "not_applicable");

  t.write("/etc/ssh/sshd_config", "ListenAddress localhost\nListenAddress ip6-localhost:2200\n");
  EXPECT_EQ(status(run(t)), "not_applicable");
}

TEST(BruteForcePorts, ActionWithoutPortUsesItsActionFilesDefault) {
  // fail2ban hands an action only the options written on its line: the
  // jail's `port = 2222` does not reach a bare iptables-multiport.
  Tree t;
  sshd_enabled(t, "Port 2222\nUsePAM yes\n");
  stock_fail2ban(t, "[sshd]\nbackend = systemd\nport = 2222\naction = iptables-multiport\n");
  const auto r = run(t);
  expect_one_finding(r, Severity::high,
                     "fail2ban's sshd jail bans ssh but sshd listens on port 2222: a banned "
                     "address goes on guessing there; and it accepts passwords");
  EXPECT_EQ(r.findings[0].evidence["fail2ban"]["jail"]["port"], "2222");
}

TEST(BruteForcePorts, JailsThatReachSshdsPortProtect) {
  const char* covering[] = {
      "[sshd]\nbackend = systemd\nport = 2222\n",
      "[sshd]\nbackend = systemd\nport = ssh,2222\n",
      "[sshd]\nbackend = systemd\nport = http, 2000:3000\n",
      "[sshd]\nbackend = systemd\nport = 2000-3000\n",
      "[sshd]\nbackend = systemd\nport = 2000:\n",
      "[sshd]\nbackend = systemd\nport = 0:65535\n",
      "[sshd]\nbackend = systemd\nport = all\n",
      "[sshd]\nbackend = systemd\nbanaction = %(banaction_allports)s\n",
      "[sshd]\nbackend = systemd\nbanaction = nftables[type=allports]\n",
      "[sshd]\nbackend = systemd\naction = iptables[type=allports, port=ssh]\n",
      "[sshd]\nbackend = systemd\naction = iptables-multiport[port=\"2222\"]\n"
      "           sendmail-whois[name=sshd]\n",
      "[sshd]\nbackend = systemd\naction = iptables-allports\n",
      // Debian's action_ hands ufw port=ssh, which its ban command ignores.
      "[DEFAULT]\nbanaction = ufw\n[sshd]\nbackend = systemd\n",
      // No port hostward can judge: a custom action, an unknown name.
      "[sshd]\nbackend = systemd\naction = route\n",
      "[sshd]\nbackend = systemd\nport = ssh-alt\n",
  };
  for (const char* jail_local : covering) {
    SCOPED_TRACE(jail_local);
    Tree t;
    sshd_enabled(t, "Port 2222\nUsePAM yes\n");
    stock_fail2ban(t, jail_local);
    const auto r = run(t);
    EXPECT_TRUE(r.findings.empty()) << r.findings[0].title;
    EXPECT_EQ(status(r), "passed");
    EXPECT_EQ(detail(r), "fail2ban jail sshd (backend systemd)");
  }
}

TEST(BruteForcePorts, StockJailOnPort22Protects) {
  Tree t;
  sshd_enabled(t);
  stock_fail2ban(t, "[sshd]\nbackend = systemd\n");
  const auto r = run(t);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(status(r), "passed");
}

TEST(BruteForcePorts, UnresolvedNameIsNotJudgedButShownInTheEvidence) {
  Tree t;
  sshd_enabled(t, "Port 2222\nUsePAM yes\n");
  stock_fail2ban(t, "[sshd]\nbackend = systemd\nport = ssh-alt\n");
  std::filesystem::remove(t.at("/etc/systemd/system/multi-user.target.wants/fail2ban.service"));
  const auto r = run(t);  // fails for another reason, so the jail's evidence is shown
  expect_one_finding(r, Severity::high,
                     "fail2ban is configured but not enabled at boot; and it accepts passwords");
  const json& jail = r.findings[0].evidence["fail2ban"]["jail"];
  EXPECT_EQ(jail["unresolved_ports"], json::array({"ssh-alt"}));
  EXPECT_FALSE(jail.contains("unbanned_ssh_ports"));
}

// --- live: sshd's listening sockets are its ports ---

host::ProcessInfo root_daemon(int pid, const std::string& comm) {
  host::ProcessInfo p;
  p.pid = pid;
  p.comm = comm;
  p.exe_state = host::ExeState::present;
  return p;  // uid, euid and exe_uid 0: root's, from a root-owned file
}

host::Connection listener(const std::string& addr, int port, int pid) {
  host::Connection c;
  c.state = "listen";
  c.local_addr = addr;
  c.local_port = port;
  c.pid = pid;
  return c;
}

TEST(BruteForceLivePorts, SecondListeningPortTheJailMissesFires) {
  Tree t;
  t.write("/etc/ssh/sshd_config", "Port 22\nPort 2222\nUsePAM yes\n");
  stock_fail2ban(t, "[sshd]\nbackend = systemd\n");
  host::Snapshot live;
  live.processes = {root_daemon(700, "sshd"), root_daemon(800, "fail2ban-server")};
  live.connections = {listener("0.0.0.0", 22, 700), listener("0.0.0.0", 2222, 700),
                      listener("127.0.0.1", 2022, 700)};
  const auto r = run(t, &live);
  expect_one_finding(r, Severity::high,
                     "fail2ban's sshd jail bans ssh but sshd listens on port 2222: a banned "
                     "address goes on guessing there; and it accepts passwords");
  EXPECT_EQ(r.findings[0].evidence["ssh_listeners"], json::array({"0.0.0.0:22", "0.0.0.0:2222"}));
  EXPECT_EQ(r.findings[0].evidence["fail2ban"]["jail"]["unbanned_ssh_ports"], json::array({2222}));

  t.write("/etc/fail2ban/jail.local", "[sshd]\nbackend = systemd\nport = ssh,2222\n");
  const auto fixed = run(t, &live);
  EXPECT_TRUE(fixed.findings.empty());
  EXPECT_EQ(status(fixed), "passed");
}

TEST(BruteForceLivePorts, HiddenOwnersSocketOnAListenAddressPortIsSshds) {
  Tree t;
  t.write("/etc/ssh/sshd_config", "ListenAddress 0.0.0.0:2200\nUsePAM yes\n");
  host::Snapshot live;
  live.connections = {listener("0.0.0.0", 2200, 0)};
  const auto r = run(t, &live);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].evidence["ssh_listeners"], json::array({"0.0.0.0:2200"}));
}

// --- sshguard ---

TEST(BruteForceSshguard, RunningSshguardProtects) {
  Tree t;
  t.write("/etc/ssh/sshd_config", "UsePAM yes\n");
  host::Snapshot live;
  live.processes = {root_daemon(700, "sshd"), root_daemon(900, "sshguard")};
  live.connections = {listener("::", 22, 700)};
  const auto r = run(t, &live);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(status(r), "passed");
  EXPECT_EQ(detail(r), "sshguard");
}

TEST(BruteForceSshguard, InstalledButNotRunningFires) {
  Tree t;
  t.write("/etc/ssh/sshd_config", "UsePAM yes\n");
  t.write("/etc/sshguard/sshguard.conf", "BACKEND=\"/usr/libexec/sshguard/sshg-fw-nft-sets\"\n");
  host::Snapshot live;
  live.processes = {root_daemon(700, "sshd")};
  live.connections = {listener("::", 22, 700)};
  const auto r = run(t, &live);
  expect_one_finding(r, Severity::high,
                     "sshguard is installed but not running; and it accepts passwords");
  EXPECT_EQ(r.findings[0].evidence["sshguard"], json({{"running", false}}));
}

TEST(BruteForceSshguard, OfflineEnabledUnitProtects) {
  Tree t;
  sshd_enabled(t);
  enable_unit(t, "sshguard.service", "/usr/sbin/sshguard");
  const auto r = run(t);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(detail(r), "sshguard");
  Tree off;
  sshd_enabled(off);
  off.write("/etc/sshguard/sshguard.conf", "THRESHOLD=30\n");
  expect_one_finding(run(off), Severity::high,
                     "sshguard is installed but not running; and it accepts passwords");
}

// --- CrowdSec: the agent decides, a bouncer enforces, the collection parses sshd ---

struct CrowdsecHost {
  bool agent = true, bouncer = true, collection = true;
  std::string bouncer_comm = "crowdsec-firewa";  // crowdsec-firewall-bouncer, cut to 15

  audit::AuditResult run_it() const {
    Tree t;
    t.write("/etc/ssh/sshd_config", "UsePAM yes\n");
    t.write("/etc/crowdsec/config.yaml", "common:\n  daemonize: true\n");
    if (collection)
      t.write("/etc/crowdsec/collections/sshd.yaml", "parsers:\n  - crowdsecurity/sshd-logs\n");
    host::Snapshot live;
    live.processes = {root_daemon(700, "sshd")};
    if (agent) live.processes.push_back(root_daemon(1000, "crowdsec"));
    if (bouncer) live.processes.push_back(root_daemon(1001, bouncer_comm));
    live.connections = {listener("0.0.0.0", 22, 700)};
    return run(t, &live);
  }
};

TEST(BruteForceCrowdsec, AgentBouncerAndSshdCollectionProtect) {
  for (const std::string comm : {"crowdsec-firewa", "cs-firewall-bou"}) {
    CrowdsecHost h;
    h.bouncer_comm = comm;
    const auto r = h.run_it();
    EXPECT_TRUE(r.findings.empty()) << comm;
    EXPECT_EQ(status(r), "passed");
    EXPECT_EQ(detail(r), "CrowdSec with the sshd collection");
  }
}

TEST(BruteForceCrowdsec, BouncerAloneIsNotTheAgent) {
  CrowdsecHost h;
  h.agent = false;  // the bouncer's comm begins with "crowdsec" too
  const auto r = h.run_it();
  expect_one_finding(r, Severity::high,
                     "CrowdSec is installed but not running; and it accepts passwords");
  EXPECT_EQ(r.findings[0].evidence["crowdsec"],
            json({{"agent", false}, {"bouncer", true}, {"sshd_collection", true}}));
}

TEST(BruteForceCrowdsec, NoBouncerFires) {
  CrowdsecHost h;
  h.bouncer = false;
  const auto r = h.run_it();
  expect_one_finding(r, Severity::high,
                     "CrowdSec runs without a firewall bouncer; and it accepts passwords");
  EXPECT_EQ(r.findings[0].evidence["crowdsec"],
            json({{"agent", true}, {"bouncer", false}, {"sshd_collection", true}}));
}

TEST(BruteForceCrowdsec, NoSshdCollectionFires) {
  CrowdsecHost h;
  h.collection = false;
  const auto r = h.run_it();
  expect_one_finding(r, Severity::high,
                     "CrowdSec has no sshd collection; and it accepts passwords");
  EXPECT_EQ(r.findings[0].evidence["crowdsec"],
            json({{"agent", true}, {"bouncer", true}, {"sshd_collection", false}}));
}

// --- %(known/x)s: fail2ban-client -d is the oracle ---

struct KnownFixture {
  const char* name;
  const char* jail_d;  // jail.d/50-site.conf, "" for none; TREE is the tree's path
  const char* jail_local;
};

std::string with_tree(std::string text, const std::string& tree) {
  for (size_t at = text.find("TREE"); at != std::string::npos; at = text.find("TREE", at))
    text.replace(at, 4, tree);
  return text;
}

// What fail2ban-client -d says of the sshd jail: its log files and, per
// action in order, the port it bans ("" when the action has none).
struct Dump {
  std::set<std::string> logpaths;
  std::vector<std::pair<std::string, std::string>> actions;
};

// The text of a Python repr string starting at `at` (a quote), for the plain values here.
std::string quoted_at(const std::string& line, size_t at) {
  return line.substr(at + 1, line.find(line[at], at + 1) - at - 1);
}

Dump read_dump(const std::string& out) {
  Dump d;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const std::string logpath = "['set', 'sshd', 'addlogpath', ";
    const std::string action = "['multi-set', 'sshd', 'action', ";
    if (line.rfind(logpath, 0) == 0) d.logpaths.insert(quoted_at(line, logpath.size()));
    if (line.rfind(action, 0) == 0) {
      const std::string name = quoted_at(line, action.size());
      const size_t port = line.find("['port', ");
      d.actions.emplace_back(name, port == std::string::npos ? "" : quoted_at(line, port + 9));
    }
  }
  return d;
}

TEST(Fail2banKnownOracle, KnownValuesAgreeWithFail2banClientDump) {
  if (!have_program("fail2ban-client")) GTEST_SKIP() << "fail2ban is not installed";
  for (const char* f : {"jail.conf", "paths-common.conf", "paths-debian.conf"})
    if (::access((std::string("/etc/fail2ban/") + f).c_str(), R_OK) != 0)
      GTEST_SKIP() << "no /etc/fail2ban/" << f;
  const KnownFixture fixtures[] = {
      {"known/logpath adds to jail.conf's", "",
       "[sshd]\nlogpath = %(known/logpath)s\n          TREE/var/log/extra.log\n"},
      {"known/ is the value before the last override", "[sshd]\nlogpath = TREE/var/log/mid.log\n",
       "[sshd]\nlogpath = %(known/logpath)s\n          TREE/var/log/extra.log\n"},
      {"known/ of a key the section never had is [DEFAULT]'s", "",
       "[DEFAULT]\nlogpath = TREE/var/log/default.log\n"
       "[sshd]\nbanaction = %(known/banaction)s\nlogpath = %(known/logpath)s\n"},
      {"known/port extends the jail's port", "", "[sshd]\nport = %(known/port)s,2222\n"},
      {"known/ of a key not overridden is [DEFAULT]'s, not the section's", "",
       "[sshd]\naction = %(banaction)s[port=\"%(known/port)s\"]\n"},
      {"a bare action keeps its own port", "",
       "[sshd]\nport = 2222\naction = iptables-multiport\n"},
      {"an all-ports action with its own options", "",
       "[sshd]\nbanaction = nftables[type=allports]\n"},
      {"several actions, quoted values over lines", "[DEFAULT]\nmta = sendmail\n",
       "[sshd]\naction = %(action_mwl)s\n"},
  };
  for (const auto& fx : fixtures) {
    SCOPED_TRACE(fx.name);
    Tree t;
    // Debian's real files, the logs pointed into the tree, sshd on, read from files.
    t.mkdir("/etc/fail2ban", 0755);
    for (const char* f : {"jail.conf", "paths-common.conf", "paths-debian.conf"})
      ASSERT_EQ(
          run_command({"cp", std::string("/etc/fail2ban/") + f, t.at("/etc/fail2ban/")}).exit_code,
          0);
    for (const char* d : {"filter.d", "action.d"})
      ASSERT_EQ(run_command({"cp", "-r", std::string("/etc/fail2ban/") + d, t.at("/etc/fail2ban/")})
                    .exit_code,
                0);
    const std::string tree = t.dir.path();
    t.write("/etc/fail2ban/jail.d/00-tree.conf", "[DEFAULT]\nsyslog_authpriv = " + tree +
                                                     "/var/log/auth.log\n"
                                                     "[sshd]\nenabled = true\nbackend = polling\n");
    if (*fx.jail_d) t.write("/etc/fail2ban/jail.d/50-site.conf", with_tree(fx.jail_d, tree));
    t.write("/etc/fail2ban/jail.local", with_tree(fx.jail_local, tree));
    for (const char* log : {"auth.log", "mid.log", "extra.log", "default.log"})
      t.write(std::string("/var/log/") + log, "");

    const auto dump = run_command({"fail2ban-client", "-c", t.at("/etc/fail2ban"), "-d"});
    ASSERT_EQ(dump.exit_code, 0) << dump.err;
    const Dump oracle = read_dump(dump.out);
    ASSERT_FALSE(oracle.logpaths.empty()) << dump.out;

    audit::ConfigFiles files;
    files.root = tree;
    const auto config = audit::read_fail2ban(files);
    const audit::Fail2banJail* jail = config.sshd_jail();
    ASSERT_NE(jail, nullptr);
    EXPECT_EQ(std::set<std::string>(jail->logpaths.begin(), jail->logpaths.end()), oracle.logpaths);
    std::vector<std::pair<std::string, std::string>> ours;
    for (const auto& a : jail->actions) ours.emplace_back(a.name, a.port);
    EXPECT_EQ(ours, oracle.actions);
  }
}

// The same reading without fail2ban: the exact values, so the model is pinned
// where the oracle cannot run.
TEST(Fail2banKnown, KnownIsTheSectionsEarlierValueElseDefault) {
  audit::ConfigFiles files;
  files.memory["/etc/fail2ban/jail.conf"] =
      "[DEFAULT]\nlogpath = /var/log/default.log\nbanaction = iptables-multiport\n"
      "port = 0:65535\n[sshd]\nenabled = true\nport = ssh\nlogpath = /var/log/auth.log\n";
  files.memory["/etc/fail2ban/jail.d/50-site.conf"] = "[sshd]\nlogpath = /var/log/mid.log\n";
  files.memory["/etc/fail2ban/jail.local"] =
      "[sshd]\nlogpath = %(known/logpath)s\n    /var/log/extra.log\n"
      "action = %(known/banaction)s[port=\"%(KNOWN/port)s\"]\n";
  const auto config = audit::read_fail2ban(files);
  const audit::Fail2banJail* jail = config.sshd_jail();
  ASSERT_NE(jail, nullptr);
  // The value jail.d/50-site.conf left, not jail.conf's nor [DEFAULT]'s.
  EXPECT_EQ(jail->logpaths, (std::vector<std::string>{"/var/log/mid.log", "/var/log/extra.log"}));
  ASSERT_EQ(jail->actions.size(), 1u);
  // Never overridden in [sshd]: [DEFAULT]'s, not the section's current value.
  EXPECT_EQ(jail->actions[0].name, "iptables-multiport");
  EXPECT_EQ(jail->actions[0].port, "0:65535");
  EXPECT_EQ(jail->port, "ssh");
}

TEST(Fail2banKnown, KnownThatNamesItselfStops) {
  // b.local's known/logpath is a.local's raw text, which names known/logpath again.
  audit::ConfigFiles files;
  files.memory["/etc/fail2ban/jail.conf"] = "[sshd]\nenabled = true\nlogpath = /a\n";
  files.memory["/etc/fail2ban/jail.d/a.local"] = "[sshd]\nlogpath = %(known/logpath)s /b\n";
  files.memory["/etc/fail2ban/jail.d/b.local"] = "[sshd]\nlogpath = %(known/logpath)s /c\n";
  const auto config = audit::read_fail2ban(files);
  ASSERT_NE(config.sshd_jail(), nullptr);
  ASSERT_EQ(config.sshd_jail()->logpaths.size(), 1u);
  EXPECT_LE(config.sshd_jail()->logpaths[0].size(), 64u * 1024);
}

TEST(Fail2banKnown, UnclosedReferencesAreScannedOnce) {
  // 1.5 million "%(" and no ")s": searching for the close again at each
  // would scan 3 MB tens of thousands of times.
  std::string many;
  for (int i = 0; i < 1500000; ++i) many += "%(";
  audit::ConfigFiles files;
  files.memory["/etc/fail2ban/jail.conf"] = "[sshd]\nenabled = true\nlogpath = " + many + "\n";
  const auto config = audit::read_fail2ban(files);
  ASSERT_NE(config.sshd_jail(), nullptr);
  EXPECT_LE(config.sshd_jail()->logpaths.at(0).size(), 64u * 1024 + 1);
}

}  // namespace
}  // namespace hostward::itest

// config.ufw-allows-risky-port: ufw's user rules read the way ufw reads them
// back (backend_iptables._read_rules) and walked in order, first match wins.
#include "audit/ufw.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#ifdef HOSTWARD_BIN
#include "audit/fixture_tree.h"
#endif

namespace hostward::audit {
namespace {

using nlohmann::json;

const std::string kRule = "config.ufw-allows-risky-port";
const std::string kV4 = "/etc/ufw/user.rules";
const std::string kV6 = "/etc/ufw/user6.rules";

// user.rules as ufw writes it: five header lines, then per rule a blank
// line, the tuple and its iptables line, so tuple k (from 0) is on line 7 + 3k.
std::string rules_file(const std::vector<std::string>& tuples, bool v6 = false) {
  const std::string chain = v6 ? "ufw6" : "ufw";
  std::string text = "*filter\n:" + chain + "-user-input - [0:0]\n:" + chain +
                     "-user-output - [0:0]\n:" + chain + "-user-forward - [0:0]\n### RULES ###\n";
  for (const auto& t : tuples)
    text += "\n### tuple ### " + t + "\n-A " + chain + "-user-input -j ACCEPT\n";
  return text + "\n### END RULES ###\nCOMMIT\n";
}

int tuple_line(int k) { return 7 + 3 * k; }

struct Host {
  AuditInput in;
  Host() {
    in.hostname = "web-1";
    in.files.memory["/etc/ufw/ufw.conf"] = "# /etc/ufw/ufw.conf\nENABLED=yes\nLOGLEVEL=low\n";
    in.files.memory["/etc/default/ufw"] =
        "IPV6=yes\nDEFAULT_INPUT_POLICY=\"DROP\"\nDEFAULT_OUTPUT_POLICY=\"ACCEPT\"\n";
  }
  Host& v4(const std::vector<std::string>& tuples) {
    in.files.memory[kV4] = rules_file(tuples);
    return *this;
  }
  Host& v6(const std::vector<std::string>& tuples) {
    in.files.memory[kV6] = rules_file(tuples, true);
    return *this;
  }
  AuditResult run() const {
    AuditResult out;
    ufw_rules(in, out);
    return out;
  }
};

std::string status(const AuditResult& r) {
  const auto it = r.checks.find(kRule);
  return it == r.checks.end() ? "absent" : it->second.status;
}

// The one finding `r` must hold, checked field by field.
void expect_finding(const Finding& f, const std::string& path, int line, int port,
                    Severity severity) {
  EXPECT_EQ(f.rule, kRule);
  EXPECT_EQ(f.severity, severity) << f.title;
  EXPECT_EQ(f.subject,
            (json{{"kind", "config"}, {"path", path}, {"line", line}, {"setting", "ufw rule"}}));
  EXPECT_EQ(f.evidence["port"], port);
  EXPECT_EQ(f.evidence["family"], path == kV6 ? "ipv6" : "ipv4");
}

// --- must fire ---

TEST(UfwRiskyPort, DockerApiFromAnywhereIsCriticalWithTheTupleLine) {
  const auto r = Host()
                     .v4({"limit tcp 22 0.0.0.0/0 any 0.0.0.0/0 OpenSSH - in",
                          "allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in"})
                     .run();
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  expect_finding(f, kV4, tuple_line(1), 2375, Severity::critical);
  EXPECT_EQ(f.title, "ufw allows 2375/tcp (Docker API) from anywhere");
  EXPECT_EQ(f.evidence["service"], "Docker API");
  EXPECT_EQ(f.evidence["transports"], json::array({"tcp"}));
  EXPECT_EQ(f.evidence["tuple"], "allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in");
  EXPECT_EQ(f.evidence["src"], "0.0.0.0/0");
  EXPECT_EQ(f.evidence["enabled_by"], "/etc/ufw/ufw.conf:2");
  EXPECT_NE(f.remediation.find("`sudo ufw delete allow 2375/tcp`"), std::string::npos);
  EXPECT_EQ(f.attack, (std::vector<std::string>{"T1133", "T1190"}));
  EXPECT_EQ(status(r), "passed");  // judged; the summary marks it failed from the finding
  EXPECT_TRUE(r.errors.empty());
}

TEST(UfwRiskyPort, BothFamiliesFireEachInItsOwnFile) {
  const auto r = Host()
                     .v4({"allow tcp 2376 0.0.0.0/0 any 0.0.0.0/0 in"})
                     .v6({"allow tcp 22 ::/0 any ::/0 in", "allow any 5432 ::/0 any ::/0 in"})
                     .run();
  ASSERT_EQ(r.findings.size(), 2u);
  expect_finding(r.findings[0], kV4, tuple_line(0), 2376, Severity::high);
  EXPECT_EQ(r.findings[0].title, "ufw allows 2376/tcp (Docker API over TLS) from anywhere");
  expect_finding(r.findings[1], kV6, tuple_line(1), 5432, Severity::high);
  EXPECT_EQ(r.findings[1].title, "ufw allows 5432 (PostgreSQL) from anywhere (IPv6)");
  EXPECT_EQ(r.findings[1].evidence["src"], "::/0");
  EXPECT_EQ(r.findings[1].remediation.find("`sudo ufw delete allow 5432`") != std::string::npos,
            true);
}

TEST(UfwRiskyPort, RangesAndListsNameEachRiskyPortTheyHold) {
  const auto r = Host()
                     .v4({"allow tcp 2375:2377 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow tcp 80,443,3306 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow tcp 6000:6500 0.0.0.0/0 any 0.0.0.0/0 in"})
                     .run();
  ASSERT_EQ(r.findings.size(), 5u);
  expect_finding(r.findings[0], kV4, tuple_line(0), 2375, Severity::critical);
  expect_finding(r.findings[1], kV4, tuple_line(0), 2376, Severity::high);
  expect_finding(r.findings[2], kV4, tuple_line(0), 2377, Severity::high);
  EXPECT_EQ(r.findings[2].title, "ufw allows 2377/tcp (Docker swarm manager) from anywhere");
  expect_finding(r.findings[3], kV4, tuple_line(1), 3306, Severity::high);
  expect_finding(r.findings[4], kV4, tuple_line(2), 6379, Severity::high);
  EXPECT_EQ(r.findings[4].title, "ufw allows 6379/tcp (Redis) from anywhere");
  // One rule, several ports: distinct fingerprints.
  EXPECT_NE(r.findings[0].fingerprint, r.findings[1].fingerprint);
}

TEST(UfwRiskyPort, RouteRuleFiresAsForwardedWithItsInterfaces) {
  const auto r =
      Host().v4({"route:allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in_eth0!out_docker0"}).run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_finding(r.findings[0], kV4, tuple_line(0), 2375, Severity::critical);
  EXPECT_EQ(r.findings[0].title, "ufw forwards 2375/tcp (Docker API) from anywhere on eth0");
  EXPECT_EQ(r.findings[0].evidence["route"], true);
  EXPECT_EQ(r.findings[0].evidence["interface_in"], "eth0");
  EXPECT_EQ(r.findings[0].evidence["interface_out"], "docker0");
  // Not the simple form `ufw delete allow PORT` matches: the numbered way.
  EXPECT_NE(r.findings[0].remediation.find("ufw status numbered"), std::string::npos);
}

TEST(UfwRiskyPort, LimitLoggedOldFormatAndAppRulesAllOpenThePort) {
  const auto r = Host()
                     .v4({"limit tcp 6379 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow_log-all tcp 9200 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow tcp 27017 0.0.0.0/0 any 0.0.0.0/0",  // ufw < 0.31: no direction
                          "allow tcp 5432 0.0.0.0/0 any 0.0.0.0/0 PostgreSQL - in_eth0"})
                     .run();
  ASSERT_EQ(r.findings.size(), 4u);
  expect_finding(r.findings[0], kV4, tuple_line(0), 6379, Severity::high);
  EXPECT_EQ(r.findings[0].evidence["action"], "limit");
  expect_finding(r.findings[1], kV4, tuple_line(1), 9200, Severity::high);
  EXPECT_EQ(r.findings[1].evidence["logtype"], "log-all");
  EXPECT_NE(r.findings[1].remediation.find("`sudo ufw delete allow log-all 9200/tcp`"),
            std::string::npos);
  expect_finding(r.findings[2], kV4, tuple_line(2), 27017, Severity::high);
  EXPECT_EQ(r.findings[2].evidence["direction"], "in");
  expect_finding(r.findings[3], kV4, tuple_line(3), 5432, Severity::high);
  EXPECT_EQ(r.findings[3].evidence["dapp"], "PostgreSQL");
  EXPECT_EQ(r.findings[3].evidence["interface_in"], "eth0");
}

TEST(UfwRiskyPort, MemcachedCountsUdpAndAnyNamesBothTransports) {
  const auto r = Host()
                     .v4({"allow udp 11211 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow any 11211 0.0.0.0/0 any 0.0.0.0/0 in"})
                     .run();
  ASSERT_EQ(r.findings.size(), 2u);
  expect_finding(r.findings[0], kV4, tuple_line(0), 11211, Severity::high);
  EXPECT_EQ(r.findings[0].title, "ufw allows 11211/udp (memcached) from anywhere");
  EXPECT_EQ(r.findings[0].evidence["transports"], json::array({"udp"}));
  expect_finding(r.findings[1], kV4, tuple_line(1), 11211, Severity::high);
  EXPECT_EQ(r.findings[1].evidence["transports"], json::array({"tcp", "udp"}));
}

TEST(UfwRiskyPort, AllowBeforeItsDenyStillFiresFirstMatchWins) {
  const auto r = Host()
                     .v4({"allow tcp 5432 0.0.0.0/0 any 0.0.0.0/0 in",
                          "deny tcp 5432 0.0.0.0/0 any 0.0.0.0/0 in"})
                     .run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_finding(r.findings[0], kV4, tuple_line(0), 5432, Severity::high);
}

TEST(UfwRiskyPort, PartialDenyBeforeTheAllowShieldsNothing) {
  const auto r = Host()
                     .v4({"deny tcp 5432 0.0.0.0/0 any 198.51.100.0/24 in",  // one network
                          "deny udp 5432 0.0.0.0/0 any 0.0.0.0/0 in",        // other transport
                          "deny tcp 5432 0.0.0.0/0 any 0.0.0.0/0 in_eth1",   // one interface
                          "deny tcp 5432 0.0.0.0/0 53 0.0.0.0/0 in",         // one source port
                          "deny tcp 5432 0.0.0.0/0 any 0.0.0.0/0 out",       // outgoing
                          "route:deny tcp 5432 0.0.0.0/0 any 0.0.0.0/0 in",  // other chain
                          "allow tcp 5432 0.0.0.0/0 any 0.0.0.0/0 in"})
                     .run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_finding(r.findings[0], kV4, tuple_line(6), 5432, Severity::high);
}

TEST(UfwRiskyPort, SourcePortOnTheAllowDoesNotNarrowIt) {
  const auto r = Host().v4({"allow tcp 3306 0.0.0.0/0 1024:65535 0.0.0.0/0 in"}).run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_finding(r.findings[0], kV4, tuple_line(0), 3306, Severity::high);
}

TEST(UfwRiskyPort, AllowToEveryPortFiresForEachRiskyService) {
  const auto r = Host().v4({"allow any any 0.0.0.0/0 any 0.0.0.0/0 in"}).run();
  ASSERT_EQ(r.findings.size(), risky_services().size());
  expect_finding(r.findings[0], kV4, tuple_line(0), 1433, Severity::high);
  EXPECT_EQ(r.findings[0].title, "ufw allows 1433 (Microsoft SQL Server) from anywhere");
}

TEST(UfwRiskyPort, HexCommentIsDecodedIntoTheEvidence) {
  const auto r = Host()
                     .v4({"allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in "
                          "comment=646f636b657220666f72204349"})
                     .run();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].evidence["comment"], "docker for CI");
  EXPECT_EQ(r.findings[0].evidence["tuple"], "allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in");
}

TEST(UfwRiskyPort, NamedPortResolvesThroughEtcServices) {
  Host h;
  h.in.files.memory["/etc/services"] = "# services\nssh 22/tcp\npostgresql 5432/tcp postgres\n";
  const auto r = h.v4({"allow tcp postgres 0.0.0.0/0 any 0.0.0.0/0 in"}).run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_finding(r.findings[0], kV4, tuple_line(0), 5432, Severity::high);
}

TEST(UfwRiskyPort, CrLfAndLoneCrEndLinesAsPythonReadsThem) {
  Host h;
  std::string text = rules_file({"allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in"});
  std::string crlf;
  for (const char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  h.in.files.memory[kV4] = crlf;
  auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].subject["line"], tuple_line(0));
  // A lone CR ends a line for ufw too: the tuple after it is read.
  h.in.files.memory[kV4] =
      "*filter\n# note\r### tuple ### allow tcp 6379 0.0.0.0/0 any 0.0.0.0/0 in\nCOMMIT\n";
  r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].subject["line"], 3);
}

// --- must not fire ---

TEST(UfwRiskyPort, NarrowSourceIsNotAnywhere) {
  const auto r = Host()
                     .v4({"allow tcp 5432 0.0.0.0/0 any 203.0.113.7 in",
                          "allow tcp 2375 0.0.0.0/0 any 10.0.0.0/8 in"})
                     .v6({"allow tcp 5432 ::/0 any 2001:db8::/32 in"})
                     .run();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(status(r), "passed");
}

TEST(UfwRiskyPort, SlashZeroOfAnyAddressIsAnywhere) {
  const auto r = Host()
                     .v4({"allow tcp 5432 0.0.0.0/0 any 10.1.2.3/0 in",
                          "allow tcp 6379 0.0.0.0/0 any 10.0.0.0/0.0.0.0 in"})
                     .run();
  ASSERT_EQ(r.findings.size(), 2u);
  expect_finding(r.findings[0], kV4, tuple_line(0), 5432, Severity::high);
  expect_finding(r.findings[1], kV4, tuple_line(1), 6379, Severity::high);
}

TEST(UfwRiskyPort, DenyFromAnywhereBeforeTheAllowShieldsIt) {
  const auto r = Host()
                     .v4({"deny tcp 5432 0.0.0.0/0 any 0.0.0.0/0 in",
                          "reject any 2375 0.0.0.0/0 any 0.0.0.0/0 in",
                          "deny tcp 6000:6500 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow tcp 5432 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow tcp 6379 0.0.0.0/0 any 0.0.0.0/0 in_eth0"})
                     .run();
  EXPECT_TRUE(r.findings.empty()) << r.findings[0].title;
}

TEST(UfwRiskyPort, UnknownActionWordIsReadAsDenyLikeUfwDoes) {
  // UFWRule.set_action: anything but allow, reject and limit is deny.
  const auto r = Host()
                     .v4({"accept tcp 5432 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow tcp 5432 0.0.0.0/0 any 0.0.0.0/0 in"})
                     .run();
  EXPECT_TRUE(r.findings.empty());
}

TEST(UfwRiskyPort, OrdinaryPortsUdpDatabasesOutgoingAndLoopbackAreQuiet) {
  const auto r = Host()
                     .v4({"allow tcp 8080 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow udp 5432 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow tcp 5432 0.0.0.0/0 any 0.0.0.0/0 out",
                          "allow tcp 6379 127.0.0.1 any 0.0.0.0/0 in",
                          "allow tcp 80,443 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow esp any 0.0.0.0/0 any 0.0.0.0/0 in",
                          "allow tcp 7000:7001 0.0.0.0/0 any 0.0.0.0/0 in"})
                     .v6({"allow tcp 6379 ::1 any ::/0 in"})
                     .run();
  EXPECT_TRUE(r.findings.empty()) << r.findings[0].title;
  EXPECT_TRUE(r.errors.empty());
}

// `ufw allow in on tailscale0` (Tailscale's guide), `in on lo`, `in on
// docker0`: iptables' -i matches only traffic arriving on that interface,
// which is the host's own or its VPN peers', never the Internet.
TEST(UfwRiskyPort, InboundRulesBoundToLoopbackTunnelsOrContainersAreQuiet) {
  const auto r =
      Host()
          .v4({"allow any any 0.0.0.0/0 any 0.0.0.0/0 in_tailscale0",
               "allow any any 0.0.0.0/0 any 0.0.0.0/0 in_lo",
               "allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in_docker0",
               "allow tcp 5432 0.0.0.0/0 any 0.0.0.0/0 in_wg0",
               "allow tcp 6379 0.0.0.0/0 any 0.0.0.0/0 in_br-5e1f0a9c2d3b",
               "allow tcp 3306 0.0.0.0/0 any 0.0.0.0/0 in_virbr0",
               "limit tcp 9200 0.0.0.0/0 any 0.0.0.0/0 in_tun0",
               "allow tcp 27017 0.0.0.0/0 any 0.0.0.0/0 in_tap0",
               "allow tcp 2379 0.0.0.0/0 any 0.0.0.0/0 in_zt3jnkd6ls",
               "allow tcp 2379 0.0.0.0/0 any 0.0.0.0/0 in_cni0",
               "allow tcp 2379 0.0.0.0/0 any 0.0.0.0/0 in_flannel.1",
               "allow tcp 2379 0.0.0.0/0 any 0.0.0.0/0 in_cali1a2b3c4d5e6",
               "allow tcp 11211 0.0.0.0/0 any 0.0.0.0/0 in_veth9f8e7d6",
               "allow tcp 5432 0.0.0.0/0 any 0.0.0.0/0 in_wg+",
               "allow tcp 5432 0.0.0.0/0 any 0.0.0.0/0 PostgreSQL - in_tailscale0"})
          .v6({"allow any any ::/0 any ::/0 in_tailscale0", "allow any any ::/0 any ::/0 in_lo"})
          .run();
  EXPECT_TRUE(r.findings.empty()) << r.findings.size() << " findings, first: "
                                  << (r.findings.empty() ? "" : r.findings[0].title);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(status(r), "passed");
}

TEST(UfwRiskyPort, InboundRuleOnAnOutsideInterfaceFiresNamingIt) {
  const auto r = Host()
                     .v4({"allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in_eth0",
                          "allow tcp 5432 0.0.0.0/0 any 0.0.0.0/0 in_ens3",
                          "allow tcp 6379 0.0.0.0/0 any 0.0.0.0/0 in_br0",   // a LAN bridge
                          "allow tcp 3306 0.0.0.0/0 any 0.0.0.0/0 in_w+",    // also wlan0
                          "allow tcp 9200 0.0.0.0/0 any 0.0.0.0/0 in_lo+"})  // not lo alone
                     .v6({"allow tcp 2376 ::/0 any ::/0 in_enp1s0"})
                     .run();
  ASSERT_EQ(r.findings.size(), 6u);
  expect_finding(r.findings[0], kV4, tuple_line(0), 2375, Severity::critical);
  EXPECT_EQ(r.findings[0].title, "ufw allows 2375/tcp (Docker API) from anywhere on eth0");
  EXPECT_EQ(r.findings[0].evidence["interface_in"], "eth0");
  EXPECT_EQ(r.findings[0].evidence["tuple"], "allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in_eth0");
  // Not the simple form: `ufw delete allow 2375/tcp` would not match an interface rule.
  EXPECT_NE(r.findings[0].remediation.find("ufw status numbered"), std::string::npos);
  expect_finding(r.findings[1], kV4, tuple_line(1), 5432, Severity::high);
  EXPECT_EQ(r.findings[1].title, "ufw allows 5432/tcp (PostgreSQL) from anywhere on ens3");
  EXPECT_EQ(r.findings[1].evidence["interface_in"], "ens3");
  expect_finding(r.findings[2], kV4, tuple_line(2), 6379, Severity::high);
  EXPECT_EQ(r.findings[2].evidence["interface_in"], "br0");
  expect_finding(r.findings[3], kV4, tuple_line(3), 3306, Severity::high);
  EXPECT_EQ(r.findings[3].evidence["interface_in"], "w+");
  expect_finding(r.findings[4], kV4, tuple_line(4), 9200, Severity::high);
  EXPECT_EQ(r.findings[4].evidence["interface_in"], "lo+");
  expect_finding(r.findings[5], kV6, tuple_line(0), 2376, Severity::high);
  EXPECT_EQ(r.findings[5].title,
            "ufw allows 2376/tcp (Docker API over TLS) from anywhere on enp1s0 (IPv6)");
}

// `ufw route allow in on wg0 out on eth0`: forwarded traffic that comes in
// on the VPN. Only where it comes in decides; the way out does not.
TEST(UfwRiskyPort, RouteRulesAreJudgedByTheirInboundInterface) {
  const auto r =
      Host()
          .v4({"route:allow any any 0.0.0.0/0 any 0.0.0.0/0 in_wg0!out_eth0",
               "route:allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in_tailscale0!out_docker0",
               "route:allow tcp 6379 0.0.0.0/0 any 0.0.0.0/0 in_docker0",
               "route:allow tcp 5432 0.0.0.0/0 any 0.0.0.0/0 out_docker0",
               "route:allow tcp 3306 0.0.0.0/0 any 0.0.0.0/0 in_ens3!out_br-5e1f0a9c2d3b"})
          .run();
  ASSERT_EQ(r.findings.size(), 2u);
  expect_finding(r.findings[0], kV4, tuple_line(3), 5432, Severity::high);
  EXPECT_EQ(r.findings[0].title, "ufw forwards 5432/tcp (PostgreSQL) from anywhere");
  EXPECT_EQ(r.findings[0].evidence["route"], true);
  EXPECT_EQ(r.findings[0].evidence["interface_out"], "docker0");
  EXPECT_FALSE(r.findings[0].evidence.contains("interface_in"));
  expect_finding(r.findings[1], kV4, tuple_line(4), 3306, Severity::high);
  EXPECT_EQ(r.findings[1].title, "ufw forwards 3306/tcp (MySQL) from anywhere on ens3");
  EXPECT_EQ(r.findings[1].evidence["interface_in"], "ens3");
  EXPECT_EQ(r.findings[1].evidence["interface_out"], "br-5e1f0a9c2d3b");
}

TEST(UfwRiskyPort, DisabledUfwIsNotApplicable) {
  for (const std::string conf : {"ENABLED=no\n", "ENABLED=Yes\n", "ENABLED=yes\nENABLED=no\n",
                                 "# ENABLED=yes\n", "LOGLEVEL=low\n", "ENABLED=yes\r\n"}) {
    Host h;
    h.in.files.memory["/etc/ufw/ufw.conf"] = conf;
    const auto r = h.v4({"allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in"}).run();
    EXPECT_TRUE(r.findings.empty()) << conf;
    ASSERT_EQ(status(r), "not_applicable") << conf;
    EXPECT_EQ(r.checks.at(kRule).detail, "ufw is installed but not enabled");
  }
}

TEST(UfwRiskyPort, QuotedExportedEnabledCountsAsShellReadsIt) {
  for (const std::string conf :
       {"ENABLED=\"yes\"\n", "export ENABLED='YES' # on\n", "ENABLED=no\nENABLED=yes\n"}) {
    Host h;
    h.in.files.memory["/etc/ufw/ufw.conf"] = conf;
    EXPECT_EQ(h.v4({"allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in"}).run().findings.size(), 1u)
        << conf;
  }
}

TEST(UfwRiskyPort, NoUfwConfIsNotApplicable) {
  Host h;
  h.in.files.memory.erase("/etc/ufw/ufw.conf");
  const auto r = h.v4({"allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in"}).run();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(status(r), "not_applicable");
  EXPECT_EQ(r.checks.at(kRule).detail, "ufw is not installed (no /etc/ufw/ufw.conf)");
}

TEST(UfwRiskyPort, Ipv6OffSkipsUser6Rules) {
  Host h;
  h.in.files.memory["/etc/default/ufw"] = "IPV6=no\n";
  const auto r = h.v6({"allow tcp 2375 ::/0 any ::/0 in"}).v4({}).run();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(status(r), "passed");
}

// --- what ufw cannot read ---

TEST(UfwRiskyPort, MalformedTuplesAreErrorsAndTheRestIsJudged) {
  const auto r =
      Host()
          .v4({"allow tcp 99999 0.0.0.0/0 any 0.0.0.0/0 in", "allow tcp 2375 0.0.0.0/0 any",
               "allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 sideways_eth0",
               "allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 sideways",
               "allow sctp 2375 0.0.0.0/0 any 0.0.0.0/0 in",
               "allow tcp 2375 0.0.0.0/0 any 300.1.1.1 in",
               "allow_loud tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in",
               "allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in_eth0:1",
               "allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 - - in x y",
               "allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in"})
          .run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_finding(r.findings[0], kV4, tuple_line(9), 2375, Severity::critical);
  const std::vector<std::string> expected = {
      "/etc/ufw/user.rules:7: not a ufw rule tuple (ufw skips it: bad port '99999')",
      "/etc/ufw/user.rules:10: not a ufw rule tuple (ufw skips it: 5 fields where ufw writes 6 "
      "to 9)",
      "/etc/ufw/user.rules:13: not a ufw rule tuple (ufw skips it: bad interface field)",
      "/etc/ufw/user.rules:16: not a ufw rule tuple (ufw skips it: unsupported direction)",
      "/etc/ufw/user.rules:19: not a ufw rule tuple (ufw skips it: unsupported protocol 'sctp')",
      "/etc/ufw/user.rules:22: not a ufw rule tuple (ufw skips it: bad source address)",
      "/etc/ufw/user.rules:25: not a ufw rule tuple (ufw skips it: bad log type)",
      "/etc/ufw/user.rules:28: not a ufw rule tuple (ufw skips it: bad interface name)",
      "/etc/ufw/user.rules:31: not a ufw rule tuple (ufw skips it: more than 9 fields where ufw "
      "writes 6 to 9)"};
  ASSERT_EQ(r.errors.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r.errors[i].collector, "config");
    EXPECT_EQ(r.errors[i].message, expected[i]);
  }
}

TEST(UfwRiskyPort, FileIptablesRestoreRejectsIsAnErrorAndStillJudged) {
  Host h;
  h.in.files.memory[kV4] =
      "*filter\n:ufw-user-input - [0:0]\n### RULES ###\n"
      "### tuple ### allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in\n"
      "-A ufw-user-input -p tcp --dport 2375 -j ACCEPT\n"
      "allow 2375\n"
      "COMMIT\n";
  const auto r = h.run();
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "/etc/ufw/user.rules:6: iptables-restore rejects this file (neither a chain nor a "
            "rule); ufw-init loads none of its rules until it is fixed (its tuples are judged as "
            "written)");
  ASSERT_EQ(r.findings.size(), 1u);
  expect_finding(r.findings[0], kV4, 4, 2375, Severity::critical);
}

TEST(UfwRiskyPort, TruncatedFileWithoutCommitIsAnError) {
  Host h;
  h.in.files.memory[kV4] = "*filter\n### tuple ### allow tcp 8080 0.0.0.0/0 any 0.0.0.0/0 in\n";
  const auto r = h.run();
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("/etc/ufw/user.rules:1: iptables-restore rejects this file "
                                     "(the table is never committed"),
            std::string::npos);
  EXPECT_TRUE(r.findings.empty());
}

TEST(UfwRiskyPort, TwoCommentsOnALineAreReportedAndTheRuleJudged) {
  const auto r =
      Host().v4({"allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in comment=61 comment=62"}).run();
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "/etc/ufw/user.rules:7: more than one ' comment=' (ufw's own commands stop with an "
            "error on this file)");
  ASSERT_EQ(r.findings.size(), 1u);
}

TEST(UfwRiskyPort, MissingUserRulesWhileEnabledIsAnError) {
  const auto r = Host().run();
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "/etc/ufw/user.rules: missing while ufw is enabled (ufw-init loads no user rules)");
}

// --- the parsers, directly ---

TEST(UfwParse, PortsFollowSetPort) {
  const ServicePorts none;
  auto ports = [&](const std::string& field) {
    const auto f = parse_ufw_rules(
        "### tuple ### allow tcp " + field + " 0.0.0.0/0 any 0.0.0.0/0 in\n", false, none);
    return f.rules.empty() ? std::optional<UfwPorts>() : f.rules[0].dports;
  };
  ASSERT_TRUE(ports("any"));
  EXPECT_TRUE(ports("any")->any);
  ASSERT_TRUE(ports("80,6000:6007,443"));
  EXPECT_TRUE(ports("80,6000:6007,443")->contains(6003));
  EXPECT_FALSE(ports("80,6000:6007,443")->contains(6008));
  for (const std::string bad :
       {"0", "65536", ",80", ":80", "80,", "7:7", "9:8", "80,,81", "http",
        "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", "99999999999999999999", "-1", "1:2:3"})
    EXPECT_FALSE(ports(bad)) << bad;
  EXPECT_TRUE(ports("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"));
  EXPECT_TRUE(ports("1:65535"));
}

TEST(UfwParse, AddressesFollowValidAddress) {
  auto src = [](const std::string& field, bool v6) {
    const auto f = parse_ufw_rules("### tuple ### allow tcp 22 any any " + field + " in\n", v6, {});
    return f.rules.empty() ? std::string("invalid") : f.rules[0].src;
  };
  EXPECT_EQ(src("any", false), "0.0.0.0/0");
  EXPECT_EQ(src("any", true), "::/0");
  EXPECT_EQ(src("::/0", false), "0.0.0.0/0");  // _fix_anywhere
  EXPECT_EQ(src("0.0.0.0/0", true), "::/0");
  EXPECT_EQ(src("2001:DB8::/32", true), "2001:db8::/32");
  EXPECT_EQ(src("10.0.0.0/255.0.0.0", false), "10.0.0.0/255.0.0.0");
  for (const std::string bad : {"10.0.0.0/33", "10.0.0.01", "10.0.0.0/8/8", "10.0.0/8",
                                "2001:db8::/129", "host.example", "10.0.0.0/255.0.0", ""})
    EXPECT_EQ(src(bad, false), "invalid") << bad;
}

TEST(UfwParse, ServicesFileFirstEntryWins) {
  const auto s = parse_etc_services("http 80/tcp www # web\nhttp 8080/tcp\nbad x/tcp\n");
  EXPECT_EQ(s.at("http"), 80);
  EXPECT_EQ(s.at("www"), 80);
  EXPECT_EQ(s.count("bad"), 0u);
}

TEST(UfwParse, ShellAssignmentsLastWins) {
  const auto a = parse_shell_assignments(
      "A=1\n  B='x y' # c\nexport C=\"q\\\"\"\nA=2\n1X=3\nD E=4\nF=a\\ b;G=5\n");
  EXPECT_EQ(a.at("A").value, "2");
  EXPECT_EQ(a.at("A").line, 4);
  EXPECT_EQ(a.at("B").value, "x y");
  EXPECT_EQ(a.at("C").value, "q\"");
  EXPECT_EQ(a.count("1X"), 0u);
  EXPECT_EQ(a.count("D E"), 0u);
  EXPECT_EQ(a.at("F").value, "a b");
}

TEST(UfwParse, BinaryAndHugeInputNeverThrow) {
  std::string junk;
  for (int i = 0; i < 200000; ++i) junk += static_cast<char>((i * 7919) % 256);
  const char kNul[] = "\n### tuple ### \xff\xfe allow tcp 2375 \x00 any\n";
  junk.append(kNul, sizeof kNul - 1);
  for (int i = 0; i < 3000; ++i) junk += "### tuple ### allow tcp 2375 any any any in\n";
  const auto f = parse_ufw_rules(junk, false, {});
  EXPECT_EQ(f.rules.size(), 3000u);
  EXPECT_LE(f.malformed.size(), 100u);
  EXPECT_EQ(risky_openings(f).size(), 3000u);
  Host h;
  h.in.files.memory[kV4] = junk;
  const auto r = h.run();
  EXPECT_EQ(r.findings.size(), 500u);  // capped, with an error saying how many more
  for (const auto& e : r.errors) EXPECT_NO_THROW((void)json(e.message).dump());
  for (const auto& x : r.findings) EXPECT_NO_THROW((void)x.evidence.dump());
}

}  // namespace
}  // namespace hostward::audit

#ifdef HOSTWARD_BIN
// The same rule through `hostward scan --root DIR --only config`.
namespace hostward::itest {
namespace {

using nlohmann::json;

const char* kUserRules =
    "*filter\n:ufw-user-input - [0:0]\n:ufw-user-output - [0:0]\n:ufw-user-forward - [0:0]\n"
    "### RULES ###\n"
    "\n### tuple ### limit tcp 22 0.0.0.0/0 any 0.0.0.0/0 in\n"
    "-A ufw-user-input -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --set\n"
    "\n### tuple ### allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in\n"
    "-A ufw-user-input -p tcp --dport 2375 -j ACCEPT\n"
    "\n### tuple ### allow tcp 2376 0.0.0.0/0 any 0.0.0.0/0 in\n"
    "-A ufw-user-input -p tcp --dport 2376 -j ACCEPT\n"
    "\n### END RULES ###\nCOMMIT\n";

void write_droplet(Tree& t, const std::string& enabled) {
  t.write("/etc/ufw/ufw.conf", "# /etc/ufw/ufw.conf\n#\nENABLED=" + enabled + "\nLOGLEVEL=low\n");
  t.write("/etc/default/ufw", "IPV6=yes\nDEFAULT_INPUT_POLICY=\"DROP\"\n");
  t.write("/etc/ufw/user.rules", kUserRules);
}

TEST(UfwRiskyPortTree, DockerDropletOpensTheDockerApiInBothFamilies) {
  Tree t;
  write_droplet(t, "yes");
  std::string six = kUserRules;
  for (size_t at; (at = six.find("0.0.0.0/0")) != std::string::npos;) six.replace(at, 9, "::/0");
  for (size_t at; (at = six.find(":ufw-")) != std::string::npos;) six.replace(at, 5, ":ufw6-");
  t.write("/etc/ufw/user6.rules", six);
  const json r = t.scan();
  const auto f = findings_with_rule(r, "config.ufw-allows-risky-port");
  ASSERT_EQ(f.size(), 4u) << r.dump(2);
  std::set<std::tuple<std::string, int, int, std::string>> got;
  for (const auto& x : f)
    got.emplace(x["subject"]["path"].get<std::string>(), x["subject"]["line"].get<int>(),
                x["evidence"]["port"].get<int>(), x["severity"].get<std::string>());
  EXPECT_EQ(got, (std::set<std::tuple<std::string, int, int, std::string>>{
                     {"/etc/ufw/user.rules", 10, 2375, "critical"},
                     {"/etc/ufw/user.rules", 13, 2376, "high"},
                     {"/etc/ufw/user6.rules", 10, 2375, "critical"},
                     {"/etc/ufw/user6.rules", 13, 2376, "high"}}));
  EXPECT_EQ(check_status(r, "config.ufw-allows-risky-port"), "failed");
}

TEST(UfwRiskyPortTree, DenyFirstIsQuietAndPasses) {
  Tree t;
  write_droplet(t, "yes");
  std::string rules = kUserRules;
  rules.insert(rules.find("### RULES ###\n") + 14,
               "\n### tuple ### deny any 2375:2376 0.0.0.0/0 any 0.0.0.0/0 in\n"
               "-A ufw-user-input -p all --dport 2375:2376 -j DROP\n");
  t.write("/etc/ufw/user.rules", rules);
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.ufw-allows-risky-port").empty()) << r.dump(2);
  EXPECT_EQ(check_status(r, "config.ufw-allows-risky-port"), "passed");
}

TEST(UfwRiskyPortTree, DisabledUfwIsNotApplicable) {
  Tree t;
  write_droplet(t, "no");
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.ufw-allows-risky-port").empty());
  EXPECT_EQ(check_status(r, "config.ufw-allows-risky-port"), "not_applicable");
}

TEST(UfwRiskyPortTree, MalformedTupleIsAnErrorEntry) {
  Tree t;
  write_droplet(t, "yes");
  std::string rules = kUserRules;
  rules.replace(rules.find("allow tcp 2376"), 14, "allow tcp 99999");
  t.write("/etc/ufw/user.rules", rules);
  const json r = t.scan();
  ASSERT_EQ(findings_with_rule(r, "config.ufw-allows-risky-port").size(), 1u);
  bool reported = false;
  for (const auto& e : r["errors"])
    reported = reported || (e["collector"] == "config" &&
                            e["message"] ==
                                "/etc/ufw/user.rules:13: not a ufw rule tuple (ufw "
                                "skips it: bad port '99999')");
  EXPECT_TRUE(reported) << r["errors"].dump(2);
}

}  // namespace
}  // namespace hostward::itest
#endif

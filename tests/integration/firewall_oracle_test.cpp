// The kernel is the oracle: for each ruleset, hostward's verdict for a
// listener must equal what a real connect() from the "internet" namespace sees.
#include <gtest/gtest.h>

#include "integration/firewall_topology.h"

namespace hostward::itest {
namespace {

struct Rules {
  std::string input_policy = "ACCEPT";
  std::string input;        // lines of the filter table (INPUT and user chains)
  std::string chains;       // ":name - [0:0]" lines for user chains
  std::string docker_user;  // DOCKER-USER lines before its RETURN
  std::string nat;          // extra lines in nat's DOCKER chain
  std::string prerouting;   // extra lines in nat PREROUTING, before Docker's
  bool docker_accept = true;
};

// What dockerd writes for a container 198.51.100.2 publishing 5432 on the
// host, plus the test's own lines.
std::string docker_rules(const Rules& r) {
  return "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
         ":POSTROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n" +
         r.prerouting +
         "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n"
         "-A POSTROUTING -s 198.51.100.0/24 ! -o docker0 -j MASQUERADE\n"
         "-A DOCKER -i docker0 -j RETURN\n" +
         r.nat +
         "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 5432 -j DNAT --to-destination "
         "198.51.100.2:5432\nCOMMIT\n"
         "*filter\n:INPUT " +
         r.input_policy +
         " [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n"
         ":DOCKER-ISOLATION-STAGE-1 - [0:0]\n:DOCKER-ISOLATION-STAGE-2 - [0:0]\n"
         ":DOCKER-USER - [0:0]\n" +
         r.chains +
         "-A FORWARD -j DOCKER-USER\n-A FORWARD -j DOCKER-ISOLATION-STAGE-1\n"
         "-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
         "-A FORWARD -o docker0 -j DOCKER\n"
         "-A FORWARD -i docker0 ! -o docker0 -j ACCEPT\n"
         "-A FORWARD -i docker0 -o docker0 -j ACCEPT\n" +
         (r.docker_accept ? "-A DOCKER -d 198.51.100.2/32 ! -i docker0 -o docker0 -p tcp -m tcp "
                            "--dport 5432 -j ACCEPT\n"
                          : "") +
         "-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2\n"
         "-A DOCKER-ISOLATION-STAGE-1 -j RETURN\n"
         "-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP\n"
         "-A DOCKER-ISOLATION-STAGE-2 -j RETURN\n" +
         r.docker_user + "-A DOCKER-USER -j RETURN\n" + r.input + "COMMIT\n";
}

const char* kOpenV6 =
    "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n";

class FirewallOracle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!is_root() || !have_program("iptables-restore") || !have_program("ip")) return;
    topo_ = new Topology();
    if (!topo_->create()) {
      setup_error_ = "topology: " + topo_->error();
      return;
    }
    // 0.0.0.0:5432 on the host stands for docker-proxy.
    if (!topo_->listen(topo_->host(),
                       {"0.0.0.0", "8080", "0.0.0.0", "8081", "127.0.0.1", "8082", "0.0.0.0",
                        "9090", "0.0.0.0", "5432", "::", "8443", "127.0.0.1", "6379"}) ||
        !topo_->listen(topo_->container(), {"0.0.0.0", "5432", "0.0.0.0", "6379"}))
      setup_error_ = "listeners did not come up";
  }
  static void TearDownTestSuite() {
    delete topo_;
    topo_ = nullptr;
  }
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root (network namespaces, iptables)";
    if (!have_program("iptables-restore")) GTEST_SKIP() << "iptables is not installed";
    if (!setup_error_.empty()) GTEST_FAIL() << setup_error_;
  }

  // Loads the rules, runs hostward in "host", returns the row for address:port.
  nlohmann::json verdict_for(const std::string& rules4, const std::string& address, int port,
                             const std::string& rules6 = kOpenV6) {
    EXPECT_TRUE(topo_->load_rules(rules4)) << topo_->error();
    EXPECT_TRUE(topo_->load_rules(rules6, true)) << topo_->error();
    report_ = topo_->exposure();
    return row(address, port);
  }
  nlohmann::json row(const std::string& address, int port) {
    auto r = exposure_row(report_, address, port);
    if (r.is_null()) ADD_FAILURE() << "no row for " << address << ":" << port;
    return r;
  }
  static std::string verdict(const nlohmann::json& row) {
    return row.is_null() ? "(none)" : row.at("verdict").get<std::string>();
  }
  std::vector<nlohmann::json> findings(const std::string& rule) const {
    return findings_with_rule(report_, rule);
  }
  static std::string connect(const std::string& addr, int port, const std::string& src = "") {
    return topo_->connect(addr, port, src);
  }

  static inline Topology* topo_ = nullptr;
  static inline std::string setup_error_;
  nlohmann::json report_;
};

TEST_F(FirewallOracle, HostListenerBehindInputDropIsBlocked) {
  Rules r;
  r.input = "-A INPUT -p tcp -m tcp --dport 8080 -j DROP\n";
  const auto row8080 = verdict_for(docker_rules(r), "0.0.0.0", 8080);
  EXPECT_EQ(verdict(row8080), "blocked");
  EXPECT_EQ(row8080["firewall"]["path"].back()["rule"],
            "-A INPUT -p tcp -m tcp --dport 8080 -j DROP");
  EXPECT_EQ(connect("203.0.113.1", 8080), "timeout");
  EXPECT_EQ(verdict(row("0.0.0.0", 8081)), "reachable");
  EXPECT_EQ(connect("203.0.113.1", 8081), "open");
}

TEST_F(FirewallOracle, SeedRemediationInInputIsBypassedByTheDockerPublish) {
  Rules r;
  r.input = "-A INPUT -p tcp -m tcp --dport 5432 -j DROP\n";
  const auto pg = verdict_for(docker_rules(r), "0.0.0.0", 5432);
  EXPECT_EQ(verdict(pg), "reachable");
  EXPECT_EQ(pg["firewall"]["translated_to"], "198.51.100.2:5432");
  EXPECT_EQ(connect("203.0.113.1", 5432), "open");
  const auto f = findings("network.firewall-bypassed-by-docker");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["subject"]["port"], 5432);
  EXPECT_EQ(f[0]["evidence"]["input_rule"], "-A INPUT -p tcp -m tcp --dport 5432 -j DROP");
  EXPECT_EQ(f[0]["severity"], "high");
  // The same report's exposed-service finding names the database.
  const auto exposed = findings("network.exposed-service");
  ASSERT_FALSE(exposed.empty());
  bool pg_found = false;
  for (const auto& e : exposed) pg_found |= e["subject"]["port"] == 5432;
  EXPECT_TRUE(pg_found);
}

TEST_F(FirewallOracle, DockerUserDropByOriginalPortBlocks) {
  Rules r;
  r.docker_user = "-A DOCKER-USER -p tcp -m conntrack --ctorigdstport 5432 -j DROP\n";
  const auto pg = verdict_for(docker_rules(r), "0.0.0.0", 5432);
  EXPECT_EQ(verdict(pg), "blocked");
  EXPECT_EQ(pg["firewall"]["path"].back()["chain"], "DOCKER-USER");
  EXPECT_EQ(connect("203.0.113.1", 5432), "timeout");
  EXPECT_TRUE(findings("network.firewall-bypassed-by-docker").empty());
}

TEST_F(FirewallOracle, PublishOnLoopbackIsNotReachable) {
  Rules r;
  r.nat =
      "-A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 6379 -j DNAT "
      "--to-destination 198.51.100.2:6379\n";
  const auto redis = verdict_for(docker_rules(r), "127.0.0.1", 6379);
  EXPECT_EQ(verdict(redis), "local-only");
  EXPECT_NE(connect("203.0.113.1", 6379), "open");
}

TEST_F(FirewallOracle, MultiportDropsListedPortsAndRanges) {
  Rules r;
  r.input = "-A INPUT -p tcp -m multiport --dports 8080,9000:9100 -j DROP\n";
  EXPECT_EQ(verdict(verdict_for(docker_rules(r), "0.0.0.0", 8080)), "blocked");
  EXPECT_EQ(verdict(row("0.0.0.0", 9090)), "blocked");
  EXPECT_EQ(verdict(row("0.0.0.0", 8081)), "reachable");
  EXPECT_EQ(connect("203.0.113.1", 8080), "timeout");
  EXPECT_EQ(connect("203.0.113.1", 9090), "timeout");
  EXPECT_EQ(connect("203.0.113.1", 8081), "open");
}

TEST_F(FirewallOracle, NegatedSourceIsRestricted) {
  Rules r;
  r.input = "-A INPUT ! -s 192.0.2.0/24 -p tcp -m tcp --dport 8080 -j DROP\n";
  const auto web = verdict_for(docker_rules(r), "0.0.0.0", 8080);
  EXPECT_EQ(verdict(web), "restricted");
  EXPECT_EQ(web["firewall"]["allowed_from"], nlohmann::json({"192.0.2.0/24"}));
  EXPECT_EQ(connect("203.0.113.1", 8080, "203.0.113.2"), "timeout");
  EXPECT_EQ(connect("203.0.113.1", 8080, "192.0.2.2"), "open");
}

TEST_F(FirewallOracle, ReturnFromUserChainGoesBackToInput) {
  Rules r;
  r.chains = ":hw-allow - [0:0]\n";
  r.input =
      "-A INPUT -j hw-allow\n-A INPUT -p tcp -m tcp --dport 8080 -j DROP\n"
      "-A hw-allow -p tcp -m tcp --dport 8080 -j RETURN\n-A hw-allow -p tcp -j ACCEPT\n";
  EXPECT_EQ(verdict(verdict_for(docker_rules(r), "0.0.0.0", 8080)), "blocked");
  EXPECT_EQ(verdict(row("0.0.0.0", 8081)), "reachable");
  EXPECT_EQ(connect("203.0.113.1", 8080), "timeout");
  EXPECT_EQ(connect("203.0.113.1", 8081), "open");
}

TEST_F(FirewallOracle, PolicyDropWithOneAccept) {
  Rules r;
  r.input_policy = "DROP";
  r.input = "-A INPUT -p tcp -m tcp --dport 8081 -j ACCEPT\n";
  const auto web = verdict_for(docker_rules(r), "0.0.0.0", 8081);
  EXPECT_EQ(verdict(web), "reachable");
  const auto closed = row("0.0.0.0", 8080);
  EXPECT_EQ(verdict(closed), "blocked");
  EXPECT_EQ(closed["firewall"]["path"].back()["rule"], "policy DROP");
  EXPECT_EQ(connect("203.0.113.1", 8081), "open");
  EXPECT_EQ(connect("203.0.113.1", 8080), "timeout");
  // "Default deny incoming" does not cover what Docker publishes.
  EXPECT_EQ(verdict(row("0.0.0.0", 5432)), "reachable");
  EXPECT_EQ(connect("203.0.113.1", 5432), "open");
  const auto f = findings("network.firewall-bypassed-by-docker");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["evidence"]["input_rule"], "policy DROP");
}

TEST_F(FirewallOracle, Ipv6DualStackListener) {
  Rules r;
  r.input = "-A INPUT -p tcp -m tcp --dport 8443 -j DROP\n";
  const std::string v6drop =
      "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      "-A INPUT -p tcp -m tcp --dport 8443 -j DROP\nCOMMIT\n";
  EXPECT_EQ(verdict(verdict_for(docker_rules(r), "::", 8443, v6drop)), "blocked");
  EXPECT_EQ(connect("2001:db8:1::1", 8443), "timeout");
  EXPECT_EQ(connect("203.0.113.1", 8443), "timeout");
  // IPv4 left open: the [::] socket takes IPv4 too.
  const auto open4 = verdict_for(docker_rules(Rules{}), "::", 8443, v6drop);
  EXPECT_EQ(verdict(open4), "reachable");
  EXPECT_EQ(open4["dual_stack"], true);
  EXPECT_EQ(connect("203.0.113.1", 8443), "open");
  EXPECT_EQ(connect("2001:db8:1::1", 8443), "timeout");
}

TEST_F(FirewallOracle, UfwChainsAndUfwDenyBypassedByDocker) {
  Rules r;
  r.input_policy = "DROP";
  r.chains =
      ":ufw-before-input - [0:0]\n:ufw-user-input - [0:0]\n:ufw-after-input - [0:0]\n"
      ":ufw-logging-deny - [0:0]\n:ufw-reject-input - [0:0]\n";
  r.input =
      "-A INPUT -j ufw-before-input\n-A INPUT -j ufw-after-input\n-A INPUT -j ufw-reject-input\n"
      "-A ufw-before-input -i lo -j ACCEPT\n"
      "-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
      "-A ufw-before-input -m conntrack --ctstate INVALID -j ufw-logging-deny\n"
      "-A ufw-before-input -j ufw-user-input\n"
      "-A ufw-user-input -p tcp -m tcp --dport 8081 -m conntrack --ctstate NEW -m recent --set "
      "--name DEFAULT --mask 255.255.255.255 --rsource\n"
      "-A ufw-user-input -p tcp -m tcp --dport 8081 -m conntrack --ctstate NEW -m recent --update "
      "--seconds 30 --hitcount 6 --name DEFAULT --mask 255.255.255.255 --rsource -j DROP\n"
      "-A ufw-user-input -p tcp -m tcp --dport 8081 -j ACCEPT\n"
      "-A ufw-user-input -p tcp -m tcp --dport 5432 -j DROP\n"
      "-A ufw-logging-deny -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix \"[UFW "
      "BLOCK] \"\n";
  const auto web = verdict_for(docker_rules(r), "0.0.0.0", 8081);
  EXPECT_EQ(verdict(web), "reachable");
  EXPECT_EQ(web["firewall"]["path"].back()["chain"], "ufw-user-input");
  EXPECT_EQ(verdict(row("0.0.0.0", 8080)), "blocked");
  EXPECT_EQ(verdict(row("0.0.0.0", 5432)), "reachable");
  EXPECT_EQ(connect("203.0.113.1", 8081), "open");
  EXPECT_EQ(connect("203.0.113.1", 8080), "timeout");
  EXPECT_EQ(connect("203.0.113.1", 5432), "open");
  const auto f = findings("network.firewall-bypassed-by-docker");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["evidence"]["input_chain"], "ufw-user-input");
}

TEST_F(FirewallOracle, UnknownMatchIsUnknownNeverBlocked) {
  Rules r;
  r.input =
      "-A INPUT -p tcp -m tcp --dport 8080 -m statistic --mode random --probability 0.5 -j DROP\n";
  const auto web = verdict_for(docker_rules(r), "0.0.0.0", 8080);
  EXPECT_EQ(verdict(web), "unknown");
  EXPECT_EQ(web["firewall"]["unknown_rule"],
            "-A INPUT -p tcp -m tcp --dport 8080 -m statistic --mode random --probability "
            "0.50000000000 -j DROP");
  // The kernel flips a coin: sometimes open, sometimes not. Either is fine.
  const std::string seen = connect("203.0.113.1", 8080);
  EXPECT_TRUE(seen == "open" || seen == "timeout") << seen;
}

TEST_F(FirewallOracle, AnyAddressAndLoopbackToldApart) {
  const auto any = verdict_for(docker_rules(Rules{}), "0.0.0.0", 8081);
  EXPECT_EQ(verdict(any), "reachable");
  EXPECT_EQ(verdict(row("127.0.0.1", 8082)), "local-only");
  EXPECT_EQ(connect("203.0.113.1", 8081), "open");
  EXPECT_NE(connect("203.0.113.1", 8082), "open");
}

TEST_F(FirewallOracle, DnatWithoutForwardAcceptIsBlocked) {
  Rules r;
  r.docker_accept = false;
  const auto pg = verdict_for(docker_rules(r), "0.0.0.0", 5432);
  EXPECT_EQ(verdict(pg), "blocked");
  EXPECT_EQ(pg["firewall"]["path"].back()["rule"], "policy DROP");
  EXPECT_EQ(pg["firewall"]["path"].back()["chain"], "FORWARD");
  EXPECT_EQ(connect("203.0.113.1", 5432), "timeout");
}

TEST_F(FirewallOracle, RejectIsBlocked) {
  Rules r;
  r.input = "-A INPUT -p tcp -m tcp --dport 8080 -j REJECT --reject-with tcp-reset\n";
  EXPECT_EQ(verdict(verdict_for(docker_rules(r), "0.0.0.0", 8080)), "blocked");
  EXPECT_EQ(connect("203.0.113.1", 8080), "refused");
}

TEST_F(FirewallOracle, RedirectFromAnotherPortReachesTheListener) {
  Rules r;
  r.prerouting = "-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8081\n";
  r.input_policy = "DROP";
  r.input = "-A INPUT -m conntrack --ctstate DNAT -j ACCEPT\n";
  const auto web = verdict_for(docker_rules(r), "0.0.0.0", 8081);
  EXPECT_EQ(verdict(web), "reachable");
  EXPECT_EQ(web["firewall"]["translated_to"], "203.0.113.1:8081");
  EXPECT_EQ(connect("203.0.113.1", 80), "open");
  EXPECT_EQ(connect("203.0.113.1", 8081), "timeout");
  EXPECT_EQ(verdict(row("0.0.0.0", 8080)), "blocked");
}

}  // namespace
}  // namespace hostward::itest

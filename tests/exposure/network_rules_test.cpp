// network.* rules on hand-made snapshots: each must fire on its case and stay
// silent on the near miss.
#include "exposure/network_rules.h"

#include <gtest/gtest.h>

#include "exposure/nft_ruleset.h"

namespace hostward::exposure {
namespace {

constexpr uint64_t kNetns = 4026531840;

host::Snapshot base_snapshot(const std::string& iptables = "") {
  host::Snapshot s;
  s.hostname = "ci-7";
  s.host_netns = kNetns;
  s.network_collected = true;
  s.interfaces = {{"lo", true, {"127.0.0.1/8", "::1/128"}},
                  {"eth0", false, {"203.0.113.1/24", "2001:db8:1::1/64"}}};
  s.local_addresses = {"127.0.0.1", "::1", "203.0.113.1", "2001:db8:1::1"};
  s.firewall.v4 = {true, iptables.empty() ? "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n" : iptables,
                   ""};
  s.firewall.v6 = {true, "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", ""};
  s.firewall.forwarding_v4 = true;
  s.firewall.forwarding_read = true;
  return s;
}

void add_process(host::Snapshot& s, int pid, const std::string& comm,
                 std::vector<std::string> argv = {}) {
  host::ProcessInfo p;
  p.pid = pid;
  p.ppid = 1;
  p.comm = comm;
  p.argv = argv.empty() ? std::vector<std::string>{comm} : std::move(argv);
  p.exe = "/usr/bin/" + comm;
  p.ns.net = kNetns;
  s.processes.push_back(p);
}

void add_listener(host::Snapshot& s, int pid, const std::string& addr, int port,
                  const std::string& proto = "tcp") {
  host::Connection c;
  c.netns = kNetns;
  c.proto = proto;
  c.state = proto == "tcp" ? "listen" : "unconnected";
  c.local_addr = addr;
  c.local_port = port;
  c.remote_addr = addr.find(':') == std::string::npos ? "0.0.0.0" : "::";
  c.pid = pid;
  c.inode = static_cast<uint64_t>(port) * 10 + static_cast<uint64_t>(pid);
  s.connections.push_back(c);
}

std::vector<Finding> run(const host::Snapshot& s, const std::string& rule) {
  Config config;
  const auto setup = firewall_setup(s);
  const auto rows = exposure_rows(s, setup);
  std::vector<Finding> out;
  for (auto& f : run_rules(s, config, setup, rows))
    if (f.rule == rule) out.push_back(std::move(f));
  return out;
}

TEST(ExposedService, DatabaseOnAnyAddressIsHigh) {
  auto s = base_snapshot();
  add_process(s, 700, "postgres");
  add_listener(s, 700, "0.0.0.0", 5432);
  const auto f = run(s, "network.exposed-service");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::high);
  EXPECT_EQ(f[0].subject["port"], 5432);
  EXPECT_EQ(f[0].subject["process"], "postgres");
  EXPECT_EQ(f[0].evidence["service"], "postgresql");
  EXPECT_EQ(f[0].evidence["verdict"], "reachable");
}

TEST(ExposedService, LoopbackAndBlockedAreSilent) {
  auto s = base_snapshot(
      "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 6379 -j DROP\nCOMMIT\n");
  add_process(s, 700, "postgres");
  add_listener(s, 700, "127.0.0.1", 5432);
  add_process(s, 701, "redis-server");
  add_listener(s, 701, "0.0.0.0", 6379);
  EXPECT_TRUE(run(s, "network.exposed-service").empty());
}

TEST(ExposedService, SeverityByWhatItIs) {
  auto s = base_snapshot();
  add_process(s, 10, "sshd");
  add_listener(s, 10, "0.0.0.0", 22);
  add_process(s, 11, "nginx");
  add_listener(s, 11, "0.0.0.0", 443);
  add_process(s, 12, "mystery");
  add_listener(s, 12, "0.0.0.0", 31337);
  add_process(s, 13, "node_exporter");
  add_listener(s, 13, "::", 9100);
  std::map<int, Severity> by_port;
  for (const auto& f : run(s, "network.exposed-service"))
    by_port[f.subject["port"].get<int>()] = f.severity;
  EXPECT_EQ(by_port.at(22), Severity::info);
  EXPECT_EQ(by_port.at(443), Severity::low);
  EXPECT_EQ(by_port.at(31337), Severity::medium);
  EXPECT_EQ(by_port.at(9100), Severity::high);
}

TEST(ExposedService, ClientUdpSocketIsSilentButUdpMemcachedIsNot) {
  auto s = base_snapshot();
  add_process(s, 20, "curl");
  add_listener(s, 20, "0.0.0.0", 48211, "udp");
  add_process(s, 21, "memcached");
  add_listener(s, 21, "0.0.0.0", 11211, "udp");
  const auto f = run(s, "network.exposed-service");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject["port"], 11211);
  EXPECT_EQ(f[0].subject["proto"], "udp");
}

TEST(ExposedService, UnknownVerdictIsOneStepLower) {
  auto s = base_snapshot(
      "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m statistic --mode random --probability 0.5 -j "
      "DROP\nCOMMIT\n");
  add_process(s, 700, "postgres");
  add_listener(s, 700, "0.0.0.0", 5432);
  const auto f = run(s, "network.exposed-service");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::medium);
  EXPECT_EQ(f[0].evidence["verdict"], "unknown");
  EXPECT_EQ(f[0].evidence["unknown_rule"],
            "-A INPUT -m statistic --mode random --probability 0.5 -j DROP");
}

TEST(ExposedService, FingerprintSurvivesARestart) {
  auto a = base_snapshot(), b = base_snapshot();
  add_process(a, 700, "postgres");
  add_listener(a, 700, "0.0.0.0", 5432);
  add_process(b, 9100, "postgres");
  add_listener(b, 9100, "0.0.0.0", 5432);
  EXPECT_EQ(run(a, "network.exposed-service")[0].fingerprint,
            run(b, "network.exposed-service")[0].fingerprint);
}

TEST(DockerApiExposed, PlainTcpIsCritical) {
  auto s = base_snapshot();
  add_process(s, 30, "dockerd", {"/usr/bin/dockerd", "-H", "tcp://0.0.0.0:2375"});
  add_listener(s, 30, "::", 2375);
  const auto f = run(s, "network.docker-api-exposed");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::critical);
  EXPECT_TRUE(run(s, "network.exposed-service").empty());
}

TEST(DockerApiExposed, TlsVerifyOrLoopbackOrSwarmIsSilent) {
  auto s = base_snapshot();
  add_process(s, 30, "dockerd", {"/usr/bin/dockerd", "--tlsverify", "-H", "tcp://0.0.0.0:2376"});
  add_listener(s, 30, "0.0.0.0", 2376);
  EXPECT_TRUE(run(s, "network.docker-api-exposed").empty());
  auto t = base_snapshot();
  add_process(t, 31, "dockerd", {"/usr/bin/dockerd", "-H", "tcp://127.0.0.1:2375"});
  add_listener(t, 31, "127.0.0.1", 2375);
  add_listener(t, 31, "0.0.0.0", 2377);
  EXPECT_TRUE(run(t, "network.docker-api-exposed").empty());
  auto u = base_snapshot();
  add_process(u, 32, "dockerd", {"/usr/bin/dockerd", "-H", "tcp://0.0.0.0:2376", "--tls"});
  add_listener(u, 32, "0.0.0.0", 2376);
  u.docker.daemon_tlsverify = true;  // from daemon.json
  EXPECT_TRUE(run(u, "network.docker-api-exposed").empty());
}

TEST(DockerApiExposed, TlsWithoutVerifyFires) {
  auto s = base_snapshot();
  add_process(s, 30, "dockerd", {"/usr/bin/dockerd", "--tls", "-H", "tcp://0.0.0.0:2376"});
  add_listener(s, 30, "0.0.0.0", 2376);
  ASSERT_EQ(run(s, "network.docker-api-exposed").size(), 1u);
}

TEST(MinerConnection, PoolPortOnTheInternetFires) {
  auto s = base_snapshot();
  add_process(s, 4040, "mysql");
  host::Connection c;
  c.netns = kNetns;
  c.state = "established";
  c.local_addr = "203.0.113.1";
  c.local_port = 51000;
  c.remote_addr = "198.51.100.66";
  c.remote_port = 3333;
  c.pid = 4040;
  s.connections.push_back(c);
  const auto f = run(s, "network.miner-connection");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::critical);
  EXPECT_EQ(f[0].subject["pid"], 4040);
  EXPECT_EQ(f[0].subject["remote"], "198.51.100.66:3333");
}

TEST(MinerConnection, PrivateAddressOrOtherPortIsSilent) {
  auto s = base_snapshot();
  add_process(s, 4040, "java");
  host::Connection c;
  c.netns = kNetns;
  c.state = "established";
  c.local_addr = "10.0.0.5";
  c.local_port = 51000;
  c.remote_addr = "10.0.0.9";  // a Selenium grid on the LAN
  c.remote_port = 4444;
  c.pid = 4040;
  s.connections.push_back(c);
  c.remote_addr = "198.51.100.66";
  c.remote_port = 443;
  s.connections.push_back(c);
  EXPECT_TRUE(run(s, "network.miner-connection").empty());
}

TEST(FirewallBypassed, NotForwardedIsSilent) {
  auto s = base_snapshot(
      "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 5432 -j DROP\nCOMMIT\n");
  add_process(s, 700, "postgres");
  add_listener(s, 700, "0.0.0.0", 5432);
  EXPECT_TRUE(run(s, "network.firewall-bypassed-by-docker").empty());
}

TEST(NftRuleset, ForeignChainsWithRulesOrDropPolicy) {
  const char* json = R"({"nftables": [
    {"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
    {"table": {"family": "inet", "name": "filter", "handle": 1}},
    {"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
    {"chain": {"family": "inet", "table": "filter", "name": "output", "handle": 2, "type": "filter", "hook": "output", "prio": 0, "policy": "drop"}},
    {"table": {"family": "inet", "name": "fw", "handle": 2}},
    {"chain": {"family": "inet", "table": "fw", "name": "in", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
    {"table": {"family": "ip", "name": "filter", "handle": 3}},
    {"chain": {"family": "ip", "table": "filter", "name": "INPUT", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
    {"rule": {"family": "ip", "table": "filter", "chain": "INPUT", "handle": 2, "expr": [{"drop": null}]}}
  ]})";
  // Debian's empty default table and an output chain do not count; a drop
  // policy on input does; iptables-nft's own table only when iptables-save failed.
  EXPECT_EQ(foreign_nft_chains(json, 4, false).filter,
            std::vector<std::string>{"inet fw in (filter, hook input, policy drop, 0 rules)"});
  EXPECT_TRUE(foreign_nft_chains(json, 4, false).nat.empty());
  EXPECT_EQ(foreign_nft_chains(json, 4, true).filter.size(), 2u);
  EXPECT_EQ(foreign_nft_chains(json, 6, true).filter.size(), 1u);
  // Docker's nftables backend DNATs in a nat chain of its own table.
  const char* docker29 = R"({"nftables": [
    {"chain": {"family": "ip", "table": "docker-bridges", "name": "nat-prerouting", "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
    {"rule": {"family": "ip", "table": "docker-bridges", "chain": "nat-prerouting", "expr": []}}
  ]})";
  EXPECT_EQ(foreign_nft_chains(docker29, 4, false).nat.size(), 1u);
  EXPECT_TRUE(foreign_nft_chains(docker29, 4, false).filter.empty());
  EXPECT_THROW(foreign_nft_chains("{\"x\": 1}", 4, false), std::runtime_error);
  EXPECT_THROW(foreign_nft_chains("not json", 4, false), std::runtime_error);
}

}  // namespace
}  // namespace hostward::exposure

namespace hostward::exposure {
namespace {

TEST(ExposedService, ExpectedListenersAreSilent) {
  auto s = base_snapshot();
  add_process(s, 11, "nginx");
  add_listener(s, 11, "0.0.0.0", 443);
  add_process(s, 12, "postgres");
  add_listener(s, 12, "0.0.0.0", 5432);
  add_process(s, 13, "mystery");
  add_listener(s, 13, "0.0.0.0", 8080);
  Config config = parse_config(
      "network:\n  expected_listeners: [\"443/tcp\", \"postgres:5432/udp\", \"ngin*:8080/tcp\"]\n");
  const auto setup = firewall_setup(s);
  const auto rows = exposure_rows(s, setup);
  std::vector<int> ports;
  for (const auto& f : run_rules(s, config, setup, rows))
    if (f.rule == "network.exposed-service") ports.push_back(f.subject["port"].get<int>());
  // 5432 is expected over UDP only, 8080 for nginx only.
  EXPECT_EQ(ports, (std::vector<int>{5432, 8080}));
  EXPECT_THROW(parse_config("network:\n  expected_listeners: [\"https\"]\n"), std::runtime_error);
  EXPECT_THROW(parse_config("network:\n  expected_listeners: [\"nginx:80\"]\n"),
               std::runtime_error);
}

}  // namespace
}  // namespace hostward::exposure

namespace hostward::exposure {
namespace {

TEST(DockerApiExposed, DindPublishingPlainTcpFires) {
  auto s = base_snapshot();
  add_process(s, 40, "docker-proxy");
  add_listener(s, 40, "0.0.0.0", 2375);
  host::DockerContainer dind;
  dind.id = std::string(64, 'a');
  dind.name = "ci-dind";
  dind.image = "docker:24-dind";
  dind.ports.push_back({"0.0.0.0", 2375, 2375, "tcp"});
  s.docker.containers.push_back(dind);
  const auto f = run(s, "network.docker-api-exposed");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject["published_from"], "ci-dind:2375/tcp");
  EXPECT_TRUE(run(s, "network.exposed-service").empty());
}

TEST(ExposedService, EphemeralTestServerIsLowAndOneFindingPerProgram) {
  auto a = base_snapshot(), b = base_snapshot();
  add_process(a, 50, "testserver");
  add_listener(a, 50, "0.0.0.0", 41234);
  add_process(b, 51, "testserver");
  add_listener(b, 51, "0.0.0.0", 45678);
  const auto fa = run(a, "network.exposed-service"), fb = run(b, "network.exposed-service");
  ASSERT_EQ(fa.size(), 1u);
  EXPECT_EQ(fa[0].severity, Severity::low);
  EXPECT_EQ(fa[0].fingerprint, fb.at(0).fingerprint);
}

TEST(ExposedService, LinkLocalListenerIsLocalOnly) {
  auto s = base_snapshot();
  add_process(s, 60, "node-cache");
  add_listener(s, 60, "169.254.20.10", 53, "udp");
  const auto setup = firewall_setup(s);
  const auto rows = exposure_rows(s, setup);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(verdict_label(rows[0]), "local-only");
}

TEST(FirewallSetup, UnreadableForwardingMakesDnatUnknown) {
  auto s = base_snapshot(
      "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 5432 -j DNAT "
      "--to-destination 172.17.0.2:5432\nCOMMIT\n*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n");
  s.firewall.forwarding_read = false;
  add_process(s, 70, "docker-proxy");
  add_listener(s, 70, "0.0.0.0", 5432);
  const auto setup = firewall_setup(s);
  const auto rows = exposure_rows(s, setup);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].verdict.reach, Reach::unknown);
}

}  // namespace
}  // namespace hostward::exposure

namespace hostward::exposure {
namespace {

TEST(ExposureRows, RedirectedAwayIsNotReachedAndTheTargetIs) {
  auto s = base_snapshot(
      "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 80 -j REDIRECT "
      "--to-ports 8080\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate DNAT "
      "-j ACCEPT\nCOMMIT\n");
  add_process(s, 80, "nginx");
  add_listener(s, 80, "0.0.0.0", 80);
  add_process(s, 81, "app");
  add_listener(s, 81, "0.0.0.0", 8080);
  const auto setup = firewall_setup(s);
  const auto rows = exposure_rows(s, setup);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].port, 80);
  EXPECT_EQ(rows[0].verdict.reach, Reach::blocked);
  EXPECT_EQ(rows[0].verdict.reason, "nat sends this port to 203.0.113.1:8080 instead");
  EXPECT_EQ(rows[1].verdict.reach, Reach::reachable);
  EXPECT_EQ(rows[1].verdict.reason.rfind("via port 80: ", 0), 0u) << rows[1].verdict.reason;
}

}  // namespace
}  // namespace hostward::exposure

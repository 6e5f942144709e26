// hostward probe against real Redis, memcached and sshd from Debian, and test
// servers replaying MongoDB, Elasticsearch and Docker replies; and hostile
// servers that must give "unknown", never a hang.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "integration/postgres_server.h"
#include "integration/support.h"

namespace hostward::itest {
namespace {

nlohmann::json probe(const std::string& target, int port, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {target, "-p", std::to_string(port), "--check-timeout-ms",
                                   "2000"};
  args.insert(args.end(), extra.begin(), extra.end());
  return probe_json(args);
}

bool port_listening(int port) {
  const auto r = run_command({"ss", "-Htln", "sport = :" + std::to_string(port)});
  return r.out.find(":" + std::to_string(port)) != std::string::npos;
}

// A server started for one test; waits until it listens.
struct Server {
  std::unique_ptr<Spawned> proc;
  int port = 0;
  bool start(const std::string& path, std::vector<std::string> argv, int p) {
    port = p;
    proc = std::make_unique<Spawned>(path, std::move(argv));
    return wait_until([&] { return port_listening(port); });
  }
};

std::string replay_server() {
  return std::string(HOSTWARD_SOURCE_DIR) + "/tests/integration/probe_servers.py";
}

bool start_replay(Server& s, const std::string& mode) {
  const int port = free_loopback_port();
  return s.start("/usr/bin/python3",
                 {"python3", replay_server(), mode, "127.0.0.1", std::to_string(port)}, port);
}

std::string as(const std::string& service, int port) {
  return service + "=" + std::to_string(port);
}

TEST(ProbeRedis, OpenAndPassword) {
  if (!have_program("redis-server")) GTEST_SKIP() << "redis-server is not installed";
  Server open, locked;
  const int p1 = free_loopback_port();
  ASSERT_TRUE(open.start("/usr/bin/redis-server",
                         {"redis-server", "--port", std::to_string(p1), "--bind", "127.0.0.1",
                          "--save", "", "--appendonly", "no", "--protected-mode", "no"},
                         p1));
  const auto report = probe("127.0.0.1", p1, {"--service", as("redis", p1)});
  const auto r = probed_port(report, p1);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["service"], "redis");
  EXPECT_EQ(r["access"], "open");
  EXPECT_FALSE(r.value("version", "").empty());
  const auto f = findings_with_rule(report, "network.unauthenticated-service");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["severity"], "critical");
  EXPECT_NE(f[0]["evidence"]["sent"].get<std::string>().find("PING"), std::string::npos);
  EXPECT_NE(f[0]["evidence"]["received"].get<std::string>().find("+PONG"), std::string::npos);

  const int p2 = free_loopback_port();
  ASSERT_TRUE(locked.start("/usr/bin/redis-server",
                           {"redis-server", "--port", std::to_string(p2), "--bind", "127.0.0.1",
                            "--save", "", "--appendonly", "no", "--requirepass", "hw-secret"},
                           p2));
  const auto report2 = probe("127.0.0.1", p2, {"--service", as("redis", p2)});
  EXPECT_EQ(probed_port(report2, p2)["access"], "auth-required");
  EXPECT_TRUE(findings_with_rule(report2, "network.unauthenticated-service").empty());
}

TEST(ProbeRedis, ScanOnlySendsNothingToTheService) {
  if (!have_program("redis-server")) GTEST_SKIP() << "redis-server is not installed";
  Server redis;
  const int port = free_loopback_port();
  ASSERT_TRUE(redis.start("/usr/bin/redis-server",
                          {"redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1",
                           "--save", "", "--appendonly", "no", "--protected-mode", "no"},
                          port));
  const auto report = probe("127.0.0.1", port, {"--service", as("redis", port), "--scan-only"});
  const auto p = probed_port(report, port);
  ASSERT_FALSE(p.is_null());
  EXPECT_FALSE(p.contains("service"));
  EXPECT_TRUE(report["findings"].empty());
  // Redis counted no command from us: only the scanner's connect and reset.
  const auto stats = run_command({"redis-cli", "-p", std::to_string(port), "INFO", "stats"});
  EXPECT_NE(stats.out.find("total_commands_processed:0"), std::string::npos) << stats.out;
}

TEST(ProbeRedis, ProtectedModeRefusesOutsiders) {
  if (!have_program("redis-server")) GTEST_SKIP() << "redis-server is not installed";
  if (!is_root()) GTEST_SKIP() << "needs root (network namespace)";
  Netns ns;
  ASSERT_TRUE(ns.create()) << ns.error();
  Spawned redis("/usr/bin/ip",
                {"ip", "netns", "exec", ns.name(), "/usr/bin/redis-server", "--port", "16379",
                 "--save", "", "--appendonly", "no", "--protected-mode", "yes"});
  ASSERT_TRUE(wait_until([&] {
    return ns.run({"ss", "-Htln"}).out.find(":16379") != std::string::npos;
  }));
  const auto r = probed_port(probe("198.51.100.2", 16379, {"--service", "redis=16379"}), 16379);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["access"], "refused");
}

TEST(ProbeMemcached, StatsWithoutCredentials) {
  if (!have_program("memcached")) GTEST_SKIP() << "memcached is not installed";
  Server s;
  const int port = free_loopback_port();
  ASSERT_TRUE(s.start(
      "/usr/bin/memcached",
      {"memcached", "-u", "nobody", "-l", "127.0.0.1", "-p", std::to_string(port), "-U", "0"},
      port));
  const auto report = probe("127.0.0.1", port, {"--service", as("memcached", port)});
  const auto p = probed_port(report, port);
  ASSERT_FALSE(p.is_null());
  EXPECT_EQ(p["access"], "open");
  const auto f = findings_with_rule(report, "network.unauthenticated-service");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["severity"], "high");
}

class ProbeSsh : public ::testing::Test {
 protected:
  bool start_sshd(bool password) {
    if (!is_root()) {
      skip_ = "needs root (sshd)";
      return false;
    }
    if (::access("/usr/sbin/sshd", X_OK) != 0) {
      skip_ = "openssh-server is not installed";
      return false;
    }
    ::mkdir("/run/sshd", 0755);
    const std::string key = dir_.path() + "/host_ed25519";
    run_command({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key});
    port_ = free_loopback_port();
    const std::string cfg = dir_.path() + "/sshd_config";
    std::ofstream(cfg) << "HostKey " << key << "\nListenAddress 127.0.0.1\nPort " << port_
                       << "\nPasswordAuthentication " << (password ? "yes" : "no")
                       << "\nKbdInteractiveAuthentication no\nUsePAM no\nPidFile none\n";
    return server_.start("/usr/sbin/sshd", {"/usr/sbin/sshd", "-D", "-e", "-f", cfg}, port_);
  }
  TempDir dir_;
  Server server_;
  int port_ = 0;
  std::string skip_;
};

TEST_F(ProbeSsh, PasswordOfferedIsAFinding) {
  if (!start_sshd(true)) GTEST_SKIP() << skip_;
  const auto report = probe("127.0.0.1", port_, {"--service", as("ssh", port_)});
  const auto p = probed_port(report, port_);
  ASSERT_FALSE(p.is_null());
  EXPECT_EQ(p["access"], "auth-required");
  EXPECT_NE(p["version"].get<std::string>().find("OpenSSH"), std::string::npos);
  EXPECT_EQ(p["facts"]["password"], true);
  const auto f = findings_with_rule(report, "network.password-auth-exposed");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["severity"], "medium");
}

TEST_F(ProbeSsh, KeysOnlyIsSilent) {
  if (!start_sshd(false)) GTEST_SKIP() << skip_;
  const auto report = probe("127.0.0.1", port_, {"--service", as("ssh", port_)});
  const auto p = probed_port(report, port_);
  ASSERT_FALSE(p.is_null());
  EXPECT_EQ(p["facts"]["password"], false);
  EXPECT_EQ(p["facts"]["methods"], nlohmann::json({"publickey"}));
  EXPECT_TRUE(findings_with_rule(report, "network.password-auth-exposed").empty());
}

struct Replay {
  const char* mode;
  const char* service;
  const char* access;
};

class ProbeReplay : public ::testing::TestWithParam<Replay> {};

TEST_P(ProbeReplay, AnswersAsTheRealServiceWould) {
  if (!have_program("python3")) GTEST_SKIP() << "python3 is not installed";
  Server s;
  ASSERT_TRUE(start_replay(s, GetParam().mode));
  const auto report = probe("127.0.0.1", s.port, {"--service", as(GetParam().service, s.port)});
  const auto p = probed_port(report, s.port);
  ASSERT_FALSE(p.is_null());
  EXPECT_EQ(p["service"], GetParam().service);
  EXPECT_EQ(p["access"], GetParam().access) << p.dump(1);
  const bool open = std::string(GetParam().access) == "open";
  EXPECT_EQ(findings_with_rule(report, "network.unauthenticated-service").size(), open ? 1u : 0u);
  if (open) {
    EXPECT_EQ(findings_with_rule(report, "network.unauthenticated-service")[0]["severity"],
              "critical");
  }
}

void PrintTo(const Replay& r, std::ostream* os) { *os << r.mode; }

INSTANTIATE_TEST_SUITE_P(Services, ProbeReplay,
                         ::testing::Values(Replay{"mongodb-open", "mongodb", "open"},
                                           Replay{"mongodb-auth", "mongodb", "auth-required"},
                                           Replay{"elasticsearch-open", "elasticsearch", "open"},
                                           Replay{"elasticsearch-auth", "elasticsearch",
                                                  "auth-required"},
                                           Replay{"docker-api", "docker", "open"}),
                         [](const auto& info) {
                           std::string n = info.param.mode;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

class ProbeHostile : public ::testing::TestWithParam<const char*> {};

// Every check against every kind of bad server: an answer within its time,
// "unknown" or "not this service", never open, never a hang.
TEST_P(ProbeHostile, EveryCheckGivesUpCleanly) {
  if (!have_program("python3")) GTEST_SKIP() << "python3 is not installed";
  Server s;
  ASSERT_TRUE(start_replay(s, GetParam()));
  for (const char* service :
       {"postgresql", "redis", "memcached", "mongodb", "mysql", "elasticsearch", "docker", "ssh"}) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto report = probe("127.0.0.1", s.port, {"--service", as(service, s.port)});
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(15)) << service;
    const auto p = probed_port(report, s.port);
    ASSERT_FALSE(p.is_null()) << service;
    const std::string access = p["access"];
    EXPECT_TRUE(access == "unknown" || access == "not-this-service")
        << service << ": " << access << " " << p["detail"];
    EXPECT_TRUE(findings_with_rule(report, "network.unauthenticated-service").empty()) << service;
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, ProbeHostile,
                         ::testing::Values("garbage", "silent", "endless", "reset", "slow-drip"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace hostward::itest

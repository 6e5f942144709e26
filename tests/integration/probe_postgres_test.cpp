// hostward probe against real PostgreSQL servers: trust (superuser and a plain
// role), scram-sha-256, a pg_hba that rejects; and across network namespaces.
#include <gtest/gtest.h>

#include "integration/postgres_server.h"
#include "integration/support.h"

namespace hostward::itest {
namespace {

const char* kHbaTrust =
    "local all all trust\nhost all all 0.0.0.0/0 trust\nhost all all ::/0 trust\n";
const char* kHbaScram =
    "local all all trust\nhost all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n";
const char* kHbaReject =
    "local all all trust\nhost all all 0.0.0.0/0 reject\nhost all all ::/0 reject\n";

nlohmann::json probe(const std::string& target, int port, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {target, "-p", std::to_string(port), "--service",
                                   "postgresql=" + std::to_string(port)};
  args.insert(args.end(), extra.begin(), extra.end());
  return probe_json(args);
}

class ProbePostgres : public ::testing::Test {
 protected:
  void start(const char* hba, std::vector<std::string> sql = {}) {
    PostgresConfig c;
    c.hba = hba;
    c.setup_sql = std::move(sql);
    if (!pg_.start(c)) GTEST_SKIP() << pg_.why_not();
  }
  PostgresServer pg_;
};

TEST_F(ProbePostgres, TrustSuperuserIsCriticalWithCommandExecution) {
  start(kHbaTrust, {"CREATE ROLE app LOGIN", "CREATE ROLE runner LOGIN",
                    "GRANT pg_execute_server_program TO runner"});
  if (IsSkipped()) return;
  const auto report = probe("127.0.0.1", pg_.port(),
                            {"--pg-user", "postgres", "--pg-user", "app", "--pg-user", "runner"});
  const auto p = probed_port(report, pg_.port());
  ASSERT_FALSE(p.is_null()) << report.dump(1);
  EXPECT_EQ(p["service"], "postgresql");
  EXPECT_EQ(p["access"], "open");
  EXPECT_EQ(p["command_execution"], true);
  const auto& users = p["facts"]["users"];
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(users[0]["method"], "trust");
  EXPECT_EQ(users[0]["superuser"], true);
  EXPECT_EQ(users[1]["superuser"], false);
  EXPECT_EQ(users[1]["pg_execute_server_program"], false);
  EXPECT_EQ(users[2]["pg_execute_server_program"], true);
  const auto f = findings_with_rule(report, "network.unauthenticated-service");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["severity"], "critical");
  EXPECT_EQ(f[0]["evidence"]["command_execution"], true);
  EXPECT_NE(f[0]["evidence"]["sent"].get<std::string>().find("user\\x00postgres"),
            std::string::npos);
}

TEST_F(ProbePostgres, TrustForAPlainRoleOnlyIsStillCriticalButNoCommands) {
  start(kHbaTrust, {"CREATE ROLE app LOGIN"});
  if (IsSkipped()) return;
  const auto p = probed_port(probe("127.0.0.1", pg_.port(), {"--pg-user", "app"}), pg_.port());
  EXPECT_EQ(p["access"], "open");
  EXPECT_EQ(p["command_execution"], false);
}

TEST_F(ProbePostgres, ScramAsksForAPassword) {
  start(kHbaScram);
  if (IsSkipped()) return;
  const auto report = probe("127.0.0.1", pg_.port());
  const auto p = probed_port(report, pg_.port());
  EXPECT_EQ(p["access"], "auth-required");
  EXPECT_EQ(p["facts"]["users"][0]["method"], "scram-sha-256");
  EXPECT_TRUE(findings_with_rule(report, "network.unauthenticated-service").empty());
}

TEST_F(ProbePostgres, HbaRejectIsRefused) {
  start(kHbaReject);
  if (IsSkipped()) return;
  const auto report = probe("127.0.0.1", pg_.port());
  const auto p = probed_port(report, pg_.port());
  EXPECT_EQ(p["access"], "refused");
  EXPECT_NE(p["detail"].get<std::string>().find("pg_hba.conf"), std::string::npos);
  EXPECT_TRUE(findings_with_rule(report, "network.unauthenticated-service").empty());
}

// PostgreSQL in a namespace of its own, probed from ours over a veth.
TEST(ProbePostgresNetns, AnyAddressIsFoundLoopbackIsNot) {
  if (!is_root()) GTEST_SKIP() << "needs root (network namespace)";
  Netns ns;
  ASSERT_TRUE(ns.create()) << ns.error();
  const int port = 15432;
  {
    PostgresServer pg;
    PostgresConfig c;
    c.hba = kHbaTrust;
    c.listen = "0.0.0.0";
    c.netns = ns.name();
    c.port = port;
    if (!pg.start(c)) GTEST_SKIP() << pg.why_not();
    const auto p = probed_port(probe("198.51.100.2", port), port);
    ASSERT_FALSE(p.is_null());
    EXPECT_EQ(p["access"], "open");
  }
  PostgresServer pg;
  PostgresConfig c;
  c.hba = kHbaTrust;
  c.listen = "127.0.0.1";
  c.netns = ns.name();
  c.port = port;
  ASSERT_TRUE(pg.start(c)) << pg.why_not();
  const auto report = probe("198.51.100.2", port);
  EXPECT_TRUE(probed_port(report, port).is_null()) << report.dump(1);
  EXPECT_EQ(report["probe"][0]["closed"], 1);
}

}  // namespace
}  // namespace hostward::itest

namespace hostward::itest {
namespace {

// scan --probe-self: our own PostgreSQL on 0.0.0.0 with trust is proven open,
// on whatever port, through a non-loopback address of the host.
TEST(ProbeSelf, ScanProvesOwnTrustPostgres) {
  if (!is_root()) GTEST_SKIP() << "needs root (network namespace)";
  Netns ns;
  ASSERT_TRUE(ns.create()) << ns.error();
  PostgresServer pg;
  PostgresConfig c;
  c.hba = kHbaTrust;
  c.listen = "0.0.0.0";
  c.netns = ns.name();
  c.port = 15433;
  if (!pg.start(c)) GTEST_SKIP() << pg.why_not();
  TempDir tmp;
  auto scan = [&](bool self) {
    std::vector<std::string> argv = {"ip",
                                     "netns",
                                     "exec",
                                     ns.name(),
                                     HOSTWARD_BIN,
                                     "scan",
                                     "--only",
                                     "network",
                                     "--format",
                                     "json",
                                     "--fail-on",
                                     "critical",
                                     "--docker-socket",
                                     tmp.path() + "/none.sock"};
    if (self) argv.push_back("--probe-self");
    const auto r = run_command(argv);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    return nlohmann::json::parse(r.out);
  };
  const auto with = findings_with_rule(scan(true), "network.unauthenticated-service");
  ASSERT_EQ(with.size(), 1u);
  EXPECT_EQ(with[0]["subject"]["port"], 15433);
  EXPECT_EQ(with[0]["subject"]["address"], "198.51.100.2");
  EXPECT_EQ(with[0]["evidence"]["command_execution"], true);
  EXPECT_TRUE(findings_with_rule(scan(false), "network.unauthenticated-service").empty());
}

}  // namespace
}  // namespace hostward::itest

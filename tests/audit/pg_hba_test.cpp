// hostward's pg_hba verdicts against a real PostgreSQL server: the server
// runs in a network namespace at 198.51.100.2, each fixture is loaded into it,
// and a connection from 198.51.100.1 as postgres without a password shows
// what the server does: let in, ask for a password, or reject.
#include "audit/pg_hba.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/postgres_server.h"
#include "integration/support.h"

namespace hostward::audit {
namespace {

using itest::PostgresConfig;
using itest::PostgresServer;

struct HbaFixture {
  std::string name;
  std::string hba;
  HbaVerdict expected;   // what the server does; the oracle checks it too
  bool refused = false;  // the server will not load it: the baseline (ident) stays
};

const std::vector<HbaFixture>& fixtures() {
  static const std::vector<HbaFixture> f = {
      {"trust-from-the-client-net", "host all all 198.51.100.0/24 trust\n", HbaVerdict::trust},
      {"reject-above-trust", "host all all 198.51.100.1/32 reject\nhost all all 0.0.0.0/0 trust\n",
       HbaVerdict::reject},
      {"trust-above-reject", "host all all 0.0.0.0/0 trust\nhost all all 198.51.100.1/32 reject\n",
       HbaVerdict::trust},
      {"no-record-matches", "host all all 10.0.0.0/8 trust\n", HbaVerdict::reject},
      {"scram-asks-for-a-password", "host all all 0.0.0.0/0 scram-sha-256\n", HbaVerdict::password},
      {"md5-asks-for-a-password", "host all all all md5\n", HbaVerdict::password},
      {"samenet-is-the-client-net", "host all all samenet trust\n", HbaVerdict::trust},
      {"samehost-is-not-a-remote-client",
       "host all all samehost trust\nhost all all all scram-sha-256\n", HbaVerdict::password},
      {"ipv6-entry-does-not-take-ipv4", "host all all ::/0 trust\n", HbaVerdict::reject},
      {"hostssl-without-ssl-never-matches", "hostssl all all all trust\nhost all all all md5\n",
       HbaVerdict::password},
      {"continuation-line", "host all all \\\n  198.51.100.0/24 trust\n", HbaVerdict::trust},
      {"refused-unknown-method", "host all all all trusted\n", HbaVerdict::other_auth, true},
      {"refused-bad-cidr", "host all all 198.51.100.0/33 trust\n", HbaVerdict::other_auth, true},
      {"hostnossl-takes-plain", "hostnossl all all all trust\n", HbaVerdict::trust},
      {"quoted-all-is-a-database-name", "host \"all\" all all trust\nhost all all all md5\n",
       HbaVerdict::password},
      {"sameuser-database", "host sameuser all all trust\n", HbaVerdict::trust},
      {"role-membership-of-itself", "host all +postgres all trust\n", HbaVerdict::trust},
      {"address-and-netmask", "host all all 198.51.100.0 255.255.255.0 trust\n", HbaVerdict::trust},
      {"database-list", "host template1,postgres all all trust\n", HbaVerdict::trust},
      {"user-list-with-space", "host all alice, postgres all trust\n", HbaVerdict::trust},
      {"other-user-only", "host all alice all trust\nhost all all all reject\n",
       HbaVerdict::reject},
      {"local-lines-do-not-take-tcp", "local all all trust\n", HbaVerdict::reject},
      {"replication-is-not-a-database", "host replication all all trust\n", HbaVerdict::reject},
      {"comments-and-quoted-user",
       "# trust nobody\nhost all \"postgres\" 198.51.100.1/32 trust # the CI container\n",
       HbaVerdict::trust},
  };
  return f;
}

HbaVerdict from_server(const PostgresServer& pg) {
  const auto r =
      itest::run_command({pg.bin("psql"), "-w", "-Atc", "select 1",
                          "host=198.51.100.2 port=" + std::to_string(pg.port()) +
                              " user=postgres dbname=postgres sslmode=disable connect_timeout=5"});
  if (r.exit_code == 0) return HbaVerdict::trust;
  if (r.err.find("no password supplied") != std::string::npos ||
      r.err.find("password authentication failed") != std::string::npos)
    return HbaVerdict::password;
  if (r.err.find("no pg_hba.conf entry") != std::string::npos ||
      r.err.find("pg_hba.conf rejects connection") != std::string::npos)
    return HbaVerdict::reject;
  if (r.err.find("Ident authentication failed") != std::string::npos) return HbaVerdict::other_auth;
  ADD_FAILURE() << "unexpected answer: " << r.err;
  return HbaVerdict::other_auth;
}

TEST(PgHbaOracle, VerdictsEqualWhatARealServerDoes) {
  if (!itest::is_root()) GTEST_SKIP() << "network namespaces need root";
  itest::Netns ns;
  if (!ns.create()) GTEST_SKIP() << "cannot create a network namespace: " << ns.error();
  PostgresServer pg;
  PostgresConfig config;
  config.netns = ns.name();
  config.listen = "198.51.100.2";
  if (!pg.start(config)) GTEST_SKIP() << pg.why_not();
  const std::string admin_info = "host=" + pg.socket_dir() + " port=" + std::to_string(pg.port()) +
                                 " user=postgres dbname=postgres";
  PGconn* admin = PQconnectdb(admin_info.c_str());
  ASSERT_EQ(PQstatus(admin), CONNECTION_OK) << PQerrorMessage(admin);
  HbaConnection c;
  c.address = "198.51.100.1";
  c.server_addresses = {"198.51.100.2/24", "127.0.0.1/8"};
  for (const auto& f : fixtures()) {
    // A baseline first whose answer no fixture gives (ident fails): a file
    // the server refuses to load leaves it in place, and that shows.
    const auto load = [&](const std::string& text) {
      std::ofstream(pg.data_dir() + "/pg_hba.conf") << text;
      PQclear(PQexec(admin, "SELECT pg_reload_conf()"));
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the postmaster rereads it
    };
    load("host all all all ident\n");
    load(f.hba);
    ConfigFiles files;
    files.memory["/etc/postgresql/15/main/pg_hba.conf"] = f.hba;
    const auto hba = read_pg_hba(files, "/etc/postgresql/15/main/pg_hba.conf");
    EXPECT_EQ(!hba.problems.empty(), f.refused) << f.name << " (hostward)";
    const HbaVerdict server = from_server(pg);
    if (f.refused) {
      EXPECT_EQ(server, HbaVerdict::other_auth) << f.name << ": the server loaded it";
      continue;
    }
    const HbaVerdict ours = decide(hba, c).verdict;
    EXPECT_EQ(std::string(to_string(server)), to_string(f.expected)) << f.name << " (server)";
    EXPECT_EQ(std::string(to_string(ours)), to_string(server)) << f.name << " (hostward)";
  }
  PQfinish(admin);
}

// PostgreSQL 16's include directives: read by hostward; Debian 12's server
// (15) does not know them, so no server is asked.
TEST(PgHba, IncludesAreFollowedInPlace) {
  ConfigFiles files;
  files.memory["/etc/postgresql/16/main/pg_hba.conf"] =
      "include_if_exists missing.conf\ninclude ci.conf\nhost all all all scram-sha-256\n";
  files.memory["/etc/postgresql/16/main/ci.conf"] = "host all all 0.0.0.0/0 trust\n";
  const auto hba = read_pg_hba(files, "/etc/postgresql/16/main/pg_hba.conf");
  EXPECT_TRUE(hba.problems.empty());
  HbaConnection c;
  c.address = "203.0.113.5";
  const auto d = decide(hba, c);
  EXPECT_EQ(d.verdict, HbaVerdict::trust);
  ASSERT_NE(d.record, nullptr);
  EXPECT_EQ(d.record->file, "/etc/postgresql/16/main/ci.conf");
}

TEST(PgHba, WhatTheServerWouldRefuseIsAProblem) {
  for (const std::string bad : {"hots all all all trust\n", "host all all 10.0.0.0/33 trust\n",
                                "host all all all trusted\n", "host all all\n",
                                "host all all all peer\n", "host \"all all all trust\n"}) {
    ConfigFiles files;
    files.memory["/p"] = bad;
    EXPECT_FALSE(read_pg_hba(files, "/p").problems.empty()) << bad;
  }
}

}  // namespace
}  // namespace hostward::audit

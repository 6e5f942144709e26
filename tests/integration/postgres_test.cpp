// A real PostgreSQL, started for this test on its own port: COPY ... TO PROGRAM
// makes the database spawn a shell, as in the seed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "postgres_server.h"
#include "support.h"

namespace hostward::itest {
namespace {

TEST(Postgres, CopyToProgramChildIsReported) {
  PostgresServer pg;
  if (!pg.start()) GTEST_SKIP() << pg.why_not();
  Spawned psql(pg.bin("psql"),
               {"psql", "-h", "127.0.0.1", "-p", std::to_string(pg.port()), "-U", "postgres", "-d",
                "postgres", "-c", "COPY (SELECT 1) TO PROGRAM 'sleep 30'"});
  pid_t sleeper = 0;
  ASSERT_TRUE(wait_until([&] {
    sleeper = pg.find_descendant("sleep");
    return sleeper > 0;
  })) << "no sleep under postmaster "
      << pg.postmaster_pid();

  const auto report = scan_json({"--sample-ms", "0"});
  const auto f = findings_for(report, "process.database-spawned-child", sleeper);
  ASSERT_EQ(f.size(), 1u) << report.dump(1);
  EXPECT_EQ(f[0]["severity"], "high");
  EXPECT_EQ(f[0]["evidence"]["database"]["comm"], "postgres");
  EXPECT_NE(f[0]["title"].get<std::string>().find("was started by database server postgres"),
            std::string::npos);
  // The lineage ends at a postgres process whose parent is the postmaster (or is it).
  const int db = f[0]["evidence"]["database"]["pid"];
  EXPECT_TRUE(db == pg.postmaster_pid() || pg.parent_of(db) == pg.postmaster_pid());
  // The server's own processes are not flagged.
  EXPECT_TRUE(findings_for(report, "process.database-spawned-child", pg.postmaster_pid()).empty());
  for (const auto& finding : report["findings"]) {
    if (finding["rule"] != "process.database-spawned-child") continue;
    EXPECT_NE(finding["subject"]["comm"], "postgres") << finding.dump();
  }
}

}  // namespace
}  // namespace hostward::itest

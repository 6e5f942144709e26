// While a build machine does its normal work (compiler, database, test runner),
// a scan must raise no new high or critical process finding. Findings present
// before the workload started (the machine's own quirks) are the baseline.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "postgres_server.h"
#include "support.h"

namespace hostward::itest {
namespace {

std::set<std::string> serious_fingerprints(const nlohmann::json& report) {
  std::set<std::string> out;
  for (const auto& f : report["findings"]) {
    if (f["severity"] == "high" || f["severity"] == "critical")
      out.insert(f["fingerprint"].get<std::string>());
  }
  return out;
}

TEST(NoFalseAlarm, BusyBuildMachine) {
  const auto baseline = serious_fingerprints(scan_json({"--sample-ms", "0"}));

  PostgresServer pg;
  const bool have_pg = pg.start();
  std::unique_ptr<Spawned> query;
  if (have_pg) {
    query = std::make_unique<Spawned>(
        pg.bin("psql"),
        std::vector<std::string>{"psql", "-h", "127.0.0.1", "-p", std::to_string(pg.port()), "-U",
                                 "postgres", "-c", "SELECT pg_sleep(20)"});
  }
  const std::string src = HOSTWARD_SOURCE_DIR;
  // A real compile of one of our own files, and a shell pipeline like a CI step.
  Spawned compile("/usr/bin/g++", {"g++", "-std=c++20", "-O2", "-I", src + "/src", "-c",
                                   src + "/src/host/proc_parse.cpp", "-o", "/dev/null"});
  Spawned step(
      "/bin/sh",
      {"sh", "-c", "for i in 1 2 3 4 5 6 7 8; do ls -R /usr/include >/dev/null; sleep 0.2; done"});
  wait_until([&] { return !children_of(compile.pid()).empty(); }, std::chrono::seconds(3));

  const auto report = scan_json({"--sample-ms", "1000"});
  std::vector<std::string> new_alarms;
  for (const auto& f : report["findings"]) {
    if ((f["severity"] == "high" || f["severity"] == "critical") &&
        !baseline.count(f["fingerprint"].get<std::string>())) {
      new_alarms.push_back(f["rule"].get<std::string>() + ": " + f["title"].get<std::string>());
    }
  }
  EXPECT_TRUE(new_alarms.empty()) << ::testing::PrintToString(new_alarms);
}

}  // namespace
}  // namespace hostward::itest

#include "host/snapshot.h"

#include <gtest/gtest.h>

namespace hostward::host {
namespace {

TEST(Snapshot, RoundTripsThroughJson) {
  Snapshot s;
  s.hostname = "buildhost";
  s.taken_at = 1773736080;
  s.sample_ms = 1000;
  ProcessInfo p;
  p.pid = 779680;
  p.ppid = 774094;
  p.comm = "mysql";
  p.argv = {"/tmp/mysql", std::string("esc\x1b[31m", 8)};
  p.exe = "/tmp/mysql (deleted)";
  p.exe_path = "/tmp/mysql";
  p.exe_state = ExeState::deleted;
  p.exe_dirs = {{"/", 0, 040755}, {"/tmp", 0, 041777}};
  p.cpu_percent = 249.5;
  p.ns.net = 4026531840;
  s.processes.push_back(p);
  s.unlisted.push_back({4242, 4242, "hidden", "kill(0) answered"});
  s.connections.push_back(
      {1, "tcp", "established", "192.0.2.10", 40000, "203.0.113.5", 3333, 77, 999, 779680});
  s.errors.push_back({"sockets", "x"});

  const Snapshot back = snapshot_from_json(nlohmann::json::parse(snapshot_to_json(s).dump()));
  ASSERT_EQ(back.processes.size(), 1u);
  const auto& q = back.processes[0];
  EXPECT_EQ(q.pid, 779680);
  EXPECT_EQ(q.argv, p.argv);
  EXPECT_EQ(q.exe_state, ExeState::deleted);
  EXPECT_EQ(q.exe_dirs.size(), 2u);
  EXPECT_EQ(q.exe_dirs[1].mode, 041777u);
  EXPECT_DOUBLE_EQ(q.cpu_percent, 249.5);
  EXPECT_EQ(q.ns.net, 4026531840u);
  EXPECT_EQ(back.unlisted[0].pid, 4242);
  EXPECT_EQ(back.connections[0].remote_port, 3333);
  EXPECT_EQ(back.errors[0].collector, "sockets");
}

TEST(Snapshot, RejectsWrongSchemaAndTypes) {
  EXPECT_THROW(snapshot_from_json(nlohmann::json::array()), std::runtime_error);
  EXPECT_THROW(snapshot_from_json({{"schema", "other"}}), std::runtime_error);
  EXPECT_THROW(snapshot_from_json({{"schema", "hostward-snapshot/v1"}, {"processes", "nope"}}),
               std::runtime_error);
  EXPECT_THROW(snapshot_from_json({{"schema", "hostward-snapshot/v1"},
                                   {"processes", {{{"pid", 1}, {"exe_state", "bogus"}}}}}),
               std::runtime_error);
  EXPECT_THROW(snapshot_from_json({{"schema", 5}}), std::runtime_error);
  // Found by fuzz_snapshot_json: a float that does not fit an int field was UB.
  EXPECT_THROW(
      snapshot_from_json({{"schema", "hostward-snapshot/v1"}, {"processes", {{{"pid", 1e300}}}}}),
      std::runtime_error);
  EXPECT_THROW(
      snapshot_from_json({{"schema", "hostward-snapshot/v1"}, {"processes", {{{"uid", -1.5}}}}}),
      std::runtime_error);
  // Missing keys take their defaults.
  const auto s =
      snapshot_from_json({{"schema", "hostward-snapshot/v1"}, {"processes", {{{"pid", 7}}}}});
  EXPECT_EQ(s.processes.at(0).pid, 7);
}

}  // namespace
}  // namespace hostward::host

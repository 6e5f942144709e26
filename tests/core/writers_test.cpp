#include "core/writers.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/text_sanitize.h"

namespace hostward {
namespace {

Report sample_report() {
  Report r;
  r.host = {"buildhost", "Linux 6.1.0", "2026-03-17T08:28:00Z", 412};
  Finding f;
  f.rule = "process.deleted-executable";
  f.severity = Severity::high;
  f.title = "mysql\x1b]0;pwned\x07 (pid 779680) runs from /tmp/mysql, which has been deleted";
  f.subject = {{"kind", "process"}, {"pid", 779680}};
  f.evidence = {{"state", "gone"}};
  f.remediation = "Save the image.";
  f.attack = {"T1070.004"};
  f.fingerprint = "abc";
  f.incident = "inc-1";
  r.findings.push_back(f);
  Finding g = f;
  g.rule = "process.high-cpu";
  g.severity = Severity::medium;
  g.title = "something else";
  g.incident.clear();
  r.findings.push_back(g);
  Incident i;
  i.id = "inc-1";
  i.severity = Severity::critical;
  i.root_pid = 773014;
  i.summary = "postgres (pid 773014) and the 1 process below it";
  i.pids = {779680};
  i.rules = {"process.deleted-executable"};
  i.tree = {"postgres 773014 lxd", "└─ mysql 779680 lxd /tmp/mysql (deleted)"};
  r.incidents.push_back(i);
  r.errors.push_back({"sockets", "cannot enter namespace"});
  return r;
}

TEST(JsonWriter, FollowsSchemaV1) {
  const auto j = nlohmann::json::parse(write_json(sample_report()));
  EXPECT_EQ(j["schema"], "hostward/v1");
  EXPECT_EQ(j["tool"]["name"], "hostward");
  EXPECT_TRUE(j["tool"]["version"].is_string());
  EXPECT_EQ(j["host"]["hostname"], "buildhost");
  EXPECT_EQ(j["host"]["duration_ms"], 412);
  EXPECT_EQ(j["summary"],
            (nlohmann::json{{"critical", 0}, {"high", 1}, {"medium", 1}, {"low", 0}, {"info", 0}}));
  ASSERT_EQ(j["findings"].size(), 2u);
  const auto& f = j["findings"][0];
  for (const char* key : {"rule", "severity", "title", "subject", "evidence", "remediation",
                          "attack", "fingerprint"}) {
    EXPECT_TRUE(f.contains(key)) << key;
  }
  EXPECT_EQ(f["severity"], "high");
  EXPECT_EQ(f["subject"]["pid"], 779680);
  EXPECT_EQ(f["incident"], "inc-1");
  EXPECT_FALSE(j["findings"][1].contains("incident"));
  EXPECT_EQ(j["incidents"][0]["severity"], "critical");
  EXPECT_EQ(j["errors"][0]["collector"], "sockets");
}

TEST(JsonWriter, KeyOrderIsStable) {
  const std::string out = write_json(sample_report());
  size_t last = 0;
  for (const char* key : {"\"schema\"", "\"tool\"", "\"host\"", "\"summary\"", "\"findings\"",
                          "\"incidents\"", "\"errors\""}) {
    const size_t at = out.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    EXPECT_GT(at, last) << key;
    last = at;
  }
}

TEST(JsonWriter, InvalidUtf8DoesNotThrow) {
  Report r = sample_report();
  r.findings[0].title = "bad \xff\xfe bytes";
  EXPECT_NO_THROW(nlohmann::json::parse(write_json(r)));
}

TEST(TextWriter, StripsEscapesGroupsAndSummarises) {
  const std::string out = write_text(sample_report(), Style{false});
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out.find('\x07'), std::string::npos);
  EXPECT_NE(out.find("\\e]0;pwned\\x07"), std::string::npos);
  EXPECT_NE(out.find("CRITICAL incident inc-1"), std::string::npos);
  EXPECT_NE(out.find("└─ mysql 779680"), std::string::npos);
  EXPECT_LT(out.find("process.deleted-executable"), out.find("process.high-cpu"));
  EXPECT_NE(out.find("sockets: cannot enter namespace"), std::string::npos);
  EXPECT_NE(out.find("2 findings (1 high, 1 medium) in 1 incident."), std::string::npos);
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(display_width(line), 80u) << line;
  }
}

TEST(TextWriter, ColourOnlyWhenAsked) {
  EXPECT_EQ(write_text(sample_report(), Style{false}).find("\x1b["), std::string::npos);
  EXPECT_NE(write_text(sample_report(), Style{true}).find("\x1b["), std::string::npos);
}

TEST(TextWriter, Wraps) {
  EXPECT_EQ(wrap("aaa bbb ccc", 7, 2), "aaa bbb\n  ccc");
  EXPECT_EQ(wrap("", 10, 2), "");
}

}  // namespace
}  // namespace hostward

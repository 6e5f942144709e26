#include "core/severity.h"

#include <gtest/gtest.h>

#include "core/finding.h"
#include "core/fingerprint.h"
#include "core/rule_catalog.h"

namespace hostward {
namespace {

TEST(Severity, ParsesEveryNameAndRejectsOthers) {
  for (auto s :
       {Severity::info, Severity::low, Severity::medium, Severity::high, Severity::critical}) {
    EXPECT_EQ(parse_severity(to_string(s)), s);
  }
  EXPECT_FALSE(parse_severity("HIGH"));
  EXPECT_FALSE(parse_severity(""));
}

TEST(RuleCatalog, RejectsDuplicatesAndUnknownAreas) {
  RuleCatalog c;
  c.add({"process.example", Severity::high, {}, "t", "r", "f"});
  EXPECT_THROW(c.add({"process.example", Severity::low, {}, "t", "r", "f"}), std::logic_error);
  EXPECT_THROW(c.add({"kernel.example", Severity::low, {}, "t", "r", "f"}), std::logic_error);
  ASSERT_NE(c.find("process.example"), nullptr);
  EXPECT_EQ(rule_area("config.ssh-root-login"), "config");
}

TEST(Report, WorstSeverityCountsIncidents) {
  Report r;
  EXPECT_FALSE(worst_severity(r));
  Finding f;
  f.severity = Severity::high;
  r.findings.push_back(f);
  EXPECT_EQ(worst_severity(r), Severity::high);
  Incident i;
  i.severity = Severity::critical;
  r.incidents.push_back(i);
  EXPECT_EQ(worst_severity(r), Severity::critical);
}

TEST(Fingerprint, StableAndDistinct) {
  const auto a = make_fingerprint("host", "process.x", "/tmp/mysql");
  EXPECT_EQ(a, make_fingerprint("host", "process.x", "/tmp/mysql"));
  EXPECT_NE(a, make_fingerprint("host2", "process.x", "/tmp/mysql"));
  EXPECT_NE(a, make_fingerprint("host", "process.y", "/tmp/mysql"));
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace hostward

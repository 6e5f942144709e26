// The config rules on fixture trees, through `hostward scan --root DIR`:
// each must fire on its case and stay quiet on the hardened one.
#include "audit/audit_rules.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "audit/fixture_tree.h"
#include "integration/support.h"

namespace hostward::itest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(ConfigRules, CloudInitTrapFiresPasswordAuthWithTheFileThatDecides) {
  Tree t;
  t.write(
      "/etc/ssh/sshd_config",
      "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\nPermitRootLogin yes\n");
  t.write("/etc/ssh/sshd_config.d/50-cloud-init.conf", "PasswordAuthentication yes\n");
  const json r = t.scan();
  const auto pw = findings_with_rule(r, "config.ssh-password-auth");
  ASSERT_EQ(pw.size(), 1u) << r.dump(2);
  EXPECT_EQ(pw[0]["severity"], "medium");
  EXPECT_EQ(pw[0]["subject"]["path"], "/etc/ssh/sshd_config.d/50-cloud-init.conf");
  EXPECT_EQ(pw[0]["subject"]["line"], 1);
  const auto root = findings_with_rule(r, "config.ssh-root-login");
  ASSERT_EQ(root.size(), 1u);
  EXPECT_EQ(root[0]["severity"], "high");  // with passwords: one guess is the machine
  EXPECT_EQ(root[0]["subject"]["path"], "/etc/ssh/sshd_config");
  EXPECT_EQ(root[0]["subject"]["line"], 3);
}

TEST(ConfigRules, RootLoginWithKeysOnlyIsMedium) {
  Tree t;
  t.write("/etc/ssh/sshd_config",
          "PermitRootLogin yes\nPasswordAuthentication no\n"
          "KbdInteractiveAuthentication no\n");
  const json r = t.scan();
  const auto root = findings_with_rule(r, "config.ssh-root-login");
  ASSERT_EQ(root.size(), 1u);
  EXPECT_EQ(root[0]["severity"], "medium");
  EXPECT_TRUE(findings_with_rule(r, "config.ssh-password-auth").empty());
}

TEST(ConfigRules, PamKeyboardInteractiveCountsAsPasswords) {
  Tree t;
  t.write("/etc/ssh/sshd_config",
          "PasswordAuthentication no\nKbdInteractiveAuthentication yes\nUsePAM yes\n");
  const auto pw = findings_with_rule(t.scan(), "config.ssh-password-auth");
  ASSERT_EQ(pw.size(), 1u);
  EXPECT_EQ(pw[0]["subject"]["setting"], "KbdInteractiveAuthentication");
}

TEST(ConfigRules, DefaultsOfOpenSsh9ShowPasswordAuthOnly) {
  Tree t;
  t.write("/etc/ssh/sshd_config", "UsePAM yes\nKbdInteractiveAuthentication no\n");
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.ssh-root-login").empty());  // prohibit-password
  const auto pw = findings_with_rule(r, "config.ssh-password-auth");
  ASSERT_EQ(pw.size(), 1u);
  EXPECT_EQ(pw[0]["subject"]["default"], true);
}

TEST(ConfigRules, OldOpenSshDefaultsToRootLogin) {
  Tree t;
  t.write("/etc/ssh/sshd_config", "PasswordAuthentication no\nKbdInteractiveAuthentication no\n");
  t.write("/var/lib/dpkg/status",
          "Package: openssh-server\nStatus: install ok installed\nVersion: 1:6.7p1-5+deb8u8\n\n");
  EXPECT_EQ(findings_with_rule(t.scan(), "config.ssh-root-login").size(), 1u);
}

TEST(ConfigRules, HardenedSshdIsQuiet) {
  Tree t;
  t.write("/etc/ssh/sshd_config",
          "Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\n");
  t.write("/etc/ssh/sshd_config.d/10-hardening.conf",
          "PermitRootLogin prohibit-password\nPasswordAuthentication no\n");
  t.write("/etc/ssh/sshd_config.d/50-cloud-init.conf", "PasswordAuthentication yes\n");
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.ssh-root-login").empty()) << r.dump(2);
  EXPECT_TRUE(findings_with_rule(r, "config.ssh-password-auth").empty()) << r.dump(2);
}

TEST(ConfigRules, MatchForOutsideAddressesIsJudged) {
  Tree t;
  t.write("/etc/ssh/sshd_config",
          "PermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
          "Match Address 10.0.0.0/8\n  PasswordAuthentication yes\n"
          "Match Address *,!10.0.0.0/8 User root\n  PermitRootLogin yes\n");
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.ssh-password-auth").empty());  // inside only
  EXPECT_EQ(findings_with_rule(r, "config.ssh-root-login").size(), 1u);
}

TEST(ConfigRules, PasswordsOpenedForOtherUsersCount) {
  Tree t;
  t.write("/etc/ssh/sshd_config",
          "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
          "Match User *,!root\n  PasswordAuthentication yes\n");
  const auto pw = findings_with_rule(t.scan(), "config.ssh-password-auth");
  ASSERT_EQ(pw.size(), 1u);
  EXPECT_EQ(pw[0]["evidence"]["judged_for"]["user"], "hostward-probe");
  EXPECT_EQ(pw[0]["subject"]["line"], 4);
}

TEST(ConfigRules, TrustForEveryoneButPostgresStillFires) {
  Tree t;
  t.write("/etc/postgresql/15/main/postgresql.conf",
          "data_directory = '/var/lib/postgresql/15/main'\nlisten_addresses = '*'\n");
  t.write("/var/lib/postgresql/15/main/pg_hba.conf",
          "host all postgres 0.0.0.0/0 reject\nhost all all ::1/128 scram-sha-256\n"
          "host all all 0.0.0.0/0 trust\nhost all all ::/0 trust\n");
  const auto trust = findings_with_rule(t.scan(), "config.postgres-trust-auth");
  ASSERT_EQ(trust.size(), 2u);
  EXPECT_EQ(trust[0]["evidence"]["decides_for"]["user"], "hostward_probe");
  EXPECT_EQ(trust[1]["evidence"]["decides_for"]["address"], "2001:db8::5");
}

TEST(ConfigRules, AnImagesAbsoluteSymlinkStaysInTheImage) {
  Tree t;
  fs::create_directories(t.dir.path() + "/etc/ssh");
  // In the image this names the image's own file, never the live host's.
  fs::create_symlink("/etc/ssh/real_config", t.dir.path() + "/etc/ssh/sshd_config");
  t.write("/etc/ssh/real_config",
          "PermitRootLogin yes\nPasswordAuthentication no\n"
          "KbdInteractiveAuthentication no\n");
  const auto root = findings_with_rule(t.scan(), "config.ssh-root-login");
  ASSERT_EQ(root.size(), 1u);
  EXPECT_EQ(root[0]["severity"], "medium");
}

TEST(ConfigRules, AFifoIsNeverReadFrom) {
  Tree t;
  fs::create_directories(t.dir.path() + "/etc/ssh");
  ASSERT_EQ(mkfifo((t.dir.path() + "/etc/ssh/sshd_config").c_str(), 0600), 0);
  const json r = t.scan();  // returns: a FIFO is not a configuration file
  EXPECT_TRUE(r["findings"].empty());
}

TEST(ConfigRules, AConfigSshdWouldRefuseIsAnErrorNotAFinding) {
  Tree t;
  t.write("/etc/ssh/sshd_config", "PermitRootLogin maybe\n");
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.ssh-root-login").empty());
  bool said = false;
  for (const auto& e : r["errors"])
    said =
        said || e["message"].get<std::string>().find("sshd refuses to start") != std::string::npos;
  EXPECT_TRUE(said) << r["errors"].dump();
}

TEST(ConfigRules, NoSshdInstalledIsQuiet) {
  Tree t;
  t.write("/etc/hostname", "offline\n");
  const json r = t.scan();
  EXPECT_TRUE(r["findings"].empty()) << r.dump(2);
}

// Debian's layout: /etc/postgresql/15/main with the data under /var/lib.
struct PgTree : Tree {
  void cluster(const std::string& conf, const std::string& hba, const std::string& autoconf = "") {
    write("/etc/postgresql/15/main/postgresql.conf",
          "data_directory = '/var/lib/postgresql/15/main'\n"
          "hba_file = '/etc/postgresql/15/main/pg_hba.conf'\n" +
              conf);
    write("/etc/postgresql/15/main/pg_hba.conf", hba);
    write("/var/lib/postgresql/15/main/postgresql.auto.conf", autoconf);
  }
};

TEST(ConfigRules, TheSeedsDatabaseIsCritical) {
  PgTree t;
  t.cluster("listen_addresses = '*'\n", "local all postgres peer\nhost all all 0.0.0.0/0 trust\n");
  const json r = t.scan();
  const auto trust = findings_with_rule(r, "config.postgres-trust-auth");
  ASSERT_EQ(trust.size(), 1u) << r.dump(2);
  EXPECT_EQ(trust[0]["severity"], "critical");
  EXPECT_EQ(trust[0]["subject"]["path"], "/etc/postgresql/15/main/pg_hba.conf");
  EXPECT_EQ(trust[0]["subject"]["line"], 2);
  const auto listen = findings_with_rule(r, "config.postgres-listen-all");
  ASSERT_EQ(listen.size(), 1u);
  EXPECT_EQ(listen[0]["subject"]["line"], 3);
}

TEST(ConfigRules, TrustOnLoopbackListenerIsHigh) {
  PgTree t;
  t.cluster("#listen_addresses = '*'\n", "host all all 0.0.0.0/0 trust\n");
  const auto trust = findings_with_rule(t.scan(), "config.postgres-trust-auth");
  ASSERT_EQ(trust.size(), 1u);
  EXPECT_EQ(trust[0]["severity"], "high");
}

TEST(ConfigRules, ARejectAboveTheTrustLineShieldsIt) {
  PgTree t;
  t.cluster("listen_addresses = '*'\n",
            "host all all 10.0.0.0/8 reject\nhost all all 10.0.0.0/8 trust\n"
            "host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust\n"
            "host all all 0.0.0.0/0 scram-sha-256\n");
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.postgres-trust-auth").empty()) << r.dump(2);
  EXPECT_EQ(findings_with_rule(r, "config.postgres-listen-all").size(), 1u);
}

TEST(ConfigRules, AlterSystemAndIncludesDecideListenAddresses) {
  PgTree t;
  t.cluster("include 'conf.d/listen.conf'\n", "host all all 192.0.2.0/24 trust\n",
            "listen_addresses = 'localhost'\n");
  t.write("/etc/postgresql/15/main/conf.d/listen.conf", "listen_addresses = '0.0.0.0'\n");
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.postgres-listen-all").empty()) << r.dump(2);
  const auto trust = findings_with_rule(r, "config.postgres-trust-auth");
  ASSERT_EQ(trust.size(), 1u);
  EXPECT_EQ(trust[0]["severity"], "high");  // ALTER SYSTEM bound it back to localhost
}

TEST(ConfigRules, AnHbaFileTheServerRefusesIsAnError) {
  PgTree t;
  t.cluster("", "host all all 0.0.0.0/0 trusted\n");
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.postgres-trust-auth").empty());
  bool said = false;
  for (const auto& e : r["errors"])
    said = said || e["message"].get<std::string>().find("refuses to load") != std::string::npos;
  EXPECT_TRUE(said) << r["errors"].dump();
}

TEST(ConfigRules, RootRefusesLiveAreas) {
  Tree t;
  const auto r = run_hostward({"scan", "--root", t.dir.path(), "--only", "process"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("needs the live host"), std::string::npos) << r.err;
}

// --- a file a user writes ---

// /home is a link to /data/home (a big disk): followed inside the tree. The
// history itself must not be a link, and must be the user's own, or root's
// with a single name.
TEST(ConfigFilesUsersFile, LinkedHomeIsReadButNotALinkedOrForeignFile) {
  if (!is_root()) GTEST_SKIP() << "needs root (files of other owners)";
  Tree t;
  t.write("/data/home/ci/.bash_history", "ls\n", 0600);
  t.symlink("/data/home", "/home");
  t.write("/etc/secret", "hash\n", 0600);
  t.symlink("/etc/secret", "/data/home/ci/.zsh_history");
  t.write("/data/home/ci/.psql_history", "select 1;\n", 0600);
  t.write("/data/home/ci/.mysql_history", "show tables;\n", 0600);
  ASSERT_EQ(::chown(t.at("/data/home/ci/.bash_history").c_str(), 1000, 1000), 0);
  ASSERT_EQ(::chown(t.at("/data/home/ci/.psql_history").c_str(), 1001, 1001), 0);
  ASSERT_EQ(::link(t.at("/etc/secret").c_str(), t.at("/data/home/ci/.node_repl_history").c_str()),
            0);
  audit::ConfigFiles files;
  files.root = t.dir.path();
  EXPECT_EQ(files.read_users_file("/home/ci/.bash_history", 1000), "ls\n");
  EXPECT_FALSE(files.read_users_file("/home/ci/.zsh_history", 1000));        // a link
  EXPECT_FALSE(files.read_users_file("/home/ci/.psql_history", 1000));       // another user's
  EXPECT_FALSE(files.read_users_file("/home/ci/.node_repl_history", 1000));  // root's, 2 names
  EXPECT_EQ(files.read_users_file("/home/ci/.mysql_history", 1000), "show tables;\n");  // root's
  EXPECT_FALSE(files.read("/home/ci/.bash_history", false));  // no link anywhere on that path
}

// --- the hardening summary ---

audit::AuditResult all_not_applicable() {
  RuleCatalog catalog;
  audit::register_rules(catalog);
  audit::AuditResult r;
  for (const auto& rule : catalog.all()) r.not_applicable(rule.id, "absent");
  return r;
}

// Weights: critical 10, high 6, medium 3, low 1; a passed check by its rule's
// severity, a failed one by its worst finding; unknown counts neither way.
TEST(HardeningScore, WeightedShareOfApplicableChecksRoundedDown) {
  auto r = all_not_applicable();
  r.judged("config.ssh-root-login");    // high: 6 passed
  r.judged("config.tmp-exec-allowed");  // low: 1 passed
  r.judged("config.postgres-trust-auth");
  Finding trust;
  trust.rule = "config.postgres-trust-auth";
  trust.severity = Severity::critical;  // failed: 10
  r.findings.push_back(trust);
  r.unknown("config.cron-world-writable", "out of budget");
  const Hardening h = audit::hardening_summary(r);
  ASSERT_TRUE(h.score);
  EXPECT_EQ(*h.score, 41);  // 7 * 100 / 17
  std::map<std::string, std::string> status;
  for (const auto& c : h.checks) status[c.rule] = c.status;
  EXPECT_EQ(status["config.postgres-trust-auth"], "failed");
  EXPECT_EQ(status["config.cron-world-writable"], "unknown");
  EXPECT_EQ(status["config.ssh-root-login"], "passed");
  EXPECT_EQ(status["config.docker-tcp-socket"], "not_applicable");
}

TEST(HardeningScore, NothingJudgedHasNoScore) {
  auto r = all_not_applicable();
  r.unknown("config.ssh-root-login", "sshd refuses its file");
  EXPECT_FALSE(audit::hardening_summary(r).score);
  r.judged("config.tmp-exec-allowed");
  EXPECT_EQ(audit::hardening_summary(r).score, 100);
}

// A mistyped or empty --root is not a perfect host.
TEST(HardeningScore, AnEmptyTreeReportsNoScore) {
  Tree t;
  const json r = t.scan();
  EXPECT_TRUE(r["summary"]["hardening_score"].is_null()) << r["hardening"].dump(2);
  EXPECT_TRUE(r["hardening"]["score"].is_null());
  ASSERT_EQ(r["errors"].size(), 1u) << r["errors"].dump(2);
  EXPECT_EQ(r["errors"][0]["message"],
            t.dir.path() +
                ": no /etc/passwd or /etc/os-release; not a system's root, so no "
                "hardening score");
  const auto text = run_hostward({"scan", "--root", t.dir.path(), "--only", "config"});
  EXPECT_NE(text.out.find("Hardening score none:"), std::string::npos) << text.out;
  t.write("/etc/os-release", "ID=debian\n");
  EXPECT_EQ(t.scan()["summary"]["hardening_score"], 100);
}

}  // namespace
}  // namespace hostward::itest

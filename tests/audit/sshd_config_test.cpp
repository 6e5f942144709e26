// hostward's effective sshd configuration against the daemon's own: for each
// fixture, `sshd -T -f FILE -C user=root,addr=203.0.113.5,...` is the oracle.
#include "audit/sshd_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "integration/support.h"

namespace hostward::audit {
namespace {

namespace fs = std::filesystem;
using itest::run_command;
using itest::TempDir;

struct Fixture {
  std::string name;
  std::map<std::string, std::string> files;  // relative path -> content; @DIR@ is the fixture's dir
};

const std::vector<Fixture>& fixtures() {
  static const std::vector<Fixture> f = {
      {"empty-file-gives-the-defaults", {{"sshd_config", ""}}},
      {"cloud-init-include-before-a-later-no",
       {{"sshd_config",
         "Include @DIR@/sshd_config.d/*.conf\nPasswordAuthentication no\nPermitRootLogin no\n"},
        {"sshd_config.d/50-cloud-init.conf", "PasswordAuthentication yes\n"}}},
      {"include-after-the-setting-loses",
       {{"sshd_config", "PasswordAuthentication no\nInclude @DIR@/d/*.conf\n"},
        {"d/50-cloud-init.conf", "PasswordAuthentication yes\nPermitRootLogin yes\n"}}},
      {"include-glob-in-lexical-order",
       {{"sshd_config", "Include @DIR@/d/*.conf\n"},
        {"d/10-a.conf", "PermitRootLogin no\n"},
        {"d/9-b.conf", "PermitRootLogin yes\nPasswordAuthentication no\n"}}},
      {"keywords-are-case-insensitive",
       {{"sshd_config", "PERMITROOTLOGIN yes\npasswordauthentication no\n"}}},
      {"keyword-equals-value",
       {{"sshd_config", "PermitRootLogin=yes\nPasswordAuthentication = no\n"}}},
      {"quoted-values",
       {{"sshd_config", "PermitRootLogin \"yes\"\nPasswordAuthentication 'no'\n"}}},
      {"comments-and-commented-out-lines",
       {{"sshd_config",
         "#PermitRootLogin no\nPermitRootLogin yes # was no\n  # PasswordAuthentication no\n"}}},
      {"first-value-wins", {{"sshd_config", "PermitRootLogin no\nPermitRootLogin yes\n"}}},
      {"match-user-root",
       {{"sshd_config",
         "PermitRootLogin no\nPasswordAuthentication no\nMatch User root\n  PermitRootLogin "
         "yes\n"}}},
      {"match-user-negated",
       {{"sshd_config", "PermitRootLogin no\nMatch User !root,*\n  PermitRootLogin yes\n"}}},
      {"match-address-cidr",
       {{"sshd_config",
         "PasswordAuthentication no\nMatch Address 203.0.113.0/24\n  PasswordAuthentication "
         "yes\n"}}},
      {"match-address-other-network",
       {{"sshd_config",
         "PasswordAuthentication no\nMatch Address 10.0.0.0/8,192.168.0.0/16\n  "
         "PasswordAuthentication yes\n"}}},
      {"match-address-negated",
       {{"sshd_config",
         "PasswordAuthentication no\nMatch Address !203.0.113.5,*\n  PasswordAuthentication "
         "yes\n"}}},
      {"match-local-port",
       {{"sshd_config",
         "PermitRootLogin no\nMatch LocalPort 2222\n  PermitRootLogin yes\nMatch LocalPort 22\n  "
         "PasswordAuthentication no\n"}}},
      {"match-host",
       {{"sshd_config",
         "Match Host y\n  PermitRootLogin yes\nMatch Host x\n  PermitRootLogin no\n"}}},
      {"match-all-after-a-block",
       {{"sshd_config",
         "Match User nobody\n  PermitRootLogin no\nMatch All\n  PasswordAuthentication no\n"}}},
      {"first-matching-block-wins",
       {{"sshd_config",
         "Match User root\n  PermitRootLogin forced-commands-only\nMatch Address 203.0.113.0/24\n  "
         "PermitRootLogin yes\n"}}},
      {"include-inside-match",
       {{"sshd_config", "PasswordAuthentication no\nMatch User root\n  Include @DIR@/root.conf\n"},
        {"root.conf", "PasswordAuthentication yes\n"}}},
      {"match-group-root",
       {{"sshd_config", "PermitRootLogin no\nMatch Group wheel,root\n  PermitRootLogin yes\n"}}},
      {"keyboard-interactive-through-pam",
       {{"sshd_config",
         "PasswordAuthentication no\nKbdInteractiveAuthentication yes\nUsePAM yes\n"}}},
      {"challenge-response-alias",
       {{"sshd_config",
         "PasswordAuthentication no\nChallengeResponseAuthentication yes\nUsePAM yes\n"}}},
      {"without-password-alias", {{"sshd_config", "PermitRootLogin without-password\n"}}},
      {"included-match-does-not-leak",
       {{"sshd_config", "Include @DIR@/x.conf\nPermitRootLogin yes\n"},
        {"x.conf", "Match User nobody\n  PasswordAuthentication no\n"}}},
      {"whitespace-tabs-and-crlf",
       {{"sshd_config", "\t PermitRootLogin\t yes \r\n   PasswordAuthentication\tno\r\n"}}},
      {"debian-default-file",
       {{"sshd_config",
         "Include @DIR@/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\n"
         "X11Forwarding yes\nPrintMotd no\nAcceptEnv LANG LC_*\nSubsystem sftp "
         "/usr/lib/openssh/sftp-server\n"}}},
      {"match-all-makes-what-follows-global",
       {{"sshd_config",
         "Match User nobody\n  PasswordAuthentication no\nMatch all\nUsePAM yes\nPermitRootLogin "
         "yes\n"}}},
      {"include-in-a-block-that-does-not-apply",
       {{"sshd_config", "PasswordAuthentication no\nMatch User nobody\n  Include @DIR@/x.conf\n"},
        {"x.conf", "Match all\n  PasswordAuthentication yes\n"}}},
      {"match-in-an-included-file-applies",
       {{"sshd_config", "Include @DIR@/d/*.conf\nPermitRootLogin no\n"},
        {"d/60-root.conf", "Match User root\n  PermitRootLogin yes\n"}}},
      {"refused-bad-value", {{"sshd_config", "PermitRootLogin maybe\n"}}},
      {"refused-global-directive-in-match",
       {{"sshd_config", "Match User nobody\n  PasswordAuthentication no\nUsePAM yes\n"}}},
      {"refused-unknown-keyword", {{"sshd_config", "PermitRootLogin no\nFrobnicate yes\n"}}},
      {"refused-unclosed-quote", {{"sshd_config", "PermitRootLogin \"yes\n"}}},
      {"refused-bad-cidr", {{"sshd_config", "Match Address 10.0.0.0/33\n  PermitRootLogin yes\n"}}},
      {"refused-missing-argument", {{"sshd_config", "PermitRootLogin\n"}}},
      {"refused-self-include",
       {{"sshd_config", "Include @DIR@/sshd_config\nPermitRootLogin yes\n"}}},
  };
  return f;
}

struct Verdict {
  bool refused = false;
  std::string permit_root_login;
  std::string password_authentication;
  std::string kbd_interactive_authentication;
  std::string use_pam;
};

std::ostream& operator<<(std::ostream& o, const Verdict& v) {
  if (v.refused) return o << "refused";
  return o << "permitrootlogin " << v.permit_root_login << ", passwordauthentication "
           << v.password_authentication << ", kbdinteractiveauthentication "
           << v.kbd_interactive_authentication << ", usepam " << v.use_pam;
}

bool operator==(const Verdict& a, const Verdict& b) {
  if (a.refused || b.refused) return a.refused == b.refused;
  return a.permit_root_login == b.permit_root_login &&
         a.password_authentication == b.password_authentication &&
         a.kbd_interactive_authentication == b.kbd_interactive_authentication &&
         a.use_pam == b.use_pam;
}

std::string write_fixture(const Fixture& f, const std::string& dir) {
  for (const auto& [rel, content] : f.files) {
    const fs::path p = fs::path(dir) / rel;
    fs::create_directories(p.parent_path());
    std::string text = content;
    for (size_t at; (at = text.find("@DIR@")) != std::string::npos;) text.replace(at, 5, dir);
    std::ofstream(p) << text;
  }
  return dir + "/sshd_config";
}

Verdict from_sshd(const std::string& config) {
  const auto r = run_command({"/usr/sbin/sshd", "-T", "-f", config, "-C",
                              "user=root,addr=203.0.113.5,host=x,laddr=198.51.100.1,lport=22"});
  Verdict v;
  if (r.exit_code != 0) {
    v.refused = true;
    return v;
  }
  std::istringstream in(r.out);
  std::string key, value;
  while (in >> key && std::getline(in, value)) {
    value.erase(0, value.find_first_not_of(' '));
    if (key == "permitrootlogin")
      v.permit_root_login = value == "without-password" ? "prohibit-password" : value;
    if (key == "passwordauthentication") v.password_authentication = value;
    if (key == "kbdinteractiveauthentication") v.kbd_interactive_authentication = value;
    if (key == "usepam") v.use_pam = value;
  }
  return v;
}

Verdict from_hostward(const std::string& config) {
  SshdConnection c;
  c.host = "x";
  const auto e = effective_sshd_config(ConfigFiles{}, config, c);
  Verdict v;
  v.refused = e.refused();
  v.permit_root_login = e.permit_root_login();
  v.password_authentication = e.password_authentication() ? "yes" : "no";
  v.kbd_interactive_authentication = e.kbd_interactive_authentication() ? "yes" : "no";
  v.use_pam = e.use_pam() ? "yes" : "no";
  return v;
}

class SshdOracle : public ::testing::TestWithParam<Fixture> {};

TEST_P(SshdOracle, EffectiveValuesEqualWhatSshdPrints) {
  if (!itest::is_root()) GTEST_SKIP() << "sshd -T reads the host keys: needs root";
  if (access("/usr/sbin/sshd", X_OK) != 0) GTEST_SKIP() << "openssh-server is not installed";
  TempDir dir("/tmp/hwtest-sshd.");
  const std::string config = write_fixture(GetParam(), dir.path());
  const Verdict expected = from_sshd(config);
  const Verdict got = from_hostward(config);
  EXPECT_EQ(got, expected) << GetParam().name << "\nhostward: " << got
                           << "\nsshd:     " << expected;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SshdOracle, ::testing::ValuesIn(fixtures()),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (auto& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

// What the oracle cannot show: where a value came from, and the rule's reading.
TEST(SshdConfig, CloudInitTrapNamesTheFileThatWon) {
  TempDir dir("/tmp/hwtest-sshd.");
  const std::string config = write_fixture(fixtures()[1], dir.path());
  const auto e = effective_sshd_config(ConfigFiles{}, config, SshdConnection{});
  EXPECT_TRUE(e.password_authentication());
  EXPECT_EQ(e.where("passwordauthentication"), dir.path() + "/sshd_config.d/50-cloud-init.conf:1");
  EXPECT_EQ(e.files_read.size(), 2u);
}

TEST(SshdConfig, KeyboardInteractiveThroughPamAcceptsPasswords) {
  TempDir dir("/tmp/hwtest-sshd.");
  const auto e = effective_sshd_config(ConfigFiles{}, write_fixture(fixtures()[20], dir.path()),
                                       SshdConnection{});
  EXPECT_FALSE(e.password_authentication());
  EXPECT_TRUE(e.accepts_passwords());
}

TEST(SshdConfig, AnOfflineTreeIsReadUnderItsRoot) {
  TempDir root("/tmp/hwtest-sshd.");
  fs::create_directories(root.path() + "/etc/ssh/sshd_config.d");
  std::ofstream(root.path() + "/etc/ssh/sshd_config") << "Include sshd_config.d/*.conf\n";
  std::ofstream(root.path() + "/etc/ssh/sshd_config.d/root.conf") << "PermitRootLogin yes\n";
  ConfigFiles files;
  files.root = root.path();
  const auto e = effective_sshd_config(files, "/etc/ssh/sshd_config", SshdConnection{});
  EXPECT_EQ(e.permit_root_login(), "yes");
  EXPECT_EQ(e.where("permitrootlogin"), "/etc/ssh/sshd_config.d/root.conf:1");
}

// Found by fuzz_sshd_config: two files including both ran 2^16 reads deep.
TEST(SshdConfig, AFanOutOfIncludesEndsQuickly) {
  ConfigFiles files;
  files.memory["/etc/ssh/sshd_config"] = "Include /etc/ssh/*\n";
  files.memory["/etc/ssh/x"] = "Include /etc/ssh/*\n";
  const auto e = effective_sshd_config(files, "/etc/ssh/sshd_config", SshdConnection{});
  EXPECT_TRUE(e.refused());
  EXPECT_LE(e.files_read.size(), 256u);
}

TEST(SshdConfig, ArgumentsSplitLikeSshd) {
  std::vector<std::string> a;
  ASSERT_TRUE(split_sshd_arguments(R"(a "b c" 'd\'e' f\ g #h)", a));
  EXPECT_EQ(a, (std::vector<std::string>{"a", "b c", "d'e", "f g"}));
  EXPECT_FALSE(split_sshd_arguments("\"open", a));
}

TEST(SshdConfig, AddressListsWithCidrAndNegation) {
  EXPECT_EQ(match_address_list("203.0.113.5", "203.0.113.0/24"), 1);
  EXPECT_EQ(match_address_list("203.0.113.5", "10.0.0.0/8"), 0);
  EXPECT_EQ(match_address_list("203.0.113.5", "!203.0.113.5,*"), -1);
  EXPECT_EQ(match_address_list("2001:db8::1", "2001:db8::/32"), 1);
  EXPECT_EQ(match_address_list("203.0.113.5", "10.0.0.1/8"), -2);
  EXPECT_EQ(match_address_list("203.0.113.5", "203.0.113.*"), 1);
}

}  // namespace
}  // namespace hostward::audit

// The seed's machines rebuilt as offline trees: every weakness the
// responders found by hand is one finding of `hostward scan --root`, and the
// same trees after the fixes the report lists pass every check they could fail.
#include <gtest/gtest.h>

#include "audit/fixture_tree.h"
#include "integration/support.h"

namespace hostward::itest {
namespace {

using nlohmann::json;

// A sibling host: Docker API open in ufw and on TCP, root logins with
// passwords, no fail2ban, registry credentials in root's history.
void sibling(Tree& t, bool fixed) {
  t.write("/etc/hostname", "build-sibling-2\n");
  t.write("/etc/ssh/sshd_config",
          "Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\n");
  t.write("/etc/ssh/sshd_config.d/50-cloud-init.conf",
          fixed ? "PasswordAuthentication no\n" : "PasswordAuthentication yes\n");
  t.write("/etc/ssh/sshd_config.d/60-root.conf",
          fixed ? "PermitRootLogin prohibit-password\n" : "PermitRootLogin yes\n");
  t.write("/lib/systemd/system/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n");
  t.symlink("/lib/systemd/system/ssh.service",
            "/etc/systemd/system/multi-user.target.wants/ssh.service");
  t.write("/etc/ufw/ufw.conf", "ENABLED=yes\n");
  t.write("/etc/ufw/user.rules",
          std::string("*filter\n:ufw-user-input - [0:0]\n### RULES ###\n\n"
                      "### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in\n"
                      "-A ufw-user-input -p tcp --dport 22 -j ACCEPT\n\n") +
              (fixed ? ""
                     : "### tuple ### allow tcp 2375 0.0.0.0/0 any 0.0.0.0/0 in\n"
                       "-A ufw-user-input -p tcp --dport 2375 -j ACCEPT\n\n") +
              "### END RULES ###\nCOMMIT\n");
  t.write("/etc/docker/daemon.json",
          fixed ? "{\"log-driver\": \"journald\"}\n"
                : "{\"hosts\": [\"unix:///var/run/docker.sock\", \"tcp://0.0.0.0:2375\"]}\n");
  t.write("/etc/group", "root:x:0:\ndocker:x:998:\n");
  t.write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
  t.write("/root/.bash_history",
          fixed ? "ls\ndocker login --password-stdin -u ci registry.example.com < token\n"
                : "ls\ndocker login -u ci -p Zq8vT3kP9wLm2xR7 registry.example.com\n",
          0600);
  if (fixed) {
    t.write("/etc/fail2ban/jail.conf",
            "[DEFAULT]\nenabled = false\n[sshd]\nbackend = systemd\nlogpath = /var/log/auth.log\n");
    t.write("/etc/fail2ban/jail.d/defaults-debian.conf", "[sshd]\nenabled = true\n");
    t.write("/lib/systemd/system/fail2ban.service",
            "[Service]\nExecStart=/usr/bin/fail2ban-server -xf start\n");
    t.symlink("/lib/systemd/system/fail2ban.service",
              "/etc/systemd/system/multi-user.target.wants/fail2ban.service");
  }
}

// The build agent: PostgreSQL with trust for every address and listening on
// all of them, and the agent user in the docker group.
void build_agent(Tree& t, bool fixed) {
  t.write("/etc/hostname", "ci-agent-1\n");
  t.write("/etc/postgresql/15/main/postgresql.conf",
          "data_directory = '/var/lib/postgresql/15/main'\n"
          "hba_file = '/etc/postgresql/15/main/pg_hba.conf'\n" +
              std::string(fixed ? "listen_addresses = 'localhost'\n" : "listen_addresses = '*'\n"));
  t.write("/etc/postgresql/15/main/pg_hba.conf",
          fixed ? "local all postgres peer\nhost all all 127.0.0.1/32 scram-sha-256\n"
                : "local all postgres peer\nhost all all 0.0.0.0/0 trust\n");
  t.write("/etc/group", fixed ? "root:x:0:\ndocker:x:998:\n" : "root:x:0:\ndocker:x:998:azagent\n");
  t.write("/etc/passwd",
          "root:x:0:0:root:/root:/bin/bash\nazagent:x:1001:1001::/home/azagent:/bin/bash\n");
  t.write("/lib/systemd/system/docker.service",
          "[Service]\nExecStart=/usr/bin/dockerd -H fd:// "
          "--containerd=/run/containerd/containerd.sock\n");
}

std::set<std::string> rules_of(const json& report) {
  std::set<std::string> out;
  for (const auto& f : report["findings"]) out.insert(f["rule"]);
  return out;
}

TEST(SeedTree, SiblingHostShowsEveryWeaknessTheRespondersFound) {
  Tree t;
  sibling(t, false);
  const json r = t.scan();
  EXPECT_EQ(rules_of(r), (std::set<std::string>{
                             "config.ssh-root-login", "config.ssh-password-auth",
                             "config.no-brute-force-protection", "config.ufw-allows-risky-port",
                             "config.docker-tcp-socket", "secrets.shell-history"}))
      << r.dump(2);
  EXPECT_EQ(findings_with_rule(r, "config.ufw-allows-risky-port")[0]["severity"], "critical");
  EXPECT_EQ(findings_with_rule(r, "config.docker-tcp-socket")[0]["severity"], "critical");
  EXPECT_EQ(findings_with_rule(r, "config.ssh-root-login")[0]["severity"], "high");
  EXPECT_EQ(findings_with_rule(r, "config.no-brute-force-protection")[0]["severity"], "high");
  EXPECT_EQ(r.dump().find("Zq8vT3kP9wLm2xR7"), std::string::npos);
  EXPECT_EQ(r["host"]["hostname"], "build-sibling-2");
  EXPECT_LT(r["summary"]["hardening_score"].get<int>(), 50);
}

TEST(SeedTree, SiblingHostAfterTheFixesPasses) {
  Tree t;
  sibling(t, true);
  const json r = t.scan();
  EXPECT_TRUE(r["findings"].empty()) << r.dump(2);
  for (const char* rule :
       {"config.ssh-root-login", "config.ssh-password-auth", "config.no-brute-force-protection",
        "config.ufw-allows-risky-port", "config.docker-tcp-socket", "secrets.shell-history"})
    EXPECT_EQ(check_status(r, rule), "passed") << rule;
  EXPECT_EQ(r["summary"]["hardening_score"], 100);
}

TEST(SeedTree, BuildAgentShowsTrustAuthListenAllAndTheDockerGroup) {
  Tree t;
  build_agent(t, false);
  const json r = t.scan();
  EXPECT_EQ(rules_of(r),
            (std::set<std::string>{"config.postgres-trust-auth", "config.postgres-listen-all",
                                   "config.docker-group-members"}))
      << r.dump(2);
  EXPECT_EQ(findings_with_rule(r, "config.postgres-trust-auth")[0]["severity"], "critical");
  const auto members = findings_with_rule(r, "config.docker-group-members");
  ASSERT_EQ(members.size(), 1u);
  EXPECT_NE(members[0]["title"].get<std::string>().find("azagent"), std::string::npos);
  // Offline there is no live firewall to compare: said, not guessed.
  EXPECT_EQ(check_status(r, "config.firewall-not-persistent"), "unknown");
}

TEST(SeedTree, BuildAgentAfterTheFixesPasses) {
  Tree t;
  build_agent(t, true);
  const json r = t.scan();
  EXPECT_TRUE(r["findings"].empty()) << r.dump(2);
  EXPECT_EQ(check_status(r, "config.postgres-trust-auth"), "passed");
  EXPECT_EQ(check_status(r, "config.docker-group-members"), "passed");
}

}  // namespace
}  // namespace hostward::itest

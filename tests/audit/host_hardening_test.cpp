// The filesystem and brute-force rules: fixture trees through `scan --root`
// and fail2ban's own reader as the oracle for jails (firewall persistence is
// in firewall_persistence_test.cpp, more brute force in brute_force_test.cpp).
#include <gtest/gtest.h>

#include <fstream>

#include "audit/audit_rules.h"
#include "audit/fail2ban.h"
#include "audit/fixture_tree.h"
#include "audit/mounts.h"
#include "audit/setid_walk.h"
#include "host/snapshot.h"
#include "integration/support.h"

namespace hostward::itest {
namespace {

using nlohmann::json;

// --- config.tmp-exec-allowed ---

TEST(TmpExecTree, NoFstabLinesFireForEachTemporaryDirectory) {
  Tree t;
  t.mkdir("/tmp", 01777);
  t.mkdir("/var/tmp", 01777);
  t.write("/etc/fstab", "UUID=1 / ext4 errors=remount-ro 0 1\n");
  const json r = t.scan();
  const auto f = findings_with_rule(r, "config.tmp-exec-allowed");
  ASSERT_EQ(f.size(), 3u) << r.dump(2);
  EXPECT_EQ(f[0]["severity"], "low");
  std::set<std::string> settings;
  for (const auto& x : f) settings.insert(x["subject"]["setting"]);
  EXPECT_EQ(settings, (std::set<std::string>{"/tmp", "/var/tmp", "/dev/shm"}));
  EXPECT_EQ(check_status(r, "config.tmp-exec-allowed"), "failed");
}

TEST(TmpExecTree, FstabLineWithoutNoexecFiresWithItsLine) {
  Tree t;
  t.mkdir("/tmp", 01777);
  t.write("/etc/fstab",
          "# comment\ntmpfs /tmp tmpfs nosuid,nodev 0 0\n"
          "tmpfs /dev/shm tmpfs nosuid,nodev,noexec 0 0\n");
  const auto f = findings_with_rule(t.scan(), "config.tmp-exec-allowed");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["subject"]["setting"], "/tmp");
  EXPECT_EQ(f[0]["subject"]["line"], 2);
  EXPECT_EQ(f[0]["evidence"]["mount"]["options"], json::array({"nosuid", "nodev"}));
}

TEST(TmpExecTree, NoexecEverywhereIsQuiet) {
  Tree t;
  t.mkdir("/tmp", 01777);
  t.mkdir("/var/tmp", 01777);
  t.write("/etc/fstab",
          "tmpfs /tmp tmpfs nosuid,nodev,noexec 0 0\n/tmp /var/tmp none bind,noexec 0 0\n"
          "tmpfs /dev/shm tmpfs defaults,noexec 0 0\n");
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.tmp-exec-allowed").empty()) << r.dump(2);
  EXPECT_EQ(check_status(r, "config.tmp-exec-allowed"), "passed");
}

TEST(TmpExecLive, MountinfoDecidesAndALaterMountHidesAnEarlierOne) {
  audit::AuditInput in;
  host::Snapshot live;
  in.live = &live;
  in.files.memory["/tmp/.keep"] = "";
  in.files.memory["/var/tmp/.keep"] = "";
  in.files.memory["/dev/shm/.keep"] = "";
  in.files.memory["/proc/self/mountinfo"] =
      "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
      "30 22 0:25 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw\n"
      "31 22 0:26 / /tmp rw,nosuid,nodev,noexec shared:5 - tmpfs tmpfs rw\n"
      "32 22 0:27 / /dev/shm rw,nosuid,nodev,noexec - tmpfs tmpfs rw\n";
  const auto run = audit::run_config_rules(in);
  std::vector<Finding> f;
  for (const auto& x : run.findings)
    if (x.rule == "config.tmp-exec-allowed") f.push_back(x);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject["path"], "/var/tmp");
  EXPECT_EQ(f[0].subject["mount_point"], "/");
}

TEST(Mounts, EscapedMountPointsAndMalformedLines) {
  const auto m = audit::parse_mountinfo(
      "1 2 3:4 / /mnt/a\\040b rw - ext4 /dev/x rw\nbroken line\n5 6 7:8 / /z rw\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].mount_point, "/mnt/a b");
  const auto f = audit::parse_fstab("#x\n/dev/a /tmp/ tmpfs noexec\n\n/dev/b\n");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].mount_point, "/tmp");
  EXPECT_TRUE(f[0].has_option("noexec"));
}

// --- config.suid-in-world-writable ---

TEST(SetidTree, SetuidCopyUnderTmpFiresAndInstalledOnesDoNot) {
  Tree t;
  t.mkdir("/tmp", 01777);
  t.mkdir("/tmp/.x/y", 0755);
  t.write("/tmp/.x/y/rootshell", "#!/bin/sh\n", 04755);
  t.write("/tmp/notexec-sgid", "", 02644);  // set-gid without group execute: a lock flag
  t.write("/usr/bin/passwd", "", 04755);
  t.mkdir("/srv/share", 0777);
  t.write("/srv/share/tool", "", 02755);
  t.symlink("/usr/bin/passwd", "/tmp/link-to-suid");
  const json r = t.scan();
  const auto f = findings_with_rule(r, "config.suid-in-world-writable");
  ASSERT_EQ(f.size(), 2u) << r.dump(2);
  std::map<std::string, json> by_path;
  for (const auto& x : f) by_path[x["subject"]["path"]] = x;
  ASSERT_TRUE(by_path.count("/tmp/.x/y/rootshell"));
  EXPECT_EQ(by_path["/tmp/.x/y/rootshell"]["severity"], "high");
  EXPECT_EQ(by_path["/tmp/.x/y/rootshell"]["evidence"]["world_writable_dir"], "/tmp");
  EXPECT_EQ(by_path["/tmp/.x/y/rootshell"]["evidence"]["mode"], "4755");
  ASSERT_TRUE(by_path.count("/srv/share/tool"));
  EXPECT_EQ(by_path["/srv/share/tool"]["evidence"]["world_writable_dir"], "/srv/share");
}

TEST(SetidTree, AUsersOwnSetuidCopyIsLow) {
  Tree t;
  t.mkdir("/tmp", 01777);
  t.write("/tmp/mine", "", 04755);
  ASSERT_EQ(::chown(t.at("/tmp/mine").c_str(), 1000, 1000), 0);
  ::chmod(t.at("/tmp/mine").c_str(), 04755);  // chown clears the set-uid bit
  const auto f = findings_with_rule(t.scan(), "config.suid-in-world-writable");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["severity"], "low");
  EXPECT_EQ(f[0]["evidence"]["uid"], 1000);
}

TEST(SetidTree, NoWorldWritableDirectoryIsQuiet) {
  Tree t;
  t.mkdir("/tmp", 01777);
  t.write("/tmp/plain", "", 0755);
  t.write("/usr/bin/sudo", "", 04755);
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.suid-in-world-writable").empty());
  EXPECT_EQ(check_status(r, "config.suid-in-world-writable"), "passed");
}

// Whoever runs a set-uid file becomes its owner: root, or an account as good
// as root (in the docker group); set-gid to shadow reads every hash.
TEST(SetidTree, OwnersAndGroupsAsGoodAsRootAreHigh) {
  Tree t;
  t.write("/etc/passwd",
          "root:x:0:0::/root:/bin/bash\nazagent:x:1001:1001::/home/azagent:/bin/bash\n"
          "dev:x:1002:1002::/home/dev:/bin/bash\n");
  t.write("/etc/group", "root:x:0:\nshadow:x:42:\ndocker:x:999:azagent\n");
  t.mkdir("/tmp", 01777);
  for (const char* name : {"/tmp/agent-shell", "/tmp/shadow-reader", "/tmp/dev-shell"})
    t.write(name, "", 0755);
  ASSERT_EQ(::chown(t.at("/tmp/agent-shell").c_str(), 1001, 1001), 0);
  ASSERT_EQ(::chown(t.at("/tmp/shadow-reader").c_str(), 1002, 42), 0);
  ASSERT_EQ(::chown(t.at("/tmp/dev-shell").c_str(), 1002, 1002), 0);
  ::chmod(t.at("/tmp/agent-shell").c_str(), 04755);
  ::chmod(t.at("/tmp/shadow-reader").c_str(), 06755);
  ::chmod(t.at("/tmp/dev-shell").c_str(), 04755);
  std::map<std::string, json> by_path;
  for (const auto& x : findings_with_rule(t.scan(), "config.suid-in-world-writable"))
    by_path[x["subject"]["path"]] = x;
  ASSERT_EQ(by_path.size(), 3u);
  EXPECT_EQ(by_path["/tmp/agent-shell"]["severity"], "high");  // azagent is in docker
  EXPECT_EQ(by_path["/tmp/agent-shell"]["evidence"]["to_root"], true);
  EXPECT_EQ(by_path["/tmp/shadow-reader"]["severity"], "high");  // set-gid shadow
  EXPECT_EQ(by_path["/tmp/dev-shell"]["severity"], "low");       // dev is only dev
  EXPECT_EQ(by_path["/tmp/dev-shell"]["evidence"]["to_root"], false);
}

// Set-uid with nobody but the owner able to run it gains nothing.
TEST(SetidTree, SetuidOnlyItsOwnerCanRunIsQuiet) {
  Tree t;
  t.mkdir("/tmp", 01777);
  t.write("/tmp/no-exec", "", 04600);
  t.write("/tmp/owner-only", "", 04700);
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.suid-in-world-writable").empty()) << r.dump(2);
}

// Builders' and runtimes' stores hold running containers' layers as plain
// directories with their own /tmp: not entered, also dockerd's data-root.
TEST(SetidTree, ContainerStoresAndDockersDataRootAreNotEntered) {
  Tree t;
  t.write("/etc/docker/daemon.json", "{\"data-root\": \"/data/docker/\"}");
  for (const char* dir :
       {"/var/lib/buildkit/runc/snap/1/fs/tmp", "/data/docker/overlay2/a/diff/tmp",
        "/var/lib/rancher/k3s/agent/snap/2/fs/tmp", "/data/other/tmp"}) {
    t.mkdir(dir, 01777);
    t.write(std::string(dir) + "/sudo", "", 04755);
  }
  const auto f = findings_with_rule(t.scan(), "config.suid-in-world-writable");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["subject"]["path"], "/data/other/tmp/sudo");
}

// The walk itself: a nosuid mount is not reported, and a walk out of budget
// says so (the check is then unknown, never passed).
TEST(SetidWalk, NosuidMountsAndTheBudget) {
  Tree t;
  t.mkdir("/tmp", 01777);
  t.mkdir("/scratch", 01777);
  t.write("/tmp/a", "", 04755);
  t.write("/scratch/b", "", 04755);
  audit::SetidWalkOptions options;
  options.nosuid["/scratch"] = true;
  auto walk = audit::walk_setid_in_world_writable(t.dir.path(), options);
  EXPECT_TRUE(walk.complete);
  ASSERT_EQ(walk.found.size(), 1u);
  EXPECT_EQ(walk.found[0].path, "/tmp/a");
  options.max_entries = 1;
  walk = audit::walk_setid_in_world_writable(t.dir.path(), options);
  EXPECT_FALSE(walk.complete);
  EXPECT_EQ(walk.incomplete_reason, "stopped after 1 entries");
}

// --- config.no-brute-force-protection ---

void sshd_enabled(Tree& t, const std::string& config = "UsePAM yes\n") {
  t.write("/etc/ssh/sshd_config", config);
  t.write("/lib/systemd/system/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n");
  t.symlink("/lib/systemd/system/ssh.service",
            "/etc/systemd/system/multi-user.target.wants/ssh.service");
}

void debian_fail2ban(Tree& t, const std::string& jail_local) {
  t.write("/etc/fail2ban/jail.conf",
          "[INCLUDES]\nbefore = paths-debian.conf\n[DEFAULT]\nenabled = false\nbackend = auto\n"
          "filter = %(__name__)s[mode=%(mode)s]\nmode = normal\n"
          "[sshd]\nport    = ssh\nlogpath = %(sshd_log)s\nbackend = %(sshd_backend)s\n");
  write_debian_fail2ban_paths(t);
  if (!jail_local.empty()) t.write("/etc/fail2ban/jail.local", jail_local);
  t.write("/lib/systemd/system/fail2ban.service",
          "[Service]\nExecStart=/usr/bin/fail2ban-server -xf start\n");
  t.symlink("/lib/systemd/system/fail2ban.service",
            "/etc/systemd/system/multi-user.target.wants/fail2ban.service");
}

TEST(BruteForceTree, NoProtectionWithPasswordsIsHigh) {
  Tree t;
  sshd_enabled(t);
  const json r = t.scan();
  const auto f = findings_with_rule(r, "config.no-brute-force-protection");
  ASSERT_EQ(f.size(), 1u) << r.dump(2);
  EXPECT_EQ(f[0]["severity"], "high");
  EXPECT_EQ(f[0]["evidence"]["passwords_accepted"], true);
}

TEST(BruteForceTree, NoProtectionWithKeysOnlyIsLow) {
  Tree t;
  sshd_enabled(t, "PasswordAuthentication no\nKbdInteractiveAuthentication no\n");
  const auto f = findings_with_rule(t.scan(), "config.no-brute-force-protection");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["severity"], "low");
}

TEST(BruteForceTree, DebianJailWithSystemdBackendProtects) {
  Tree t;
  sshd_enabled(t);
  debian_fail2ban(t, "[sshd]\nbackend = systemd\n");
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.no-brute-force-protection").empty()) << r.dump(2);
  EXPECT_EQ(check_status(r, "config.no-brute-force-protection"), "passed");
}

TEST(BruteForceTree, DebianTwelveJailWithoutAuthLogCannotStart) {
  Tree t;
  sshd_enabled(t);
  debian_fail2ban(t, "");
  const auto f = findings_with_rule(t.scan(), "config.no-brute-force-protection");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]["title"].get<std::string>().find("cannot start"), std::string::npos)
      << f[0]["title"];
  EXPECT_EQ(f[0]["evidence"]["fail2ban"]["jail"]["logpath"], json::array({"/var/log/auth.log"}));
  t.write("/var/log/auth.log", "");  // with rsyslog the jail starts
  EXPECT_TRUE(findings_with_rule(t.scan(), "config.no-brute-force-protection").empty());
}

TEST(BruteForceTree, JailDisabledInJailLocalFires) {
  Tree t;
  sshd_enabled(t);
  debian_fail2ban(t, "[sshd]\nenabled = false ; off for now\nbackend = systemd\n");
  const auto f = findings_with_rule(t.scan(), "config.no-brute-force-protection");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["evidence"]["fail2ban"]["verdict"], "fail2ban has no enabled sshd jail");
}

TEST(BruteForceTree, GlobsResolveAnAbsoluteLinkInsideTheTree) {
  // /etc/fail2ban -> /srv/f2b: the tree's, not this host's /srv/f2b.
  Tree t;
  sshd_enabled(t);
  t.write("/srv/f2b/jail.conf", "[sshd]\nbackend = systemd\n");
  t.write("/srv/f2b/jail.d/defaults-debian.conf", "[sshd]\nenabled = true\n");
  t.symlink("/srv/f2b", "/etc/fail2ban");
  t.write("/lib/systemd/system/fail2ban.service",
          "[Service]\nExecStart=/usr/bin/fail2ban-server\n");
  t.symlink("/lib/systemd/system/fail2ban.service",
            "/etc/systemd/system/multi-user.target.wants/fail2ban.service");
  const json r = t.scan();
  EXPECT_EQ(check_status(r, "config.no-brute-force-protection"), "passed") << r.dump(2);
}

TEST(BruteForceTree, LoopbackOnlyOrDisabledSshdIsNotApplicable) {
  Tree t;
  sshd_enabled(t, "ListenAddress 127.0.0.1\n");
  json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.no-brute-force-protection").empty());
  EXPECT_EQ(check_status(r, "config.no-brute-force-protection"), "not_applicable");
  Tree u;
  u.write("/etc/ssh/sshd_config", "UsePAM yes\n");
  r = u.scan();
  EXPECT_EQ(check_status(r, "config.no-brute-force-protection"), "not_applicable");
}

TEST(BruteForceLive, AUsersFail2banServerWithItsOwnConfigIsNotBelieved) {
  // A user starts "fail2ban-server -c DIR" with an include of a root-only
  // file: its configuration is never read, and it does not count as running.
  Tree t;
  sshd_enabled(t);
  t.write("/home/eve/f2b/jail.conf", "[INCLUDES]\nbefore = /etc/shadow\n[sshd]\nenabled = true\n");
  t.write("/etc/shadow", "root:SECRET-HASH:19000:0:99999:7:::\n");
  host::Snapshot live;
  host::ProcessInfo fake;
  fake.pid = 4242;
  fake.comm = "fail2ban-server";
  fake.uid = fake.euid = 1000;
  fake.exe_uid = 1000;
  fake.exe_state = host::ExeState::present;
  fake.argv = {"/home/eve/fail2ban-server", "-c", "/home/eve/f2b"};
  live.processes.push_back(fake);
  host::Connection ssh;
  ssh.state = "listen";
  ssh.local_addr = "0.0.0.0";
  ssh.local_port = 22;
  live.connections.push_back(ssh);
  audit::AuditInput in;
  in.files.root = t.dir.path();
  in.live = &live;
  const auto run = audit::run_config_rules(in);
  std::vector<const Finding*> f;
  for (const auto& x : run.findings)
    if (x.rule == "config.no-brute-force-protection") f.push_back(&x);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->evidence.dump().find("SECRET-HASH"), std::string::npos);
  EXPECT_EQ(f[0]->evidence.dump().find("/home/eve"), std::string::npos) << f[0]->evidence.dump();
}

TEST(Fail2banReader, ReferencesThatFanOutStopAtTheBudget) {
  // Ten levels, each naming the one below twelve times: 12^10 expansions
  // unbounded, and a ~1 KB file.
  std::string jail = "[DEFAULT]\nk0 = x\n";
  for (int level = 1; level <= 10; ++level) {
    jail += "k" + std::to_string(level) + " =";
    for (int i = 0; i < 12; ++i) jail += " %(k" + std::to_string(level - 1) + ")s";
    jail += "\n";
  }
  jail += "[sshd]\nenabled = true\nlogpath = %(k10)s\n";
  audit::ConfigFiles files;
  files.memory["/etc/fail2ban/jail.conf"] = jail;
  const auto config = audit::read_fail2ban(files);
  ASSERT_NE(config.sshd_jail(), nullptr);
  EXPECT_LE(config.sshd_jail()->logpaths.at(0).size(), 64u * 1024);
}

TEST(Fail2banReader, ReferencesToNothingStillCostTheirScan) {
  // 10,000 references to a key whose value is 30,000 references to nothing:
  // 300 million scans unbounded.
  std::string b = "b =", a = "a =";
  for (int i = 0; i < 30000; ++i) b += " %(zz)s";
  for (int i = 0; i < 10000; ++i) a += " %(b)s";
  audit::ConfigFiles files;
  files.memory["/etc/fail2ban/jail.conf"] =
      "[DEFAULT]\n" + b + "\n" + a + "\n[sshd]\nenabled = true\nlogpath = %(a)s\n";
  const auto config = audit::read_fail2ban(files);
  ASSERT_NE(config.sshd_jail(), nullptr);
}

TEST(BruteForceTree, AMaskedFail2banWithALeftoverWantsLinkIsNotProtection) {
  // `apt remove` masks the unit and may leave the link in multi-user.target.wants.
  Tree t;
  sshd_enabled(t);
  debian_fail2ban(t, "[sshd]\nbackend = systemd\n");
  t.symlink("/dev/null", "/etc/systemd/system/fail2ban.service");
  const json r = t.scan();
  EXPECT_EQ(findings_with_rule(r, "config.no-brute-force-protection").size(), 1u) << r.dump(2);
}

TEST(ConfigFilesGlob, ATrailingSlashMatchesDirectoriesOnly) {
  Tree t;
  t.write("/etc/x/file", "");
  t.mkdir("/etc/x/dir", 0755);
  audit::ConfigFiles files;
  files.root = t.dir.path();
  EXPECT_EQ(files.glob("/etc/x/*/"), std::vector<std::string>{"/etc/x/dir"});
  EXPECT_EQ(files.glob("/etc/x/*"), (std::vector<std::string>{"/etc/x/dir", "/etc/x/file"}));
}

// fail2ban-client -d prints the commands it would send the server: the
// jails it starts, their backend, the log files it found. hostward's reading
// of the same directory must agree for each fixture.
struct JailFixture {
  const char* name;
  const char* jail_local;
  bool with_auth_log;
};

TEST(Fail2banOracle, JailsAgreeWithFail2banClientDump) {
  if (!have_program("fail2ban-client")) GTEST_SKIP() << "fail2ban is not installed";
  const JailFixture fixtures[] = {
      {"debian defaults, auth.log present", "", true},
      {"debian defaults, no auth.log", "", false},
      {"systemd backend", "[sshd]\nbackend = systemd\n", false},
      {"disabled in jail.local", "[sshd]\nenabled = false\n", true},
      {"yes/on spelling", "[sshd]\nenabled = On\n", true},
      {"renamed jail with the sshd filter",
       "[sshd]\nenabled = false\n[ssh-guard]\nenabled = 1\nfilter = sshd\nport = 22\n"
       "logpath = %(sshd_log)s\n",
       true},
      {"inline comment", "[sshd]\nenabled = true ; yes\nbackend = systemd ; journal\n", false},
      {"continuation lines in logpath", "[sshd]\nlogpath = /nonexistent/a.log\n  %(sshd_log)s\n",
       true},
      {"DEFAULT enables every jail", "[DEFAULT]\nenabled = true\n[sshd]\nbackend = polling\n",
       true},
  };
  for (const auto& fx : fixtures) {
    SCOPED_TRACE(fx.name);
    Tree t;
    debian_fail2ban(t, fx.jail_local);
    // Debian's real filter and action files, which fail2ban-client needs to load jails.
    for (const char* d : {"filter.d", "action.d"})
      ASSERT_EQ(run_command({"cp", "-r", std::string("/etc/fail2ban/") + d, t.at("/etc/fail2ban/")})
                    .exit_code,
                0);
    const std::string log = t.at("/var/log/auth.log");
    // Point the log at the tree, in both readers.
    std::string common;
    {
      std::ifstream in(t.at("/etc/fail2ban/paths-common.conf"));
      common.assign(std::istreambuf_iterator<char>(in), {});
    }
    const std::string from = "syslog_authpriv = /var/log/auth.log";
    common.replace(common.find(from), from.size(), "syslog_authpriv = " + log);
    t.write("/etc/fail2ban/paths-common.conf", common);
    if (fx.with_auth_log) t.write("/var/log/auth.log", "");

    const auto dump = run_command({"fail2ban-client", "-c", t.at("/etc/fail2ban"), "-d"});
    ASSERT_EQ(dump.exit_code, 0) << dump.err;
    std::string oracle_jail, oracle_backend;
    bool oracle_log = false;
    std::string said;  // the dump's lines about jails and logs, for a failure message
    std::istringstream lines(dump.out + dump.err);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("'add'") != std::string::npos || line.find("addlogpath") != std::string::npos ||
          line.find("log file") != std::string::npos)
        said += line + "\n";
      // ['add', 'sshd', 'auto']
      if (line.rfind("['add', '", 0) == 0) {
        const size_t a = 9, b = line.find('\'', a);
        const std::string jail = line.substr(a, b - a);
        const size_t c = line.find('\'', b + 4);
        if (jail == "sshd" || jail == "ssh-guard") {
          oracle_jail = jail;
          oracle_backend = line.substr(b + 4, c - b - 4);
        }
      }
      if (line.find("'addlogpath', '" + log + "'") != std::string::npos) oracle_log = true;
    }
    audit::ConfigFiles files;
    files.root = t.dir.path();
    const auto config = audit::read_fail2ban(files);
    const audit::Fail2banJail* jail = config.sshd_jail();
    ASSERT_EQ(jail != nullptr, !oracle_jail.empty()) << said;
    if (jail == nullptr) continue;
    EXPECT_EQ(jail->name, oracle_jail);
    EXPECT_EQ(jail->backend, oracle_backend);
    bool found = false;
    for (const auto& p : jail->logpaths)
      if (!files.glob(p.rfind(t.dir.path(), 0) == 0 ? p.substr(t.dir.path().size()) : p).empty())
        found = true;
    if (jail->backend.rfind("systemd", 0) != 0) {
      EXPECT_EQ(found, oracle_log) << said;
    }
  }
}

}  // namespace
}  // namespace hostward::itest

// Debian's sshd logging through Debian's rsyslogd, as on a real host: a
// client in a network namespace guesses passwords, then logs in with a key;
// hostward logs reads the auth.log rsyslogd wrote and the btmp sshd wrote.
// sshd and rsyslogd run in a mount namespace of their own, with /dev/log and
// /var/log private to it, so the host's own logs are never touched.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "support.h"

namespace hostward::itest {
namespace {

constexpr int kPort = 10022;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SshdLog : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root (mount and network namespaces, sshd)";
    for (const char* p :
         {"/usr/sbin/sshd", "/usr/sbin/rsyslogd", "/usr/bin/ssh", "/usr/bin/unshare"})
      if (::access(p, X_OK) != 0) GTEST_SKIP() << p << " is not installed";
    ASSERT_TRUE(ns_.create()) << ns_.error();
    const std::string d = dir_.path();
    ASSERT_EQ(::mkdir((d + "/varlog").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((d + "/olddev").c_str(), 0755), 0);
    for (const char* k : {"host_key", "client_key"})
      ASSERT_EQ(
          run_command({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", d + "/" + k}).exit_code,
          0);
    fingerprint_ = run_command({"ssh-keygen", "-l", "-f", d + "/client_key.pub"}).out;
    std::ofstream(d + "/authorized_keys") << read_file(d + "/client_key.pub");
    std::ofstream(d + "/askpass") << "#!/bin/sh\necho wrong-password\n";
    ::chmod((d + "/askpass").c_str(), 0755);
    std::ofstream(d + "/sshd_config")
        << "Port " << kPort << "\nListenAddress 198.51.100.1\nHostKey " << d
        << "/host_key\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM "
           "no\nPermitRootLogin prohibit-password\nAuthorizedKeysFile "
        << d << "/authorized_keys\nStrictModes no\nPidFile none\nSyslogFacility AUTH\n";
    std::ofstream(d + "/rsyslog.conf")
        // A fixed name and no DNS: rsyslogd otherwise resolves the host's
        // name at start, which can take the resolver's full timeout.
        << "global(localHostname=\"web1\" net.enableDNS=\"off\")\n"
           "module(load=\"imuxsock\" SysSock.Name=\"/dev/log\")\n"
           "$ActionFileDefaultTemplate RSYSLOG_TraditionalFileFormat\n$WorkDirectory "
        << d << "\nauth,authpriv.* /var/log/auth.log\n";
    // A /dev of our own holding the log socket, a /var/log of our own.
    std::ofstream(d + "/inside.sh")
        << "set -e\nD=" << d
        << "\nmount --make-rprivate /\nmount --rbind /dev $D/olddev\n"
           "mount -t tmpfs -o mode=755 tmpfs /dev\n"
           "for n in null zero random urandom tty full; do touch /dev/$n; "
           "mount --bind $D/olddev/$n /dev/$n; done\n"
           "mkdir /dev/pts /dev/shm\nmount --bind $D/olddev/pts /dev/pts\n"
           "ln -s pts/ptmx /dev/ptmx\numount -l $D/olddev\n"
           "mount --bind $D/varlog /var/log\n: > /var/log/btmp\nchmod 600 /var/log/btmp\n"
           "/usr/sbin/rsyslogd -n -f $D/rsyslog.conf -i $D/rsyslog.pid &\n"
           // sshd's first lines are lost if it starts before the socket exists
           "i=0; while [ ! -S /dev/log ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n"
           "mkdir -p /run/sshd\nexec /usr/sbin/sshd -D -f $D/sshd_config\n";
    servers_ = std::make_unique<Spawned>(
        "/usr/bin/unshare", std::vector<std::string>{"unshare", "-m", "sh", d + "/inside.sh"});
    ASSERT_TRUE(wait_until(
        [&] {
          return run_command({"ss", "-Htln"}).out.find("198.51.100.1:" + std::to_string(kPort)) !=
                     std::string::npos &&
                 read_file(d + "/varlog/auth.log").find("Server listening") != std::string::npos;
        },
        std::chrono::seconds(30)))
        << "sshd or rsyslogd did not start; listening: " << run_command({"ss", "-Htln"}).out
        << "auth.log: " << read_file(d + "/varlog/auth.log");
  }

  // ssh from inside the namespace (198.51.100.2).
  CommandResult ssh(const std::string& user, std::vector<std::string> options) {
    std::vector<std::string> argv = {"ip",
                                     "netns",
                                     "exec",
                                     ns_.name(),
                                     "env",
                                     "SSH_ASKPASS=" + dir_.path() + "/askpass",
                                     "SSH_ASKPASS_REQUIRE=force",
                                     "DISPLAY=none",
                                     "setsid",
                                     "ssh",
                                     "-o",
                                     "StrictHostKeyChecking=no",
                                     "-o",
                                     "UserKnownHostsFile=/dev/null",
                                     "-o",
                                     "LogLevel=ERROR",
                                     "-p",
                                     std::to_string(kPort)};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(user + "@198.51.100.1");
    argv.push_back("true");
    return run_command(argv, std::chrono::seconds(30));
  }

  CommandResult guess(const std::string& user) {
    return ssh(user, {"-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no",
                      "-o", "NumberOfPasswordPrompts=3"});
  }

  TempDir dir_;
  Netns ns_;
  std::unique_ptr<Spawned> servers_;
  std::string fingerprint_;
};

TEST_F(SshdLog, GuessesThenAKeyLoginFromTheSameAddress) {
  EXPECT_NE(guess("root").exit_code, 0);
  EXPECT_NE(guess("admin").exit_code, 0);
  const auto ok = ssh("root", {"-i", dir_.path() + "/client_key", "-o", "BatchMode=yes"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const std::string log = dir_.path() + "/varlog/auth.log";
  ASSERT_TRUE(wait_until([&] {
    return read_file(log).find("Disconnected from user root") != std::string::npos;
  })) << read_file(log);

  const auto r = run_hostward(
      {"logs", "--format", "json", "--file", log, "--file", dir_.path() + "/varlog/btmp"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["errors"].empty()) << j["errors"].dump();
  int failures = 0, btmp = 0;
  for (const auto& e : j["events"]) {
    if (e.value("failure", false) && e["kind"] != "btmp_failure") {
      EXPECT_EQ(e["address"], "198.51.100.2");
      ++failures;
    }
    if (e["kind"] == "btmp_failure") {
      EXPECT_EQ(e["address"], "198.51.100.2");
      EXPECT_EQ(e["tty"], "ssh:notty");
      ++btmp;
    }
  }
  // root: 3 wrong passwords; admin: "Invalid user" and 3 wrong passwords.
  // sshd writes a btmp record for each of the same 7.
  EXPECT_EQ(failures, 7) << read_file(log);
  EXPECT_EQ(btmp, 7);

  const auto brute = findings_with_rule(j, "auth.ssh-brute-force");
  ASSERT_EQ(brute.size(), 1u);
  EXPECT_EQ(brute[0]["subject"]["address"], "198.51.100.2");
  EXPECT_EQ(brute[0]["evidence"]["failures"], 7);
  EXPECT_EQ(brute[0]["evidence"]["users"], nlohmann::json::array({"root", "admin"}));
  EXPECT_EQ(brute[0]["evidence"]["ongoing"], true);
  EXPECT_EQ(brute[0]["severity"], "high");

  const auto after = findings_with_rule(j, "auth.login-after-failures");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]["subject"]["user"], "root");
  EXPECT_EQ(after[0]["subject"]["address"], "198.51.100.2");
  EXPECT_EQ(after[0]["evidence"]["method"], "publickey");
  EXPECT_EQ(after[0]["severity"], "critical");

  const auto root = findings_with_rule(j, "auth.root-login");
  ASSERT_EQ(root.size(), 1u);
  EXPECT_EQ(root[0]["severity"], "info");
  const std::string key = root[0]["evidence"]["keys"][0];
  // "256 SHA256:... comment (ED25519)" from ssh-keygen -l
  const std::string sha = fingerprint_.substr(fingerprint_.find("SHA256:"));
  EXPECT_EQ(key, "ED25519 " + sha.substr(0, sha.find(' ')));
}

}  // namespace
}  // namespace hostward::itest

// config.docker-tcp-socket and config.docker-group-members: the parsers
// against dockerd's, pflag's and systemd's documented behaviour, then the
// rules on in-memory hosts with exact findings.
#include "audit/docker_daemon.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>
#include <string>
#include <vector>

namespace hostward::audit {
namespace {

// ---------------------------------------------------------------- hosts

struct HostCase {
  std::string value;
  std::string proto;
  std::string address;
  std::string host;
};

TEST(DockerHost, NormalizesLikeParseHost) {
  const std::vector<HostCase> cases = {
      {"tcp://0.0.0.0:2375", "tcp", "tcp://0.0.0.0:2375", "0.0.0.0"},
      {"tcp://:2375", "tcp", "tcp://localhost:2375", "localhost"},  // DefaultHTTPHost
      {":2375", "tcp", "tcp://localhost:2375", "localhost"},
      {"0.0.0.0:2375", "tcp", "tcp://0.0.0.0:2375", "0.0.0.0"},  // no scheme is tcp
      {"0.0.0.0", "tcp", "tcp://0.0.0.0:2375", "0.0.0.0"},       // no port is 2375
      {"tcp://", "tcp", "tcp://localhost:2375", "localhost"},
      {"tcp://[::]:2376", "tcp", "tcp://[::]:2376", "::"},
      {"tcp://::", "tcp", "tcp://[::]:2375", "::"},
      {"tcp://[::1]:", "tcp", "tcp://[::1]:2375", "::1"},
      {"tcp://user:secret@0.0.0.0:2375", "tcp", "tcp://0.0.0.0:2375", "0.0.0.0"},
      {"tcp://10.0.0.5:2375/path", "tcp", "tcp://10.0.0.5:2375/path", "10.0.0.5"},
      {"  tcp://1.2.3.4:2375 ", "tcp", "tcp://1.2.3.4:2375", "1.2.3.4"},
      {"unix:///var/run/docker.sock", "unix", "unix:///var/run/docker.sock", ""},
      {"unix://", "unix", "unix:///var/run/docker.sock", ""},
      {"unix://unix:///run/d.sock", "unix", "unix:///run/d.sock",
       ""},  // the prefix is trimmed twice
      {"fd://", "fd", "fd://", ""},
      {"", "unix", "unix:///var/run/docker.sock", ""},
  };
  for (const auto& c : cases) {
    const DaemonHost h = parse_daemon_host(c.value, false);
    EXPECT_EQ(h.error, "") << c.value;
    EXPECT_EQ(h.proto, c.proto) << c.value;
    EXPECT_EQ(h.address, c.address) << c.value;
    EXPECT_EQ(h.host, c.host) << c.value;
  }
  EXPECT_EQ(parse_daemon_host("", true).address, "tcp://localhost:2376");  // DefaultTLSHost
}

TEST(DockerHost, ValuesDockerdRefuses) {
  for (const char* v :
       {"ssh://deploy@example.com", "TCP://0.0.0.0:2375", "tcp://0.0.0.0:abc", "tcp://[::1]",
        "tcp://0.0.0.0:99999", "tcp://tcp://x", "http://x:1", "tcp://a b:2375", "unix://x://y"}) {
    const DaemonHost h = parse_daemon_host(v, false);
    EXPECT_NE(h.error, "") << v;
    EXPECT_EQ(h.proto, "") << v;
  }
}

TEST(DockerHost, ClassifiesWhereItBinds) {
  EXPECT_EQ(classify_bind("localhost"), Bind::loopback);
  EXPECT_EQ(classify_bind("127.0.0.1"), Bind::loopback);
  EXPECT_EQ(classify_bind("127.9.8.7"), Bind::loopback);
  EXPECT_EQ(classify_bind("::1"), Bind::loopback);
  EXPECT_EQ(classify_bind("::ffff:127.0.0.1"), Bind::loopback);
  EXPECT_EQ(classify_bind("0.0.0.0"), Bind::all_interfaces);
  EXPECT_EQ(classify_bind("::"), Bind::all_interfaces);
  EXPECT_EQ(classify_bind("10.0.0.5"), Bind::address);
  EXPECT_EQ(classify_bind("2001:db8::5"), Bind::address);
  EXPECT_EQ(classify_bind("docker.example.com"), Bind::name);
}

// ---------------------------------------------------------------- pflag

std::vector<Word> words(const std::vector<std::string>& texts) {
  std::vector<Word> out;
  for (const auto& t : texts) out.push_back({t, {"/unit", 1, ""}});
  return out;
}

std::vector<std::string> host_texts(const DockerdFlags& f) {
  std::vector<std::string> out;
  for (const auto& h : f.hosts) out.push_back(h.text);
  return out;
}

TEST(DockerdFlags, EveryHostFormPflagAccepts) {
  const auto f = parse_dockerd_flags(
      words({"-H", "tcp://a:1", "-Htcp://b:2", "-H=tcp://c:3", "--host=tcp://d:4", "--host",
             "tcp://e:5", "-DH", "tcp://f:6", "-DHtcp://g:7"}));
  EXPECT_EQ(host_texts(f),
            (std::vector<std::string>{"tcp://a:1", "tcp://b:2", "tcp://c:3", "tcp://d:4",
                                      "tcp://e:5", "tcp://f:6", "tcp://g:7"}));
  EXPECT_TRUE(f.refusals.empty());
}

TEST(DockerdFlags, BooleansAndValues) {
  auto f = parse_dockerd_flags(
      words({"--tlsverify", "--tls=false", "-G", "ci", "--config-file", "/etc/docker/other.json"}));
  EXPECT_EQ(f.tlsverify, true);
  EXPECT_EQ(f.tls, false);
  ASSERT_TRUE(f.group);
  EXPECT_EQ(f.group->text, "ci");
  EXPECT_EQ(f.config_file, "/etc/docker/other.json");
  f = parse_dockerd_flags(words({"--tlsverify=0"}));
  EXPECT_EQ(f.tlsverify, false);
  // A boolean never takes the next word: "false" is a positional argument.
  f = parse_dockerd_flags(words({"--tlsverify", "false"}));
  EXPECT_EQ(f.tlsverify, true);
  ASSERT_EQ(f.refusals.size(), 1u);
  f = parse_dockerd_flags(words({"--tls=maybe"}));
  EXPECT_FALSE(f.tls);
  EXPECT_EQ(f.refusals.size(), 1u);
}

TEST(DockerdFlags, OtherFlagsDoNotSwallowTheHost) {
  auto f = parse_dockerd_flags(words({"--live-restore", "-H", "tcp://a:1"}));  // boolean
  EXPECT_EQ(host_texts(f), (std::vector<std::string>{"tcp://a:1"}));
  f = parse_dockerd_flags(words({"--log-level", "debug", "--label", "x=y", "-H", "tcp://b:2"}));
  EXPECT_EQ(host_texts(f), (std::vector<std::string>{"tcp://b:2"}));
  f = parse_dockerd_flags(words({"--some-new-switch", "-H", "tcp://c:3"}));
  EXPECT_EQ(host_texts(f), (std::vector<std::string>{"tcp://c:3"}));
  f = parse_dockerd_flags(words({"-H"}));
  EXPECT_TRUE(f.hosts.empty());
  EXPECT_EQ(f.refusals.size(), 1u);
}

// ---------------------------------------------------------------- daemon.json

TEST(DaemonJson, HostsWithTheirLines) {
  const auto d = parse_daemon_json(
      "{\n  \"debug\": true,\n  \"hosts\": [\n    \"unix:///var/run/docker.sock\",\n"
      "    \"tcp://0.0.0.0:2375\"\n  ],\n  \"tlsverify\": false,\n  \"group\": \"ci\"\n}\n",
      "/etc/docker/daemon.json");
  EXPECT_FALSE(d.refused);
  ASSERT_EQ(d.hosts.size(), 2u);
  EXPECT_EQ(d.hosts[1].text, "tcp://0.0.0.0:2375");
  EXPECT_EQ(d.hosts[0].origin.line, 4);
  EXPECT_EQ(d.hosts[1].origin.line, 5);
  EXPECT_EQ(d.tlsverify, false);
  ASSERT_TRUE(d.group);
  EXPECT_EQ(d.group->text, "ci");
  EXPECT_EQ(d.keys.at("hosts"), 3);
}

TEST(DaemonJson, TheLastDuplicateKeyWins) {
  const auto d =
      parse_daemon_json("{\"hosts\": [\"tcp://1.1.1.1:1\"],\n\"hosts\": [\"unix://\"]}", "/d.json");
  ASSERT_EQ(d.hosts.size(), 1u);
  EXPECT_EQ(d.hosts[0].text, "unix://");
  EXPECT_EQ(d.hosts[0].origin.line, 2);
}

TEST(DaemonJson, WhatDockerdRefuses) {
  for (const char* text : {"{\"hosts\": [\"tcp://x\",}", "[1]", "{\"hosts\": \"tcp://x\"}",
                           "{\"hosts\": [1]}", "{\"tlsverify\": \"true\"}", "{\"Hosts\": []}",
                           "{\"group\": 999}", "{\"a\": 1} trailing"}) {
    const auto d = parse_daemon_json(text, "/etc/docker/daemon.json");
    EXPECT_TRUE(d.refused) << text;
    ASSERT_EQ(d.problems.size(), 1u) << text;
    EXPECT_EQ(d.problems[0].find("tcp://x"), std::string::npos);  // never the file's text
  }
  const auto bad = parse_daemon_json("{\n\"debug\": true,\n\"hosts\": [oops]\n}", "/d.json");
  EXPECT_EQ(bad.problems[0], "/d.json:3: not valid JSON");
}

TEST(DaemonJson, WhatDockerdAcceptsAndWhatIsNotJudged) {
  EXPECT_FALSE(parse_daemon_json(" \n\t", "/d").refused);  // empty is an empty configuration
  EXPECT_FALSE(parse_daemon_json("\xEF\xBB\xBF{\"hosts\":[]}", "/d").refused);
  EXPECT_FALSE(parse_daemon_json("{\"hosts\": null, \"tls\": null}", "/d").refused);
  const auto utf16 = parse_daemon_json(std::string("\xFF\xFE{\0", 4), "/d");
  EXPECT_FALSE(utf16.judged);
  EXPECT_FALSE(utf16.refused);
  const auto deep = parse_daemon_json(std::string(100000, '['), "/d");
  EXPECT_FALSE(deep.judged);
  const auto latin1 = parse_daemon_json("{\"labels\": [\"caf\xE9\"]}", "/d");
  EXPECT_FALSE(latin1.judged);
  EXPECT_FALSE(latin1.refused);
}

// ---------------------------------------------------------------- systemd

TEST(SystemdUnit, ContinuationsCommentsAndSections) {
  const auto s = parse_unit_file(
      "[Unit]\nExecStart=/not/this\n[Service]\nType=notify\nExecStart=/usr/bin/dockerd \\\n"
      "# a comment inside the continuation\n  -H fd:// \\\n  -H tcp://0.0.0.0:2375\n"
      "; comment\nEnvironment = A=b\n",
      "/u", "Service");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[1].key, "ExecStart");
  // Each trailing backslash becomes a space; the next line is appended as it is.
  EXPECT_EQ(s[1].value, "/usr/bin/dockerd    -H fd://    -H tcp://0.0.0.0:2375");
  EXPECT_EQ(s[1].line, 5);
  EXPECT_EQ(s[2].key, "Environment");
  EXPECT_EQ(s[2].value, "A=b");
  // An escaped backslash at the end does not continue the line.
  EXPECT_EQ(parse_unit_file("[Service]\nExecStart=a \\\\\nB=c\n", "/u", "Service").size(), 2u);
}

TEST(SystemdUnit, ExecStartWords) {
  std::string error;
  auto c = split_exec_commands(
      "-/usr/bin/dockerd \"-H\" 'tcp://0.0.0.0:2375' --label=\"a b\" \\x41 --x=100%%", &error);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0], (Command{"/usr/bin/dockerd", "-H", "tcp://0.0.0.0:2375", "--label=a b", "A",
                              "--x=100%"}));
  c = split_exec_commands("@/usr/bin/dockerd my-dockerd -H fd:// ; /bin/true", &error);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0], (Command{"/usr/bin/dockerd", "-H", "fd://"}));
  EXPECT_FALSE(split_exec_commands("/usr/bin/dockerd \"-H tcp://x", &error));
  EXPECT_EQ(error, "unbalanced quoting");
  EXPECT_FALSE(split_exec_commands("/usr/bin/dockerd \\q", &error));
}

TEST(SystemdUnit, EnvironmentFiles) {
  const auto e = parse_environment_file(
      "# comment\nDOCKER_OPTS=\"-H tcp://0.0.0.0:2375 --label 'a b'\"\nB=  plain value  \n"
      "C='single $B'\nD=one\\\ntwo\n1BAD=x\nexport E=f\n",
      false);
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].name, "DOCKER_OPTS");
  EXPECT_EQ(e[0].value, "-H tcp://0.0.0.0:2375 --label 'a b'");
  EXPECT_EQ(e[0].line, 2);
  EXPECT_EQ(e[1].value, "plain value");
  EXPECT_EQ(e[2].value, "single $B");
  EXPECT_EQ(e[3].value, "onetwo");
  // systemd: quotes open only at the start of a value (or right after a closing
  // one); a backslash ending a comment no longer continues it (systemd 254).
  const auto q =
      parse_environment_file("A=\"x\"y\nB=x\"y\"\nC=\"x\"  'y'\n# comment \\\nD=1\n", false);
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0].value, "xy");
  EXPECT_EQ(q[1].value, "x\"y\"");
  EXPECT_EQ(q[2].value, "xy");
  EXPECT_EQ(q[3].name, "D");
  const auto sh = parse_environment_file(
      "export http_proxy=x\nDOCKER_OPTS=\"-H unix://\"\nDOCKER_OPTS=\"$DOCKER_OPTS -H "
      "tcp://0.0.0.0:2375\" # more\n",
      true);
  ASSERT_EQ(sh.size(), 3u);
  EXPECT_EQ(sh[0].name, "http_proxy");
  EXPECT_EQ(sh[2].value, "-H unix:// -H tcp://0.0.0.0:2375");
  EXPECT_EQ(sh[2].line, 3);
}

TEST(SystemdUnit, VariablesInCommandLines) {
  const std::map<std::string, EnvValue> env = {
      {"DOCKER_OPTS", {"-H 'tcp://0.0.0.0:2375'  --debug", {"/etc/default/docker", 3, ""}}},
      {"ONE", {"a b", {"/e", 1, ""}}}};
  const Origin exec{"/lib/systemd/system/docker.service", 12, ""};
  const auto w = expand_exec_words(
      {"-H", "fd://", "$DOCKER_OPTS", "${ONE}", "$UNSET", "x$$y", "--v=${UNSET:-dflt}"}, env, exec);
  std::vector<std::string> texts;
  for (const auto& x : w) texts.push_back(x.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"-H", "fd://", "-H", "tcp://0.0.0.0:2375", "--debug",
                                             "a b", "x$y", "--v=dflt"}));
  EXPECT_EQ(w[3].origin.path, "/etc/default/docker");
  EXPECT_EQ(w[3].origin.line, 3);
  EXPECT_EQ(w[3].origin.via, "$DOCKER_OPTS in /lib/systemd/system/docker.service:12");
  EXPECT_EQ(w[5].origin.path, "/e");
  EXPECT_EQ(w[0].origin.path, "/lib/systemd/system/docker.service");
}

// ---------------------------------------------------------------- the rules

constexpr const char* kTcp = "config.docker-tcp-socket";
constexpr const char* kGroup = "config.docker-group-members";

constexpr const char* kPackagedUnit =
    "[Unit]\nDescription=Docker Application Container Engine\n\n[Service]\nType=notify\n"
    "ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n"
    "ExecReload=/bin/kill -s HUP $MAINPID\n";

struct FakeHost {
  AuditInput in;
  FakeHost() {
    in.hostname = "ci-agent";
    in.files.memory["/etc/hostname"] = "ci-agent\n";  // memory mode even before any file
  }
  FakeHost& file(const std::string& path, const std::string& text) {
    in.files.memory[path] = text;
    return *this;
  }
  FakeHost& facts(const std::string& path, mode_t mode, uid_t uid, gid_t gid) {
    in.files.memory_facts[path] = FileFacts{mode, uid, gid};
    return *this;
  }
  AuditResult run() const {
    AuditResult out;
    docker_daemon_rules(in, out);
    return out;
  }
};

std::vector<Finding> of_rule(const AuditResult& r, const std::string& rule) {
  std::vector<Finding> out;
  for (const auto& f : r.findings)
    if (f.rule == rule) out.push_back(f);
  return out;
}

bool said(const AuditResult& r, const std::string& needle) {
  for (const auto& e : r.errors)
    if (e.message.find(needle) != std::string::npos) return true;
  return false;
}

std::string errors_of(const AuditResult& r) {
  std::string s;
  for (const auto& e : r.errors) s += e.message + "\n";
  return s;
}

void expect_subject(const Finding& f, const std::string& path, int line,
                    const std::string& setting) {
  EXPECT_EQ(f.subject["kind"], "config") << f.subject.dump();
  EXPECT_EQ(f.subject["path"], path) << f.subject.dump();
  EXPECT_EQ(f.subject["line"], line) << f.subject.dump();
  EXPECT_EQ(f.subject["setting"], setting) << f.subject.dump();
}

TEST(DockerTcpSocket, DaemonJsonHostOnEveryInterfaceIsCritical) {
  FakeHost h;
  h.file("/etc/docker/daemon.json",
         "{\n  \"hosts\": [\"unix:///var/run/docker.sock\", \"tcp://0.0.0.0:2375\"]\n}\n");
  const auto r = h.run();
  const auto f = of_rule(r, kTcp);
  ASSERT_EQ(f.size(), 1u) << errors_of(r);
  EXPECT_EQ(f[0].severity, Severity::critical);
  expect_subject(f[0], "/etc/docker/daemon.json", 2, "hosts");
  EXPECT_EQ(f[0].evidence["address"], "tcp://0.0.0.0:2375");
  EXPECT_EQ(f[0].evidence["bind"], "all interfaces");
  EXPECT_EQ(f[0].attack, (std::vector<std::string>{"T1133", "T1610"}));
  EXPECT_EQ(r.checks.at(kTcp).status, "passed");  // judged; the finding fails it in the summary
}

TEST(DockerTcpSocket, TlsverifyInDaemonJsonIsQuiet) {
  FakeHost h;
  h.file("/etc/docker/daemon.json",
         "{\"hosts\": [\"tcp://0.0.0.0:2376\"], \"tlsverify\": true, \"tlscacert\": \"/ca\"}");
  EXPECT_TRUE(of_rule(h.run(), kTcp).empty());
}

TEST(DockerTcpSocket, TlsverifyFalseStillFires) {
  FakeHost h;
  h.file("/etc/docker/daemon.json", "{\"hosts\": [\"tcp://0.0.0.0:2376\"], \"tlsverify\": false}");
  const auto f = of_rule(h.run(), kTcp);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::critical);
}

TEST(DockerTcpSocket, UnixAndFdOnlyAreQuiet) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service", kPackagedUnit);
  h.file("/etc/docker/daemon.json", "{\"log-driver\": \"journald\"}");
  const auto r = h.run();
  EXPECT_TRUE(of_rule(r, kTcp).empty());
  EXPECT_TRUE(r.errors.empty()) << errors_of(r);
  EXPECT_EQ(r.checks.at(kTcp).status, "passed");
}

TEST(DockerTcpSocket, LoopbackIsHighNotCritical) {
  for (const char* host : {"tcp://127.0.0.1:2375", "tcp://:2375", "localhost:2375"}) {
    FakeHost h;
    h.file("/etc/docker/daemon.json", std::string("{\"hosts\": [\"") + host + "\"]}");
    const auto f = of_rule(h.run(), kTcp);
    ASSERT_EQ(f.size(), 1u) << host;
    EXPECT_EQ(f[0].severity, Severity::high) << host;
    EXPECT_EQ(f[0].evidence["bind"], "loopback") << host;
  }
}

TEST(DockerTcpSocket, TlsWithoutTlsverifyDependsOnTheVersion) {
  FakeHost h;
  h.file("/etc/docker/daemon.json", "{\"hosts\": [\"tcp://0.0.0.0:2376\"], \"tls\": true}");
  const auto f = of_rule(h.run(), kTcp);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::medium);
  EXPECT_EQ(f[0].evidence["tls"], true);
  EXPECT_TRUE(f[0].evidence["tlsverify"].is_null());
}

TEST(DockerTcpSocket, UnitFlagFiresWithTheExecStartLine) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service",
         "[Service]\nType=notify\nExecStart=/usr/bin/dockerd -H fd:// \\\n"
         "    -H tcp://0.0.0.0:2375\n");
  const auto r = h.run();
  const auto f = of_rule(r, kTcp);
  ASSERT_EQ(f.size(), 1u) << errors_of(r);
  EXPECT_EQ(f[0].severity, Severity::critical);
  expect_subject(f[0], "/lib/systemd/system/docker.service", 3, "-H");
  EXPECT_EQ(f[0].evidence["source"], "systemd");
}

TEST(DockerTcpSocket, TlsverifyFlagIsQuiet) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service",
         "[Service]\nExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2376 --tlsverify "
         "--tlscacert=/etc/docker/ca.pem\n");
  EXPECT_TRUE(of_rule(h.run(), kTcp).empty());
}

TEST(DockerTcpSocket, DropInThatResetsExecStartRemovesTheTcpHost) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service",
         "[Service]\nType=notify\nExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375\n");
  h.file("/etc/systemd/system/docker.service.d/override.conf",
         "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n");
  const auto r = h.run();
  EXPECT_TRUE(of_rule(r, kTcp).empty());
  EXPECT_TRUE(r.errors.empty()) << errors_of(r);
}

TEST(DockerTcpSocket, DropInThatAddsExecStartWithoutResetIsRefusedAndStillJudged) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service", kPackagedUnit);
  h.file("/etc/systemd/system/docker.service.d/10-tcp.conf",
         "[Service]\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375\n");
  const auto r = h.run();
  EXPECT_TRUE(said(r, "systemd refuses to load docker.service: more than one ExecStart="))
      << errors_of(r);
  const auto f = of_rule(r, kTcp);
  ASSERT_EQ(f.size(), 1u);
  expect_subject(f[0], "/etc/systemd/system/docker.service.d/10-tcp.conf", 2, "-H");
}

TEST(DockerTcpSocket, DropInsApplyInFileNameOrderAcrossDirectories) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service", kPackagedUnit);
  // 20-tcp.conf in /run comes after 10-reset.conf in /etc: its host stays.
  h.file("/etc/systemd/system/docker.service.d/10-reset.conf",
         "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n");
  h.file("/run/systemd/system/docker.service.d/20-tcp.conf",
         "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H 10.0.0.5:2375\n");
  // The same name lower on the path is hidden by /etc's.
  h.file("/lib/systemd/system/docker.service.d/10-reset.conf",
         "[Service]\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:1\n");
  const auto r = h.run();
  const auto f = of_rule(r, kTcp);
  ASSERT_EQ(f.size(), 1u) << errors_of(r);
  EXPECT_EQ(f[0].evidence["address"], "tcp://10.0.0.5:2375");
  EXPECT_EQ(f[0].evidence["bind"], "one address");
  EXPECT_EQ(f[0].severity, Severity::critical);
}

TEST(DockerTcpSocket, EtcUnitOverridesTheVendorUnit) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service",
         "[Service]\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375\n");
  h.file("/etc/systemd/system/docker.service", kPackagedUnit);
  EXPECT_TRUE(of_rule(h.run(), kTcp).empty());
}

TEST(DockerTcpSocket, AMaskedUnitStartsNothing) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service",
         "[Service]\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375\n");
  h.file("/etc/systemd/system/docker.service", "/dev/null");  // in memory: the link's target
  h.facts("/etc/systemd/system/docker.service", S_IFLNK | 0777, 0, 0);
  const auto r = h.run();
  EXPECT_TRUE(of_rule(r, kTcp).empty());
  EXPECT_EQ(r.checks.at(kTcp).status, "passed");
}

TEST(DockerTcpSocket, DockerOptsFromEnvironmentFileNamesThatFile) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service",
         "[Service]\nEnvironmentFile=-/etc/default/docker\nEnvironmentFile=-/etc/missing\n"
         "ExecStart=/usr/bin/dockerd -H fd:// $DOCKER_OPTS\n");
  h.file("/etc/default/docker",
         "# Docker Upstart and SysVinit configuration file\n\n"
         "DOCKER_OPTS=\"--dns 8.8.8.8 -H tcp://0.0.0.0:2375\"\n");
  const auto r = h.run();
  const auto f = of_rule(r, kTcp);
  ASSERT_EQ(f.size(), 1u) << errors_of(r);
  expect_subject(f[0], "/etc/default/docker", 3, "-H");
  EXPECT_EQ(f[0].evidence["via"], "$DOCKER_OPTS in /lib/systemd/system/docker.service:4");
  EXPECT_EQ(f[0].evidence["exec_start"], "/lib/systemd/system/docker.service:4");
  EXPECT_TRUE(r.errors.empty()) << errors_of(r);  // "-" makes a missing file fine
}

TEST(DockerTcpSocket, AMissingEnvironmentFileWithoutDashIsRefused) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service",
         "[Service]\nEnvironmentFile=/etc/sysconfig/docker\nExecStart=/usr/bin/dockerd $OPTIONS\n");
  EXPECT_TRUE(said(h.run(), "EnvironmentFile /etc/sysconfig/docker is missing"));
}

TEST(DockerTcpSocket, BracedVariableIsOneWord) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service",
         "[Service]\nEnvironment=\"LISTEN=tcp://0.0.0.0:2375\"\n"
         "ExecStart=/usr/bin/dockerd --host=${LISTEN}\n");
  const auto f = of_rule(h.run(), kTcp);
  ASSERT_EQ(f.size(), 1u);
  expect_subject(f[0], "/lib/systemd/system/docker.service", 3, "-H");
  EXPECT_EQ(f[0].evidence["address"], "tcp://0.0.0.0:2375");
}

// cmd/dockerd takes DOCKER_TLS_VERIFY as --tlsverify's default; an explicit
// false in daemon.json still wins over a default.
TEST(DockerTcpSocket, DockerTlsVerifyInTheEnvironmentIsTlsverifysDefault) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service",
         "[Service]\nEnvironment=DOCKER_TLS_VERIFY=1\n"
         "ExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2376\n");
  EXPECT_TRUE(of_rule(h.run(), kTcp).empty());
  h.file("/etc/docker/daemon.json", "{\"tlsverify\": false}");
  const auto f = of_rule(h.run(), kTcp);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::critical);
  EXPECT_EQ(f[0].evidence["tlsverify"], false);
  EXPECT_EQ(f[0].evidence["DOCKER_TLS_VERIFY"], "/lib/systemd/system/docker.service:2");
}

TEST(DockerTcpSocket, HostsAsFlagAndInDaemonJsonIsRefusedAndStillJudged) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service", kPackagedUnit);
  h.file("/etc/docker/daemon.json", "{\"hosts\": [\"tcp://0.0.0.0:2375\"]}");
  const auto r = h.run();
  EXPECT_TRUE(said(r,
                   "dockerd refuses to start: the following directives are specified both as "
                   "a flag and in the configuration file: hosts"))
      << errors_of(r);
  const auto f = of_rule(r, kTcp);
  ASSERT_EQ(f.size(), 1u);
  expect_subject(f[0], "/etc/docker/daemon.json", 1, "hosts");
}

TEST(DockerTcpSocket, ConfigFileFlagNamesTheJsonDockerdReads) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service",
         "[Service]\nExecStart=/usr/bin/dockerd --config-file /srv/docker.json\n");
  h.file("/srv/docker.json", "{\"hosts\": [\"tcp://0.0.0.0:2375\"]}");
  const auto f = of_rule(h.run(), kTcp);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject["path"], "/srv/docker.json");
}

TEST(DockerTcpSocket, SysvinitDockerOpts) {
  FakeHost h;
  h.file("/etc/default/docker", "DOCKER_OPTS=\"-H unix:///var/run/docker.sock -H 0.0.0.0:2375\"\n");
  const auto r = h.run();
  const auto f = of_rule(r, kTcp);
  ASSERT_EQ(f.size(), 1u);
  expect_subject(f[0], "/etc/default/docker", 1, "-H");
  EXPECT_EQ(f[0].evidence["source"], "sysvinit");
}

TEST(DockerTcpSocket, DefaultFileIsIgnoredWhenTheUnitDoesNotReadIt) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service", kPackagedUnit);
  h.file("/etc/default/docker", "DOCKER_OPTS=\"-H tcp://0.0.0.0:2375\"\n");
  EXPECT_TRUE(of_rule(h.run(), kTcp).empty());
}

TEST(DockerTcpSocket, SocketActivationWithATcpListenStream) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service", kPackagedUnit);
  h.file("/lib/systemd/system/docker.socket",
         "[Socket]\nListenStream=/run/docker.sock\nSocketMode=0660\nSocketGroup=docker\n");
  h.file("/etc/systemd/system/docker.socket.d/tcp.conf", "[Socket]\nListenStream=2375\n");
  const auto f = of_rule(h.run(), kTcp);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::critical);
  expect_subject(f[0], "/etc/systemd/system/docker.socket.d/tcp.conf", 2, "ListenStream");
  EXPECT_EQ(f[0].evidence["address"], "tcp://[::]:2375");
}

TEST(DockerTcpSocket, SocketActivationOnLoopbackIsHigh) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service", kPackagedUnit);
  h.file("/lib/systemd/system/docker.socket",
         "[Socket]\nListenStream=/run/docker.sock\nListenStream=127.0.0.1:2375\n");
  const auto f = of_rule(h.run(), kTcp);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::high);
}

TEST(DockerTcpSocket, SshHostIsRefusedNotTcp) {
  FakeHost h;
  h.file("/etc/docker/daemon.json", "{\"hosts\": [\"ssh://deploy@example.com\"]}");
  const auto r = h.run();
  EXPECT_TRUE(of_rule(r, kTcp).empty());
  EXPECT_TRUE(said(r, "unsupported proto 'ssh'")) << errors_of(r);
  EXPECT_FALSE(said(r, "deploy@"));  // no user names or passwords in messages
}

TEST(DockerTcpSocket, BadDaemonJsonIsAnErrorAndTheRunGoesOn) {
  FakeHost h;
  h.file("/lib/systemd/system/docker.service",
         "[Service]\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375\n");
  h.file("/etc/docker/daemon.json", "{\n\"hosts\": [\"tcp://0.0.0.0:2376\",\n");
  h.file("/etc/group", "docker:x:999:alice\n");
  const auto r = h.run();
  EXPECT_TRUE(said(r,
                   "/etc/docker/daemon.json:3: not valid JSON (dockerd refuses to start with "
                   "this file)"))
      << errors_of(r);
  const auto f = of_rule(r, kTcp);
  ASSERT_EQ(f.size(), 1u);  // the unit's flag is still judged
  EXPECT_EQ(f[0].subject["path"], "/lib/systemd/system/docker.service");
  EXPECT_EQ(of_rule(r, kGroup).size(), 1u);
}

TEST(DockerTcpSocket, NotInstalledIsNotApplicable) {
  FakeHost h;
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.checks.at(kTcp).status, "not_applicable");
  EXPECT_EQ(r.checks.at(kGroup).status, "not_applicable");
}

host::ProcessInfo dockerd_process(int pid, std::vector<std::string> argv) {
  host::ProcessInfo p;
  p.pid = pid;
  p.comm = "dockerd";
  p.exe_path = "/usr/bin/dockerd";
  p.exe_state = host::ExeState::present;  // root's, from a root-owned file
  p.argv = std::move(argv);
  return p;
}

TEST(DockerTcpSocket, AUsersProcessNamedDockerdProvesNothing) {
  host::Snapshot snap;
  auto fake = dockerd_process(
      4242, {"/tmp/dockerd", "-H", "tcp://0.0.0.0:2375", "--config-file", "/etc/shadow"});
  fake.uid = fake.euid = 1000;
  fake.exe_uid = 1000;
  snap.processes.push_back(fake);
  FakeHost h;
  h.in.live = &snap;
  const auto r = h.run();
  EXPECT_TRUE(of_rule(r, kTcp).empty());
  EXPECT_EQ(r.checks.at(kTcp).status, "not_applicable");
}

TEST(DockerTcpSocket, RunningDockerdArgv) {
  host::Snapshot snap;
  snap.processes.push_back(
      dockerd_process(812, {"/usr/bin/dockerd", "-H", "fd://", "-H", "tcp://0.0.0.0:2375"}));
  host::ProcessInfo other;
  other.pid = 900;
  other.comm = "containerd";
  other.argv = {"/usr/bin/containerd", "-H", "tcp://0.0.0.0:1"};
  snap.processes.push_back(other);
  FakeHost h;
  h.in.live = &snap;
  const auto r = h.run();
  const auto f = of_rule(r, kTcp);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject["kind"], "process");
  EXPECT_EQ(f[0].subject["pid"], 812);
  EXPECT_EQ(f[0].subject["setting"], "-H");
  EXPECT_EQ(f[0].severity, Severity::critical);
  EXPECT_EQ(f[0].evidence["source"], "process");
  EXPECT_EQ(r.checks.at(kTcp).status, "passed");
}

TEST(DockerTcpSocket, RunningDockerdFoundByItsExecutable) {
  host::Snapshot snap;
  auto p = dockerd_process(77, {"dockerd", "--host=tcp://127.0.0.1:2375", "--tlsverify=false"});
  p.comm = "dockerd-wrapped";
  snap.processes.push_back(p);
  snap.processes.push_back(
      dockerd_process(78, {"/usr/bin/dockerd", "-H", "tcp://0.0.0.0:2376", "--tlsverify"}));
  FakeHost h;
  h.in.live = &snap;
  const auto f = of_rule(h.run(), kTcp);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject["pid"], 77);
  EXPECT_EQ(f[0].severity, Severity::high);
}

// The seed's sibling: a drop-in opens 2375 and the dockerd it started runs.
// One finding, at the line to change, that says it is live.
TEST(DockerTcpSocket, RunningDockerdConfirmsItsUnitsListenerOnce) {
  host::Snapshot snap;
  auto p = dockerd_process(812, {"/usr/bin/dockerd", "-H", "fd://", "-H", "tcp://0.0.0.0:2375"});
  p.cgroup = "/system.slice/docker.service";
  snap.processes.push_back(p);
  FakeHost h;
  h.file("/lib/systemd/system/docker.service", kPackagedUnit);
  h.file("/etc/systemd/system/docker.service.d/override.conf",
         "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375\n");
  h.in.live = &snap;
  const auto f = of_rule(h.run(), kTcp);
  ASSERT_EQ(f.size(), 1u);
  expect_subject(f[0], "/etc/systemd/system/docker.service.d/override.conf", 3, "-H");
  EXPECT_EQ(f[0].severity, Severity::critical);
  EXPECT_EQ(f[0].evidence["running_pid"], 812);
}

// A running dockerd that opens what no configuration says (started by hand,
// or the unit changed without a restart) is its own finding.
TEST(DockerTcpSocket, RunningDockerdWithAnotherListenerIsReportedToo) {
  host::Snapshot snap;
  snap.processes.push_back(dockerd_process(813, {"/usr/bin/dockerd", "-H", "tcp://0.0.0.0:2377"}));
  FakeHost h;
  h.file("/etc/docker/daemon.json", "{\"hosts\": [\"tcp://0.0.0.0:2375\"]}");
  h.in.live = &snap;
  const auto f = of_rule(h.run(), kTcp);
  ASSERT_EQ(f.size(), 2u);
  std::set<std::string> addresses;
  for (const auto& x : f) addresses.insert(x.evidence["address"]);
  EXPECT_EQ(addresses, (std::set<std::string>{"tcp://0.0.0.0:2375", "tcp://0.0.0.0:2377"}));
}

// docker.service's DOCKER_TLS_VERIFY reaches the dockerd it started.
TEST(DockerTcpSocket, RunningDockerdOfTheUnitHasTheUnitsEnvironment) {
  host::Snapshot snap;
  auto p = dockerd_process(814, {"/usr/bin/dockerd", "-H", "tcp://0.0.0.0:2376"});
  p.cgroup = "/system.slice/docker.service";
  snap.processes.push_back(p);
  FakeHost h;
  h.file("/lib/systemd/system/docker.service",
         "[Service]\nEnvironment=DOCKER_TLS_VERIFY=1\n"
         "ExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2376\n");
  h.in.live = &snap;
  EXPECT_TRUE(of_rule(h.run(), kTcp).empty());
  snap.processes[0].cgroup = "/user.slice/user-0.slice/session-3.scope";  // started by hand
  const auto f = of_rule(h.run(), kTcp);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject["pid"], 814);
}

// GitLab's docker:dind with DOCKER_TLS_CERTDIR="" in every CI job: high, not
// critical (the job's network, not the host's), and one fingerprint across jobs.
TEST(DockerTcpSocket, DockerInDockerIsTheContainersNetworkAndOneFinding) {
  auto dind = [](const std::string& id) {
    host::Snapshot snap;
    auto p = dockerd_process(
        4000, {"dockerd", "--host=unix:///var/run/docker.sock", "--host=tcp://0.0.0.0:2375"});
    p.container_id = id;
    snap.processes.push_back(p);
    return snap;
  };
  const auto job1 = dind("0123456789abcdef0123"), job2 = dind("fedcba98765432100000");
  FakeHost h;
  h.in.live = &job1;
  const auto a = of_rule(h.run(), kTcp);
  h.in.live = &job2;
  const auto b = of_rule(h.run(), kTcp);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].severity, Severity::high);
  EXPECT_EQ(a[0].evidence["container_id"], "0123456789abcdef0123");
  EXPECT_NE(a[0].title.find("DOCKER_TLS_CERTDIR"), std::string::npos) << a[0].title;
  EXPECT_EQ(a[0].fingerprint, b[0].fingerprint);
}

TEST(DockerTcpSocket, FingerprintIsStableAndNamesNoSecret) {
  FakeHost h;
  h.file("/etc/docker/daemon.json", "{\"hosts\": [\"tcp://admin:hunter2@0.0.0.0:2375\"]}");
  const auto a = of_rule(h.run(), kTcp);
  const auto b = of_rule(h.run(), kTcp);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].fingerprint, b[0].fingerprint);
  EXPECT_EQ(a[0].evidence.dump().find("hunter2"), std::string::npos);
  EXPECT_EQ(a[0].title.find("hunter2"), std::string::npos);
}

// ---------------------------------------------------------------- the docker group

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "alice:x:1000:1000::/home/alice:/bin/bash\n"
    "bob:x:1001:1001::/home/bob:/bin/bash\n"
    "lxd:x:999:999::/var/lib/lxd:/bin/false\n"
    "toor:x:0:0::/root:/bin/bash\n";

TEST(DockerGroupMembers, EveryMemberButRootByName) {
  FakeHost h;
  h.file("/etc/passwd", kPasswd);
  h.file("/etc/group", "root:x:0:\nsudo:x:27:alice\ndocker:x:999:alice,root,toor,bob,alice\n");
  const auto r = h.run();
  const auto f = of_rule(r, kGroup);
  ASSERT_EQ(f.size(), 3u);
  std::map<std::string, Finding> by_user;
  for (const auto& x : f) by_user[x.subject["user"]] = x;
  ASSERT_EQ(by_user.count("alice"), 1u);
  ASSERT_EQ(by_user.count("bob"), 1u);
  ASSERT_EQ(by_user.count("lxd"), 1u);  // primary group 999
  EXPECT_EQ(by_user["alice"].severity, Severity::high);
  expect_subject(by_user["alice"], "/etc/group", 3, "group members");
  expect_subject(by_user["lxd"], "/etc/passwd", 5, "primary group");
  EXPECT_EQ(by_user["lxd"].evidence["membership"], "primary");
  EXPECT_EQ(r.checks.at(kGroup).status, "passed");
}

// A hostile image's group of thousands: the first 200 are named, the rest
// counted in an error entry, and the scan stays linear.
TEST(DockerGroupMembers, AHugeGroupIsCappedAndSaysSo) {
  std::string members;
  for (int i = 0; i < 5000; ++i) members += (i ? "," : "") + ("u" + std::to_string(i));
  FakeHost h;
  h.file("/etc/passwd", kPasswd).file("/etc/group", "docker:x:999:" + members + "\n");
  const auto r = h.run();
  const auto f = of_rule(r, kGroup);
  ASSERT_EQ(f.size(), 200u);
  EXPECT_EQ(f[0].evidence["account_exists"], false);
  expect_subject(f[0], "/etc/group", 1, "group members");
  EXPECT_TRUE(said(r, "the docker group has 4801 more members than the 200 named")) << errors_of(r);
}

TEST(DockerGroupMembers, AnEmptyGroupIsJudgedAndQuiet) {
  FakeHost h;
  h.file("/etc/passwd", kPasswd).file("/etc/group", "docker:x:998:\n");
  const auto r = h.run();
  EXPECT_TRUE(of_rule(r, kGroup).empty());
  EXPECT_EQ(r.checks.at(kGroup).status, "passed");
  EXPECT_EQ(r.checks.at(kTcp).status, "not_applicable");
}

TEST(DockerGroupMembers, TheGroupDaemonJsonNames) {
  FakeHost h;
  h.file("/etc/passwd", kPasswd);
  h.file("/etc/group", "docker:x:999:\nci:x:1500:bob\n");
  h.file("/etc/docker/daemon.json", "{\"group\": \"ci\"}");
  const auto f = of_rule(h.run(), kGroup);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject["user"], "bob");
  EXPECT_EQ(f[0].evidence["group"], "ci");
}

TEST(DockerGroupMembers, SocketModes) {
  struct Case {
    mode_t mode;
    uid_t uid;
    gid_t gid;
    std::vector<std::string> problems;
    Severity worst;
  };
  const std::vector<Case> cases = {
      {S_IFSOCK | 0660, 0, 999, {}, Severity::info},
      {S_IFSOCK | 0660, 0, 0, {}, Severity::info},  // no docker group: dockerd leaves root's
      {S_IFSOCK | 0666, 0, 999, {"world-writable"}, Severity::critical},
      {S_IFSOCK | 0660, 0, 100, {"group-writable by another group"}, Severity::high},
      {S_IFSOCK | 0640, 0, 100, {}, Severity::info},
      {S_IFSOCK | 0660, 1000, 999, {"not owned by root"}, Severity::high},
      {S_IFDIR | 0777, 0, 0, {}, Severity::info},  // a directory where the socket should be
  };
  for (const auto& c : cases) {
    FakeHost h;
    h.file("/etc/group", "docker:x:999:\n").facts("/run/docker.sock", c.mode, c.uid, c.gid);
    const auto f = of_rule(h.run(), kGroup);
    std::vector<std::string> problems;
    for (const auto& x : f) {
      problems.push_back(x.evidence["problem"]);
      EXPECT_EQ(x.subject["path"], "/run/docker.sock");
      EXPECT_EQ(x.subject["kind"], "file");
      EXPECT_EQ(x.severity, c.worst);
    }
    EXPECT_EQ(problems, c.problems) << std::oct << c.mode;
  }
}

TEST(DockerGroupMembers, VarRunSocketWhenRunHasNone) {
  FakeHost h;
  h.facts("/var/run/docker.sock", S_IFSOCK | 0666, 0, 0);
  const auto r = h.run();
  const auto f = of_rule(r, kGroup);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject["path"], "/run/docker.sock");
  EXPECT_EQ(f[0].severity, Severity::critical);
  EXPECT_EQ(r.checks.at(kGroup).status, "passed");
}

}  // namespace
}  // namespace hostward::audit

#ifdef HOSTWARD_BIN
// The same rules through `hostward scan --root DIR --only config`.
#include "audit/fixture_tree.h"

namespace hostward::itest {
namespace {

using DockerTree = Tree;

TEST(DockerDaemonTree, PackagedUnitWithTcpDropInIsCritical) {
  DockerTree t;
  t.write("/lib/systemd/system/docker.service",
          "[Service]\nType=notify\nExecStart=/usr/bin/dockerd -H fd://\n");
  t.write("/etc/systemd/system/docker.service.d/override.conf",
          "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375\n");
  const auto f = findings_with_rule(t.scan(), "config.docker-tcp-socket");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["severity"], "critical");
  EXPECT_EQ(f[0]["subject"]["path"], "/etc/systemd/system/docker.service.d/override.conf");
  EXPECT_EQ(f[0]["subject"]["line"], 3);
}

TEST(DockerDaemonTree, HardenedDockerIsQuiet) {
  DockerTree t;
  t.write("/lib/systemd/system/docker.service",
          "[Service]\nType=notify\nExecStart=/usr/bin/dockerd -H fd://\n");
  t.write("/etc/docker/daemon.json", "{\"log-driver\": \"journald\"}\n");
  t.write("/etc/group", "root:x:0:\ndocker:x:999:\n");
  t.write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
  const auto r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "config.docker-tcp-socket").empty()) << r.dump(2);
  EXPECT_TRUE(findings_with_rule(r, "config.docker-group-members").empty()) << r.dump(2);
}

TEST(DockerDaemonTree, BadDaemonJsonIsAnErrorAndMembersAreStillReported) {
  DockerTree t;
  t.write("/etc/docker/daemon.json", "{\"hosts\": [\n");
  t.write("/etc/group", "docker:x:999:lxd\n");
  t.write("/etc/passwd", "lxd:x:999:999::/var/lib/lxd:/bin/false\n");
  const auto r = t.scan();
  bool refused = false;
  for (const auto& e : r["errors"])
    refused = refused ||
              e["message"].get<std::string>().find("dockerd refuses to start") != std::string::npos;
  EXPECT_TRUE(refused) << r["errors"].dump();
  const auto m = findings_with_rule(r, "config.docker-group-members");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0]["subject"]["user"], "lxd");
  EXPECT_EQ(m[0]["subject"]["path"], "/etc/group");
  EXPECT_EQ(m[0]["subject"]["line"], 1);
}

}  // namespace
}  // namespace hostward::itest
#endif

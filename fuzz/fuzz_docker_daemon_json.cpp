// The Docker daemon rules on hostile configuration: the input is split at
// NULs into /etc/docker/daemon.json, docker.service, a drop-in of it,
// /etc/default/docker, docker.socket and /etc/group; its first line is also
// a running dockerd's command line. Properties: findings are of the two
// rules, at a severity they may have, about a file that exists; a refused
// host has no protocol; TCP addresses are normalized; nothing is thrown.
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "audit/docker_daemon.h"

namespace {

using namespace hostward;
using namespace hostward::audit;

std::vector<std::string> split(const std::string& input, char sep, size_t max) {
  std::vector<std::string> out;
  size_t start = 0;
  while (out.size() + 1 < max) {
    const size_t at = input.find(sep, start);
    if (at == std::string::npos) break;
    out.push_back(input.substr(start, at - start));
    start = at + 1;
  }
  out.push_back(input.substr(start));
  return out;
}

void check_host(const std::string& value) {
  for (const bool tls : {false, true}) {
    const DaemonHost h = parse_daemon_host(value, tls);
    if (h.proto.empty() == h.error.empty()) abort();
    if (h.proto == "tcp" && (h.address.rfind("tcp://", 0) != 0 || h.host.empty())) abort();
    if (h.proto == "tcp") (void)classify_bind(h.host);
  }
}

void check_parsers(const std::string& text) {
  const DaemonJson j = parse_daemon_json(text, "/d.json");
  if ((j.refused || !j.judged) && j.problems.empty()) abort();
  if (!j.has_hosts && !j.hosts.empty()) abort();
  for (const auto& line : split(text, '\n', 64)) {
    check_host(line);
    std::string error;
    if (const auto commands = split_exec_commands(line, &error))
      for (const auto& c : *commands)
        if (c.empty()) abort();
  }
  std::vector<Word> words;
  for (const auto& w : split(text.substr(0, text.find('\n')), ' ', 64)) words.push_back({w, {}});
  const DockerdFlags f = parse_dockerd_flags(words);
  for (const auto& h : f.hosts) check_host(h.text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto parts = split(input, '\0', 6);
  static const char* const kPaths[] = {"/etc/docker/daemon.json",
                                       "/lib/systemd/system/docker.service",
                                       "/etc/systemd/system/docker.service.d/override.conf",
                                       "/etc/default/docker",
                                       "/lib/systemd/system/docker.socket",
                                       "/etc/group"};
  AuditInput in;
  in.hostname = "fuzz";
  for (size_t i = 0; i < parts.size(); ++i) in.files.memory[kPaths[i]] = parts[i];
  in.files.memory["/etc/passwd"] = "root:x:0:0::/root:/bin/sh\nci:x:1000:999::/home/ci:/bin/sh\n";
  in.files.memory_facts["/run/docker.sock"] =
      FileFacts{static_cast<mode_t>(S_IFSOCK | (size % 0777)), 0, static_cast<gid_t>(size % 3)};

  host::Snapshot snap;
  host::ProcessInfo p;
  p.pid = 4242;
  p.comm = "dockerd";
  for (const auto& w : split(parts[0].substr(0, parts[0].find('\n')), ' ', 64)) p.argv.push_back(w);
  snap.processes.push_back(p);
  in.live = &snap;

  AuditResult out;
  docker_daemon_rules(in, out);
  static const std::set<std::string> kRules = {"config.docker-tcp-socket",
                                               "config.docker-group-members"};
  for (const auto& f : out.findings) {
    if (!kRules.count(f.rule) || f.severity == Severity::info || f.fingerprint.empty()) abort();
    const auto& s = f.subject;
    if (s["kind"] == "config" && !in.files.memory.count(s["path"].get<std::string>())) abort();
    if (f.rule == "config.docker-tcp-socket" &&
        f.evidence["address"].get<std::string>().rfind("tcp://", 0) != 0)
      abort();
  }
  for (const auto& rule : kRules)
    if (!out.checks.count(rule)) abort();
  for (const auto& e : out.errors)
    if (e.message.find('\0') != std::string::npos) abort();
  check_parsers(parts[0]);
  return 0;
}

#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"

namespace hostward::host {

struct DockerPort {
  std::string host_ip;  // "0.0.0.0", "::", "127.0.0.1"; "" means all addresses
  int host_port = 0;
  int container_port = 0;
  std::string proto = "tcp";
};

struct DockerContainer {
  std::string id;
  std::string name;
  std::string image;
  std::string status;  // running, paused, ...
  int pid = 0;         // of its main process on the host, 0 when not running
  bool privileged = false;
  std::string network_mode;
  std::vector<std::string> ip_addresses;
  std::vector<DockerPort> ports;  // published to the host
  // Environment keys that decide authentication: switches keep their value
  // (POSTGRES_HOST_AUTH_METHOD=trust); passwords only "set" or "empty".
  std::map<std::string, std::string> auth_env;
  bool docker_socket_mounted = false;
};

struct DockerFacts {
  bool reachable = false;  // the API answered
  std::string socket;
  std::string api_version;
  std::string engine_version;
  std::vector<DockerContainer> containers;
  // /etc/docker/daemon.json
  bool daemon_tlsverify = false;
  std::vector<std::string> daemon_hosts;  // "tcp://0.0.0.0:2375", "unix:///var/run/docker.sock"
};

// GET /version, /containers/json and /containers/ID/json over the unix socket
// (libcurl). No Docker, or an API that misbehaves, adds an error and returns
// what it has.
// Also reads `daemon_json` (absent is fine).
DockerFacts collect_docker(const std::string& socket_path, const std::string& daemon_json,
                           std::vector<CollectorError>& errors);

// The readers of the API's replies; each throws std::runtime_error naming
// what is wrong with the body.
void read_version(std::string_view body, DockerFacts& facts);
std::vector<std::string> read_container_ids(std::string_view body);
DockerContainer read_container(std::string_view body);
void read_daemon_config(std::string_view body, DockerFacts& facts);

}  // namespace hostward::host

// The Docker Engine API replies (/version, /containers/json, /containers/ID/json)
// and daemon.json: bad bodies throw std::runtime_error, nothing else.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "host/docker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  using namespace hostward::host;
  try {
    const DockerContainer c = read_container(body);
    if (c.pid < 0) abort();
    for (const auto& p : c.ports)
      if (p.host_port < 1 || p.host_port > 65535 || p.container_port < 1 ||
          p.container_port > 65535)
        abort();
    for (const auto& [k, v] : c.auth_env)
      if (v.size() > 64) abort();
  } catch (const std::runtime_error&) {
  }
  try {
    for (const auto& id : read_container_ids(body))
      if (id.find_first_not_of("0123456789abcdef") != std::string::npos) abort();
  } catch (const std::runtime_error&) {
  }
  DockerFacts facts;
  try {
    read_version(body, facts);
  } catch (const std::runtime_error&) {
  }
  try {
    read_daemon_config(body, facts);
  } catch (const std::runtime_error&) {
  }
  return 0;
}

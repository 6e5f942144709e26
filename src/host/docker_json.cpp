#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "host/docker.h"

namespace hostward::host {

namespace {

using nlohmann::json;

json parse(std::string_view body, const char* what) {
  // Real replies nest a handful of levels; 8 MiB of "[[[[" would be half a
  // gigabyte of nodes.
  const json::parser_callback_t limit_depth = [what](int depth, json::parse_event_t, json&) {
    if (depth > 64) throw std::runtime_error(std::string(what) + ": nested deeper than 64");
    return true;
  };
  json j = json::parse(body, limit_depth, false);
  if (j.is_discarded()) throw std::runtime_error(std::string(what) + ": not JSON");
  return j;
}

std::string text(const json& j, const char* key, size_t max = 256) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return "";
  std::string s = it->get<std::string>();
  if (s.size() > max) s.resize(max);
  return s;
}

const json* object(const json& j, const char* key) {
  const auto it = j.find(key);
  return (it != j.end() && it->is_object()) ? &*it : nullptr;
}

int port_number(const std::string& s) {
  if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) return 0;
  const int v = std::stoi(s);
  return v <= 65535 ? v : 0;
}

const std::set<std::string, std::less<>>& switch_keys() {
  static const std::set<std::string, std::less<>> k = {"POSTGRES_HOST_AUTH_METHOD",
                                                       "MYSQL_ALLOW_EMPTY_PASSWORD",
                                                       "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD",
                                                       "MARIADB_ALLOW_EMPTY_PASSWORD",
                                                       "ALLOW_EMPTY_PASSWORD",
                                                       "xpack.security.enabled",
                                                       "DISABLE_SECURITY_PLUGIN",
                                                       "plugins.security.disabled",
                                                       "REDIS_PROTECTED_MODE",
                                                       "ME_CONFIG_BASICAUTH"};
  return k;
}

const std::set<std::string, std::less<>>& secret_keys() {
  static const std::set<std::string, std::less<>> k = {
      "POSTGRES_PASSWORD",          "MYSQL_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD",
      "MONGO_INITDB_ROOT_PASSWORD", "REDIS_PASSWORD",      "ELASTIC_PASSWORD",
      "RABBITMQ_DEFAULT_PASS",      "MINIO_ROOT_PASSWORD", "OPENSEARCH_INITIAL_ADMIN_PASSWORD"};
  return k;
}

}  // namespace

void read_version(std::string_view body, DockerFacts& facts) {
  const json j = parse(body, "/version");
  if (!j.is_object()) throw std::runtime_error("/version: not an object");
  facts.api_version = text(j, "ApiVersion", 32);
  facts.engine_version = text(j, "Version", 64);
  if (facts.api_version.empty()) throw std::runtime_error("/version: no ApiVersion");
}

std::vector<std::string> read_container_ids(std::string_view body) {
  const json j = parse(body, "/containers/json");
  if (!j.is_array()) throw std::runtime_error("/containers/json: not an array");
  std::vector<std::string> ids;
  for (const auto& c : j) {
    if (!c.is_object()) continue;
    const std::string id = text(c, "Id", 128);
    // An id goes into a URL: hex only.
    if (!id.empty() && id.find_first_not_of("0123456789abcdef") == std::string::npos)
      ids.push_back(id);
  }
  return ids;
}

void read_daemon_config(std::string_view body, DockerFacts& facts) {
  const json j = parse(body, "daemon.json");
  if (!j.is_object()) throw std::runtime_error("daemon.json: not an object");
  if (auto it = j.find("tlsverify"); it != j.end() && it->is_boolean())
    facts.daemon_tlsverify = it->get<bool>();
  if (auto it = j.find("hosts"); it != j.end() && it->is_array()) {
    for (const auto& h : *it)
      if (h.is_string() && facts.daemon_hosts.size() < 64)
        facts.daemon_hosts.push_back(h.get<std::string>().substr(0, 256));
  }
}

DockerContainer read_container(std::string_view body) {
  const json j = parse(body, "/containers/ID/json");
  if (!j.is_object()) throw std::runtime_error("/containers/ID/json: not an object");
  DockerContainer c;
  c.id = text(j, "Id", 128);
  c.name = text(j, "Name");
  if (!c.name.empty() && c.name.front() == '/') c.name.erase(0, 1);
  if (const json* state = object(j, "State")) {
    c.status = text(*state, "Status", 32);
    if (auto it = state->find("Pid"); it != state->end() && it->is_number_integer()) {
      const auto pid = it->get<long long>();
      c.pid = (pid > 0 && pid < (1LL << 30)) ? static_cast<int>(pid) : 0;
    }
  }
  if (const json* config = object(j, "Config")) {
    c.image = text(*config, "Image");
    if (auto env = config->find("Env"); env != config->end() && env->is_array()) {
      for (const auto& e : *env) {
        if (!e.is_string()) continue;
        const std::string& kv = e.get_ref<const std::string&>();
        const auto eq = kv.find('=');
        const std::string key = kv.substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (switch_keys().count(key))
          c.auth_env[key] = value.substr(0, 64);
        else if (secret_keys().count(key))
          c.auth_env[key] = value.empty() ? "empty" : "set";
      }
    }
  }
  if (const json* host = object(j, "HostConfig")) {
    if (auto it = host->find("Privileged"); it != host->end() && it->is_boolean())
      c.privileged = it->get<bool>();
    c.network_mode = text(*host, "NetworkMode", 64);
  }
  if (auto mounts = j.find("Mounts"); mounts != j.end() && mounts->is_array()) {
    for (const auto& m : *mounts) {
      if (!m.is_object()) continue;
      const std::string src = text(m, "Source", 4096);
      if (src == "/var/run/docker.sock" || src == "/run/docker.sock")
        c.docker_socket_mounted = true;
    }
  }
  if (const json* net = object(j, "NetworkSettings")) {
    auto add_ip = [&c](const std::string& ip) {
      if (!ip.empty() &&
          std::find(c.ip_addresses.begin(), c.ip_addresses.end(), ip) == c.ip_addresses.end())
        c.ip_addresses.push_back(ip);
    };
    add_ip(text(*net, "IPAddress", 64));
    add_ip(text(*net, "GlobalIPv6Address", 64));
    if (const json* networks = object(*net, "Networks")) {
      for (const auto& [name, n] : networks->items()) {
        if (!n.is_object()) continue;
        add_ip(text(n, "IPAddress", 64));
        add_ip(text(n, "GlobalIPv6Address", 64));
      }
    }
    if (const json* ports = object(*net, "Ports")) {
      for (const auto& [key, bindings] : ports->items()) {
        const auto slash = key.find('/');
        const int inner = port_number(key.substr(0, slash));
        const std::string proto = slash == std::string::npos ? "tcp" : key.substr(slash + 1);
        if (inner == 0 || !bindings.is_array()) continue;
        for (const auto& b : bindings) {
          if (!b.is_object()) continue;
          const int outer = port_number(text(b, "HostPort", 8));
          if (outer == 0) continue;
          c.ports.push_back({text(b, "HostIp", 64), outer, inner, proto.substr(0, 8)});
        }
      }
    }
  }
  return c;
}

}  // namespace hostward::host

#include "core/config.h"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/ip_address.h"

namespace hostward {

namespace {

template <typename T>
void read_list(const YAML::Node& node, const char* key, std::vector<T>& out) {
  const YAML::Node v = node[key];
  if (!v) return;
  if (!v.IsSequence()) throw std::runtime_error(std::string("config: ") + key + " must be a list");
  out.clear();
  for (const auto& item : v) out.push_back(item.as<T>());
}

template <typename T>
void read_scalar(const YAML::Node& node, const char* key, T& out) {
  const YAML::Node v = node[key];
  if (!v) return;
  out = v.as<T>();
}

}  // namespace

Config parse_config(const std::string& yaml_text) {
  Config config;
  try {
    const YAML::Node root = YAML::Load(yaml_text);
    if (!root || root.IsNull()) return config;
    if (!root.IsMap()) throw std::runtime_error("config: top level must be a mapping");
    if (const YAML::Node hunt = root["hunt"]) {
      if (!hunt.IsMap()) throw std::runtime_error("config: hunt must be a mapping");
      auto& h = config.hunt;
      read_list(hunt, "database_child_allow", h.database_child_allow);
      read_list(hunt, "memfd_allow", h.memfd_allow);
      read_list(hunt, "world_writable_allow", h.world_writable_allow);
      read_list(hunt, "miner_pool_ports", h.miner_pool_ports);
      read_scalar(hunt, "high_cpu_percent", h.high_cpu_percent);
      read_scalar(hunt, "high_cpu_min_age_s", h.high_cpu_min_age_s);
    }
    if (const YAML::Node auth = root["auth"]) {
      if (!auth.IsMap()) throw std::runtime_error("config: auth must be a mapping");
      auto& a = config.auth;
      read_scalar(auth, "max_failures", a.max_failures);
      read_scalar(auth, "window_s", a.window_s);
      read_scalar(auth, "login_after_failures", a.login_after_failures);
      read_list(auth, "ignore_addresses", a.ignore_addresses);
      for (const auto& e : a.ignore_addresses)
        if (!parse_prefix(e))
          throw std::runtime_error("config: auth.ignore_addresses: \"" + e +
                                   "\" is not an address or prefix (192.0.2.10, 2001:db8::/32)");
      if (a.max_failures < 1 || a.max_failures > 1000)
        throw std::runtime_error("config: auth.max_failures must be 1..1000");
      if (a.login_after_failures < 1 || a.login_after_failures > 1000)
        throw std::runtime_error("config: auth.login_after_failures must be 1..1000");
      if (a.window_s < 1 || a.window_s > 31 * 86400)
        throw std::runtime_error("config: auth.window_s must be 1..2678400");
    }
    if (const YAML::Node network = root["network"]) {
      if (!network.IsMap()) throw std::runtime_error("config: network must be a mapping");
      read_list(network, "expected_listeners", config.network.expected_listeners);
      for (const auto& e : config.network.expected_listeners) {
        const auto slash = e.rfind('/');
        const auto colon = e.rfind(':', slash);
        const std::string port = e.substr(
            colon == std::string::npos ? 0 : colon + 1,
            slash == std::string::npos ? std::string::npos
                                       : slash - (colon == std::string::npos ? 0 : colon + 1));
        const std::string proto = slash == std::string::npos ? "" : e.substr(slash + 1);
        if (port.empty() || port.size() > 5 ||
            port.find_first_not_of("0123456789") != std::string::npos ||
            (proto != "tcp" && proto != "udp"))
          throw std::runtime_error(
              "config: network.expected_listeners: \"" + e +
              "\" is not PORT/PROTO or PROGRAM:PORT/PROTO (e.g. nginx:443/tcp)");
      }
    }
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(std::string("config: ") + e.what());
  }
  return config;
}

Config load_config(const std::string& path, bool required) {
  std::ifstream in(path);
  if (!in) {
    if (required) throw std::runtime_error("cannot read config file " + path);
    return Config{};
  }
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return parse_config(text.str());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

bool listener_expected(const std::string& entry, const std::string& program, int port,
                       const std::string& proto) {
  const auto slash = entry.rfind('/');
  if (slash == std::string::npos || entry.substr(slash + 1) != proto) return false;
  const auto colon = entry.rfind(':', slash);
  const std::string port_text = colon == std::string::npos
                                    ? entry.substr(0, slash)
                                    : entry.substr(colon + 1, slash - colon - 1);
  if (port_text != std::to_string(port)) return false;
  return colon == std::string::npos || glob_match(entry.substr(0, colon), program);
}

bool glob_match(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

}  // namespace hostward

#include "integration/firewall_topology.h"

#include <unistd.h>

#include <fstream>
#include <thread>

namespace hostward::itest {

Topology::Topology() {
  suffix_ = std::to_string(getpid());
  inet_ = "hw-inet-" + suffix_;
  host_ = "hw-host-" + suffix_;
  ctr_ = "hw-ctr-" + suffix_;
}

bool Topology::create() {
  tmp_ = std::make_unique<TempDir>();
  const std::string a = "hwa" + suffix_, b = "hwb" + suffix_, c = "hwc" + suffix_,
                    d = "hwd" + suffix_;
  const std::vector<std::vector<std::string>> steps = {
      {"ip", "netns", "add", inet_},
      {"ip", "netns", "add", host_},
      {"ip", "netns", "add", ctr_},
      {"ip", "link", "add", a, "type", "veth", "peer", "name", b},
      {"ip", "link", "set", a, "netns", inet_},
      {"ip", "link", "set", b, "netns", host_},
      {"ip", "link", "add", c, "type", "veth", "peer", "name", d},
      {"ip", "link", "set", c, "netns", ctr_},
      {"ip", "link", "set", d, "netns", host_},
      {"ip", "-n", inet_, "link", "set", a, "name", "eth0"},
      {"ip", "-n", host_, "link", "set", b, "name", "eth0"},
      {"ip", "-n", ctr_, "link", "set", c, "name", "eth0"},
      {"ip", "-n", host_, "link", "set", d, "name", "vethctr"},
      {"ip", "-n", host_, "link", "add", "docker0", "type", "bridge"},
      {"ip", "-n", host_, "link", "set", "vethctr", "master", "docker0"},
      {"ip", "-n", inet_, "addr", "add", "203.0.113.2/24", "dev", "eth0"},
      {"ip", "-n", inet_, "addr", "add", "192.0.2.2/24", "dev", "eth0"},
      {"ip", "-n", inet_, "addr", "add", "2001:db8:1::2/64", "dev", "eth0", "nodad"},
      {"ip", "-n", host_, "addr", "add", "203.0.113.1/24", "dev", "eth0"},
      {"ip", "-n", host_, "addr", "add", "2001:db8:1::1/64", "dev", "eth0", "nodad"},
      {"ip", "-n", host_, "addr", "add", "198.51.100.1/24", "dev", "docker0"},
      {"ip", "-n", ctr_, "addr", "add", "198.51.100.2/24", "dev", "eth0"},
  };
  for (const auto& s : steps) {
    const auto r = run_command(s);
    if (r.exit_code != 0) {
      error_ = "ip";
      for (size_t i = 1; i < s.size() && i < 6; ++i) error_ += " " + s[i];
      error_ += ": " + r.err;
      return false;
    }
  }
  for (const auto& ns : {inet_, host_, ctr_}) {
    run_command({"ip", "-n", ns, "link", "set", "lo", "up"});
    run_command({"ip", "-n", ns, "link", "set", "eth0", "up"});
  }
  run_command({"ip", "-n", host_, "link", "set", "docker0", "up"});
  run_command({"ip", "-n", host_, "link", "set", "vethctr", "up"});
  run_command({"ip", "-n", ctr_, "route", "add", "default", "via", "198.51.100.1"});
  run_command({"ip", "-n", host_, "route", "add", "192.0.2.0/24", "via", "203.0.113.2"});
  const auto fwd =
      run_command({"ip", "netns", "exec", host_, "sysctl", "-qw", "net.ipv4.ip_forward=1"});
  if (fwd.exit_code != 0) {
    error_ = "sysctl ip_forward: " + fwd.err;
    return false;
  }
  return true;
}

Topology::~Topology() {
  listeners_.clear();
  for (const auto& ns : {inet_, host_, ctr_}) run_command({"ip", "netns", "del", ns});
}

bool Topology::listen(const std::string& ns, const std::vector<std::string>& addr_ports) {
  std::vector<std::string> argv = {"ip", "netns", "exec", ns, helper("hw_listen")};
  argv.insert(argv.end(), addr_ports.begin(), addr_ports.end());
  const char* ip = ::access("/usr/sbin/ip", X_OK) == 0 ? "/usr/sbin/ip" : "/bin/ip";
  listeners_.push_back(std::make_unique<Spawned>(ip, argv));
  const std::string last_port = addr_ports.back();
  return wait_until([&] {
    const auto r = run_command({"ip", "netns", "exec", ns, "ss", "-Htln"});
    return r.out.find(":" + last_port + " ") != std::string::npos;
  });
}

bool Topology::load_rules(const std::string& rules, bool ipv6) {
  const std::string path = tmp_->path() + (ipv6 ? "/rules6" : "/rules4");
  std::ofstream(path) << rules;
  const auto r = run_command(
      {"ip", "netns", "exec", host_, ipv6 ? "ip6tables-restore" : "iptables-restore", path});
  if (r.exit_code != 0) error_ = r.err;
  return r.exit_code == 0;
}

std::string Topology::connect(const std::string& addr, int port, const std::string& source) const {
  std::vector<std::string> argv = {"ip", "netns", "exec", inet_, helper("hw_connect")};
  if (!source.empty()) {
    argv.push_back("-s");
    argv.push_back(source);
  }
  argv.insert(argv.end(), {addr, std::to_string(port), "1000"});
  const auto r = run_command(argv);
  std::string out = r.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

nlohmann::json Topology::exposure() const {
  const auto r =
      run_command({"ip", "netns", "exec", host_, HOSTWARD_BIN, "exposure", "--format", "json",
                   "--fail-on", "critical", "--docker-socket", tmp_->path() + "/no-docker.sock"});
  if (r.exit_code != 0 && r.exit_code != 1)
    throw std::runtime_error("hostward exposure failed: " + r.err);
  return nlohmann::json::parse(r.out);
}

nlohmann::json exposure_row(const nlohmann::json& report, const std::string& address, int port) {
  for (const auto& row : report.at("exposure"))
    if (row.at("address") == address && row.at("port") == port && row.at("proto") == "tcp")
      return row;
  return nullptr;
}

}  // namespace hostward::itest

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "host/address_scope.h"
#include "hunt/rule_context.h"

namespace hostward::hunt {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "process.miner-indicators",
      Severity::critical,
      {"T1496"},
      "Process looks like a cryptocurrency miner",
      "Stratum URLs, xmrig's flags, known miner names and connections to mining-pool ports are the "
      "marks of the most common payload dropped on exposed hosts, as in the seed.",
      "Capture evidence, contain the whole process tree so no watchdog respawns it, then find the "
      "way in (exposed database, Docker API, SSH) before restoring service."};
  return i;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Found anywhere in an argument: a pool URL.
constexpr std::array<std::string_view, 5> kSchemes = {
    "stratum+tcp://", "stratum+ssl://", "stratum+tls://", "stratum+udp://", "stratum2+tcp://"};
// Options of xmrig and its forks, as a whole argument or FLAG=VALUE.
constexpr std::array<std::string_view, 7> kFlags = {
    "--donate-level",        "--cpu-priority",      "--nicehash",
    "--randomx-mode",        "--randomx-1gb-pages", "--rig-id",
    "--cpu-max-threads-hint"};

bool is_flag(const std::string& arg, std::string_view flag) {
  return arg.compare(0, flag.size(), flag) == 0 &&
         (arg.size() == flag.size() || arg[flag.size()] == '=');
}

bool is_mining_algo(const std::string& v) {
  return v.rfind("rx/", 0) == 0 || v.rfind("cn/", 0) == 0 || v.rfind("cryptonight", 0) == 0 ||
         v.rfind("randomx", 0) == 0;
}

// "pool.minexmr.com:4444", "stratum+tcp://x:3333": a host with "pool" in it and
// a port, not an object file like mm/mempool.o.
bool is_pool_endpoint(const std::string& v) {
  if (v.find("stratum") == 0) return true;
  const size_t colon = v.rfind(':');
  if (colon == std::string::npos || colon + 1 == v.size()) return false;
  for (size_t i = colon + 1; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return false;
  }
  return v.find("pool") != std::string::npos && v.find('/') == std::string::npos;
}

const std::set<std::string>& miner_names() {
  static const std::set<std::string> names = {
      "xmrig",    "xmrig-notls",    "xmr-stak",       "xmr-stak-cpu", "xmr-stak-rx", "minerd",
      "cpuminer", "cpuminer-multi", "kdevtmpfsi",     "kinsing",      "ethminer",    "nbminer",
      "t-rex",    "lolminer",       "phoenixminer",   "cgminer",      "bfgminer",    "sgminer",
      "ccminer",  "nanominer",      "srbminer-multi", "teamredminer", "gminer"};
  return names;
}

std::vector<std::string> cmdline_marks(const ProcessInfo& p) {
  std::vector<std::string> found;
  const auto& argv = p.argv;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string a = lower(argv[i]);
    for (auto scheme : kSchemes) {
      if (a.find(scheme) != std::string::npos) found.emplace_back(scheme);
    }
    for (auto flag : kFlags) {
      if (is_flag(a, flag)) found.emplace_back(flag);
    }
    const std::string next = i + 1 < argv.size() ? lower(argv[i + 1]) : std::string();
    if ((a == "-a" || a == "--algo") && is_mining_algo(next)) found.push_back(a + " " + next);
    if (a.rfind("--algo=", 0) == 0 && is_mining_algo(a.substr(7))) found.push_back(a);
    if ((a == "--coin" && next == "monero") || a == "--coin=monero")
      found.push_back("--coin monero");
    if ((a == "-o" || a == "--url") && is_pool_endpoint(next)) found.push_back(a + " " + next);
    if (a.rfind("--url=", 0) == 0 && is_pool_endpoint(a.substr(6))) found.push_back(a);
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

// Loopback, this host's own addresses, and private, shared (CGNAT) and
// link-local ranges: a pool port there is a service container or a LAN
// service (Selenium on 4444), not the internet.
void run(const RuleContext& ctx, std::vector<Finding>& out) {
  std::map<int, nlohmann::json> pool_connections;
  const std::set<int> ports(ctx.config.miner_pool_ports.begin(), ctx.config.miner_pool_ports.end());
  for (const auto& c : ctx.snap.connections) {
    if (c.pid == 0 || !ports.count(c.remote_port) ||
        host::is_local_or_private(c.remote_addr, ctx.snap.local_addresses)) {
      continue;
    }
    pool_connections[c.pid].push_back(
        {{"remote", fmt::format("{}:{}", c.remote_addr, c.remote_port)}, {"state", c.state}});
  }
  for (const auto& p : ctx.index.all()) {
    if (p.kernel_thread) continue;
    nlohmann::json evidence = nlohmann::json::object();
    const auto marks = cmdline_marks(p);
    if (!marks.empty()) evidence["cmdline_marks"] = marks;
    for (const std::string& name : {lower(p.comm), lower(program_name(p)), lower(argv0_name(p))}) {
      if (miner_names().count(name)) evidence["miner_name"] = name;
    }
    if (auto it = pool_connections.find(p.pid); it != pool_connections.end()) {
      evidence["pool_connections"] = it->second;
    }
    if (evidence.empty()) continue;
    std::string why = evidence.contains("miner_name")      ? "a known miner's name"
                      : evidence.contains("cmdline_marks") ? "miner options on its command line"
                                                           : "a connection to a mining-pool port";
    out.push_back(process_finding(
        ctx, info(), p, fmt::format("{} looks like a cryptocurrency miner: {}", describe(p), why),
        std::move(evidence)));
  }
}

}  // namespace

ProcessRule miner_indicators_rule() { return {info(), run}; }

}  // namespace hostward::hunt

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

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

constexpr std::array<std::string_view, 13> kCmdlineMarks = {
    "stratum+tcp://", "stratum+ssl://", "stratum+tls://", "stratum+udp://", "stratum2+tcp://",
    "--donate-level", "--cpu-priority", "--nicehash",     "--randomx",      "--algo=rx/",
    "--coin=monero",  "cryptonight",    "randomx"};

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
    for (auto mark : kCmdlineMarks) {
      if (a.find(mark) != std::string::npos) found.emplace_back(mark);
    }
    const std::string next = i + 1 < argv.size() ? lower(argv[i + 1]) : std::string();
    if ((a == "-a" || a == "--algo") && next.rfind("rx/", 0) == 0) found.push_back(a + " " + next);
    if ((a == "--coin") && next == "monero") found.push_back("--coin monero");
    if ((a == "-o" || a == "--url") && next.find("pool.") != std::string::npos) {
      found.push_back(a + " " + argv[i + 1]);
    }
    if (a.rfind("--url=", 0) == 0 && a.find("pool.") != std::string::npos) found.push_back(argv[i]);
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

bool is_local(const std::string& addr, const std::vector<std::string>& locals) {
  in_addr v4{};
  if (inet_pton(AF_INET, addr.c_str(), &v4) == 1) {
    const uint32_t a = ntohl(v4.s_addr);
    if ((a >> 24) == 127 || a == 0) return true;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, addr.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6) || IN6_IS_ADDR_UNSPECIFIED(&v6)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127) return true;
  }
  return std::find(locals.begin(), locals.end(), addr) != locals.end();
}

void run(const RuleContext& ctx, std::vector<Finding>& out) {
  std::map<int, nlohmann::json> pool_connections;
  const std::set<int> ports(ctx.config.miner_pool_ports.begin(), ctx.config.miner_pool_ports.end());
  for (const auto& c : ctx.snap.connections) {
    if (c.pid == 0 || !ports.count(c.remote_port) ||
        is_local(c.remote_addr, ctx.snap.local_addresses)) {
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

#include "audit/ufw.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <set>
#include <tuple>

namespace hostward::audit {

namespace {

constexpr size_t kMaxRules = 100000;
constexpr size_t kMaxProblems = 100;         // kept per file
constexpr size_t kMaxReportedProblems = 20;  // reported per file, then a count
constexpr size_t kMaxOpenings = 500;         // findings per file
constexpr size_t kMaxServices = 50000;
constexpr size_t kMaxText = 200;

const RuleInfo& risky_port_info() {
  static const RuleInfo i{
      "config.ufw-allows-risky-port",
      Severity::high,
      {"T1133", "T1190"},
      "ufw lets the whole Internet reach the Docker API or a database port",
      "The seed's sibling hosts had the Docker API ports 2375/2376 open in ufw: an unauthenticated "
      "Docker API is root on the host, and a database open to everyone is the seed's PostgreSQL.",
      "Delete the rule (`sudo ufw status numbered`, then `sudo ufw delete N`; it has an IPv4 and "
      "an IPv6 copy), allow the port only from the one address that needs it (`sudo ufw allow "
      "from ADDRESS to any port PORT proto tcp`), and bind the service to 127.0.0.1. Ports that "
      "Docker publishes bypass ufw: publish them as -p 127.0.0.1:PORT:PORT."};
  return i;
}

// Printable ASCII only (JSON refuses invalid UTF-8; a terminal must not get escapes).
std::string printable(std::string_view s, size_t cap = kMaxText) {
  std::string out;
  for (const char c : s.substr(0, cap)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > cap) out += "...";
  return out;
}

// The length of the whitespace character at `i` as Python's str.isspace()
// sees it (re's \s and str.strip() use it), in UTF-8; 0 when there is none.
size_t space_at(std::string_view s, size_t i) {
  const auto b = [&](size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
  };
  const unsigned c = b(0);
  if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)) return 1;
  if (c == 0xc2 && (b(1) == 0x85 || b(1) == 0xa0)) return 2;
  if (c == 0xe1 && b(1) == 0x9a && b(2) == 0x80) return 3;
  if (c == 0xe2 && b(1) == 0x80 &&
      ((b(2) >= 0x80 && b(2) <= 0x8a) || b(2) == 0xa8 || b(2) == 0xa9 || b(2) == 0xaf))
    return 3;
  if (c == 0xe2 && b(1) == 0x81 && b(2) == 0x9f) return 3;
  if (c == 0xe3 && b(1) == 0x80 && b(2) == 0x80) return 3;
  return 0;
}

size_t skip_spaces(std::string_view s, size_t i) {
  while (i < s.size()) {
    const size_t n = space_at(s, i);
    if (n == 0) break;
    i += n;
  }
  return i;
}

// re.split(r'\s+', text.strip()): the fields, or one empty field for a blank text.
std::vector<std::string_view> python_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = skip_spaces(text, 0);
  while (i < text.size() && fields.size() < 10) {  // 10: "too many" is all ufw asks
    size_t end = i;
    while (end < text.size() && space_at(text, end) == 0) ++end;
    fields.push_back(text.substr(i, end - i));
    i = skip_spaces(text, end);
  }
  if (fields.empty()) fields.push_back({});
  return fields;
}

// Python reads text files with universal newlines: \n, \r\n and a lone \r end a line.
std::vector<std::string_view> python_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal number, nullopt when it is not one or does not fit.
std::optional<unsigned long> number(std::string_view s) {
  if (!all_digits(s)) return std::nullopt;
  unsigned long v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// ASCII approximation of Python's \w (non-ASCII bytes count as word characters).
bool is_word(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || u >= 0x80;
}

// re.search(prefix + r'\w+', s)
bool has_word_after(std::string_view s, std::string_view prefix) {
  for (size_t at = s.find(prefix); at != std::string_view::npos; at = s.find(prefix, at + 1))
    if (at + prefix.size() < s.size() && is_word(s[at + prefix.size()])) return true;
  return false;
}

// str.split(sep)[index], or "" when there are fewer parts.
std::string_view split_part(std::string_view s, char sep, size_t index) {
  for (size_t i = 0; i < index; ++i) {
    const size_t at = s.find(sep);
    if (at == std::string_view::npos) return {};
    s.remove_prefix(at + 1);
  }
  return s.substr(0, s.find(sep));
}

// str.partition(sep)[2]
std::string_view after_first(std::string_view s, char sep) {
  const size_t at = s.find(sep);
  return at == std::string_view::npos ? std::string_view{} : s.substr(at + 1);
}

// --- addresses (ufw.util.valid_address4/6, then iptables' meaning of a /0) ---

struct AddressFacts {
  bool valid = false;
  bool anywhere = false;
  bool loopback = false;
};

AddressFacts check_address4(std::string_view a) {
  if (a.size() > 31 || a.find_first_not_of("0123456789./") != std::string_view::npos) return {};
  const size_t slash = a.find('/');
  const std::string host(a.substr(0, slash));
  unsigned char bytes[4] = {};
  if (inet_pton(AF_INET, host.c_str(), bytes) != 1) return {};
  int prefix = 32;
  if (slash != std::string_view::npos) {
    const std::string_view mask = a.substr(slash + 1);
    if (mask.find('/') != std::string_view::npos) return {};
    if (const auto cidr = number(mask)) {
      if (*cidr > 32) return {};
      prefix = static_cast<int>(*cidr);
    } else {  // dotted quads: four fields of 0-255; only their being all 0 matters here
      if (std::count(mask.begin(), mask.end(), '.') != 3) return {};
      bool zero = true;
      for (size_t i = 0; i < 4; ++i) {
        const auto q = number(split_part(mask, '.', i));
        if (!q || *q > 255) return {};
        zero = zero && *q == 0;
      }
      prefix = zero ? 0 : 8;  // 8: "not /0" is all the rule needs to know
    }
  }
  return {true, prefix == 0, bytes[0] == 127 && prefix >= 8};
}

AddressFacts check_address6(std::string_view a) {
  if (a.size() > 43 || a.find_first_not_of("0123456789abcdef:./") != std::string_view::npos)
    return {};
  const size_t slash = a.find('/');
  const std::string host(a.substr(0, slash));
  unsigned char bytes[16] = {};
  if (inet_pton(AF_INET6, host.c_str(), bytes) != 1) return {};
  int prefix = 128;
  if (slash != std::string_view::npos) {
    const auto cidr = number(a.substr(slash + 1));
    if (!cidr || *cidr > 128) return {};
    prefix = static_cast<int>(*cidr);
  }
  static const unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return {true, prefix == 0, prefix == 128 && std::equal(bytes, bytes + 16, kLoopback)};
}

// UFWRule.set_src/set_dst then _fix_anywhere for the file's family.
std::optional<AddressFacts> set_address(std::string_view written, bool v6, std::string& out) {
  out = lowercase(std::string(written));
  AddressFacts facts;
  if (out == "any") {
    facts = {true, true, false};
  } else {
    facts = check_address4(out);
    if (!facts.valid) facts = check_address6(out);
    if (!facts.valid) return std::nullopt;
  }
  if (out == "any" || out == "0.0.0.0/0" || out == "::/0") out = v6 ? "::/0" : "0.0.0.0/0";
  return facts;
}

// --- ports (UFWRule.set_port) ---

std::optional<UfwPorts> parse_ports(std::string_view port, const ServicePorts& services) {
  UfwPorts p;
  if (port == "any") return p;
  p.any = false;
  if (port.empty() || port[0] == ',' || port[0] == ':') return std::nullopt;
  if (std::count(port.begin(), port.end(), ',') + std::count(port.begin(), port.end(), ':') > 14)
    return std::nullopt;  // iptables' multiport limit
  size_t start = 0;
  while (start <= port.size()) {
    const size_t comma = std::min(port.find(',', start), port.size());
    const std::string_view piece = port.substr(start, comma - start);
    start = comma + 1;
    const size_t colon = piece.find(':');
    if (colon != std::string_view::npos && all_digits(piece.substr(0, colon)) &&
        all_digits(piece.substr(colon + 1))) {
      const auto lo = number(piece.substr(0, colon)), hi = number(piece.substr(colon + 1));
      if (!lo || !hi || *lo < 1 || *hi > 65535 || *lo >= *hi) return std::nullopt;
      p.ranges.emplace_back(static_cast<int>(*lo), static_cast<int>(*hi));
    } else if (all_digits(piece)) {
      const auto n = number(piece);
      if (!n || *n < 1 || *n > 65535) return std::nullopt;
      p.ranges.emplace_back(static_cast<int>(*n), static_cast<int>(*n));
    } else if (piece.size() >= 2 && is_word(piece[0]) &&
               (is_word(piece[1]) || piece[1] == '-')) {  // a service name
      const auto it = services.find(piece);
      if (it == services.end()) return std::nullopt;
      p.ranges.emplace_back(it->second, it->second);
    } else {
      return std::nullopt;
    }
  }
  return p;
}

// --- interfaces (UFWRule.set_interface) ---

bool valid_interface(std::string_view name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x80 &&
           (std::isalnum(u) || std::string_view("_-.+,=%@").find(c) != std::string_view::npos);
  });
}

// Loopback, and the interfaces of VPNs, tunnels, containers and VMs: a rule
// bound to one admits no one from the outside. iptables' "name+" matches
// every interface that begins with name, so it counts only when that prefix
// itself is one of these.
bool internal_interface(std::string_view name) {
  static constexpr std::string_view kPrefixes[] = {"tailscale", "wg",      "tun",   "tap",
                                                   "docker",    "br-",     "virbr", "zt",
                                                   "cni",       "flannel", "cali",  "veth"};
  if (name == "lo") return true;
  if (!name.empty() && name.back() == '+') name.remove_suffix(1);
  return std::any_of(std::begin(kPrefixes), std::end(kPrefixes),
                     [name](std::string_view p) { return name.substr(0, p.size()) == p; });
}

bool known_protocol(std::string_view p) {
  static const std::set<std::string_view> kProtocols = {"any", "tcp",  "udp", "ipv6", "esp",
                                                        "ah",  "igmp", "gre", "vrrp"};
  return kProtocols.count(p) != 0;
}

std::string unescape_app(std::string_view app) {
  if (app == "-") return {};
  std::string out;
  for (size_t i = 0; i < app.size(); ++i) {
    if (app.substr(i, 3) == "%20") {
      out += ' ';
      i += 2;
    } else {
      out += app[i];
    }
  }
  return printable(out, 64);
}

std::string decode_comment(std::string_view hex) {
  std::string text;
  for (size_t i = 0; i + 1 < hex.size() && text.size() < kMaxText; i += 2) {
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
    if (ec != std::errc() || end != hex.data() + i + 2) return {};
    text += static_cast<char>(v);
  }
  return printable(text);
}

// The direction and interfaces field of a 7 or 9 field tuple, as _read_rules splits it.
std::optional<std::string> read_direction_field(std::string_view last, UfwRule& r) {
  r.direction = std::string(split_part(last, '_', 0));
  if (last.find('_') == std::string_view::npos) return std::nullopt;
  if (last.find('!') != std::string_view::npos && has_word_after(last, "in_") &&
      has_word_after(last, "out_")) {  // in_eth0!out_docker0
    r.interface_in = std::string(after_first(split_part(last, '!', 0), '_'));
    r.interface_out = std::string(after_first(split_part(last, '!', 1), '_'));
  } else if (last.substr(0, 3) == "in_") {
    r.interface_in = std::string(after_first(last, '_'));
  } else if (last.substr(0, 4) == "out_") {
    r.interface_out = std::string(after_first(last, '_'));
  } else {
    return "bad interface field";
  }
  return std::nullopt;
}

// UFWRule(action, ...) with its setters' checks; the reason ufw skips it, or nullopt.
std::optional<std::string> read_tuple(std::string_view tuple, bool v6, const ServicePorts& services,
                                      UfwRule& r) {
  const auto f = python_fields(tuple);
  if (f.size() < 6 || f.size() > 9)
    return fmt::format("{} fields where ufw writes 6 to 9",
                       f.size() > 9 ? "more than 9" : std::to_string(f[0].empty() ? 0 : f.size()));
  r.direction = "in";  // the 6 and 8 field form of older ufw
  if (f.size() == 7 || f.size() == 9)
    if (auto why = read_direction_field(f.back(), r)) return why;
  std::string_view action = f[0];
  if (action.find(':') != std::string_view::npos) {
    r.route = true;
    action = split_part(action, ':', 1);
  }
  const std::string lowered = lowercase(std::string(action));
  const std::string_view verb = split_part(lowered, '_', 0);
  r.action = (verb == "allow" || verb == "reject" || verb == "limit") ? std::string(verb) : "deny";
  r.logtype = std::string(split_part(lowered, '_', 1));
  if (!r.logtype.empty() && r.logtype != "log" && r.logtype != "log-all") return "bad log type";
  if (!known_protocol(f[1])) return fmt::format("unsupported protocol '{}'", printable(f[1], 16));
  r.protocol = std::string(f[1]);
  const auto dports = parse_ports(f[2], services);
  if (!dports) return fmt::format("bad port '{}'", printable(f[2], 32));
  const auto sports = parse_ports(f[4], services);
  if (!sports) return fmt::format("bad source port '{}'", printable(f[4], 32));
  r.dports = *dports;
  r.sports = *sports;
  r.dport = std::string(f[2]);
  r.sport = std::string(f[4]);
  const auto src = set_address(f[5], v6, r.src);
  if (!src) return "bad source address";
  const auto dst = set_address(f[3], v6, r.dst);
  if (!dst) return "bad destination address";
  r.src_anywhere = src->anywhere;
  r.dst_anywhere = dst->anywhere;
  r.dst_loopback = dst->loopback;
  if (r.direction != "in" && r.direction != "out") return "unsupported direction";
  if (f.size() >= 8) {
    r.dapp = unescape_app(f[6]);
    r.sapp = unescape_app(f[7]);
  }
  if ((!r.interface_in.empty() && !valid_interface(r.interface_in)) ||
      (!r.interface_out.empty() && !valid_interface(r.interface_out)))
    return "bad interface name";
  return std::nullopt;
}

constexpr std::string_view kTupleMark = "### tuple ###";

// iptables-restore's reading, only where it surely fails: a line outside a
// table, a line in a table that is neither a chain, a command nor COMMIT, a
// table never committed. Blank and '#' lines are skipped as it skips them.
void check_restore_syntax(const std::vector<std::string_view>& lines, UfwRulesFile& out) {
  bool in_table = false;
  int table_line = 0;
  auto reject = [&](int line, std::string what) {
    if (out.restore.empty()) out.restore.push_back({line, std::move(what)});
  };
  for (size_t i = 0; i < lines.size() && out.restore.empty(); ++i) {
    const std::string_view line = lines[i];
    const int number = static_cast<int>(i + 1);
    const size_t end = line.find_last_not_of(" \t\r\f\v");
    if (line.empty() || line[0] == '#' || end == std::string_view::npos) continue;
    const std::string_view trimmed = line.substr(0, end + 1);
    if (!in_table) {
      if (line[0] == '*') {
        in_table = true;
        table_line = number;
      } else {
        reject(number, "a line outside a table");
      }
    } else if (trimmed == "COMMIT") {
      in_table = false;
    } else if (line[0] != ':' && line[0] != '-') {
      reject(number, line[0] == '*' ? "a new table before COMMIT" : "neither a chain nor a rule");
    }
  }
  if (in_table) reject(table_line, "the table is never committed (ufw: looks truncated)");
}

std::string fmt_port_label(int port, const std::string& protocol) {
  return protocol == "any" ? std::to_string(port) : fmt::format("{}/{}", port, protocol);
}

}  // namespace

bool UfwPorts::contains(int port) const {
  if (any) return true;
  return std::any_of(ranges.begin(), ranges.end(),
                     [port](const auto& r) { return port >= r.first && port <= r.second; });
}

ServicePorts parse_etc_services(std::string_view text) {
  ServicePorts out;
  size_t start = 0;
  while (start < text.size() && out.size() < kMaxServices) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    line = line.substr(0, line.find('#'));
    std::vector<std::string_view> words;
    for (size_t i = 0; i < line.size() && words.size() < 32;) {
      i = line.find_first_not_of(" \t\r", i);
      if (i == std::string_view::npos) break;
      const size_t stop = std::min(line.find_first_of(" \t\r", i), line.size());
      words.push_back(line.substr(i, stop - i));
      i = stop;
    }
    if (words.size() < 2) continue;
    const auto port = number(words[1].substr(0, words[1].find('/')));
    if (!port || *port < 1 || *port > 65535) continue;
    out.emplace(std::string(words[0]), static_cast<int>(*port));  // the first entry wins
    for (size_t i = 2; i < words.size(); ++i)
      out.emplace(std::string(words[i]), static_cast<int>(*port));
  }
  return out;
}

UfwRulesFile parse_ufw_rules(std::string_view text, bool v6, const ServicePorts& services) {
  UfwRulesFile out;
  const auto lines = python_lines(text);
  check_restore_syntax(lines, out);
  auto malformed = [&](int line, std::string message) {
    if (out.malformed.size() < kMaxProblems) out.malformed.push_back({line, std::move(message)});
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    const int number = static_cast<int>(i + 1);
    // _read_rules: `line, hex = orig_line.split(' comment=')` on every line
    // before looking for a tuple; a second ' comment=' stops ufw with a traceback.
    std::string_view hex;
    if (const size_t at = line.find(" comment="); at != std::string_view::npos) {
      if (line.find(" comment=", at + 1) != std::string_view::npos)
        malformed(number,
                  "more than one ' comment=' (ufw's own commands stop with an error "
                  "on this file)");
      hex = line.substr(at + 9);
      hex = hex.substr(0, hex.find(" comment="));
      line = line.substr(0, at);
    }
    if (line.substr(0, kTupleMark.size()) != kTupleMark) continue;
    if (out.rules.size() >= kMaxRules) {
      malformed(number, "more tuples than hostward judges; the rest are not judged");
      break;
    }
    const std::string_view tuple = line.substr(skip_spaces(line, kTupleMark.size()));
    UfwRule rule;
    if (const auto why = read_tuple(tuple, v6, services, rule)) {
      malformed(number, fmt::format("not a ufw rule tuple (ufw skips it: {})", *why));
      continue;
    }
    rule.line = number;
    rule.tuple = printable(tuple);
    const size_t h = skip_spaces(hex, 0);
    rule.comment = decode_comment(hex.substr(h, hex.find_last_not_of(" \t\r\f\v") + 1 - h));
    out.rules.push_back(std::move(rule));
  }
  return out;
}

const std::vector<RiskyService>& risky_services() {
  // The Docker API and the stores that ship without authentication or with
  // a history of pre-auth exploits, on the ports their projects assign.
  // Left out on purpose: 7000/7001 (Cassandra's internode ports, but also
  // AirPlay and WebLogic) and 6380 (a second Redis by convention only): a
  // finding there would be a guess at the service.
  static const std::vector<RiskyService> kServices = {
      {2375, "Docker API", Severity::critical, false},  // plain HTTP: root for anyone
      {2376, "Docker API over TLS", Severity::high, false},
      {2377, "Docker swarm manager", Severity::high, false},
      {1433, "Microsoft SQL Server", Severity::high, false},
      {1521, "Oracle database listener", Severity::high, false},
      {2379, "etcd", Severity::high, false},
      {3306, "MySQL", Severity::high, false},
      {5432, "PostgreSQL", Severity::high, false},
      {5984, "CouchDB", Severity::high, false},
      {6379, "Redis", Severity::high, false},
      {8086, "InfluxDB", Severity::high, false},
      {8529, "ArangoDB", Severity::high, false},
      {9042, "Cassandra", Severity::high, false},
      {9200, "Elasticsearch", Severity::high, false},
      {9300, "Elasticsearch transport", Severity::high, false},
      {11211, "memcached", Severity::high, true},
      {26257, "CockroachDB", Severity::high, false},
      {27017, "MongoDB", Severity::high, false},
      {27018, "MongoDB shard", Severity::high, false},
      {27019, "MongoDB config server", Severity::high, false},
      {33060, "MySQL X Protocol", Severity::high, false},
  };
  return kServices;
}

std::vector<UfwOpening> risky_openings(const UfwRulesFile& file) {
  // A deny or reject from anywhere, any source port, shields a later allow
  // of the same port and transport in the same chain when its destination
  // and interfaces are no narrower than the allow's. Addresses are compared
  // as written (ufw normalises what it writes), so an equivalent spelling
  // shields nothing here: that errs toward reporting.
  using ShieldKey = std::tuple<bool, std::string, std::string, std::string>;
  std::vector<UfwOpening> out;
  for (const auto& service : risky_services()) {
    std::map<size_t, std::vector<std::string>> open;  // rule -> transports
    for (const std::string transport : {"tcp", "udp"}) {
      if (transport == "udp" && !service.udp) continue;
      std::set<ShieldKey> shields;
      for (size_t i = 0; i < file.rules.size(); ++i) {
        const UfwRule& r = file.rules[i];
        if (!r.route && r.direction != "in") continue;  // outgoing traffic
        if ((r.protocol != "any" && r.protocol != transport) || !r.dports.contains(service.port))
          continue;
        const std::string dst = r.dst_anywhere ? "*" : r.dst;
        if (r.action == "deny" || r.action == "reject") {
          if (r.src_anywhere && r.sports.any)
            shields.emplace(r.route, dst, r.interface_in, r.interface_out);
          continue;
        }
        // The client picks its source port: a source port match still lets it in.
        // An inbound interface of the host's own (lo, tailscale0, docker0) is not the outside.
        if (!r.src_anywhere || r.dst_loopback || internal_interface(r.interface_in)) continue;
        bool shielded = false;
        for (const std::string& d : {std::string("*"), dst})
          for (const std::string& in : {std::string(), r.interface_in})
            for (const std::string& o : {std::string(), r.interface_out})
              shielded = shielded || shields.count({r.route, d, in, o}) != 0;
        if (!shielded) open[i].push_back(transport);
      }
    }
    for (auto& [rule, transports] : open) out.push_back({rule, &service, std::move(transports)});
  }
  std::sort(out.begin(), out.end(), [](const UfwOpening& a, const UfwOpening& b) {
    return std::tie(a.rule, a.service->port) < std::tie(b.rule, b.service->port);
  });
  return out;
}

std::map<std::string, ShellAssignment> parse_shell_assignments(std::string_view text) {
  std::map<std::string, ShellAssignment> out;
  size_t start = 0;
  for (int number = 1; start < text.size(); ++number) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    line.remove_prefix(std::min(line.find_first_not_of(" \t"), line.size()));
    if (line.substr(0, 7) == "export " || line.substr(0, 7) == "export\t")
      line.remove_prefix(std::min(line.find_first_not_of(" \t", 7), line.size()));
    const size_t eq = line.find('=');
    if (eq == 0 || eq == std::string_view::npos ||
        std::isdigit(static_cast<unsigned char>(line[0])))
      continue;
    const std::string_view name = line.substr(0, eq);
    if (!std::all_of(name.begin(), name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        }))
      continue;
    // One shell word: quotes removed, a backslash escaping the next character.
    std::string value;
    char quote = 0;
    for (size_t i = eq + 1; i < line.size() && value.size() < 256; ++i) {
      const char c = line[i];
      if (quote == '\'') {
        if (c == '\'')
          quote = 0;
        else
          value += c;
      } else if (quote == '"') {
        if (c == '"')
          quote = 0;
        else if (c == '\\' && i + 1 < line.size() &&
                 std::string_view("\"\\$`").find(line[i + 1]) != std::string_view::npos)
          value += line[++i];
        else
          value += c;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '\\' && i + 1 < line.size()) {
        value += line[++i];
      } else if (std::string_view(" \t;&|").find(c) != std::string_view::npos) {
        break;
      } else {
        value += c;
      }
    }
    out[std::string(name)] = {std::move(value), number};
  }
  return out;
}

UfwSettings read_ufw_settings(const ConfigFiles& files) {
  UfwSettings s;
  const std::string conf_path = "/etc/ufw/ufw.conf", defaults_path = "/etc/default/ufw";
  const auto conf = files.read(conf_path);
  if (!conf) return s;
  s.installed = true;
  const auto defaults = files.read(defaults_path);
  // ufw-init sources /etc/default/ufw, then ufw.conf: the later assignment wins.
  const auto from_conf = parse_shell_assignments(*conf);
  const auto from_defaults = parse_shell_assignments(defaults.value_or(""));
  auto lookup = [&](const std::string& name) -> std::optional<std::pair<std::string, std::string>> {
    if (const auto it = from_conf.find(name); it != from_conf.end())
      return std::pair{it->second.value, conf_path + ":" + std::to_string(it->second.line)};
    if (const auto it = from_defaults.find(name); it != from_defaults.end())
      return std::pair{it->second.value, defaults_path + ":" + std::to_string(it->second.line)};
    return std::nullopt;
  };
  if (const auto enabled = lookup("ENABLED")) {
    s.enabled = enabled->first == "yes" || enabled->first == "YES";
    s.enabled_by = enabled->second;
  }
  if (const auto ipv6 = lookup("IPV6")) {
    s.ipv6 = ipv6->first == "yes" || ipv6->first == "YES";
  } else {
    // Unset: ufw-init skips user6.rules. No /etc/default/ufw at all is an
    // offline tree that left it out (ufw ships it with IPV6=yes).
    s.ipv6 = !defaults;
  }
  return s;
}

namespace {

std::string delete_command(const UfwRule& r) {
  const auto any = [](const std::string& a) { return a == "0.0.0.0/0" || a == "::/0"; };
  const bool simple = !r.route && r.direction == "in" && any(r.dst) && any(r.src) && r.sports.any &&
                      r.interface_in.empty() && r.interface_out.empty() && r.dapp.empty() &&
                      r.sapp.empty() && !r.dports.any;
  if (!simple) return {};
  return fmt::format("sudo ufw delete {}{} {}{}", r.action,
                     r.logtype.empty() ? "" : " " + r.logtype, printable(r.dport, 64),
                     r.protocol == "any" ? "" : "/" + r.protocol);
}

nlohmann::json opening_evidence(const UfwRule& r, const UfwOpening& o, bool v6,
                                const UfwSettings& settings) {
  nlohmann::json e = {{"tuple", r.tuple},
                      {"action", r.action},
                      {"route", r.route},
                      {"protocol", r.protocol},
                      {"dport", printable(r.dport, 100)},
                      {"dst", printable(r.dst, 64)},
                      {"sport", printable(r.sport, 100)},
                      {"src", printable(r.src, 64)},
                      {"direction", r.direction},
                      {"port", o.service->port},
                      {"service", std::string(o.service->name)},
                      {"transports", o.transports},
                      {"family", v6 ? "ipv6" : "ipv4"},
                      {"enabled_by", settings.enabled_by}};
  if (!r.logtype.empty()) e["logtype"] = r.logtype;
  if (!r.interface_in.empty()) e["interface_in"] = printable(r.interface_in, 16);
  if (!r.interface_out.empty()) e["interface_out"] = printable(r.interface_out, 16);
  if (!r.dapp.empty()) e["dapp"] = r.dapp;
  if (!r.sapp.empty()) e["sapp"] = r.sapp;
  if (!r.comment.empty()) e["comment"] = r.comment;
  return e;
}

Finding opening_finding(const AuditInput& in, const std::string& path, const UfwRule& r,
                        const UfwOpening& o, bool v6, const UfwSettings& settings) {
  const std::string label = fmt_port_label(o.service->port, r.protocol);
  const std::string title = fmt::format(
      "ufw {} {} ({}) from anywhere{}{}", r.route ? "forwards" : "allows", label, o.service->name,
      r.interface_in.empty() ? "" : " on " + printable(r.interface_in, 16), v6 ? " (IPv6)" : "");
  Finding f =
      make_finding(risky_port_info(), o.service->severity, title,
                   {{"kind", "config"}, {"path", path}, {"line", r.line}, {"setting", "ufw rule"}},
                   opening_evidence(r, o, v6, settings), in.hostname,
                   fmt::format("{}:{}\n{}/{}", path, r.line, o.service->port, r.protocol));
  const std::string del = delete_command(r);
  const int port = o.service->port;
  const bool docker_api = port >= 2375 && port <= 2377;
  f.remediation = fmt::format(
      "Delete the rule: {}. If one client needs port {}, allow only it: `sudo ufw allow from "
      "ADDRESS to any port {} proto {}`. {}",
      del.empty() ? "find it with `sudo ufw status numbered`, then `sudo ufw delete N` (an IPv6 "
                    "copy has its own number)"
                  : "`" + del + "` (it removes the IPv4 and IPv6 copies)",
      port, port, o.transports.front(),
      docker_api ? "Make dockerd listen on its unix socket only (drop tcp:// from -H and from "
                   "daemon.json hosts); reach it remotely over ssh:// instead."
                 : fmt::format("Bind the service to 127.0.0.1; a container port Docker publishes "
                               "bypasses ufw, so publish it as -p 127.0.0.1:{0}:{0}.",
                               port));
  return f;
}

void report_problems(const std::string& path, const std::vector<UfwProblem>& problems,
                     AuditResult& out) {
  for (size_t i = 0; i < problems.size() && i < kMaxReportedProblems; ++i)
    out.errors.push_back(
        {"config", fmt::format("{}:{}: {}", path, problems[i].line, problems[i].message)});
  if (problems.size() > kMaxReportedProblems)
    out.errors.push_back({"config", fmt::format("{}: {} more lines ufw cannot read", path,
                                                problems.size() - kMaxReportedProblems)});
}

void judge_rules_file(const AuditInput& in, AuditResult& out, const std::string& path, bool v6,
                      const ServicePorts& services, const UfwSettings& settings) {
  const auto text = in.files.read(path);
  if (!text) {
    if (!v6)
      out.errors.push_back(
          {"config", path + ": missing while ufw is enabled (ufw-init loads no user rules)"});
    return;
  }
  const UfwRulesFile file = parse_ufw_rules(*text, v6, services);
  for (const auto& p : file.restore)
    out.errors.push_back(
        {"config", fmt::format("{}:{}: iptables-restore rejects this file ({}); ufw-init loads "
                               "none of its rules until it is fixed (its tuples are judged as "
                               "written)",
                               path, p.line, p.message)});
  report_problems(path, file.malformed, out);
  const auto openings = risky_openings(file);
  for (size_t i = 0; i < openings.size() && i < kMaxOpenings; ++i)
    out.findings.push_back(
        opening_finding(in, path, file.rules[openings[i].rule], openings[i], v6, settings));
  if (openings.size() > kMaxOpenings)
    out.errors.push_back({"config", fmt::format("{}: {} more risky openings not reported", path,
                                                openings.size() - kMaxOpenings)});
}

}  // namespace

void ufw_register(RuleCatalog& catalog) { catalog.add(risky_port_info()); }

void ufw_rules(const AuditInput& in, AuditResult& out) {
  const std::string& id = risky_port_info().id;
  const UfwSettings settings = read_ufw_settings(in.files);
  if (!settings.installed) {
    out.not_applicable(id, "ufw is not installed (no /etc/ufw/ufw.conf)");
    return;
  }
  if (!settings.enabled) {
    out.not_applicable(id, "ufw is installed but not enabled");
    return;
  }
  out.judged(id);
  const ServicePorts services = parse_etc_services(in.files.read("/etc/services").value_or(""));
  judge_rules_file(in, out, "/etc/ufw/user.rules", false, services, settings);
  if (settings.ipv6) judge_rules_file(in, out, "/etc/ufw/user6.rules", true, services, settings);
}

}  // namespace hostward::audit

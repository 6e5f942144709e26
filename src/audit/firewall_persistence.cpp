#include "audit/firewall_persistence.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <strings.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <map>
#include <sstream>
#include <utility>

#include "audit/modules.h"
#include "audit/systemd_unit.h"
#include "audit/ufw.h"

namespace hostward::audit {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "config.firewall-not-persistent",
      Severity::medium,
      {"T1562.004"},
      "the live firewall rules are not the ones loaded at boot",
      "The seed's build agent had rules typed by hand and nothing saved: the next reboot "
      "(or a crash) opens every port they closed, silently.",
      "Save what runs and load it at boot: `apt install iptables-persistent` then "
      "`netfilter-persistent save` (or keep the rules in /etc/nftables.conf with nftables.service "
      "enabled, or manage them with ufw); after every change, save again."};
  return i;
}

constexpr size_t kMaxWords = 4096;               // per rule line
constexpr size_t kMaxRules = 100000;             // per ruleset
constexpr size_t kMaxExpansions = 256;           // rules one line with address lists makes
constexpr size_t kMaxCanonicalBytes = 64 << 20;  // bytes of canonical rules, per ruleset
constexpr size_t kMaxShownRule = 1024;           // a saved rule as written, in evidence
constexpr size_t kMaxIncludes = 1024;            // include statements followed, per configuration
constexpr int kMaxIncludeDepth = 16;             // nft's own limit
constexpr size_t kMaxNftFiles = 128;             // files one nftables configuration reads
constexpr size_t kMaxNftBytes = 16 << 20;        // and their total size

bool starts_with(std::string_view s, std::string_view head) {
  return s.size() >= head.size() && s.compare(0, head.size(), head) == 0;
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string uppercase(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (out.size() < kMaxWords) {
    const size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& words, const char* sep = " ") {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

std::optional<unsigned long> number(const std::string& s, int base = 10) {
  if (s.empty() || s.size() > 20 || s[0] == '-' || s[0] == '+') return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long v = std::strtoul(s.c_str(), &end, base);
  if (errno != 0 || end == s.c_str() || *end != '\0') return std::nullopt;
  return v;
}

// A name of a table like libxtables' (ICMP types, log levels, REJECT
// types): case-insensitive, and an unambiguous abbreviation is accepted.
template <typename T>
std::optional<T> lookup_name(const std::vector<std::pair<const char*, T>>& table,
                             const std::string& name) {
  if (name.empty()) return std::nullopt;
  for (const auto& [n, v] : table)
    if (strcasecmp(n, name.c_str()) == 0) return v;
  for (const auto& [n, v] : table)
    if (strncasecmp(n, name.c_str(), name.size()) == 0) return v;
  return std::nullopt;
}

// --- reading a rule line as iptables-restore does ---

struct Word {
  std::string text;
  bool quoted = false;
};

// Blanks separate words; "double quotes" make one (and end it), and inside
// them a backslash escapes any character. Single quotes are plain characters.
std::vector<Word> restore_words(std::string_view line) {
  std::vector<Word> out;
  Word cur;
  bool in_quotes = false;
  auto finish = [&] {
    if ((!cur.text.empty() || cur.quoted) && out.size() < kMaxWords) out.push_back(std::move(cur));
    cur = {};
  };
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_quotes) {
      if (c == '\\' && i + 1 < line.size()) {
        cur.text += line[++i];
      } else if (c == '"') {
        in_quotes = false;
        finish();
      } else {
        cur.text += c;
      }
    } else if (c == '"') {
      in_quotes = true;
      cur.quoted = true;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      finish();
    } else {
      cur.text += c;
    }
  }
  finish();
  return out;
}

bool is_option(const Word& w) {
  return !w.quoted && w.text.size() >= 2 && w.text[0] == '-' &&
         !std::isdigit(static_cast<unsigned char>(w.text[1]));
}

bool is_bang(const Word& w) { return !w.quoted && w.text == "!"; }

// --- a rule, parsed into its parts ---

struct Option {
  bool negated = false;
  std::string name;
  std::vector<std::string> values;
};

struct Match {
  std::string module;  // "" for options no match claimed
  std::vector<Option> options;
};

struct Rule {
  std::string chain;
  std::vector<Option> core;  // -s -d -i -o -p -f
  std::vector<Match> matches;
  std::string jump;  // "-j" or "-g"
  std::string target;
  std::vector<Option> target_options;
};

const std::string* option_value(const std::vector<Option>& options, std::string_view name) {
  for (const auto& o : options)
    if (o.name == name && !o.values.empty()) return &o.values[0];
  return nullptr;
}

const std::string& short_name(const std::string& name) {
  static const std::map<std::string, std::string, std::less<>> kShort = {
      {"--append", "-A"},
      {"--insert", "-I"},
      {"--source", "-s"},
      {"--src", "-s"},
      {"--destination", "-d"},
      {"--dst", "-d"},
      {"--protocol", "-p"},
      {"--in-interface", "-i"},
      {"--out-interface", "-o"},
      {"--jump", "-j"},
      {"--goto", "-g"},
      {"--match", "-m"},
      {"--fragment", "-f"},
      {"--set-counters", "-c"},
      {"--source-port", "--sport"},
      {"--destination-port", "--dport"},
      {"--source-ports", "--sports"},
      {"--destination-ports", "--dports"}};
  const auto it = kShort.find(name);
  return it == kShort.end() ? name : it->second;
}

bool is_core(const std::string& name) {
  return name == "-s" || name == "-d" || name == "-i" || name == "-o" || name == "-p" ||
         name == "-f";
}

// The match that "-p PROTO" loads by itself when one of its options follows.
std::string protocol_match(const std::string& protocol) {
  return protocol == "ipv6-icmp" ? "icmp6" : protocol;
}

bool protocol_option(const std::string& protocol, const std::string& name) {
  if (protocol == "tcp")
    return name == "--sport" || name == "--dport" || name == "--tcp-flags" || name == "--syn" ||
           name == "--tcp-option";
  if (protocol == "udp" || protocol == "udplite") return name == "--sport" || name == "--dport";
  if (protocol == "sctp") return name == "--sport" || name == "--dport" || name == "--chunk-types";
  if (protocol == "dccp")
    return name == "--sport" || name == "--dport" || name == "--dccp-types" ||
           name == "--dccp-option";
  if (protocol == "icmp") return name == "--icmp-type";
  if (protocol == "ipv6-icmp") return name == "--icmpv6-type";
  return false;
}

// A protocol as iptables-save names it.
std::string canonical_protocol(const std::string& text) {
  static const std::map<unsigned long, std::string> kByNumber = {
      {0, "all"},    {1, "icmp"},       {2, "igmp"},   {4, "ipencap"}, {6, "tcp"},
      {17, "udp"},   {33, "dccp"},      {41, "ipv6"},  {47, "gre"},    {50, "esp"},
      {51, "ah"},    {58, "ipv6-icmp"}, {89, "ospf"},  {94, "ipip"},   {103, "pim"},
      {112, "vrrp"}, {115, "l2tp"},     {132, "sctp"}, {135, "mh"},    {136, "udplite"}};
  const std::string lower = lowercase(text);
  if (const auto n = number(lower)) {
    const auto it = kByNumber.find(*n);
    return it == kByNumber.end() ? lower : it->second;
  }
  if (lower == "icmpv6" || lower == "icmp6") return "ipv6-icmp";
  if (lower == "ipv6-mh") return "mh";
  return lower;
}

// "10.8.0.0/8" as the kernel keeps it: host bits cleared, the mask as a
// prefix length when it is one (a host is /32 or /128), compressed IPv6; ""
// for any address. What is not an address (a host name) stays as written.
std::string canonical_address(const std::string& text) {
  const size_t slash = text.find('/');
  const std::string addr = text.substr(0, slash);
  const bool v6 = addr.find(':') != std::string::npos;
  const int family = v6 ? AF_INET6 : AF_INET;
  const size_t bytes = v6 ? 16 : 4;
  std::array<unsigned char, 16> a{}, mask{};
  if (inet_pton(family, addr.c_str(), a.data()) != 1) return text;
  if (slash == std::string::npos) {
    mask.fill(0xff);
  } else {
    const std::string m = text.substr(slash + 1);
    if (const auto bits = number(m)) {
      if (*bits > bytes * 8) return text;
      for (size_t i = 0; i < *bits; ++i) mask[i / 8] |= static_cast<unsigned char>(0x80 >> (i % 8));
    } else if (inet_pton(family, m.c_str(), mask.data()) != 1) {
      return text;
    }
  }
  size_t prefix = 0;
  bool contiguous = true;
  for (size_t i = 0; i < bytes * 8; ++i) {
    const bool set = mask[i / 8] & (0x80 >> (i % 8));
    if (set && prefix != i) contiguous = false;
    if (set) ++prefix;
  }
  for (size_t i = 0; i < bytes; ++i) a[i] &= mask[i];
  if (contiguous && prefix == 0) return "";
  char buf[INET6_ADDRSTRLEN] = {};
  char mbuf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, a.data(), buf, sizeof buf);
  if (contiguous) return fmt::format("{}/{}", buf, prefix);
  inet_ntop(family, mask.data(), mbuf, sizeof mbuf);
  return fmt::format("{}/{}", buf, mbuf);
}

std::string port_number(const std::string& text, const ServicePorts* services) {
  if (number(text)) return std::to_string(*number(text));
  if (services) {
    const auto it = services->find(text);
    if (it != services->end()) return std::to_string(it->second);
  }
  return text;
}

// "--dport 22:22" is 22, ":1024" is 0:1024, "1024:" is 1024:65535.
std::string port_range(const std::string& text, const ServicePorts* services) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) return port_number(text, services);
  const std::string lo = colon == 0 ? "0" : port_number(text.substr(0, colon), services);
  const std::string hi =
      colon + 1 == text.size() ? "65535" : port_number(text.substr(colon + 1), services);
  return lo == hi ? lo : lo + ":" + hi;
}

std::string port_list(const std::string& text, const ServicePorts* services) {
  std::vector<std::string> out;
  for (const auto& item : split(text, ',')) {
    const size_t colon = item.find(':');
    out.push_back(colon == std::string::npos ? port_number(item, services)
                                             : port_number(item.substr(0, colon), services) + ":" +
                                                   port_number(item.substr(colon + 1), services));
  }
  return join(out, ",");
}

std::string tcp_flags(const std::string& text) {
  static const std::vector<std::pair<const char*, unsigned>> kFlags = {
      {"FIN", 1}, {"SYN", 2}, {"RST", 4}, {"PSH", 8}, {"ACK", 16}, {"URG", 32}};
  unsigned bits = 0;
  for (const auto& f : split(uppercase(text), ',')) {
    if (f == "ALL") {
      bits = 63;
    } else if (f != "NONE") {
      const auto it =
          std::find_if(kFlags.begin(), kFlags.end(), [&](const auto& k) { return f == k.first; });
      if (it == kFlags.end()) return text;
      bits |= it->second;
    }
  }
  std::vector<std::string> names;
  for (const auto& [name, bit] : kFlags)
    if (bits & bit) names.push_back(name);
  return names.empty() ? "NONE" : join(names, ",");
}

// "--icmp-type echo-request" is saved as "8", "port-unreachable" as "3/3".
std::string icmp_type(const std::string& text, bool v6) {
  struct Type {
    int type;
    int code;  // -1: any code
  };
  static const std::vector<std::pair<const char*, Type>> kV4 = {
      {"any", {-1, -1}},
      {"echo-reply", {0, -1}},
      {"pong", {0, -1}},
      {"destination-unreachable", {3, -1}},
      {"network-unreachable", {3, 0}},
      {"host-unreachable", {3, 1}},
      {"protocol-unreachable", {3, 2}},
      {"port-unreachable", {3, 3}},
      {"fragmentation-needed", {3, 4}},
      {"source-route-failed", {3, 5}},
      {"network-unknown", {3, 6}},
      {"host-unknown", {3, 7}},
      {"network-prohibited", {3, 9}},
      {"host-prohibited", {3, 10}},
      {"TOS-network-unreachable", {3, 11}},
      {"TOS-host-unreachable", {3, 12}},
      {"communication-prohibited", {3, 13}},
      {"host-precedence-violation", {3, 14}},
      {"precedence-cutoff", {3, 15}},
      {"source-quench", {4, -1}},
      {"redirect", {5, -1}},
      {"network-redirect", {5, 0}},
      {"host-redirect", {5, 1}},
      {"TOS-network-redirect", {5, 2}},
      {"TOS-host-redirect", {5, 3}},
      {"echo-request", {8, -1}},
      {"ping", {8, -1}},
      {"router-advertisement", {9, -1}},
      {"router-solicitation", {10, -1}},
      {"time-exceeded", {11, -1}},
      {"ttl-exceeded", {11, -1}},
      {"ttl-zero-during-transit", {11, 0}},
      {"ttl-zero-during-reassembly", {11, 1}},
      {"parameter-problem", {12, -1}},
      {"ip-header-bad", {12, 0}},
      {"required-option-missing", {12, 1}},
      {"timestamp-request", {13, -1}},
      {"timestamp-reply", {14, -1}},
      {"address-mask-request", {17, -1}},
      {"address-mask-reply", {18, -1}}};
  static const std::vector<std::pair<const char*, Type>> kV6 = {
      {"destination-unreachable", {1, -1}},
      {"no-route", {1, 0}},
      {"communication-prohibited", {1, 1}},
      {"beyond-scope", {1, 2}},
      {"address-unreachable", {1, 3}},
      {"port-unreachable", {1, 4}},
      {"failed-policy", {1, 5}},
      {"reject-route", {1, 6}},
      {"packet-too-big", {2, -1}},
      {"time-exceeded", {3, -1}},
      {"ttl-exceeded", {3, -1}},
      {"ttl-zero-during-transit", {3, 0}},
      {"ttl-zero-during-reassembly", {3, 1}},
      {"parameter-problem", {4, -1}},
      {"bad-header", {4, 0}},
      {"unknown-header-type", {4, 1}},
      {"unknown-option", {4, 2}},
      {"echo-request", {128, -1}},
      {"ping", {128, -1}},
      {"echo-reply", {129, -1}},
      {"pong", {129, -1}},
      {"router-solicitation", {133, -1}},
      {"router-advertisement", {134, -1}},
      {"neighbour-solicitation", {135, -1}},
      {"neighbor-solicitation", {135, -1}},
      {"neighbour-advertisement", {136, -1}},
      {"neighbor-advertisement", {136, -1}},
      {"redirect", {137, -1}}};
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0]))) return text;
  const auto t = lookup_name(v6 ? kV6 : kV4, text);
  if (!t) return text;
  if (t->type < 0) return "";  // "any": no type match at all
  return t->code < 0 ? std::to_string(t->type) : fmt::format("{}/{}", t->type, t->code);
}

// "--state ESTABLISHED,RELATED" is saved in the kernel's bit order: any one order will do.
std::string state_list(const std::string& text) {
  auto states = split(uppercase(text), ',');
  std::sort(states.begin(), states.end());
  return join(states, ",");
}

// libxt_limit's rate: "5/minute" is saved as "5/min", "60/min" as "1/sec".
std::string limit_rate(const std::string& text) {
  constexpr unsigned long kScale = 10000;
  const size_t slash = text.find('/');
  unsigned long seconds = 1;
  if (slash != std::string::npos) {
    const std::string unit = text.substr(slash + 1);
    const auto prefix_of = [&](const char* word) {
      return !unit.empty() && strncasecmp(word, unit.c_str(), unit.size()) == 0;
    };
    if (prefix_of("second"))
      seconds = 1;
    else if (prefix_of("minute"))
      seconds = 60;
    else if (prefix_of("hour"))
      seconds = 3600;
    else if (prefix_of("day"))
      seconds = 86400;
    else
      return text;
  }
  const auto count = number(text.substr(0, slash));
  if (!count || *count == 0) return text;
  const unsigned long period = kScale * seconds / *count;
  if (period == 0) return text;
  static const std::array<std::pair<const char*, unsigned long>, 4> kRates = {
      {{"day", kScale * 86400}, {"hour", kScale * 3600}, {"min", kScale * 60}, {"sec", kScale}}};
  size_t i = 1;
  for (; i < kRates.size(); ++i)
    if (period > kRates[i].second || kRates[i].second / period < kRates[i].second % period) break;
  return fmt::format("{}/{}", kRates[i - 1].second / period, kRates[i - 1].first);
}

// A mark "1" or "1/0xff" as saved: hexadecimal, no mask when it is all ones.
std::string mark_value(const std::string& text) {
  const auto parts = split(text, '/');
  const auto value = number(parts[0], 0);
  const auto mask =
      parts.size() == 2 ? number(parts[1], 0) : std::optional<unsigned long>(0xffffffff);
  if (!value || !mask || parts.size() > 2) return text;
  return *mask == 0xffffffff ? fmt::format("{:#x}", *value)
                             : fmt::format("{:#x}/{:#x}", *value, *mask);
}

std::optional<int> log_level(const std::string& text) {
  static const std::vector<std::pair<const char*, int>> kLevels = {
      {"alert", 1}, {"crit", 2},   {"debug", 7}, {"emerg", 0},  {"error", 3},
      {"info", 6},  {"notice", 5}, {"panic", 0}, {"warning", 4}};
  if (const auto n = number(text)) return static_cast<int>(*n);
  return lookup_name(kLevels, text);
}

std::string reject_type(const std::string& text, bool v6) {
  static const std::vector<std::pair<const char*, const char*>> kV4 = {
      {"icmp-net-unreachable", "icmp-net-unreachable"},
      {"net-unreach", "icmp-net-unreachable"},
      {"icmp-host-unreachable", "icmp-host-unreachable"},
      {"host-unreach", "icmp-host-unreachable"},
      {"icmp-proto-unreachable", "icmp-proto-unreachable"},
      {"proto-unreach", "icmp-proto-unreachable"},
      {"icmp-port-unreachable", "icmp-port-unreachable"},
      {"port-unreach", "icmp-port-unreachable"},
      {"icmp-net-prohibited", "icmp-net-prohibited"},
      {"net-prohib", "icmp-net-prohibited"},
      {"icmp-host-prohibited", "icmp-host-prohibited"},
      {"host-prohib", "icmp-host-prohibited"},
      {"tcp-reset", "tcp-reset"},
      {"tcp-rst", "tcp-reset"},
      {"icmp-admin-prohibited", "icmp-admin-prohibited"},
      {"admin-prohib", "icmp-admin-prohibited"}};
  static const std::vector<std::pair<const char*, const char*>> kV6 = {
      {"icmp6-no-route", "icmp6-no-route"},
      {"no-route", "icmp6-no-route"},
      {"icmp6-adm-prohibited", "icmp6-adm-prohibited"},
      {"adm-prohibited", "icmp6-adm-prohibited"},
      {"icmp6-addr-unreachable", "icmp6-addr-unreachable"},
      {"addr-unreach", "icmp6-addr-unreachable"},
      {"icmp6-port-unreachable", "icmp6-port-unreachable"},
      {"port-unreach", "icmp6-port-unreachable"},
      {"tcp-reset", "tcp-reset"},
      {"icmp6-policy-fail", "icmp6-policy-fail"},
      {"policy-fail", "icmp6-policy-fail"},
      {"icmp6-reject-route", "icmp6-reject-route"},
      {"reject-route", "icmp6-reject-route"}};
  const auto name = lookup_name(v6 ? kV6 : kV4, text);
  return name ? *name : text;
}

struct Canon {
  bool v6 = false;
  const ServicePorts* services = nullptr;
};

// Sets the option's first value by `f`; an empty result drops the option.
template <typename F>
void rewrite(std::vector<Option>& options, std::string_view name, F f) {
  for (auto& o : options)
    if (o.name == name && !o.values.empty()) o.values[0] = f(o.values[0]);
  std::erase_if(options, [&](const Option& o) {
    return o.name == name && !o.values.empty() && o.values[0].empty();
  });
}

// Drops an option whose values are the default iptables-save leaves out.
void drop_default(std::vector<Option>& options, std::string_view name,
                  const std::vector<std::string>& values) {
  std::erase_if(
      options, [&](const Option& o) { return o.name == name && !o.negated && o.values == values; });
}

void canonical_match(Match& m, const Canon& c) {
  auto& o = m.options;
  const auto& mod = m.module;
  if (mod == "tcp" || mod == "udp" || mod == "sctp" || mod == "dccp" || mod == "udplite") {
    for (const char* name : {"--sport", "--dport"})
      rewrite(o, name, [&](const std::string& v) { return port_range(v, c.services); });
    for (auto& opt : o)
      if (opt.name == "--syn") opt = {opt.negated, "--tcp-flags", {"FIN,SYN,RST,ACK", "SYN"}};
    for (auto& opt : o)
      if (opt.name == "--tcp-flags")
        for (auto& v : opt.values) v = tcp_flags(v);
  } else if (mod == "multiport") {
    for (const char* name : {"--sports", "--dports", "--ports"})
      rewrite(o, name, [&](const std::string& v) { return port_list(v, c.services); });
  } else if (mod == "icmp" || mod == "icmp6") {
    for (const char* name : {"--icmp-type", "--icmpv6-type"})
      rewrite(o, name, [&](const std::string& v) { return icmp_type(v, mod == "icmp6"); });
  } else if (mod == "state" || mod == "conntrack") {
    for (const char* name : {"--state", "--ctstate", "--ctstatus"}) rewrite(o, name, state_list);
  } else if (mod == "limit") {
    if (!option_value(o, "--limit")) o.push_back({false, "--limit", {"3/hour"}});
    rewrite(o, "--limit", limit_rate);
    drop_default(o, "--limit-burst", {"5"});
  } else if (mod == "recent") {
    drop_default(o, "--name", {"DEFAULT"});
    drop_default(o, "--mask",
                 {c.v6 ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" : "255.255.255.255"});
    drop_default(o, "--rsource", {});
  } else if (mod == "connlimit") {
    drop_default(o, "--connlimit-mask", {c.v6 ? "128" : "32"});
    drop_default(o, "--connlimit-saddr", {});
  } else if (mod == "hashlimit") {
    drop_default(o, "--hashlimit-burst", {"5"});
  } else if (mod == "mark" || mod == "connmark") {
    rewrite(o, "--mark", mark_value);
  }
}

// MARK's --set-mark, --and-mark, --or-mark and --xor-mark are saved as --set-xmark.
void canonical_mark_target(std::vector<Option>& o) {
  for (auto& opt : o) {
    if (opt.values.empty()) continue;
    const auto parts = split(opt.values[0], '/');
    const auto value = number(parts[0], 0);
    const auto mask =
        parts.size() == 2 ? number(parts[1], 0) : std::optional<unsigned long>(0xffffffff);
    if (!value || !mask || parts.size() > 2) continue;
    std::optional<std::pair<unsigned long, unsigned long>> x;
    if (opt.name == "--set-xmark") x = {{*value, *mask}};
    if (opt.name == "--set-mark") x = {{*value, (*mask | *value) & 0xffffffff}};
    if (opt.name == "--and-mark") x = {{0, ~*value & 0xffffffff}};
    if (opt.name == "--or-mark") x = {{*value, *value}};
    if (opt.name == "--xor-mark") x = {{*value, 0}};
    if (x) opt = {opt.negated, "--set-xmark", {fmt::format("{:#x}/{:#x}", x->first, x->second)}};
  }
}

void canonical_target(Rule& r, const Canon& c) {
  auto& o = r.target_options;
  const auto rename = [&](std::string_view from, const char* to) {
    for (auto& opt : o)
      if (opt.name == from) opt.name = to;
  };
  if (r.target == "LOG") {
    rewrite(o, "--log-level", [](const std::string& v) {
      const auto level = log_level(v);
      return !level ? v : *level == 4 ? std::string() : std::to_string(*level);
    });
  } else if (r.target == "REJECT") {
    rewrite(o, "--reject-with", [&](const std::string& v) {
      const std::string type = reject_type(v, c.v6);
      return type == (c.v6 ? "icmp6-port-unreachable" : "icmp-port-unreachable") ? "" : type;
    });
  } else if (r.target == "SNAT") {
    rename("--to", "--to-source");
  } else if (r.target == "DNAT") {
    rename("--to", "--to-destination");
  } else if (r.target == "REDIRECT" || r.target == "MASQUERADE") {
    rename("--to-port", "--to-ports");
  } else if (r.target == "MARK") {
    canonical_mark_target(o);
  } else if (r.target == "CONNMARK") {
    drop_default(o, "--nfmask", {"0xffffffff"});
    drop_default(o, "--ctmask", {"0xffffffff"});
  }
}

// Reads the words after "-A CHAIN" into the rule's parts, giving each
// option to the match that claims it as iptables does: a protocol's options
// to its match (loaded where the first appears), others to the last -m.
void parse_options(const std::vector<Word>& words, size_t i, Rule& r) {
  std::string protocol;
  std::map<std::string, size_t> first_match;  // module -> its index in r.matches
  const auto add_match = [&](const std::string& module) {
    first_match.emplace(module, r.matches.size());
    r.matches.push_back({module, {}});
    return &r.matches.back();
  };
  while (i < words.size()) {
    Option opt;
    if (is_bang(words[i])) {
      opt.negated = true;
      ++i;
      if (i >= words.size()) break;
    }
    opt.name = short_name(words[i].text);
    const bool named = is_option(words[i]);
    if (!named) opt.name.clear();
    for (i += named ? 1 : 0; i < words.size() && !is_option(words[i]); ++i) {
      // "--dport ! 22": the old place of the "!"
      if (is_bang(words[i]) && i + 1 < words.size() && !is_option(words[i + 1]) &&
          opt.values.empty()) {
        opt.negated = true;
        continue;
      }
      if (is_bang(words[i])) break;
      opt.values.push_back(words[i].text);
    }
    if (opt.name == "-c") continue;  // counters
    if (opt.name == "-m") {
      add_match(opt.values.empty() ? "" : opt.values[0]);
    } else if (opt.name == "-j" || opt.name == "-g") {
      r.jump = opt.name;
      r.target = opt.values.empty() ? "" : opt.values[0];
      r.target_options.clear();
    } else if (is_core(opt.name)) {
      if (opt.name == "-p" && !opt.values.empty()) protocol = canonical_protocol(opt.values[0]);
      r.core.push_back(std::move(opt));
    } else if (!r.target.empty()) {
      r.target_options.push_back(std::move(opt));
    } else {
      const std::string own = protocol_match(protocol);
      const auto claimed = first_match.find(own);
      Match* to = r.matches.empty() ? nullptr : &r.matches.back();
      // "-m multiport --dport 80" abbreviates --dports (getopt), unless tcp's is loaded.
      if (claimed == first_match.end() && to && to->module == "multiport" &&
          (opt.name == "--sport" || opt.name == "--dport")) {
        opt.name += "s";
      } else if (protocol_option(protocol, opt.name)) {
        to = claimed != first_match.end() ? &r.matches[claimed->second] : add_match(own);
      } else if (!to) {
        to = add_match("");
      }
      to->options.push_back(std::move(opt));
    }
  }
}

void sort_options(std::vector<Option>& options) {
  std::stable_sort(options.begin(), options.end(),
                   [](const Option& a, const Option& b) { return a.name < b.name; });
}

// Several addresses ("-s 10.0.0.1,10.0.0.2") make one rule each: the
// canonical source and destination of each ("" for any).
struct Addresses {
  std::string source, destination;
};

std::vector<Addresses> address_combinations(const Rule& r) {
  const auto list = [&](const char* name) {
    const std::string* value = option_value(r.core, name);
    std::vector<std::string> out;
    for (const auto& one : value ? split(*value, ',') : std::vector<std::string>{""}) {
      out.push_back(one.empty() ? "" : canonical_address(one));
      if (out.size() >= kMaxExpansions) break;
    }
    return out;
  };
  std::vector<Addresses> out;
  for (const auto& source : list("-s"))
    for (const auto& destination : list("-d")) {
      if (out.size() >= kMaxExpansions) return out;
      out.push_back({source, destination});
    }
  return out;
}

void canonical_core(Rule& r) {
  for (auto& o : r.core)
    if (o.name == "-p" && !o.values.empty()) o.values[0] = canonical_protocol(o.values[0]);
  std::erase_if(r.core, [](const Option& o) {
    return o.name == "-p" && !o.negated && !o.values.empty() && o.values[0] == "all";
  });
  static const std::vector<std::string> kOrder = {"-s", "-d", "-i", "-o", "-p", "-f"};
  std::stable_sort(r.core.begin(), r.core.end(), [](const Option& a, const Option& b) {
    return std::find(kOrder.begin(), kOrder.end(), a.name) <
           std::find(kOrder.begin(), kOrder.end(), b.name);
  });
}

void append(std::vector<std::string>& out, const Option& o) {
  if (o.negated) out.push_back("!");
  if (!o.name.empty()) out.push_back(o.name);
  out.insert(out.end(), o.values.begin(), o.values.end());
}

std::vector<std::string> rule_words(const Rule& r, const Addresses& a) {
  std::vector<std::string> out = {"-A", r.chain};
  for (const auto& o : r.core) {
    if (o.name != "-s" && o.name != "-d") {
      append(out, o);
      continue;
    }
    const std::string& address = o.name == "-s" ? a.source : a.destination;
    if (address.empty() && !o.negated) continue;  // any address
    append(out, {o.negated, o.name, {address}});
  }
  for (const auto& m : r.matches) {
    if (!m.module.empty()) out.insert(out.end(), {"-m", m.module});
    for (const auto& o : m.options) append(out, o);
  }
  if (!r.target.empty()) out.insert(out.end(), {r.jump, r.target});
  for (const auto& o : r.target_options) append(out, o);
  return out;
}

// The canonical words of an "-A CHAIN ..." (or "-I CHAIN [N] ...") line,
// one list per rule it makes; none for other lines. `budget` bounds the
// bytes made for a whole ruleset (address lists multiply a line's words).
std::vector<std::vector<std::string>> canonical_rules(std::vector<Word> words, const Canon& c,
                                                      size_t& budget) {
  if (!words.empty() && starts_with(words[0].text, "["))
    words.erase(words.begin());  // [pkts:bytes]
  if (words.size() < 2) return {};
  const std::string& command = short_name(words[0].text);
  if (command != "-A" && command != "-I") return {};
  Rule rule;
  rule.chain = words[1].text;
  size_t i = 2;
  if (command == "-I" && i < words.size() && number(words[i].text)) ++i;
  parse_options(words, i, rule);
  canonical_core(rule);
  std::string protocol;
  if (const auto* p = option_value(rule.core, "-p")) protocol = *p;
  for (auto& m : rule.matches) {
    canonical_match(m, c);
    sort_options(m.options);
  }
  // A protocol's match left with no option ("--icmp-type any") matches nothing more.
  std::erase_if(rule.matches, [&](const Match& m) {
    return m.options.empty() && !protocol.empty() && m.module == protocol_match(protocol);
  });
  canonical_target(rule, c);
  sort_options(rule.target_options);
  std::vector<std::vector<std::string>> out;
  size_t line_bytes = 0;
  for (const auto& w : words) line_bytes += w.text.size() + 1;
  for (const auto& a : address_combinations(rule)) {
    if (budget < line_bytes) break;
    budget -= line_bytes;
    out.push_back(rule_words(rule, a));
  }
  return out;
}

// A word of a canonical rule, quoted the way iptables-save quotes it.
std::string quoted(const std::string& w) {
  if (!w.empty() && w.find_first_of(" \t\"\\'") == std::string::npos) return w;
  std::string out = "\"";
  for (char ch : w) {
    if (ch == '"' || ch == '\\' || ch == '\'') out += '\\';
    out += ch;
  }
  return out + "\"";
}

// --- what tools make ---

// Chains and targets of tools that rebuild their rules themselves.
// DOCKER-USER is Docker's chain for the owner's own rules: those are not
// Docker's to rebuild (only its "-j RETURN" is).
bool managed_name(const std::string& s) {
  if (s == "DOCKER-USER") return false;
  for (const char* prefix : {"DOCKER", "ufw-", "ufw6-", "KUBE-", "CNI-", "cali-", "FLANNEL",
                             "LIBVIRT_", "CILIUM_", "NETAVARK", "ts-"})
    if (starts_with(s, prefix)) return true;
  // CrowdSec's bouncer makes CROWDSEC_CHAIN and CROWDSEC_LOG; fail2ban f2b-NAME.
  const std::string lower = lowercase(s);
  for (const char* prefix : {"crowdsec", "sshguard", "f2b-"})
    if (starts_with(lower, prefix)) return true;
  return false;
}

std::string word_after(const std::vector<std::string>& words, std::string_view w) {
  for (size_t i = 0; i + 1 < words.size(); ++i)
    if (words[i] == w) return words[i + 1];
  return "";
}

// Docker's hairpin rule for a published port: MASQUERADE from a container's
// address to itself (-s C/32 -d C/32), made and removed with the container.
bool docker_hairpin(const std::vector<std::string>& words) {
  const std::string source = word_after(words, "-s");
  return word_after(words, "-j") == "MASQUERADE" && !source.empty() &&
         source == word_after(words, "-d") &&
         (ends_with(source, "/32") || ends_with(source, "/128"));
}

// Azure's guest agent (WALinuxAgent) guards the WireServer in the security table.
bool azure_wireserver(const std::string& table, const std::vector<std::string>& words) {
  return table == "security" && words[1] == "OUTPUT" &&
         word_after(words, "-d") == "168.63.129.16/32";
}

bool managed_rule(const std::string& table, const std::vector<std::string>& words) {
  if (managed_name(words[1])) return true;
  if (words.size() == 4 && words[1] == "DOCKER-USER" && words[2] == "-j" && words[3] == "RETURN")
    return true;
  if (docker_hairpin(words) || azure_wireserver(table, words)) return true;
  for (size_t i = 2; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    const std::string& next = words[i + 1];
    if ((w == "-j" || w == "-g") && (managed_name(next) || next == "DOCKER-USER")) return true;
    if ((w == "-i" || w == "-o") &&
        (starts_with(next, "docker") || starts_with(next, "br-") || starts_with(next, "virbr") ||
         starts_with(next, "cni") || starts_with(next, "flannel")))
      return true;
    // fail2ban's ipset actions match their set straight from INPUT.
    if (w == "--match-set" && starts_with(lowercase(next), "f2b-")) return true;
  }
  return false;
}

// Rules in canonical form, each with the line it was read from (collapsed
// blanks) for evidence: "filter -A INPUT ..." -> "filter -A INPUT ...".
using OwnRules = std::map<std::string, std::string>;

std::string collapsed(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  std::string w;
  while (in >> w && words.size() < kMaxWords) words.push_back(w);
  return join(words);
}

OwnRules read_own_rules(const std::string& text, const RuleReading& how) {
  OwnRules out;
  // dockerd sets FORWARD's policy to DROP when it turns forwarding on.
  const bool docker = how.docker_present.value_or(text.find("\n:DOCKER") != std::string::npos);
  const Canon canon{how.v6, how.services};
  size_t budget = kMaxCanonicalBytes;
  std::istringstream in(text);
  std::string line, table;
  while (std::getline(in, line) && out.size() < kMaxRules) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '*') {
      // "*filter": iptables-restore takes the first blank-separated word
      // (strtok, no quoting), so a table name never holds a blank.
      const size_t b = line.find_first_not_of(" \t", 1);
      table = b == std::string::npos ? "" : line.substr(b, line.find_first_of(" \t", b) - b);
      continue;
    }
    const auto words = restore_words(line);
    if (words.empty()) continue;
    if (line[0] == ':') {
      // ":INPUT DROP [0:0]": a built-in chain's policy; user chains say "-".
      const std::string chain = words[0].text.substr(1);
      if (how.with_policies && words.size() >= 2 && words[1].text != "ACCEPT" &&
          words[1].text != "-" && !managed_name(chain) && !(docker && chain == "FORWARD")) {
        const std::string policy = fmt::format("{} :{} {}", table, chain, words[1].text);
        out.emplace(policy, policy);
      }
      continue;
    }
    const std::string as_written = (table + " " + collapsed(line)).substr(0, kMaxShownRule);
    for (const auto& rule : canonical_rules(words, canon, budget)) {
      if (managed_rule(table, rule)) continue;
      std::vector<std::string> q;
      for (const auto& w : rule) q.push_back(quoted(w));
      out.emplace(table + " " + join(q), as_written);
    }
  }
  return out;
}

// --- nftables ---

struct NftTables {
  std::set<std::string> with_rules;  // "family name" of tables with at least one rule
  bool parsed = false;
};

// Tables of nft's own (not iptables-nft's compatibility tables, not a tool's).
NftTables own_nft_tables(const std::string& json_text) {
  NftTables out;
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("nftables") || !j["nftables"].is_array())
    return out;
  out.parsed = true;
  static const std::set<std::string> kCompat = {"filter", "nat", "mangle", "raw", "security"};
  for (const auto& item : j["nftables"]) {
    if (!item.is_object() || !item.contains("rule") || !item["rule"].is_object()) continue;
    const auto& r = item["rule"];
    const auto family =
        r.contains("family") && r["family"].is_string() ? r["family"].get<std::string>() : "";
    const auto table =
        r.contains("table") && r["table"].is_string() ? r["table"].get<std::string>() : "";
    if ((family == "ip" || family == "ip6") && kCompat.count(table)) continue;
    const std::string lower = lowercase(table);
    bool tool = false;
    for (const char* t :
         {"docker", "f2b", "crowdsec", "sshguard", "libvirt", "kube", "cni", "firewalld", "cilium",
          "calico", "lxd", "incus", "netavark", "walinuxagent"})
      if (lower.find(t) != std::string::npos) tool = true;
    if (!tool) out.with_rules.insert(family + " " + table);
  }
  return out;
}

// nft's words, one at a time: blanks, braces and semicolons separate them,
// a "string" is one (nft has no escapes in them), # starts a comment.
class NftScanner {
 public:
  explicit NftScanner(std::string_view text) : text_(text) {}
  std::optional<Word> next() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '#') {
        pos_ = std::min(text_.find('\n', pos_), text_.size());
      } else if (std::isspace(static_cast<unsigned char>(c)) || c == '{' || c == '}' || c == ';') {
        ++pos_;
      } else if (c == '"') {
        const size_t end = std::min(text_.find('"', pos_ + 1), text_.size());
        Word w{std::string(text_.substr(pos_ + 1, end - pos_ - 1)), true};
        pos_ = end + 1;
        return w;
      } else {
        const size_t end = std::min(text_.find_first_of(" \t\r\n\v\f{};#\"", pos_), text_.size());
        Word w{std::string(text_.substr(pos_, end - pos_)), false};
        pos_ = end;
        return w;
      }
    }
    return std::nullopt;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Where `include "NAME"` looks: an absolute path as written; "./" and "../"
// from nft's working directory (/ under nftables.service); any other
// relative name in the include directory, /etc.
std::string nft_include_path(const std::string& name) {
  std::string path = name;
  if (starts_with(name, "./") || starts_with(name, "../"))
    path = "/" + name;
  else if (!starts_with(name, "/"))
    path = "/etc/" + name;
  return std::filesystem::path(path).lexically_normal().string();
}

struct NftReader {
  const ConfigFiles& files;
  NftConfig config;
  size_t bytes = 0;
  size_t includes = 0;
  std::set<std::string> expanded;  // include names already followed

  void read(const std::string& path, int depth) {
    if (depth > kMaxIncludeDepth || config.files.size() >= kMaxNftFiles || bytes >= kMaxNftBytes)
      return;
    if (std::find(config.files.begin(), config.files.end(), path) != config.files.end()) return;
    const auto text = files.read(path);
    if (!text) return;
    config.files.push_back(path);
    bytes += text->size();
    // After "include": its file; after "table": [FAMILY] NAME.
    enum class After { nothing, include, table, family } after = After::nothing;
    std::string family;
    NftScanner scan(*text);
    while (const auto w = scan.next()) {
      static const std::set<std::string> kFamilies = {"ip",  "ip6",    "inet",
                                                      "arp", "bridge", "netdev"};
      const After now = std::exchange(after, After::nothing);
      if (now == After::include && w->quoted) {
        // Caps first: a glob lists directories, and a file may hold many includes.
        if (++includes > kMaxIncludes || config.files.size() >= kMaxNftFiles ||
            bytes >= kMaxNftBytes || !expanded.insert(w->text).second)
          continue;
        for (const auto& target : include_targets(w->text)) read(target, depth + 1);
      } else if (now == After::table && !w->quoted && kFamilies.count(w->text)) {
        family = w->text;
        after = After::family;
      } else if (now == After::table || now == After::family) {
        config.tables.insert((now == After::family ? family : "ip") + " " + w->text);
      } else if (!w->quoted && w->text == "include") {
        after = After::include;
      } else if (!w->quoted && w->text == "table") {
        after = After::table;
      }
    }
  }

  std::vector<std::string> include_targets(const std::string& name) const {
    const std::string path = nft_include_path(name);
    if (path.find_first_of("*?[") == std::string::npos) return {path};
    std::vector<std::string> out;
    for (const auto& p : files.glob(path)) {  // in name order, no dot files
      const auto facts = files.stat(p);
      if (facts && !facts->is_dir()) out.push_back(p);
      if (out.size() >= kMaxNftFiles) break;
    }
    return out;
  }
};

// --- judging ---

std::vector<std::string> first(const std::vector<std::string>& v, size_t n) {
  return {v.begin(), v.begin() + static_cast<long>(std::min(n, v.size()))};
}

// Where a family's rules are saved, and the unit that loads them at boot:
// Debian's iptables-persistent, or RHEL's iptables-services when only its
// file exists.
struct SavedRules {
  std::string path;
  std::string loader;  // a systemd unit
};

std::array<SavedRules, 2> saved_rule_files(bool v6) {
  return {SavedRules{v6 ? "/etc/iptables/rules.v6" : "/etc/iptables/rules.v4",
                     "netfilter-persistent.service"},
          SavedRules{v6 ? "/etc/sysconfig/ip6tables" : "/etc/sysconfig/iptables",
                     v6 ? "ip6tables.service" : "iptables.service"}};
}

// The file named when nothing loads the rules: the one that exists (RHEL's
// only when Debian's does not), else Debian's.
SavedRules saved_rules(const AuditInput& in, bool v6) {
  const auto files = saved_rule_files(v6);
  return !in.files.read(files[0].path) && in.files.read(files[1].path) ? files[1] : files[0];
}

// What loads rules of this family at boot: each saved file whose unit is
// enabled, and with ufw on its rules files (admins put NAT and forwarding
// rules in before.rules).
std::vector<std::string> boot_sources(const AuditInput& in, bool v6, bool ufw_on) {
  std::vector<std::string> out;
  for (const auto& saved : saved_rule_files(v6))
    if (unit_enabled(in.files, saved.loader) && in.files.read(saved.path))
      out.push_back(saved.path);
  if (ufw_on)
    for (const char* name : {"before", "user", "after"}) {
      const std::string path = fmt::format("/etc/ufw/{}{}.rules", name, v6 ? "6" : "");
      if (in.files.read(path)) out.push_back(path);
    }
  return out;
}

// The rules one side has and the other lacks, as that side wrote them.
std::vector<std::string> only_in(const OwnRules& a, const OwnRules& b) {
  std::vector<std::string> out;
  for (const auto& [key, line] : a)
    if (!b.count(key)) out.push_back(line);
  return out;
}

void judge_iptables(const AuditInput& in, const host::IptablesText& live, bool v6, bool ufw_on,
                    const ServicePorts& services, AuditResult& out) {
  if (!live.read) return;
  const char* family = v6 ? "IPv6" : "IPv4";
  const SavedRules saved_file = saved_rules(in, v6);
  const std::string& saved_path = saved_file.path;
  // Docker's FORWARD policy is decided once, from what runs, for both sides.
  // ufw sets the built-in chains' policies itself: with ufw on, only rules count.
  const RuleReading how{!ufw_on, live.text.find("\n:DOCKER") != std::string::npos, v6, &services};
  const auto running = read_own_rules(live.text, how);
  const auto sources = boot_sources(in, v6, ufw_on);
  if (running.empty() && sources.empty()) return;
  nlohmann::json subject = {{"kind", "firewall"}, {"family", family}, {"path", saved_path}};
  if (sources.empty()) {
    std::vector<std::string> rules;
    for (const auto& [key, line] : running) rules.push_back(line);
    out.findings.push_back(make_finding(
        info(), Severity::medium,
        fmt::format("{} live {} firewall rule{} but nothing loads them at boot ({} {})",
                    running.size(), family, running.size() == 1 ? "" : "s", saved_path,
                    in.files.read(saved_path)
                        ? fmt::format("exists but {} is not enabled", saved_file.loader)
                        : std::string("does not exist")),
        subject, {{"live_rules", running.size()}, {"examples", first(rules, 5)}}, in.hostname,
        std::string("iptables ") + family));
    return;
  }
  OwnRules saved;
  for (const auto& path : sources)
    saved.merge(read_own_rules(in.files.read(path).value_or(""), how));
  const auto unsaved = only_in(running, saved);
  const auto gone = only_in(saved, running);
  if (unsaved.empty() && gone.empty()) return;
  subject["path"] = sources.front();
  out.findings.push_back(make_finding(
      info(), Severity::medium,
      fmt::format("the live {} rules differ from {}: {} not saved, {} saved but not loaded", family,
                  fmt::join(sources, ", "), unsaved.size(), gone.size()),
      subject,
      {{"not_saved", first(unsaved, 5)},
       {"not_saved_count", unsaved.size()},
       {"saved_not_live", first(gone, 5)},
       {"saved_not_live_count", gone.size()},
       {"loaded_at_boot_from", sources}},
      in.hostname, std::string("iptables ") + family));
}

void judge_nftables(const AuditInput& in, const std::string& nft_json, AuditResult& out) {
  const NftTables tables = own_nft_tables(nft_json);
  if (tables.with_rules.empty()) return;
  const auto conf = unit_enabled(in.files, "nftables.service")
                        ? read_nft_config(in.files, "/etc/nftables.conf")
                        : std::nullopt;
  std::vector<std::string> missing;
  for (const auto& t : tables.with_rules)
    if (!conf || !conf->tables.count(t)) missing.push_back(t);
  if (missing.empty()) return;
  nlohmann::json evidence = {{"tables", missing}};
  if (conf) evidence["config_files"] = conf->files;
  out.findings.push_back(make_finding(
      info(), Severity::medium,
      conf ? fmt::format("nftables table{} {} run{} but /etc/nftables.conf does not declare {}",
                         missing.size() == 1 ? "" : "s", fmt::join(missing, ", "),
                         missing.size() == 1 ? "s" : "", missing.size() == 1 ? "it" : "them")
           : fmt::format("nftables rules run (table {}) but nftables.service does not load "
                         "/etc/nftables.conf at boot",
                         fmt::join(missing, ", ")),
      {{"kind", "firewall"}, {"family", "nftables"}, {"path", "/etc/nftables.conf"}}, evidence,
      in.hostname, "nftables"));
}

}  // namespace

std::set<std::string> own_iptables_rules(const std::string& text, const RuleReading& how) {
  std::set<std::string> out;
  for (auto& [key, line] : read_own_rules(text, how)) out.insert(key);
  return out;
}

std::optional<NftConfig> read_nft_config(const ConfigFiles& files, const std::string& path) {
  NftReader reader{files, {}, 0, 0, {}};
  reader.read(path, 0);
  if (reader.config.files.empty()) return std::nullopt;
  return reader.config;
}

void firewall_persistence_register(RuleCatalog& catalog) { catalog.add(info()); }

void firewall_persistence_rules(const AuditInput& in, AuditResult& out) {
  if (in.live == nullptr || !in.live->network_collected) {
    out.unknown(info().id, "needs the live firewall (not judged for an offline tree)");
    return;
  }
  const auto& fw = in.live->firewall;
  if (!fw.v4.read && !fw.v6.read && !fw.nft_read) {
    out.unknown(info().id, "the live firewall could not be read");
    return;
  }
  // ufw restores its own chains, not rules typed beside them: those are judged.
  const bool ufw_on = read_ufw_settings(in.files).enabled;
  if (unit_enabled(in.files, "firewalld.service")) {
    out.checks[info().id] = {info().id, "passed", "firewalld keeps its permanent rules"};
    return;
  }
  out.judged(info().id);
  const ServicePorts services = parse_etc_services(in.files.read("/etc/services").value_or(""));
  judge_iptables(in, fw.v4, false, ufw_on, services, out);
  judge_iptables(in, fw.v6, true, ufw_on, services, out);
  if (fw.nft_read) judge_nftables(in, fw.nft_json, out);
}

}  // namespace hostward::audit

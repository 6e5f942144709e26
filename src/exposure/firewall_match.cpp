#include "exposure/firewall_match.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

namespace hostward::exposure {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::optional<long> number(std::string_view s, int base = 10) {
  if (base == 16 && s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  long v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<long> any_number(std::string_view s) {
  if (s.starts_with("0x") || s.starts_with("0X")) return number(s, 16);
  return number(s);
}

// "22", "1000:2000", ":1024", "1024:" (and multiport's "a,b:c" handled by the caller)
Tri port_in(std::string_view spec, int port) {
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos) {
    const auto v = number(spec);
    if (!v) return Tri::unknown;
    return *v == port ? Tri::yes : Tri::no;
  }
  const auto lo = spec.substr(0, colon), hi = spec.substr(colon + 1);
  const auto l = lo.empty() ? std::optional<long>(0) : number(lo);
  const auto h = hi.empty() ? std::optional<long>(65535) : number(hi);
  if (!l || !h) return Tri::unknown;
  return (port >= *l && port <= *h) ? Tri::yes : Tri::no;
}

Tri port_list(std::string_view list, int port) {
  bool unknown = false;
  for (auto item : split(list, ',')) {
    const Tri t = port_in(item, port);
    if (t == Tri::yes) return Tri::yes;
    if (t == Tri::unknown) unknown = true;
  }
  return unknown ? Tri::unknown : Tri::no;
}

Tri prefix_list(std::string_view list, const IpAddress& a) {
  bool unknown = false;
  for (auto item : split(list, ',')) {
    const auto p = parse_prefix(item);
    if (!p) {
      unknown = true;  // a host name iptables resolved at load time: never printed, but be safe
      continue;
    }
    if (p->contains(a)) return Tri::yes;
  }
  return unknown ? Tri::unknown : Tri::no;
}

Tri range_holds(std::string_view range, const IpAddress& a) {
  const auto dash = range.find('-');
  const auto lo = parse_ip(range.substr(0, dash));
  const auto hi = dash == std::string_view::npos ? lo : parse_ip(range.substr(dash + 1));
  if (!lo || !hi || lo->family != hi->family) return Tri::unknown;
  if (a.family != lo->family) return Tri::no;
  return (a.bytes >= lo->bytes && a.bytes <= hi->bytes) ? Tri::yes : Tri::no;
}

int protocol_number(std::string_view p) {
  if (p == "tcp") return 6;
  if (p == "udp") return 17;
  if (p == "icmp") return 1;
  if (p == "ipv6-icmp" || p == "icmpv6" || p == "icmp6") return 58;
  if (p == "sctp") return 132;
  if (p == "udplite") return 136;
  if (p == "esp") return 50;
  if (p == "ah") return 51;
  if (p == "gre") return 47;
  if (p == "all") return 0;
  if (auto v = number(p)) return static_cast<int>(*v);
  return -1;
}

Tri protocol_is(std::string_view spec, const Packet& p) {
  const int want = protocol_number(spec);
  // A name from /etc/protocols we do not list (vrrp, igmp, ospf, pim): not
  // tcp or udp, which is all our packets are.
  if (want < 0) return Tri::no;
  if (want == 0) return Tri::yes;
  return want == protocol_number(p.proto) ? Tri::yes : Tri::no;
}

// conntrack's state names for the first packet of a new connection.
Tri ct_state(std::string_view list, const Packet& p) {
  bool unknown = false;
  for (auto s : split(list, ',')) {
    if (s == "NEW") return Tri::yes;
    if (s == "DNAT" && p.dnat) return Tri::yes;
    if (s == "ESTABLISHED" || s == "RELATED" || s == "INVALID" || s == "UNTRACKED" || s == "SNAT" ||
        s == "DNAT")
      continue;
    unknown = true;
  }
  return unknown ? Tri::unknown : Tri::no;
}

Tri ct_status(std::string_view list) {
  for (auto s : split(list, ','))
    if (s == "NONE") return Tri::yes;
  return Tri::no;  // EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED: none holds yet
}

std::string_view address_type(const IpAddress& a, const HostView& host) {
  if (is_unspecified(a)) return "UNSPEC";
  if (host.is_local(a) || is_loopback(a)) return "LOCAL";
  if (a.family == 4 && a.bytes[0] >= 224 && a.bytes[0] <= 239) return "MULTICAST";
  if (a.family == 6 && a.bytes[0] == 0xff) return "MULTICAST";
  if (a.family == 4 && a.bytes[0] == 255 && a.bytes[1] == 255 && a.bytes[2] == 255 &&
      a.bytes[3] == 255)
    return "BROADCAST";
  return "UNICAST";
}

Tri type_in(std::string_view list, std::string_view type) {
  for (auto s : split(list, ','))
    if (s == type) return Tri::yes;
  return Tri::no;
}

// "0x10/0xff" or "16"
std::optional<std::pair<uint32_t, uint32_t>> value_mask(std::string_view s) {
  const auto slash = s.find('/');
  const auto v = any_number(s.substr(0, slash));
  const auto m = slash == std::string_view::npos ? std::optional<long>(0xffffffffL)
                                                 : any_number(s.substr(slash + 1));
  if (!v || !m) return std::nullopt;
  return std::pair{static_cast<uint32_t>(*v), static_cast<uint32_t>(*m)};
}

Tri mark_is(std::string_view spec, uint32_t mark) {
  const auto vm = value_mask(spec);
  if (!vm) return Tri::unknown;
  return (mark & vm->second) == vm->first ? Tri::yes : Tri::no;
}

uint32_t tcp_flag_bits(std::string_view list) {
  uint32_t bits = 0;
  for (auto f : split(list, ',')) {
    if (f == "FIN")
      bits |= 0x01;
    else if (f == "SYN")
      bits |= 0x02;
    else if (f == "RST")
      bits |= 0x04;
    else if (f == "PSH")
      bits |= 0x08;
    else if (f == "ACK")
      bits |= 0x10;
    else if (f == "URG")
      bits |= 0x20;
    else if (f == "ECE")
      bits |= 0x40;
    else if (f == "CWR")
      bits |= 0x80;
    else if (f == "ALL")
      bits |= 0xff;
  }
  return bits;
}

Tri yes_if(bool b) { return b ? Tri::yes : Tri::no; }

const std::string& first(const host::RuleOption& o) {
  static const std::string empty;
  return o.values.empty() ? empty : o.values.front();
}

// One option, without its negation.
Tri evaluate(const host::RuleOption& o, const Packet& p, const HostView& host) {
  const std::string& n = o.name;
  const std::string& v = first(o);
  const std::string& m = o.module;
  if (m.empty()) {
    if (n == "-p" || n == "--protocol") return protocol_is(v, p);
    if (n == "-s" || n == "--source") return prefix_list(v, p.src);
    if (n == "-d" || n == "--destination") return prefix_list(v, p.dst);
    if (n == "-i" || n == "--in-interface") return yes_if(interface_matches(v, p.in_iface));
    if (n == "-o" || n == "--out-interface") {
      if (!p.routed) return Tri::no;
      if (p.out_iface.empty()) return Tri::unknown;
      return yes_if(interface_matches(v, p.out_iface));
    }
    if (n == "-f" || n == "--fragment") return Tri::no;
    return Tri::unknown;
  }
  if (m == "tcp" || m == "udp" || m == "sctp" || m == "udplite") {
    if (n == "--dport" || n == "--destination-port") return port_in(v, p.dport);
    if (n == "--sport" || n == "--source-port") return port_in(v, p.sport);
    if (n == "--syn") return yes_if(p.proto == "tcp");
    if (n == "--tcp-flags" && o.values.size() == 2) {
      const uint32_t flags = p.proto == "tcp" ? 0x02 : 0;  // a bare SYN
      return yes_if((flags & tcp_flag_bits(o.values[0])) == tcp_flag_bits(o.values[1]));
    }
    return Tri::unknown;
  }
  if (m == "multiport") {
    if (n == "--dports" || n == "--destination-ports") return port_list(v, p.dport);
    if (n == "--sports" || n == "--source-ports") return port_list(v, p.sport);
    if (n == "--ports") {
      const Tri d = port_list(v, p.dport), s = port_list(v, p.sport);
      if (d == Tri::yes || s == Tri::yes) return Tri::yes;
      return (d == Tri::unknown || s == Tri::unknown) ? Tri::unknown : Tri::no;
    }
    return Tri::unknown;
  }
  if (m == "conntrack") {
    if (n == "--ctstate") return ct_state(v, p);
    if (n == "--ctproto") return protocol_is(v, p);
    if (n == "--ctorigsrc") return prefix_list(v, p.src);
    if (n == "--ctorigdst") return prefix_list(v, p.orig_dst);
    if (n == "--ctreplsrc") return prefix_list(v, p.dst);
    if (n == "--ctrepldst") return prefix_list(v, p.src);
    if (n == "--ctorigsrcport") return port_in(v, p.sport);
    if (n == "--ctorigdstport") return port_in(v, p.orig_dport);
    if (n == "--ctreplsrcport") return port_in(v, p.dport);
    if (n == "--ctrepldstport") return port_in(v, p.sport);
    if (n == "--ctdir") return yes_if(v == "ORIGINAL");
    if (n == "--ctstatus") return ct_status(v);
    return Tri::unknown;
  }
  if (m == "state" && (n == "--state")) return ct_state(v, p);
  if (m == "addrtype") {
    if (n == "--dst-type") return type_in(v, address_type(p.dst, host));
    if (n == "--src-type") return type_in(v, address_type(p.src, host));
    if (n == "--limit-iface-in" || n == "--limit-iface-out") return Tri::yes;
    return Tri::unknown;
  }
  if (m == "comment") return Tri::yes;
  if (m == "iprange") {
    if (n == "--src-range") return range_holds(v, p.src);
    if (n == "--dst-range") return range_holds(v, p.dst);
    return Tri::unknown;
  }
  // A single new connection is within any rate limit's burst.
  if (m == "limit") return Tri::yes;
  if (m == "hashlimit") {
    if (n == "--hashlimit-above") return Tri::no;
    return Tri::yes;
  }
  // A new source has no history: --set records it, the checks find nothing.
  if (m == "recent") {
    if (n == "--set") return Tri::yes;
    if (n == "--rcheck" || n == "--update" || n == "--remove") return Tri::no;
    return Tri::yes;  // --name, --seconds, --hitcount, --rsource...: qualifiers of the above
  }
  // A new source has one connection open: the one being made.
  if (m == "connlimit") {
    if (n == "--connlimit-above") {
      const auto limit = number(v);
      return limit ? yes_if(*limit < 1) : Tri::unknown;
    }
    if (n == "--connlimit-upto") {
      const auto limit = number(v);
      return limit ? yes_if(*limit >= 1) : Tri::unknown;
    }
    return Tri::yes;  // --connlimit-mask, --connlimit-saddr: qualifiers
  }
  if (m == "nfacct") return Tri::yes;
  if (m == "pkttype" && n == "--pkt-type") return yes_if(v == "unicast");
  if (m == "mark" && n == "--mark") return mark_is(v, p.mark);
  if (m == "connmark" && n == "--mark") return mark_is(v, p.ct_mark);
  if (m == "policy") {
    if (n == "--pol") return yes_if(v == "none");
    if (n == "--dir") return Tri::yes;
    return Tri::unknown;
  }
  if (m == "rpfilter") {
    // A SYN from outside on an outside-facing interface passes the reverse-path check.
    if (n == "--invert") return Tri::no;
    return Tri::yes;
  }
  if (m == "rt") return Tri::no;  // a plain SYN carries no routing header
  return Tri::unknown;
}

}  // namespace

bool interface_matches(const std::string& pattern, const std::string& name) {
  if (!pattern.empty() && pattern.back() == '+')
    return name.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return pattern == name;
}

namespace {

bool drops(const host::FirewallRule& rule) {
  return rule.target == "DROP" || rule.target == "REJECT";
}

// Matches whose answer depends on state we cannot see, but which only ever
// single out particular sources when they drop: a ban list (fail2ban's or
// CSF's ipset, `recent` hit counts) is not "the internet".
std::optional<Tri> source_history(const host::FirewallRule& rule, const host::RuleOption& o) {
  if (o.module == "set" && o.name == "--match-set" && o.values.size() >= 2 &&
      o.values[1].rfind("src", 0) == 0 && !o.negated && drops(rule))
    return Tri::no;
  if (o.module == "recent" && (o.name == "--rcheck" || o.name == "--update") && !drops(rule))
    return Tri::unknown;  // port knocking: an ACCEPT after a prior knock
  return std::nullopt;
}

}  // namespace

MatchResult match_rule(const host::FirewallRule& rule, const Packet& p, const HostView& host) {
  MatchResult out;
  // Modules that take no options still constrain nothing; those with options
  // are judged through them. rpfilter with no options is a plain check.
  for (const auto& o : rule.options) {
    const auto history = source_history(rule, o);
    Tri t = history ? *history : evaluate(o, p, host);
    if (!history && t != Tri::unknown && o.negated) t = (t == Tri::yes) ? Tri::no : Tri::yes;
    // rpfilter --invert is itself a negation of the module's answer
    if (t == Tri::no) return {Tri::no, ""};
    if (t == Tri::unknown && out.result != Tri::unknown) {
      out.result = Tri::unknown;
      out.why =
          (o.negated ? "! " : "") + o.name + (o.module.empty() ? "" : " (-m " + o.module + ")");
    }
  }
  // A module given without any option that we cannot judge (e.g. -m socket)
  for (const auto& mod : rule.modules) {
    const bool has_option = std::any_of(rule.options.begin(), rule.options.end(),
                                        [&](const host::RuleOption& o) { return o.module == mod; });
    static const char* const kHarmless[] = {"tcp",   "udp",      "comment",   "sctp", "udplite",
                                            "limit", "rpfilter", "conntrack", "state"};
    const bool harmless =
        std::find(std::begin(kHarmless), std::end(kHarmless), mod) != std::end(kHarmless);
    if (!has_option && !harmless && out.result != Tri::unknown) {
      out.result = Tri::unknown;
      out.why = "-m " + mod;
    }
  }
  return out;
}

}  // namespace hostward::exposure

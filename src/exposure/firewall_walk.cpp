#include <algorithm>
#include <charconv>
#include <set>

#include "exposure/firewall.h"
#include "exposure/firewall_index.h"
#include "exposure/firewall_match.h"

namespace hostward::exposure {

const char* reach_name(Reach r) {
  switch (r) {
    case Reach::reachable:
      return "reachable";
    case Reach::restricted:
      return "restricted";
    case Reach::blocked:
      return "blocked";
    case Reach::unknown:
      return "unknown";
  }
  return "unknown";
}

int reach_rank(Reach r) {
  switch (r) {
    case Reach::reachable:
      return 3;
    case Reach::unknown:
      return 2;
    case Reach::restricted:
      return 1;
    case Reach::blocked:
      return 0;
  }
  return 2;
}

namespace {

constexpr int kMaxDepth = 64;     // nested jumps before we call it a loop
constexpr int kMaxBranches = 64;  // undecidable matches tried both ways, in total
// Rules looked at in one walk: chains that jump to each other many times over
// could otherwise take exponential time.
constexpr long kMaxSteps = 200000;

// Targets that let the packet go on unchanged.
bool passes_through(const std::string& t) {
  static const std::set<std::string, std::less<>> k = {
      "LOG",  "NFLOG",   "ULOG",        "TRACE",    "AUDIT",   "TCPMSS",   "TOS",
      "DSCP", "TTL",     "HL",          "CLASSIFY", "SET",     "CHECKSUM", "IDLETIMER",
      "LED",  "SECMARK", "CONNSECMARK", "TEE",      "RATEEST", "ECN",      "TPROXY-MARK-ONLY"};
  return k.count(t) > 0;
}

const host::RuleOption* target_option(const host::FirewallRule& r, std::string_view name) {
  for (const auto& o : r.target_options)
    if (o.name == name) return &o;
  return nullptr;
}

std::optional<long> parse_long(std::string_view s) {
  int base = 10;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    s.remove_prefix(2);
    base = 16;
  }
  long v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// "172.17.0.2:5432", "172.17.0.2", ":8080", "[2001:db8::2]:80", "10.0.0.1-10.0.0.9:80-90"
bool parse_nat_destination(std::string_view spec, int family, IpAddress& addr, int& port,
                           bool& has_addr) {
  std::string_view host_part = spec, port_part;
  if (!spec.empty() && spec.front() == '[') {
    const auto close = spec.find(']');
    if (close == std::string_view::npos) return false;
    host_part = spec.substr(1, close - 1);
    if (close + 1 < spec.size() && spec[close + 1] == ':') port_part = spec.substr(close + 2);
  } else if (family == 4) {
    const auto colon = spec.find(':');
    if (colon != std::string_view::npos) {
      host_part = spec.substr(0, colon);
      port_part = spec.substr(colon + 1);
    }
  }
  host_part = host_part.substr(0, host_part.find('-'));  // a range: its first address
  has_addr = !host_part.empty();
  if (has_addr) {
    const auto a = parse_ip(host_part);
    if (!a || a->family != family) return false;
    addr = *a;
  }
  if (!port_part.empty()) {
    const auto p = parse_long(port_part.substr(0, port_part.find_first_of("-/")));
    if (!p || *p < 1 || *p > 65535) return false;
    port = static_cast<int>(*p);
  }
  return true;
}

void apply_mark(uint32_t& mark, const host::FirewallRule& r) {
  for (const auto& o : r.target_options) {
    if (o.values.empty()) continue;
    const std::string& v = o.values.front();
    const auto slash = v.find('/');
    const auto val = parse_long(std::string_view(v).substr(0, slash));
    const auto mask = slash == std::string::npos
                          ? std::optional<long>(0xffffffffL)
                          : parse_long(std::string_view(v).substr(slash + 1));
    if (!val || !mask) continue;
    const auto x = static_cast<uint32_t>(*val), m = static_cast<uint32_t>(*mask);
    if (o.name == "--set-xmark")
      mark = (mark & ~m) ^ x;
    else if (o.name == "--set-mark")
      mark = (mark & ~m) | x;
    else if (o.name == "--and-mark")
      mark &= x;
    else if (o.name == "--or-mark")
      mark |= x;
    else if (o.name == "--xor-mark")
      mark ^= x;
  }
}

using Forced = std::map<const host::FirewallRule*, bool>;

struct Outcome {
  enum Kind { accepted, dropped, undecided, unknown } kind = unknown;
  std::string reason;
  const host::FirewallRule* rule = nullptr;  // undecided / unknown: the rule
  std::string why;
  std::vector<Step> path;
  Packet packet;
  bool forwarded = false;
};

class Walk {
 public:
  Walk(const FirewallEngine::Index& index, const Firewall& fw, const HostView& host, Packet p,
       const Forced& forced)
      : index_(index), fw_(fw), host_(host), p_(std::move(p)), forced_(forced) {}

  Outcome run() {
    out_.packet = p_;
    p_.orig_dst = p_.dst;
    p_.orig_dport = p_.dport;
    for (const char* table : {"raw", "mangle", "nat"}) {
      const Flow f = hook(table, "PREROUTING");
      if (f == Flow::stop) return finish();
      if (f == Flow::drop) return decided(Outcome::dropped, "dropped before routing");
    }
    p_.routed = true;
    const bool local = host_.is_local(p_.dst) || is_loopback(p_.dst);
    if (is_loopback(p_.dst)) {
      out_.kind = Outcome::unknown;
      out_.reason =
          "translated to a loopback address, which the kernel drops from outside "
          "unless route_localnet is set";
      return finish();
    }
    const char* chain = "INPUT";
    if (!local) {
      out_.forwarded = true;
      if (!fw_.forwarding_known) {
        out_.kind = Outcome::unknown;
        out_.reason = "routed onward, and whether IP forwarding is on could not be read";
        return finish();
      }
      if (!fw_.forwarding)
        return decided(Outcome::dropped, "routed onward, but IP forwarding is off");
      p_.out_iface = host_.route_interface(p_.dst);
      chain = "FORWARD";
    }
    for (const char* table : {"mangle", "filter", "security"}) {
      const Flow f = hook(table, chain);
      if (f == Flow::stop) return finish();
      if (f == Flow::drop) return decided(Outcome::dropped, std::string("dropped in ") + chain);
    }
    return decided(Outcome::accepted, out_.path.empty()
                                          ? std::string("no firewall rule stands in the way")
                                          : std::string("accepted in ") + chain);
  }

 private:
  enum class Flow { next, ret, accept, drop, stop };

  Outcome finish() {
    out_.packet = p_;
    return std::move(out_);
  }
  Outcome decided(Outcome::Kind k, std::string reason) {
    out_.kind = k;
    out_.reason = std::move(reason);
    return finish();
  }
  Flow stop_unknown(const host::FirewallRule* r, std::string why) {
    out_.kind = Outcome::unknown;
    out_.rule = r;
    out_.why = std::move(why);
    return Flow::stop;
  }

  // A built-in chain of one table: its rules, then its policy.
  Flow hook(const char* table, const char* chain) {
    const auto t = index_.tables.find(table);
    if (t == index_.tables.end()) return Flow::next;
    const auto pol = t->second.policies.find(chain);
    if (pol == t->second.policies.end()) return Flow::next;
    const Flow f = walk_chain(t->second, chain, 0);
    if (f != Flow::next) return f;
    out_.path.push_back({table, chain, "policy " + pol->second, 0});
    return pol->second == "DROP" ? Flow::drop : Flow::accept;
  }

  Flow walk_chain(const TableIndex& t, const std::string& chain, int depth) {
    if (depth > kMaxDepth) return stop_unknown(nullptr, "jumps nest deeper than 64: a loop?");
    const auto it = t.rules.find(chain);
    if (it == t.rules.end()) return Flow::next;
    for (const host::FirewallRule* r : it->second) {
      if (++steps_ > kMaxSteps)
        return stop_unknown(nullptr,
                            "more than 200000 rule visits: the chains jump around too much");
      const Tri m = matches(*r);
      if (m == Tri::unknown) return Flow::stop;
      if (m == Tri::no) continue;
      const Flow f = apply_target(t, *r, depth);
      if (f == Flow::ret) return Flow::next;
      if (f != Flow::next) return f;
    }
    return Flow::next;
  }

  // unknown: undecided, out_ says which rule, and the walk stops.
  Tri matches(const host::FirewallRule& r) {
    const auto forced = forced_.find(&r);
    if (forced != forced_.end()) return forced->second ? Tri::yes : Tri::no;
    const MatchResult m = match_rule(r, p_, host_);
    if (m.result == Tri::unknown) {
      if (passes_through(r.target) || r.target.empty()) return Tri::no;  // changes nothing
      out_.kind = Outcome::undecided;
      out_.rule = &r;
      out_.why = m.why;
    }
    return m.result;
  }

  void step(const TableIndex& t, const host::FirewallRule& r) {
    out_.path.push_back({t.table->name, r.chain, r.text, r.line});
  }

  Flow apply_target(const TableIndex& t, const host::FirewallRule& r, int depth) {
    const std::string& target = r.target;
    if (target.empty() || passes_through(target)) return Flow::next;
    if (target == "ACCEPT") {
      step(t, r);
      return Flow::accept;
    }
    if (target == "DROP" || target == "REJECT") {
      step(t, r);
      return Flow::drop;
    }
    if (target == "RETURN") {
      step(t, r);
      return Flow::ret;  // back to the caller, or to the policy of a built-in chain
    }
    if (target == "MARK") {
      apply_mark(p_.mark, r);
      return Flow::next;
    }
    if (target == "CONNMARK") {
      if (target_option(r, "--save-mark"))
        p_.ct_mark = p_.mark;
      else if (target_option(r, "--restore-mark"))
        p_.mark = p_.ct_mark;
      else
        apply_mark(p_.ct_mark, r);
      return Flow::next;
    }
    if (target == "CT" && !target_option(r, "--notrack")) return Flow::next;
    if (t.table->name == "nat" && (target == "DNAT" || target == "REDIRECT"))
      return translate(t, r);
    if (t.policies.count(target) && t.policies.at(target) == "-") {
      step(t, r);
      const Flow f = walk_chain(t, target, depth + 1);
      // After a goto, falling off the end returns from this chain too.
      if (r.is_goto) return f == Flow::next ? Flow::ret : f;
      return f;
    }
    return stop_unknown(&r, "target " + target + " is not modelled");
  }

  Flow translate(const TableIndex& t, const host::FirewallRule& r) {
    IpAddress addr = p_.dst;
    int port = p_.dport;
    if (r.target == "DNAT") {
      const auto* to = target_option(r, "--to-destination");
      bool has_addr = false;
      if (!to || to->values.empty() ||
          !parse_nat_destination(to->values.front(), p_.dst.family, addr, port, has_addr))
        return stop_unknown(&r, "cannot read --to-destination");
      if (!has_addr) addr = p_.dst;
    } else {
      const IpAddress* own = host_.address_of(p_.in_iface, p_.dst.family);
      if (!own) return stop_unknown(&r, "REDIRECT on an interface without an address");
      addr = *own;
      if (const auto* to = target_option(r, "--to-ports"); to && !to->values.empty()) {
        const auto v = parse_long(
            std::string_view(to->values.front()).substr(0, to->values.front().find('-')));
        if (!v || *v < 1 || *v > 65535) return stop_unknown(&r, "cannot read --to-ports");
        port = static_cast<int>(*v);
      }
    }
    step(t, r);
    p_.dst = addr;
    p_.dport = port;
    p_.dnat = true;
    return Flow::accept;  // the first NAT decision ends the nat table
  }

  const FirewallEngine::Index& index_;
  const Firewall& fw_;
  const HostView& host_;
  Packet p_;
  const Forced& forced_;
  Outcome out_;
  long steps_ = 0;
};

std::string endpoint(const IpAddress& a, int port) {
  return a.family == 6 ? "[" + a.str() + "]:" + std::to_string(port)
                       : a.str() + ":" + std::to_string(port);
}

Verdict to_verdict(const Outcome& o) {
  Verdict v;
  v.reach = o.kind == Outcome::accepted  ? Reach::reachable
            : o.kind == Outcome::dropped ? Reach::blocked
                                         : Reach::unknown;
  v.reason = o.reason;
  v.path = o.path;
  v.forwarded = o.forwarded;
  v.in_interface = o.packet.in_iface;
  if (o.packet.dnat) v.translated_to = endpoint(o.packet.dst, o.packet.dport);
  if (o.rule) v.unknown_rule = o.rule->text;
  if (v.reach == Reach::unknown && v.reason.empty())
    v.reason = o.rule ? "cannot judge " + o.why + " in: " + o.rule->text : o.why;
  return v;
}

// Tries an undecidable rule both ways; the verdict stands only when both agree.
Verdict explore(const FirewallEngine::Index& index, const Firewall& fw, const HostView& host,
                const Packet& p, Forced& forced, int& budget) {
  const Outcome o = Walk(index, fw, host, p, forced).run();
  if (o.kind != Outcome::undecided) return to_verdict(o);
  if (--budget < 0) {
    Verdict v = to_verdict(o);
    v.reach = Reach::unknown;
    v.reason = "too many rules this engine cannot judge; first: " + o.rule->text;
    return v;
  }
  forced[o.rule] = true;
  Verdict a = explore(index, fw, host, p, forced, budget);
  forced[o.rule] = false;
  Verdict b = explore(index, fw, host, p, forced, budget);
  forced.erase(o.rule);
  if (a.reach == b.reach && a.reach != Reach::unknown) {
    a.reason += " (whether or not " + o.why + " matches in: " + o.rule->text + ")";
    return a;
  }
  Verdict v = a.reach == Reach::unknown ? a : b.reach == Reach::unknown ? b : a;
  if (a.reach != b.reach && a.reach != Reach::unknown && b.reach != Reach::unknown) {
    v.reach = Reach::unknown;
    v.unknown_rule = o.rule->text;
    v.reason = "decided by " + o.why + ", which hostward cannot judge, in: " + o.rule->text;
    v.path = o.path;
  }
  return v;
}

}  // namespace

FirewallEngine::FirewallEngine(const Firewall& firewall, const HostView& host)
    : firewall_(firewall), host_(host), index_(std::make_unique<Index>()) {
  for (const auto& table : firewall_.rules.tables) {
    TableIndex& t = index_->tables[table.name];
    t.table = &table;
    for (const auto& c : table.chains) t.policies[c.name] = c.policy;
    for (const auto& r : table.rules) {
      t.rules[r.chain].push_back(&r);
      // A plain source on a drop (a fail2ban or CSF ban) only blocks more: it
      // cannot make anything reachable, so it needs no source of its own.
      const bool ban = (r.target == "DROP" || r.target == "REJECT");
      for (const auto& o : r.options) {
        const bool source =
            (o.module.empty() && (o.name == "-s" || o.name == "--source")) ||
            (o.module == "conntrack" && (o.name == "--ctorigsrc" || o.name == "--ctrepldst"));
        if (source && !o.values.empty() && !(ban && !o.negated)) {
          std::string_view list = o.values.front();
          while (!list.empty()) {
            const auto comma = list.find(',');
            if (auto p = parse_prefix(list.substr(0, comma));
                p && p->address.family == firewall_.family)
              index_->source_prefixes.push_back(*p);
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
          }
        }
        if (o.module == "iprange" && o.name == "--src-range" && !o.values.empty()) {
          const std::string& v = o.values.front();
          if (auto a = parse_ip(v.substr(0, v.find('-'))); a && a->family == firewall_.family)
            index_->source_prefixes.push_back({*a, a->family == 4 ? 32 : 128});
        }
      }
    }
  }
  dedupe_sources();
}

FirewallEngine::~FirewallEngine() = default;

void FirewallEngine::dedupe_sources() {
  std::vector<IpPrefix> unique;
  for (const auto& p : index_->source_prefixes)
    if (std::none_of(unique.begin(), unique.end(), [&](const IpPrefix& u) {
          return u.address == p.address && u.length == p.length;
        }))
      unique.push_back(p);
  index_->source_prefixes = std::move(unique);
}

Verdict FirewallEngine::walk(const Packet& packet) const {
  Forced forced;
  int budget = kMaxBranches;
  return explore(*index_, firewall_, host_, packet, forced, budget);
}

}  // namespace hostward::exposure

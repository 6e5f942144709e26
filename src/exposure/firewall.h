#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "exposure/packet.h"
#include "host/iptables_save.h"

namespace hostward::exposure {

// From the internet's side: gets through, gets through only from some source
// addresses, never gets through, or cannot be decided from the rules read.
enum class Reach { reachable, restricted, blocked, unknown };
const char* reach_name(Reach r);
// How bad for the host: reachable > unknown > restricted > blocked.
int reach_rank(Reach r);

// A rule (or a policy) that sent the packet somewhere.
struct Step {
  std::string table;
  std::string chain;
  std::string rule;  // as iptables-save wrote it, or "policy DROP"
  int line = 0;      // in the iptables-save output, 0 for a policy
};

struct Verdict {
  Reach reach = Reach::unknown;
  std::string reason;                     // one sentence for people
  std::vector<Step> path;                 // in order; the last one decided
  std::string translated_to;              // "172.17.0.2:5432" after DNAT or REDIRECT
  bool forwarded = false;                 // routed through FORWARD (a container, another host)
  std::string in_interface;               // the outside interface this verdict is for
  std::vector<std::string> allowed_from;  // restricted: source prefixes that get through
  std::string unknown_rule;               // unknown: the rule that could not be judged
};

// The firewall of one address family as read from the host.
struct Firewall {
  int family = 4;
  bool read = false;  // false: the rules could not be read (unread_reason says why)
  std::string unread_reason;
  host::Ruleset rules;
  bool forwarding = false;  // net.ipv4.ip_forward / net.ipv6.conf.all.forwarding
  bool forwarding_known = true;
  // nftables base chains outside iptables (hook, policy, rule count), which this
  // engine does not walk: filter chains could drop what iptables lets through
  // (reachable becomes unknown); nat and route chains could also send a packet
  // around an iptables drop (blocked becomes unknown).
  std::vector<std::string> foreign_chains;
  std::vector<std::string> foreign_nat_chains;
};

// What is asked: a new connection to dst:port. An unspecified dst (a listener
// on 0.0.0.0 or ::) means any address of the interface the packet comes in on.
struct Target {
  int family = 4;
  std::string proto = "tcp";
  IpAddress dst;
  int port = 0;
};

class FirewallEngine {
 public:
  FirewallEngine(const Firewall& firewall, const HostView& host);
  ~FirewallEngine();
  FirewallEngine(const FirewallEngine&) = delete;
  FirewallEngine& operator=(const FirewallEngine&) = delete;

  // One concrete packet through raw/mangle/nat PREROUTING, routing, then INPUT
  // or FORWARD. A match it cannot judge is tried both ways: the verdict stands
  // when both agree, else it is unknown with that rule quoted.
  Verdict walk(const Packet& packet) const;

  // From any address on the internet, on each outside-facing interface: the
  // worst case is the verdict. Sources the rules single out are tried too, to
  // tell `blocked` from `restricted`.
  Verdict from_outside(const Target& target) const;

  // Interfaces a packet from the internet may arrive on: not loopback, not a
  // container bridge or veth.
  std::vector<std::string> outside_interfaces() const;
  std::vector<IpAddress> outside_addresses(int family) const;

  struct Index;  // the rules by table and chain (firewall_index.h)

 private:
  void dedupe_sources();
  const Firewall& firewall_;
  const HostView& host_;
  std::unique_ptr<Index> index_;
};

}  // namespace hostward::exposure

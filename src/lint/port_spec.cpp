#include "lint/port_spec.h"

#include <vector>

#include "core/ip_address.h"
#include "core/number.h"

namespace hostward::lint {

namespace {

// Positions of the colons that separate the parts, outside ${…}, $(…) and […].
std::vector<size_t> separators(std::string_view s) {
  std::vector<size_t> out;
  int brace = 0, paren = 0, bracket = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      ++brace;
      ++i;
    } else if (c == '$' && i + 1 < s.size() && s[i + 1] == '(') {
      ++paren;
      ++i;
    } else if (c == '}' && brace > 0) {
      --brace;
    } else if (c == ')' && paren > 0) {
      --paren;
    } else if (c == '[' && brace == 0 && paren == 0) {
      ++bracket;
    } else if (c == ']' && bracket > 0) {
      --bracket;
    } else if (c == ':' && brace == 0 && paren == 0 && bracket == 0) {
      out.push_back(i);
    }
  }
  return out;
}

}  // namespace

PortSpec parse_port_spec(std::string_view spec) {
  PortSpec out;
  const auto colons = separators(spec);
  std::string_view container = spec;
  if (!colons.empty()) {
    const size_t last = colons.back();
    container = spec.substr(last + 1);
    out.parts = colons.size() == 1 ? 2 : 3;
    if (colons.size() == 1) {
      out.host_port = std::string(spec.substr(0, last));
    } else {
      const size_t second = colons[colons.size() - 2];
      out.host_port = std::string(spec.substr(second + 1, last - second - 1));
      // An unbracketed IPv6 address has colons of its own: everything before
      // the second-to-last separator is the address, as Docker splits it.
      std::string_view ip = spec.substr(0, second);
      out.ip_begin = 0;
      out.ip_length = ip.size();
      if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
      out.host_ip = std::string(ip);
    }
  }
  if (const size_t slash = container.rfind('/'); slash != std::string_view::npos) {
    out.protocol = std::string(container.substr(slash + 1));
    container = container.substr(0, slash);
  }
  out.container_port = std::string(container);
  return out;
}

Binding binding_of(std::string_view ip) {
  if (ip.empty() || ip == "0.0.0.0" || ip == "::" || ip == "*") return Binding::all_interfaces;
  if (ip == "localhost") return Binding::loopback;
  if (ip.find('$') != std::string_view::npos) {
    const size_t dflt = ip.find(":-");
    if (ip.substr(0, 2) == "${" && dflt != std::string_view::npos && ip.back() == '}')
      return binding_of(ip.substr(dflt + 2, ip.size() - dflt - 3));
    return Binding::unknown;
  }
  const auto addr = parse_ip(std::string(ip));
  if (!addr) return Binding::unknown;
  if (is_unspecified(*addr)) return Binding::all_interfaces;
  if (is_loopback(*addr)) return Binding::loopback;
  return Binding::specific;
}

std::optional<int> first_port(std::string_view ports) {
  const size_t dash = ports.find('-');
  if (dash != std::string_view::npos) ports = ports.substr(0, dash);
  return parse_decimal<int>(ports, 65535);
}

SpecEdit loopback_edit(const PortSpec& spec, size_t at) {
  if (spec.ip_length > 0) return {at + spec.ip_begin, spec.ip_length, "127.0.0.1"};
  if (spec.parts == 1) {
    // "5432" alone: Docker picks the host port; keep that, bind it to loopback
    return {at, 0, "127.0.0.1::"};
  }
  return {at, 0, "127.0.0.1:"};
}

}  // namespace hostward::lint

#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace hostward::lint {

// A Docker publish in short form: [[IP:]HOST_PORT:]CONTAINER_PORT[/PROTO],
// IPv6 addresses in brackets; ${VAR} and $(var) are kept whole, so
// "${PG_PORT:-5432}:5432" splits where Docker's would after expansion.
struct PortSpec {
  std::string host_ip;    // as written, brackets removed; "" when none
  size_t ip_begin = 0;    // where the address (with brackets) starts in the spec
  size_t ip_length = 0;   // 0 when there is no address
  std::string host_port;  // "" for a port Docker picks
  std::string container_port;
  std::string protocol = "tcp";
  int parts = 1;  // 1 for "5432", 2 for "5433:5432", 3 with an address
};

PortSpec parse_port_spec(std::string_view spec);

enum class Binding { all_interfaces, loopback, specific, unknown };

// How an address given to a publish binds: "", 0.0.0.0, :: → all interfaces;
// an unexpanded ${VAR} → unknown, unless its default (${VAR:-127.0.0.1}) says.
Binding binding_of(std::string_view host_ip);

// The first port of "5432", "5000-5010"; nullopt when not a number.
std::optional<int> first_port(std::string_view ports);

// The edit that binds `spec` to 127.0.0.1: an insertion at its start, or the
// replacement of its all-interfaces address. `at` is where spec begins.
struct SpecEdit {
  size_t offset = 0;
  size_t length = 0;
  std::string replacement;
};
SpecEdit loopback_edit(const PortSpec& spec, size_t at);

}  // namespace hostward::lint

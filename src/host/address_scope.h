#pragma once
#include <string>
#include <vector>

namespace hostward::host {

// Loopback, unspecified, RFC 1918, CGNAT, link-local, IPv6 ULA, or one of
// `locals` (the host's own addresses): not somewhere on the internet.
bool is_local_or_private(const std::string& addr, const std::vector<std::string>& locals);

}  // namespace hostward::host

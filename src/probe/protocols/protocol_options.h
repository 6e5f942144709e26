#pragma once
#include <string>

namespace hostward::probe {

// What every protocol check may need beyond the connection itself.
struct ProtocolOptions {
  // Log in with well-known default credentials (MySQL root without password).
  bool try_default_logins = false;
  // The address we connect to, as the HTTP Host header names it.
  std::string host;
};

}  // namespace hostward::probe

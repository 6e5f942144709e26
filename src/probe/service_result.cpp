#include "probe/service_result.h"

#include <cstdio>

namespace hostward::probe {

const char* access_name(Access a) {
  switch (a) {
    case Access::open:
      return "open";
    case Access::auth_required:
      return "auth-required";
    case Access::refused:
      return "refused";
    case Access::not_service:
      return "not-this-service";
    case Access::unknown:
      return "unknown";
  }
  return "unknown";
}

std::string abridge(std::string_view bytes, size_t max) {
  std::string out;
  for (unsigned char c : bytes) {
    std::string piece;
    if (c == '\r')
      piece = "\\r";
    else if (c == '\n')
      piece = "\\n";
    else if (c == '\\')
      piece = "\\\\";
    else if (c >= 0x20 && c < 0x7f)
      piece = std::string(1, static_cast<char>(c));
    else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      piece = buf;
    }
    if (out.size() + piece.size() > max) {
      out += "…";
      return out;
    }
    out += piece;
  }
  return out;
}

}  // namespace hostward::probe

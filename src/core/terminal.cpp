#include "core/terminal.h"

#include <unistd.h>

#include <cstdlib>

namespace hostward {

std::string Style::paint(std::string_view text, std::string_view sgr) const {
  if (!color) return std::string(text);
  std::string out = "\x1b[";
  out.append(sgr).append("m").append(text).append("\x1b[0m");
  return out;
}

std::string Style::severity(Severity s, std::string_view text) const {
  switch (s) {
    case Severity::critical:
      return paint(text, "1;97;41");
    case Severity::high:
      return paint(text, "1;31");
    case Severity::medium:
      return paint(text, "33");
    case Severity::low:
      return paint(text, "36");
    case Severity::info:
      return paint(text, "2");
  }
  return std::string(text);
}

bool want_color(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return isatty(fd) == 1;
}

}  // namespace hostward

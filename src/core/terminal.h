#pragma once
#include <string>
#include <string_view>

#include "core/severity.h"

namespace hostward {

struct Style {
  bool color = false;
  std::string paint(std::string_view text, std::string_view sgr) const;
  std::string severity(Severity s, std::string_view text) const;
  std::string bold(std::string_view text) const { return paint(text, "1"); }
  std::string dim(std::string_view text) const { return paint(text, "2"); }
};

// Colour only on a terminal, and never when NO_COLOR is set.
bool want_color(int fd);

}  // namespace hostward

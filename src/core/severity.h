#pragma once
#include <optional>
#include <string_view>

namespace hostward {

// Ordered from least to most serious so that comparisons mean "at least".
enum class Severity { info = 0, low, medium, high, critical };

std::string_view to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view text);

}  // namespace hostward

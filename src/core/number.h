#pragma once
#include <charconv>
#include <optional>
#include <string_view>

namespace hostward {

// All of `text` as an unsigned decimal no greater than `max`; nullopt for
// anything else (empty, a sign, a space, trailing bytes, too large).
template <typename T>
std::optional<T> parse_decimal(std::string_view text, T max) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text[0] == '-' || ec != std::errc() || end != text.data() + text.size() ||
      value > max)
    return std::nullopt;
  return value;
}

}  // namespace hostward

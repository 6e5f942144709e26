#include "core/time_format.h"

#include <fmt/format.h>

#include <ctime>

namespace hostward {

std::string rfc3339_utc(long long epoch_seconds) {
  std::tm tm{};
  const std::time_t t = static_cast<std::time_t>(epoch_seconds);
  if (gmtime_r(&t, &tm) == nullptr) return "1970-01-01T00:00:00Z";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string format_duration(long long s) {
  if (s < 0) s = 0;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{:02}h", s / 86400, (s % 86400) / 3600);
}

}  // namespace hostward

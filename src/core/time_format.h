#pragma once
#include <string>

namespace hostward {

// RFC 3339 in UTC with a Z, second precision: 2026-03-17T08:28:00Z.
std::string rfc3339_utc(long long epoch_seconds);
std::string format_duration(long long seconds);  // 2693 -> "44m53s"

}  // namespace hostward

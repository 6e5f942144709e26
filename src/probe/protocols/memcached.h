#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/protocols/protocol_options.h"
#include "probe/protocols/step.h"

namespace hostward::probe {

// `stats` in the text protocol.
std::vector<Step> memcached_steps(const ProtocolOptions& o);

struct MemcachedStats {
  enum class Kind {
    stats,    // STAT lines up to END
    error,    // ERROR, CLIENT_ERROR ..., SERVER_ERROR ...: `line` holds it
    foreign,  // a line memcached would not send: `line` holds it
  };
  Kind kind = Kind::foreign;
  std::map<std::string, std::string> stats;  // "version" -> "1.6.21"
  std::string line;
};

inline constexpr size_t kMemcachedMaxStats = 1000;

// The reply to `stats`; nullopt while it is incomplete. A line that cannot
// start a memcached reply gives `foreign` before its end arrives.
std::optional<MemcachedStats> parse_memcached_stats(std::string_view bytes);

}  // namespace hostward::probe

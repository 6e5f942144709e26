#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "probe/protocols/protocol_options.h"
#include "probe/protocols/resp.h"
#include "probe/protocols/step.h"

namespace hostward::probe {

// PING; on PONG, INFO server for the version and the operating system.
std::vector<Step> redis_steps(const ProtocolOptions& o);

// "key:value" lines of an INFO reply; "# Section" lines and blank lines skipped.
std::map<std::string, std::string> parse_redis_info(std::string_view text);

}  // namespace hostward::probe

#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/protocols/protocol_options.h"
#include "probe/protocols/step.h"

namespace hostward::probe {

// `hello`, then `listDatabases` (names only), both as OP_MSG on db "admin".
std::vector<Step> mongodb_steps(const ProtocolOptions& o);

inline constexpr int32_t kOpMsg = 2013;
inline constexpr size_t kMongoMaxMessage = 16 << 20;

// An OP_MSG: header, flagBits 0, one section of kind 0 holding `bson`.
std::string op_msg(int32_t request_id, std::string_view bson);

struct OpMsgReply {
  enum class Problem {
    none,
    not_mongodb,  // the header cannot be MongoDB's: length out of range, another opcode
    malformed,    // a MongoDB header, but the sections or the BSON do not hold together
  };
  Problem problem = Problem::none;
  std::string error;  // what is wrong, when problem != none
  int32_t response_to = 0;
  nlohmann::json body;  // the kind-0 section
};

// The reply at the start of `bytes`; nullopt while it is incomplete.
std::optional<OpMsgReply> parse_op_msg_reply(std::string_view bytes);

// "7.0" for maxWireVersion 21: the first release that speaks it; "" when unknown.
std::string mongodb_release_for_wire_version(int64_t wire_version);

}  // namespace hostward::probe

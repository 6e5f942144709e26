// MongoDB replies: parse_bson on the raw bytes, parse_op_msg_reply, then the
// MongoDB check's steps on the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probe/protocols/bson.h"
#include "probe/protocols/mongodb.h"
#include "probe_steps.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (const auto doc = hostward::probe::parse_bson(bytes)) {
    if (!doc->is_object()) abort();
    // Strings are raw bytes here; dumping must not throw with the replace handler.
    (void)doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (const auto msg = hostward::probe::parse_op_msg_reply(bytes)) {
    using P = hostward::probe::OpMsgReply::Problem;
    if (msg->problem == P::none && !msg->body.is_object()) abort();
    if (msg->problem != P::none && msg->error.empty()) abort();
  }
  hostward::probe::fuzz_steps(hostward::probe::mongodb_steps({}), bytes);
  return 0;
}

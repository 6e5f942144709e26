// RESP replies (Redis): parse_resp, then the Redis check's steps on the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probe/protocols/redis.h"
#include "probe/protocols/resp.h"
#include "probe_steps.h"

namespace {

using hostward::probe::RespType;
using hostward::probe::RespValue;

// Arrays never nest deeper than the cap, and nothing claims bytes it did not see.
void check(const RespValue& v, size_t available, int depth) {
  if (depth > hostward::probe::kRespMaxArrayDepth) abort();
  if (v.type == RespType::invalid) return;
  if (v.consumed == 0 || v.consumed > available) abort();
  if (v.type == RespType::bulk_string && v.text.size() > hostward::probe::kRespMaxBulkLength)
    abort();
  for (const auto& item : v.items) check(item, available, depth + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (const auto v = hostward::probe::parse_resp(bytes)) check(*v, size, 0);
  (void)hostward::probe::parse_redis_info(bytes);
  hostward::probe::fuzz_steps(hostward::probe::redis_steps({}), bytes);
  return 0;
}

// memcached `stats` replies: parse_memcached_stats, then the memcached check's steps.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probe/protocols/memcached.h"
#include "probe_steps.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hostward::probe;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (const auto r = parse_memcached_stats(bytes)) {
    if (r->stats.size() > kMemcachedMaxStats || r->line.size() > 200) abort();
  }
  fuzz_steps(memcached_steps({}), bytes);
  return 0;
}

// The YAML config (hunt: section); parse_config throws std::runtime_error on bad input.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "core/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto config = hostward::parse_config(text);
    const auto& h = config.hunt;
    volatile size_t sink = h.database_child_allow.size() + h.memfd_allow.size() +
                           h.world_writable_allow.size() + h.miner_pool_ports.size() +
                           static_cast<size_t>(h.high_cpu_min_age_s);
    (void)sink;
  } catch (const std::exception&) {
  }
  return 0;
}

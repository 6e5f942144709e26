// Snapshot JSON read back for `--from FILE`. snapshot_from_json is documented to
// throw std::runtime_error on bad input; any other crash is a bug.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>

#include "host/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  try {
    const auto snap = hostward::host::snapshot_from_json(j);
    volatile size_t sink = snap.processes.size() + snap.connections.size() + snap.hostname.size();
    (void)sink;
  } catch (const std::exception&) {
  }
  return 0;
}

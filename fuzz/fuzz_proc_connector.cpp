// A netlink datagram as the process connector's socket hands it over:
// headers with lying lengths, short messages, unknown event kinds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "watch/proc_connector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hostward::watch::parse_proc_messages(data, size, [](const hostward::watch::ProcEvent& e) {
    if (e.pid < 0 && e.kind != hostward::watch::ProcEvent::Kind::fork) return;
    (void)e.timestamp_ns;
  });
  return 0;
}

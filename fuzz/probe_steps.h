#pragma once
// For the probe protocol fuzz targets: runs a check's steps on hostile bytes.
#include <cstdlib>
#include <string_view>
#include <vector>

#include "probe/protocols/step.h"

namespace hostward::probe {

// Every step, including those pushed on the way, answered with `bytes`: first
// as they arrive (open connection), then closed. Results must stay printable
// JSON whatever the bytes.
inline void fuzz_steps(std::vector<Step> steps, std::string_view bytes) {
  ServiceResult result;
  for (size_t i = 0; i < steps.size() && i < 8; ++i) {
    std::vector<Step> next;
    if (steps[i].on_reply(bytes, false, result, next) == Reply::need_more) {
      if (!next.empty()) abort();  // follow-ups only come with done
      if (steps[i].on_reply(bytes, true, result, next) == Reply::need_more) abort();
    }
    for (auto& n : next) steps.push_back(std::move(n));
  }
  (void)result.facts.dump();  // throws on invalid UTF-8: every fact must be cleaned
  volatile size_t sink = result.detail.size() + result.version.size();
  (void)sink;
}

}  // namespace hostward::probe

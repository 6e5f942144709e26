#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/service_result.h"

namespace hostward::probe {

// One request/reply exchange of a check over one TCP connection. The prober
// sends `send` (may be empty: a greeting is read first), then calls `on_reply`
// with every byte received so far in this step (at most 64 KiB) until it
// returns Reply::done. On done, steps pushed to `next` run on the same
// connection. A timeout, the byte cap, or the peer closing first sets
// result.access = unknown (or keeps what on_reply already set) and stops.
enum class Reply { need_more, done };

struct Step {
  std::string send;
  std::function<Reply(std::string_view received, bool closed, ServiceResult& result,
                      std::vector<Step>& next)>
      on_reply;
};

}  // namespace hostward::probe

#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "probe/protocols/step.h"

// Runs a check's steps the way the prober does, with canned server replies.
namespace hostward::probe {

struct CannedReply {
  std::string bytes;
  bool close_after = false;  // the server closes once `bytes` are sent
};

struct Conversation {
  ServiceResult result;
  std::vector<std::string> sent;  // what each step that got a reply sent
  // Per step that got a reply: how many bytes on_reply had seen when it said
  // done, or std::string::npos when it never did.
  std::vector<size_t> done_at;
  size_t steps_left = 0;  // steps still queued when the replies ran out
};

// Step i gets replies[i], fed `chunk` bytes at a time (received grows as on
// the wire); after the last byte, on_reply is called once more with closed
// set when close_after. Steps pushed to `next` join the end of the queue, as
// in probe/step_runner.cpp. A step that never says done ends the
// conversation, as a timeout would.
inline Conversation run_conversation(std::vector<Step> steps,
                                     const std::vector<CannedReply>& replies, size_t chunk = 1) {
  Conversation c;
  chunk = std::max<size_t>(chunk, 1);
  std::deque<Step> queue(steps.begin(), steps.end());
  for (const CannedReply& reply : replies) {
    if (queue.empty()) break;
    Step step = std::move(queue.front());
    queue.pop_front();
    c.sent.push_back(step.send);
    size_t done_at = std::string::npos;
    std::vector<Step> next;
    for (size_t have = std::min(chunk, reply.bytes.size());;
         have = std::min(have + chunk, reply.bytes.size())) {
      const bool closed = reply.close_after && have == reply.bytes.size();
      next.clear();
      if (step.on_reply(std::string_view(reply.bytes).substr(0, have), false, c.result, next) ==
          Reply::done) {
        done_at = have;
        break;
      }
      EXPECT_TRUE(next.empty()) << "steps pushed without done";
      if (have == reply.bytes.size()) {
        if (closed) {
          next.clear();
          if (step.on_reply(reply.bytes, true, c.result, next) == Reply::done) {
            done_at = have;
          } else {
            ADD_FAILURE() << "need_more on a closed connection";
          }
        }
        break;
      }
    }
    c.done_at.push_back(done_at);
    if (done_at == std::string::npos) break;
    for (auto& n : next) queue.push_back(std::move(n));
  }
  c.steps_left = queue.size();
  return c;
}

}  // namespace hostward::probe

#include "probe/step_runner.h"

#include <deque>

#include "probe/tcp_client.h"

namespace hostward::probe {

namespace {
constexpr size_t kMaxReply = 64 * 1024;
}

ServiceResult run_steps(const Host& host, int port, const std::string& service,
                        std::vector<Step> steps, int timeout_ms) {
  ServiceResult result;
  result.service = service;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  TcpClient conn;
  if (const std::string err = conn.connect(host.address, port, deadline); !err.empty()) {
    result.detail = "cannot connect: " + err;
    return result;
  }
  std::string sent_all, received_all;
  std::deque<Step> todo(steps.begin(), steps.end());
  while (!todo.empty()) {
    Step step = std::move(todo.front());
    todo.pop_front();
    if (!step.send.empty()) {
      sent_all += step.send;
      if (const std::string err = conn.send_all(step.send, deadline); !err.empty()) {
        result.access = Access::unknown;
        result.detail = err;
        break;
      }
    }
    std::string received;
    std::vector<Step> next;
    Reply reply = Reply::need_more;
    std::string error;
    while (reply == Reply::need_more) {
      const size_t before = received.size();
      const bool open = conn.receive_some(received, kMaxReply, deadline, error);
      // The peer closing ends the reply; a timeout or the cap is not a reply.
      const bool closed =
          !open && (error == "closed by the server" || error == "reset by the server");
      if (received.size() > before || closed) reply = step.on_reply(received, closed, result, next);
      if (!open) break;
    }
    received_all += received;
    if (reply == Reply::need_more) {
      // The server stopped short: what the step saw so far stands, else unknown.
      if (result.detail.empty()) result.detail = error;
      break;
    }
    for (auto& n : next) todo.push_back(std::move(n));
  }
  result.sent = abridge(sent_all);
  result.received = abridge(received_all);
  return result;
}

}  // namespace hostward::probe

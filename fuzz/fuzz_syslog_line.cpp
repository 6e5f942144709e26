// A line of an auth log: syslog header (traditional, ISO 8601, RFC 5424), then
// sshd's message. Everything returned must point into the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "authlog/sshd_message.h"
#include "authlog/syslog_line.h"

namespace {
void inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return;
  if (part.data() < whole.data() || part.data() + part.size() > whole.data() + whole.size())
    abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hostward::authlog::LocalClock clock(1795899600);
  const auto line = hostward::authlog::parse_syslog_line(text, clock);
  if (!line) return 0;
  inside(line->host, text);
  inside(line->program, text);
  inside(line->message, text);
  if (line->pid < 0) abort();
  const auto m = hostward::authlog::parse_sshd_message(line->message);
  if (m) {
    if (m->user != "root") inside(m->user, text);  // ROOT LOGIN REFUSED: a literal
    inside(m->address, text);
    if (m->port < 0 || m->port > 65535) abort();
  }
  hostward::authlog::parse_iso8601(text);
  return 0;
}

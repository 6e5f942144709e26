// sshd's message text alone: user names and client text are the attacker's.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "authlog/sshd_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto m = hostward::authlog::parse_sshd_message(text);
  if (!m) return 0;
  const auto within = [&](std::string_view part) {
    return part.empty() ||
           (part.data() >= text.data() && part.data() + part.size() <= text.data() + text.size());
  };
  // "ROOT LOGIN REFUSED" names its user with a literal.
  const bool literal_root =
      m->kind == hostward::authlog::EventKind::user_not_allowed && m->user == "root";
  if (!(literal_root || within(m->user)) || !within(m->address) || !within(m->method) ||
      !within(m->key))
    abort();
  if (m->port < 0 || m->port > 65535) abort();
  // The address is one token: no spaces can reach it from a user name.
  if (m->address.find(' ') != std::string_view::npos) abort();
  return 0;
}

#pragma once
#include <optional>
#include <string_view>

#include "authlog/auth_event.h"

namespace hostward::authlog {

struct SshdMessage {
  EventKind kind = EventKind::disconnect;
  std::string_view user;
  std::string_view address;
  int port = 0;
  std::string_view method;
  std::string_view key;
  bool invalid_user = false;
};

// One sshd (or sshd-session) log message, OpenSSH 6.x to 9.x. Addresses and
// ports are read from the message's end, where sshd writes them after the
// user name, so a user name like "x from 10.0.0.1 port 22" cannot move them.
// nullopt for messages that are none of the kinds in auth_event.h.
std::optional<SshdMessage> parse_sshd_message(std::string_view message);

// "::ffff:192.0.2.1" as "192.0.2.1"; any other address unchanged.
std::string_view unmap_address(std::string_view address);

}  // namespace hostward::authlog

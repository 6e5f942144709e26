#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hostward::authlog {

// What one log line or login record says happened. The names are the JSON
// "kind" values (docs/json-report.md) and never change.
enum class EventKind {
  accepted,           // Accepted METHOD for USER from ADDR port N
  failed_auth,        // Failed METHOD for [invalid user] USER from ADDR port N
  invalid_user,       // Invalid user USER from ADDR
  user_not_allowed,   // User USER from ADDR not allowed because ...; ROOT LOGIN REFUSED
  pam_failure,        // pam_unix(sshd:auth): authentication failure; ... rhost=ADDR
  max_attempts,       // maximum authentication attempts exceeded for USER from ADDR
  too_many_failures,  // Disconnecting ...: Too many authentication failures
  preauth_closed,     // Connection closed/reset by authenticating|invalid user ... [preauth]
  no_identification,  // Did not receive identification string from ADDR
  bad_banner,         // banner exchange / bad protocol version / invalid protocol identifier
  kex_failed,         // Unable to negotiate with ADDR; key exchange failures
  auth_timeout,       // Timeout before authentication for ADDR
  disconnect,         // Received disconnect / Disconnected from [user] ...
  session_start,      // wtmp: a user's login record
  session_end,        // wtmp: the tty's logout record
  reboot,             // wtmp: system boot
  shutdown,           // wtmp: shutdown
  btmp_failure,       // btmp: a failed login record
  lastlog,            // lastlog: a user's last login
  partial_auth,       // Partial METHOD for USER from ADDR: a first factor passed
};

constexpr size_t kEventKinds = static_cast<size_t>(EventKind::partial_auth) + 1;

std::string_view kind_name(EventKind kind);

// A failed attempt at authenticating (counts toward auth.ssh-brute-force), as
// opposed to a connection that never tried (scanners, banner grabs) and to
// lines that repeat an attempt already logged (PAM's view of a failed
// password, "Too many authentication failures" after "maximum ... exceeded").
bool is_failure(EventKind kind, std::string_view method, bool invalid_user);

// The string views point into the line being read: valid only during the
// callback that receives the event.
struct AuthEvent {
  EventKind kind = EventKind::disconnect;
  int64_t time = 0;  // Unix seconds, UTC; 0 when the line had no readable time
  std::string_view user;
  std::string_view address;  // numeric (::ffff: mapped addresses unwrapped) or a host name
  int port = 0;
  std::string_view method;  // password, publickey, keyboard-interactive/pam, ...
  std::string_view key;     // "RSA SHA256:..." for publickey
  std::string_view tty;     // wtmp line (pts/0)
  bool invalid_user = false;
  int pid = 0;
  std::string_view source;  // file path, "journal" or "-"
  uint64_t line = 0;        // 1-based line (text) or record (utmp, journal) number
};

}  // namespace hostward::authlog

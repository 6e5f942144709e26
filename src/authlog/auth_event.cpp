#include "authlog/auth_event.h"

namespace hostward::authlog {

std::string_view kind_name(EventKind kind) {
  switch (kind) {
    case EventKind::accepted:
      return "accepted";
    case EventKind::failed_auth:
      return "failed_auth";
    case EventKind::invalid_user:
      return "invalid_user";
    case EventKind::user_not_allowed:
      return "user_not_allowed";
    case EventKind::pam_failure:
      return "pam_failure";
    case EventKind::max_attempts:
      return "max_attempts";
    case EventKind::too_many_failures:
      return "too_many_failures";
    case EventKind::preauth_closed:
      return "preauth_closed";
    case EventKind::no_identification:
      return "no_identification";
    case EventKind::bad_banner:
      return "bad_banner";
    case EventKind::kex_failed:
      return "kex_failed";
    case EventKind::auth_timeout:
      return "auth_timeout";
    case EventKind::disconnect:
      return "disconnect";
    case EventKind::session_start:
      return "session_start";
    case EventKind::session_end:
      return "session_end";
    case EventKind::reboot:
      return "reboot";
    case EventKind::shutdown:
      return "shutdown";
    case EventKind::btmp_failure:
      return "btmp_failure";
    case EventKind::lastlog:
      return "lastlog";
    case EventKind::partial_auth:
      return "partial_auth";
  }
  return "unknown";
}

bool is_failure(EventKind kind, std::string_view method, bool invalid_user) {
  switch (kind) {
    case EventKind::failed_auth:
      // Clients offer every key they hold before a password: a refused key of
      // a real user is not an attack, and "none" is the probe every client
      // sends first. For a user that does not exist, any attempt is a guess.
      // (fail2ban's sshd filter counts the same.)
      return invalid_user || (method != "publickey" && method != "none");
    case EventKind::invalid_user:
    case EventKind::user_not_allowed:
    case EventKind::max_attempts:
    case EventKind::btmp_failure:
      return true;
    default:
      return false;
  }
}

}  // namespace hostward::authlog

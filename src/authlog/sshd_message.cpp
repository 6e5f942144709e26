#include "authlog/sshd_message.h"

#include "core/number.h"

namespace hostward::authlog {

namespace {

using sv = std::string_view;

bool starts_with(sv s, sv p) { return s.substr(0, p.size()) == p; }

bool consume(sv& s, sv prefix) {
  if (!starts_with(s, prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool consume_suffix(sv& s, sv suffix) {
  if (s.size() < suffix.size() || s.substr(s.size() - suffix.size()) != suffix) return false;
  s.remove_suffix(suffix.size());
  return true;
}

// Numeric addresses, or host names when sshd runs with UseDNS.
bool plausible_address(sv a) {
  if (a.empty() || a.size() > 255) return false;
  for (char c : a) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '.' || c == ':' || c == '-' || c == '_' || c == '%';
    if (!ok) return false;
  }
  return true;
}

int parse_port(sv s) { return static_cast<int>(parse_decimal<unsigned>(s, 65535).value_or(0)); }

// "ADDR port PORT" or "ADDR" making up all of `s`.
bool read_address_port(sv s, SshdMessage& m) {
  if (const size_t p = s.rfind(" port "); p != sv::npos) {
    m.port = parse_port(s.substr(p + 6));
    if (m.port == 0) return false;
    s = s.substr(0, p);
  }
  if (!plausible_address(s)) return false;
  m.address = unmap_address(s);
  return true;
}

// "[invalid user ]USER from ADDR[ port PORT][ ssh2][: KEY]": the user is all
// that comes before the last " from ".
bool read_user_from(sv s, SshdMessage& m, bool real_user) {
  if (consume(s, "invalid user ") || consume(s, "illegal user ")) m.invalid_user = true;
  // A real account's name holds no " from ", but a certificate's key id
  // after the address may (Accepted publickey ... ssh2: ED25519-CERT ... ID
  // x from y): there the first " from " is sshd's. Otherwise the user name is
  // the client's and the last one is.
  const size_t from = real_user && !m.invalid_user ? s.find(" from ") : s.rfind(" from ");
  if (from == sv::npos) return false;
  m.user = s.substr(0, from);
  sv tail = s.substr(from + 6);
  if (const size_t ssh2 = tail.find(" ssh2"); ssh2 != sv::npos) {
    sv after = tail.substr(ssh2 + 5);
    tail = tail.substr(0, ssh2);
    if (consume(after, ": "))
      m.key = after;
    else if (!after.empty())
      return false;
  }
  return read_address_port(tail, m);
}

bool read_client_user_from(sv s, SshdMessage& m) { return read_user_from(s, m, false); }

// "[authenticating |invalid ]user USER ADDR port PORT", "ADDR port PORT" or "ADDR".
bool read_user_address(sv s, SshdMessage& m) {
  bool has_user = false;
  if (consume(s, "authenticating user ")) {
    has_user = true;
  } else if (consume(s, "invalid user ")) {
    has_user = m.invalid_user = true;
  } else if (consume(s, "user ")) {
    has_user = true;
  }
  if (!has_user) return read_address_port(s, m);
  const size_t port = s.rfind(" port ");
  const size_t addr = s.rfind(' ', port == sv::npos ? sv::npos : port - 1);
  if (addr == sv::npos) return false;
  m.user = s.substr(0, addr);
  return read_address_port(s.substr(addr + 1), m);
}

std::optional<SshdMessage> with_kind(EventKind kind, sv rest, bool (*reader)(sv, SshdMessage&)) {
  SshdMessage m;
  m.kind = kind;
  if (!reader(rest, m)) return std::nullopt;
  return m;
}

std::optional<SshdMessage> accepted_or_failed(sv s, EventKind kind) {
  const size_t for_at = s.find(" for ");
  if (for_at == sv::npos || for_at == 0) return std::nullopt;
  SshdMessage m;
  m.kind = kind;
  m.method = s.substr(0, for_at);
  if (m.method.find(' ') != sv::npos) return std::nullopt;
  const bool real_user = kind == EventKind::accepted || kind == EventKind::partial_auth;
  if (!read_user_from(s.substr(for_at + 5), m, real_user)) return std::nullopt;
  return m;
}

// "KEY rhost=ADDR" among PAM's "logname= uid=0 ... rhost=ADDR  user=USER".
std::optional<SshdMessage> pam_failure(sv s) {
  const size_t rhost = s.find(" rhost=");
  if (rhost == sv::npos) return std::nullopt;
  sv rest = s.substr(rhost + 7);
  const size_t end = rest.find(' ');
  SshdMessage m;
  m.kind = EventKind::pam_failure;
  if (!read_address_port(rest.substr(0, end), m)) return std::nullopt;
  if (end != sv::npos) {
    sv after = rest.substr(end);
    if (const size_t u = after.find(" user="); u != sv::npos) m.user = after.substr(u + 6);
  }
  return m;
}

// "Connection from ADDR port PORT: reason" as in banner exchange errors.
std::optional<SshdMessage> connection_from(sv s, EventKind kind) {
  if (!consume(s, "Connection from ")) return std::nullopt;
  // 7.6+: "Connection from authenticating user root ADDR port N: reason"
  const size_t port = s.find(" port ");
  const size_t colon = s.find(": ", port == sv::npos ? 0 : port);
  return with_kind(kind, s.substr(0, colon), read_user_address);
}

std::optional<SshdMessage> received_disconnect(sv s) {
  // "ADDR port PORT:11: text" or "ADDR: 11: text" (6.x); the text is the
  // client's, so only what precedes the first ':' after the port counts.
  SshdMessage m;
  m.kind = EventKind::disconnect;
  const size_t port = s.find(" port ");
  size_t end;
  if (port != sv::npos && port < s.find(": ")) {
    end = s.find(':', port);
  } else {
    end = s.find(": ");
  }
  if (end == sv::npos || !read_address_port(s.substr(0, end), m)) return std::nullopt;
  return m;
}

std::optional<SshdMessage> parse_body(sv s) {
  if (s.empty()) return std::nullopt;
  switch (s[0]) {
    case 'A':
      if (consume(s, "Accepted ")) return accepted_or_failed(s, EventKind::accepted);
      break;
    case 'F':
      if (consume(s, "Failed ")) return accepted_or_failed(s, EventKind::failed_auth);
      break;
    case 'P':
      if (consume(s, "Partial ")) return accepted_or_failed(s, EventKind::partial_auth);
      if (consume(s, "PAM ") && s.find(" more authentication failure") != sv::npos)
        return pam_failure(s);
      break;
    case 'I':
      if (consume(s, "Invalid user ") || consume(s, "Illegal user ")) {
        SshdMessage m;
        m.kind = EventKind::invalid_user;
        m.invalid_user = true;
        const size_t from = s.rfind(" from ");
        if (from == sv::npos || !read_address_port(s.substr(from + 6), m)) return std::nullopt;
        m.user = s.substr(0, from);
        return m;
      }
      break;
    case 'U':
      if (consume(s, "User ")) {
        const size_t because = s.rfind(" not allowed because ");
        if (because == sv::npos) return std::nullopt;
        return with_kind(EventKind::user_not_allowed, s.substr(0, because), read_client_user_from);
      }
      if (consume(s, "Unable to negotiate with ")) {
        return with_kind(EventKind::kex_failed, s.substr(0, s.find(": ")), read_address_port);
      }
      break;
    case 'R':
      if (consume(s, "ROOT LOGIN REFUSED FROM ")) {
        auto m = with_kind(EventKind::user_not_allowed, s, read_address_port);
        if (m) m->user = "root";
        return m;
      }
      if (consume(s, "Received disconnect from ")) return received_disconnect(s);
      break;
    case 'p':
      if (consume(s, "pam_unix(sshd:auth): authentication failure;")) return pam_failure(s);
      break;
    case 'm':
      if (consume(s, "maximum authentication attempts exceeded for "))
        return with_kind(EventKind::max_attempts, s, read_client_user_from);
      break;
    case 'D':
      if (consume(s, "Disconnecting: Too many authentication failures")) {
        SshdMessage m;
        m.kind = EventKind::too_many_failures;
        if (consume(s, " for ")) m.user = s;  // 6.x/7.x: no address in the message
        return m;
      }
      if (consume(s, "Disconnecting ")) {
        const size_t colon = s.rfind(": Too many authentication failures");
        if (colon == sv::npos) return std::nullopt;
        return with_kind(EventKind::too_many_failures, s.substr(0, colon), read_user_address);
      }
      if (consume(s, "Did not receive identification string from "))
        return with_kind(EventKind::no_identification, s, read_address_port);
      if (consume(s, "Disconnected from "))
        return with_kind(EventKind::disconnect, s, read_user_address);
      break;
    case 'C':
      if (consume(s, "Connection closed by ") || consume(s, "Connection reset by ")) {
        return with_kind(EventKind::disconnect, s, read_user_address);
      }
      break;
    case 'b':
      if (consume(s, "banner exchange: ")) return connection_from(s, EventKind::bad_banner);
      break;
    case 'B':
      if (consume(s, "Bad protocol version identification ")) {
        const size_t from = s.rfind(" from ");
        if (from == sv::npos) return std::nullopt;
        return with_kind(EventKind::bad_banner, s.substr(from + 6), read_address_port);
      }
      break;
    case 's':
      if (consume(s, "ssh_dispatch_run_fatal: ")) return connection_from(s, EventKind::kex_failed);
      break;
    case 'T':
      if (consume(s, "Timeout before authentication for ")) {
        // 9.x: "connection from ADDR to ADDR, pid = N"
        if (consume(s, "connection from ")) s = s.substr(0, s.find(" to "));
        return with_kind(EventKind::auth_timeout, s, read_address_port);
      }
      break;
    default:
      break;
  }
  return std::nullopt;
}

}  // namespace

std::string_view unmap_address(std::string_view address) {
  constexpr sv kMapped = "::ffff:";
  if (address.size() > kMapped.size() &&
      (address.substr(0, 7) == kMapped || address.substr(0, 7) == "::FFFF:") &&
      address.find('.') != sv::npos)
    return address.substr(kMapped.size());
  return address;
}

std::optional<SshdMessage> parse_sshd_message(std::string_view message) {
  sv s = message;
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  const bool preauth = consume_suffix(s, " [preauth]");
  consume(s, "error: ") || consume(s, "fatal: ");
  if (consume(s, "PAM: Authentication failure for ")) {
    // sshd's own line for a PAM failure; "Failed ..." follows it.
    auto m = with_kind(EventKind::pam_failure, s, read_client_user_from);
    return m;
  }
  auto m = parse_body(s);
  if (m && preauth && m->kind == EventKind::disconnect && starts_with(s, "Connection "))
    m->kind = EventKind::preauth_closed;
  return m;
}

}  // namespace hostward::authlog

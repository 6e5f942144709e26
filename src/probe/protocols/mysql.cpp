#include "probe/protocols/mysql.h"

#include <algorithm>

#include "probe/protocols/wire_bytes.h"

namespace hostward::probe {

namespace {

constexpr size_t kHeaderSize = 4;
constexpr char kNativePassword[] = "mysql_native_password";

struct Packet {
  uint8_t sequence = 0;
  std::string_view payload;
};

// Length and sequence once the header is in; the payload once all of it is.
struct Framing {
  bool header_complete = false;
  size_t length = 0;
  uint8_t sequence = 0;
  std::optional<Packet> packet;
};

Framing frame(std::string_view bytes) {
  Framing f;
  if (bytes.size() < kHeaderSize) return f;
  f.header_complete = true;
  f.length = wire::le_uint(bytes, 0, 3);
  f.sequence = static_cast<uint8_t>(bytes[3]);
  if (f.length <= kMysqlMaxPacket && bytes.size() - kHeaderSize >= f.length) {
    f.packet = Packet{f.sequence, bytes.substr(kHeaderSize, f.length)};
  }
  return f;
}

// ERR: 0xFF, error code, then "#" and a 5-character SQL state when the
// protocol is 4.1 (not in a greeting, which comes before any negotiation).
void read_error(std::string_view payload, uint16_t& code, std::string& message) {
  code = payload.size() >= 3 ? static_cast<uint16_t>(wire::le_uint(payload, 1, 2)) : 0;
  std::string_view rest = payload.size() >= 3 ? payload.substr(3) : std::string_view{};
  if (rest.size() >= 6 && rest.front() == '#') rest.remove_prefix(6);
  message = std::string(rest.substr(0, 512));
}

MysqlGreeting greeting_problem(MysqlGreeting::Kind kind, std::string why) {
  MysqlGreeting g;
  g.kind = kind;
  g.problem = std::move(why);
  return g;
}

// Protocol 10 from the byte after the version number's NUL.
MysqlGreeting read_handshake_v10(std::string_view payload) {
  using K = MysqlGreeting::Kind;
  MysqlGreeting g;
  g.kind = K::handshake;
  const size_t nul = payload.find('\0', 1);
  if (nul == std::string_view::npos) return greeting_problem(K::malformed, "version not ended");
  g.server_version = std::string(payload.substr(1, std::min<size_t>(nul - 1, 255)));
  size_t pos = nul + 1;
  // connection id 4, auth-plugin-data-part-1 8, filler 1, capability flags (low) 2
  if (payload.size() - pos < 15) return greeting_problem(K::malformed, "greeting cut short");
  g.connection_id = wire::le_uint(payload, pos, 4);
  g.capabilities = wire::le_uint(payload, pos + 13, 2);
  pos += 15;
  // Servers from before 4.1 stop here; the rest is read only where present.
  if (payload.size() - pos < 16) return g;
  g.capabilities |= wire::le_uint(payload, pos + 3, 2) << 16;
  const size_t auth_data_length = static_cast<unsigned char>(payload[pos + 5]);
  pos += 16;  // character set 1, status 2, capability flags (high) 2, length 1, reserved 10
  if (g.capabilities & kMysqlClientSecureConnection) {
    const size_t part2 = std::max<size_t>(13, auth_data_length > 8 ? auth_data_length - 8 : 0);
    if (payload.size() - pos < part2) return g;
    pos += part2;
  }
  if (g.capabilities & kMysqlClientPluginAuth) {
    // Some 5.5 servers leave out the final NUL.
    const std::string_view name = payload.substr(pos);
    g.auth_plugin = std::string(name.substr(0, std::min<size_t>(name.find('\0'), 64)));
  }
  return g;
}

}  // namespace

std::optional<MysqlGreeting> parse_mysql_greeting(std::string_view bytes) {
  using K = MysqlGreeting::Kind;
  const Framing f = frame(bytes);
  if (!f.header_complete) return std::nullopt;
  if (f.sequence != 0) return greeting_problem(K::not_mysql, "first packet is not number 0");
  if (f.length == 0 || f.length > kMysqlMaxPacket) {
    return greeting_problem(K::not_mysql, "first packet of " + std::to_string(f.length) + " bytes");
  }
  if (bytes.size() == kHeaderSize) return std::nullopt;
  const auto first = static_cast<unsigned char>(bytes[kHeaderSize]);
  if (first != 0x0a && first != 0xff && first != 0x09) {
    return greeting_problem(K::not_mysql, "payload starts with byte " + std::to_string(first));
  }
  if (!f.packet) return std::nullopt;
  const std::string_view payload = f.packet->payload;
  if (first == 0x09) return greeting_problem(K::malformed, "protocol 9 (MySQL 3.x) not read");
  if (first == 0xff) {
    MysqlGreeting g;
    g.kind = K::error;
    read_error(payload, g.error_code, g.error_message);
    return g;
  }
  return read_handshake_v10(payload);
}

std::string mysql_empty_password_login(const MysqlGreeting& greeting, std::string_view user) {
  const uint32_t capabilities =
      greeting.capabilities &
      (kMysqlClientProtocol41 | kMysqlClientSecureConnection | kMysqlClientPluginAuth);
  std::string payload;
  wire::append_le(payload, capabilities, 4);
  wire::append_le(payload, 1u << 24, 4);  // max packet size
  payload.push_back(0x21);                // utf8_general_ci
  payload.append(23, '\0');
  payload.append(user);
  payload.push_back('\0');
  // An empty password's auth response is empty, for mysql_native_password.
  payload.push_back('\0');  // length 0 (secure connection), or an empty NUL-ended string
  if (capabilities & kMysqlClientPluginAuth) {
    payload.append(kNativePassword);
    payload.push_back('\0');
  }
  std::string packet;
  wire::append_le(packet, static_cast<uint32_t>(payload.size()), 3);
  packet.push_back(static_cast<char>(greeting.sequence + 1));
  return packet + payload;
}

std::optional<MysqlAuthReply> parse_mysql_auth_reply(std::string_view bytes) {
  using K = MysqlAuthReply::Kind;
  const Framing f = frame(bytes);
  MysqlAuthReply r;
  if (f.header_complete && (f.length == 0 || f.length > kMysqlMaxPacket)) {
    r.message = "packet of " + std::to_string(f.length) + " bytes";
    return r;
  }
  if (!f.packet) return std::nullopt;
  const std::string_view payload = f.packet->payload;
  switch (static_cast<unsigned char>(payload[0])) {
    case 0x00:
      r.kind = K::ok;
      break;
    case 0xff:
      r.kind = K::error;
      read_error(payload, r.error_code, r.message);
      break;
    case 0xfe: {  // AuthSwitchRequest; a bare 0xFE asks for the pre-4.1 scheme
      r.kind = K::auth_switch;
      const std::string_view name = payload.substr(1);
      r.plugin = payload.size() == 1
                     ? "mysql_old_password"
                     : std::string(name.substr(0, std::min<size_t>(name.find('\0'), 64)));
      break;
    }
    case 0x01:
      r.kind = K::more_data;
      break;
    default:
      r.message =
          "reply starts with byte " + std::to_string(static_cast<unsigned char>(payload[0]));
  }
  return r;
}

namespace {

// MariaDB puts "5.5.5-" in front so that old replicas accept it.
std::string stated_version(const std::string& raw) {
  std::string_view v = raw;
  if (v.rfind("5.5.5-", 0) == 0 && v.find("MariaDB") != std::string_view::npos) v.remove_prefix(6);
  return abridge(v, 80);
}

Reply on_login(std::string_view received, bool closed, ServiceResult& r) {
  const auto reply = parse_mysql_auth_reply(received);
  if (!reply) {
    if (!closed) return Reply::need_more;
    r.detail += "; closed the connection after the root login attempt";
    return Reply::done;
  }
  using K = MysqlAuthReply::Kind;
  switch (reply->kind) {
    case K::ok:
      r.access = Access::open;
      r.facts["login"] = "root";
      r.detail += "; root logs in with an empty password (full control of every database)";
      break;
    case K::error:
      r.access = Access::auth_required;
      r.detail += "; root without a password refused: " + abridge(reply->message, 120);
      break;
    case K::auth_switch:
      r.access = Access::auth_required;
      r.detail +=
          "; root login asked to switch to " + abridge(reply->plugin, 40) + ", not followed";
      break;
    case K::more_data:
      r.access = Access::auth_required;
      r.detail += "; root login asked for more authentication data";
      break;
    case K::malformed:
      r.access = Access::unknown;
      r.detail += "; unreadable answer to the root login: " + reply->message;
      break;
  }
  return Reply::done;
}

Reply on_greeting(const ProtocolOptions& o, std::string_view received, bool closed,
                  ServiceResult& r, std::vector<Step>& next) {
  r.service = "mysql";
  const auto g = parse_mysql_greeting(received);
  if (!g) {
    if (!closed) return Reply::need_more;
    r.access = Access::unknown;
    r.detail = received.empty() ? "closed the connection without a greeting"
                                : "closed the connection in the middle of the greeting";
    return Reply::done;
  }
  using K = MysqlGreeting::Kind;
  switch (g->kind) {
    case K::not_mysql:
      r.access = Access::not_service;
      r.detail = "not MySQL: " + g->problem;
      return Reply::done;
    case K::malformed:
      r.access = Access::unknown;
      r.detail = "unreadable MySQL greeting: " + g->problem;
      return Reply::done;
    case K::error:
      r.access = Access::refused;
      r.facts["error_code"] = g->error_code;
      r.detail = "refuses the connection: " + abridge(g->error_message, 160);
      return Reply::done;
    case K::handshake:
      break;
  }
  r.version = stated_version(g->server_version);
  r.facts["tls_offered"] = (g->capabilities & kMysqlClientSsl) != 0;
  if (!g->auth_plugin.empty()) r.facts["auth_plugin"] = abridge(g->auth_plugin, 64);
  // A greeting proves MySQL, not whether a password is needed: that takes a
  // login, which is tried only when asked for.
  r.access = Access::unknown;
  if (!o.try_default_logins) {
    r.detail = "greets as " + r.version + "; no login tried (--try-default-logins)";
  } else if (!(g->capabilities & kMysqlClientProtocol41)) {
    r.detail = "greets as " + r.version + "; too old for a 4.1 login, none tried";
  } else {
    r.detail = "greets as " + r.version;
    next.push_back(Step{mysql_empty_password_login(*g, "root"),
                        [](std::string_view in, bool c, ServiceResult& res, std::vector<Step>&) {
                          return on_login(in, c, res);
                        }});
  }
  return Reply::done;
}

}  // namespace

std::vector<Step> mysql_steps(const ProtocolOptions& o) {
  return {Step{"", [o](std::string_view in, bool c, ServiceResult& r, std::vector<Step>& next) {
                 return on_greeting(o, in, c, r, next);
               }}};
}

}  // namespace hostward::probe

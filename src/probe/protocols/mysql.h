#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/protocols/protocol_options.h"
#include "probe/protocols/step.h"

namespace hostward::probe {

// Reads the server greeting; with try_default_logins, then tries root with an
// empty password. Never asks for TLS.
std::vector<Step> mysql_steps(const ProtocolOptions& o);

inline constexpr uint32_t kMysqlClientSsl = 0x800;
inline constexpr uint32_t kMysqlClientProtocol41 = 0x200;
inline constexpr uint32_t kMysqlClientSecureConnection = 0x8000;
inline constexpr uint32_t kMysqlClientPluginAuth = 0x80000;
// Greetings and the replies we read are small; a larger declared length means
// another protocol.
inline constexpr size_t kMysqlMaxPacket = 16 * 1024;

struct MysqlGreeting {
  enum class Kind {
    handshake,  // protocol 10 greeting
    error,      // an ERR packet instead: host not allowed, too many connections
    not_mysql,  // bytes no MySQL server sends first
    malformed,  // a MySQL packet whose contents do not hold together
  };
  Kind kind = Kind::malformed;
  std::string problem;  // not_mysql, malformed: why
  uint8_t sequence = 0;
  std::string server_version;  // as sent: "8.0.36", "5.5.5-10.11.6-MariaDB-0+deb12u1"
  uint32_t connection_id = 0;
  uint32_t capabilities = 0;
  std::string auth_plugin;  // "" when not sent
  uint16_t error_code = 0;  // error
  std::string error_message;
};

// The first packet a server sends; nullopt while incomplete.
std::optional<MysqlGreeting> parse_mysql_greeting(std::string_view bytes);

// HandshakeResponse41 for `user` with an empty password, as the packet after
// `greeting` (header included). Capabilities: PROTOCOL_41, SECURE_CONNECTION
// and PLUGIN_AUTH as far as the server has them; plugin mysql_native_password.
std::string mysql_empty_password_login(const MysqlGreeting& greeting, std::string_view user);

struct MysqlAuthReply {
  enum class Kind { ok, error, auth_switch, more_data, malformed };
  Kind kind = Kind::malformed;
  std::string plugin;  // auth_switch: the plugin the server wants
  uint16_t error_code = 0;
  std::string message;  // error: the message; malformed: what is wrong
};

// The server's answer to a HandshakeResponse; nullopt while incomplete.
std::optional<MysqlAuthReply> parse_mysql_auth_reply(std::string_view bytes);

}  // namespace hostward::probe

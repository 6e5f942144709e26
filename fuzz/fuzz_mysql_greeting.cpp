// MySQL server packets: parse_mysql_greeting, parse_mysql_auth_reply, then
// the MySQL check's steps (with the root login) on the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probe/protocols/mysql.h"
#include "probe_steps.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hostward::probe;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (const auto g = parse_mysql_greeting(bytes)) {
    if (g->server_version.size() > 255 || g->auth_plugin.size() > 64) abort();
    if (g->error_message.size() > 512) abort();
    if (g->kind == MysqlGreeting::Kind::handshake) {
      const std::string login = mysql_empty_password_login(*g, "root");
      if (login.size() < 4 + 32 + 6) abort();
    }
  }
  if (const auto r = parse_mysql_auth_reply(bytes)) {
    if (r->plugin.size() > 64 || r->message.size() > 512) abort();
  }
  ProtocolOptions o;
  o.try_default_logins = true;
  fuzz_steps(mysql_steps(o), bytes);
  return 0;
}

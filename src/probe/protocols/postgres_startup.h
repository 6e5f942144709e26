#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hostward::probe {

// PostgreSQL protocol 3.0: the StartupMessage, and the server's first answer,
// which says how it wants us to authenticate (or that we are in already).
std::string pg_startup_message(const std::string& user, const std::string& database);

struct PgAuthReply {
  enum Kind { ok, cleartext, md5, sasl, other_auth, error, not_postgres } kind = not_postgres;
  int code = -1;                        // AuthenticationRequest code
  std::vector<std::string> mechanisms;  // SASL: "SCRAM-SHA-256", ...
  std::string sqlstate;                 // ErrorResponse 'C'
  std::string message;                  // ErrorResponse 'M'
};

// nullopt while the first message is incomplete. Messages longer than 64 KiB
// or of an unknown type are not PostgreSQL.
std::optional<PgAuthReply> parse_pg_auth_reply(std::string_view data);

}  // namespace hostward::probe

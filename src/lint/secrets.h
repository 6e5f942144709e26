#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "lint/diagnostics.h"

namespace hostward::lint {

// PASSWORD, DB_PASS, API_TOKEN, client_secret, ... but not PASSWORD_FILE,
// TOKEN_URL or MYSQL_ALLOW_EMPTY_PASSWORD.
bool is_secret_name(std::string_view key);

// A value written out, not taken from a secret store or a variable:
// not ${{ secrets.X }}, $(var), $VAR, ${VAR}, $[ … ], nor a boolean.
bool is_literal_value(std::string_view value);

// The kind of a well-known token format found in `value` ("GitHub token").
std::optional<std::string> known_token(std::string_view value);

// A prefix and the length, never the secret: "po… (8 characters)".
std::string redact(std::string_view secret);

// ci.hardcoded-secret for one environment variable or pipeline variable.
// `span` is where the value's text lies in the file (quotes included), to be
// hidden wherever the line is shown; an empty span hides it by its value.
// `literal` is the severity of a literal under a credential's name (a known
// token format is always high).
void check_secret(std::string_view key, std::string_view value, Loc loc, Span span,
                  std::string_view where, Diagnostics& out, Severity literal = Severity::medium);

// ci.database-no-auth for a pipeline-level variable: trust auth or an empty
// root password switched on for every container the pipeline starts.
void check_no_auth_variable(std::string_view key, std::string_view value, Loc loc,
                            std::string_view where, Diagnostics& out);

// The reason a database container accepts logins without a password, from
// one of its environment variables; nullopt when it does not say so.
// `root_password_set`: the same environment gives MySQL/MariaDB a root
// password (…_ROOT_PASSWORD, its _FILE or _HASH form, or a random one).
std::optional<std::string> no_auth_reason(std::string_view key, std::string_view value,
                                          bool root_password_set);
bool sets_root_password(std::string_view key);

}  // namespace hostward::lint

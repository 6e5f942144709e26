#include "lint/secrets.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace hostward::lint {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The words of a name: "dbPassword" and "DB_PASSWORD" both give DB, PASSWORD.
std::vector<std::string> name_words(std::string_view key) {
  std::vector<std::string> words;
  std::string cur;
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      if (!cur.empty()) words.push_back(upper(cur));
      cur.clear();
      continue;
    }
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0 &&
        std::islower(static_cast<unsigned char>(key[i - 1])) && !cur.empty()) {
      words.push_back(upper(cur));
      cur.clear();
    }
    cur += c;
  }
  if (!cur.empty()) words.push_back(upper(cur));
  return words;
}

bool token_chars(std::string_view s, size_t n, bool upper_only = false) {
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (upper_only ? !(std::isupper(c) || std::isdigit(c))
                   : !(std::isalnum(c) || c == '_' || c == '-'))
      return false;
  }
  return true;
}

}  // namespace

bool is_secret_name(std::string_view key) {
  const auto words = name_words(key);
  if (words.empty()) return false;
  // switches about a password, not one: MYSQL_ALLOW_EMPTY_PASSWORD
  static constexpr std::array<std::string_view, 4> kSwitch = {"ALLOW", "RANDOM", "EMPTY",
                                                              "GENERATE"};
  for (const auto& w : words)
    if (std::find(kSwitch.begin(), kSwitch.end(), w) != kSwitch.end()) return false;
  // The last word says what the value is: DB_PASSWORD is one, PASSWORD_FILE,
  // TOKEN_URL, secret-name and access_token_lifetime only name or tune one.
  static constexpr std::array<std::string_view, 9> kSecret = {
      "PASSWORD", "PASSWD", "PASS",        "PWD",       "SECRET",
      "TOKEN",    "APIKEY", "CREDENTIALS", "PASSPHRASE"};
  const std::string& last = words.back();
  if (last == "PWD") return words.size() > 1;  // PWD alone is the working directory
  if (std::find(kSecret.begin(), kSecret.end(), last) != kSecret.end()) return true;
  if (last == "KEY" && words.size() > 1) {
    const std::string& before = words[words.size() - 2];
    return before == "API" || before == "ACCESS" || before == "PRIVATE" || before == "SECRET" ||
           before == "AUTH" || before == "ENCRYPTION" || before == "SIGNING";
  }
  return false;
}

bool is_literal_value(std::string_view value) {
  if (value.empty()) return false;
  if (value.find('$') != std::string_view::npos) return false;   // any expansion or expression
  if (value.find("{{") != std::string_view::npos) return false;  // templates
  static constexpr std::array<std::string_view, 10> kNotSecret = {
      "true", "false", "yes", "no", "on", "off", "0", "1", "null", "~"};
  const std::string v = lower(value);
  return std::find(kNotSecret.begin(), kNotSecret.end(), v) == kNotSecret.end();
}

std::optional<std::string> known_token(std::string_view v) {
  struct Format {
    std::string_view prefix;
    size_t min_rest;
    bool upper_only;
    std::string_view kind;
  };
  static constexpr std::array<Format, 16> kFormats = {{
      {"ghp_", 36, false, "GitHub personal access token"},
      {"gho_", 36, false, "GitHub OAuth token"},
      {"ghu_", 36, false, "GitHub user token"},
      {"ghs_", 36, false, "GitHub server token"},
      {"ghr_", 36, false, "GitHub refresh token"},
      {"github_pat_", 22, false, "GitHub fine-grained token"},
      {"glpat-", 20, false, "GitLab personal access token"},
      {"AKIA", 16, true, "AWS access key id"},
      {"ASIA", 16, true, "AWS temporary access key id"},
      {"xoxb-", 10, false, "Slack bot token"},
      {"xoxp-", 10, false, "Slack user token"},
      {"sk_live_", 16, false, "Stripe secret key"},
      {"npm_", 36, false, "npm access token"},
      {"dckr_pat_", 20, false, "Docker Hub access token"},
      {"AIza", 35, false, "Google API key"},
      {"hvs.", 24, false, "HashiCorp Vault token"},
  }};
  for (const auto& f : kFormats) {
    for (size_t at = v.find(f.prefix); at != std::string_view::npos;
         at = v.find(f.prefix, at + 1)) {
      if (at > 0 && std::isalnum(static_cast<unsigned char>(v[at - 1]))) continue;
      if (token_chars(v.substr(at + f.prefix.size()), f.min_rest, f.upper_only))
        return std::string(f.kind);
    }
  }
  if (v.find("-----BEGIN") != std::string_view::npos &&
      v.find("PRIVATE KEY") != std::string_view::npos)
    return std::string("private key");
  return std::nullopt;
}

std::string redact(std::string_view secret) {
  size_t shown = secret.size() >= 16 ? 4 : secret.size() >= 8 ? 2 : 0;
  // never cut a UTF-8 sequence
  while (shown > 0 && (static_cast<unsigned char>(secret[shown]) & 0xC0) == 0x80) --shown;
  std::string out(secret.substr(0, shown));
  for (auto& c : out)
    if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
  return out + "… (" + std::to_string(secret.size()) + " characters)";
}

void check_secret(std::string_view key, std::string_view value, Loc loc, Span span,
                  std::string_view where, Diagnostics& out, Severity literal) {
  const auto token = known_token(value);
  if (!token && !(is_secret_name(key) && is_literal_value(value))) return;
  if (value.find("${{") != std::string_view::npos && !token) return;
  LintFinding f;
  f.rule = "ci.hardcoded-secret";
  f.severity = token ? Severity::high : literal;
  f.loc = loc;
  const std::string shown = redact(value);
  f.message = token ? std::string(key) + " is set to a literal " + *token + " (" + shown + ")"
                    : std::string(key) + " is set to a literal value in " + std::string(where) +
                          " (" + shown + ")";
  f.evidence = {{"name", std::string(key)},
                {"where", std::string(where)},
                {"value", shown},
                {"length", value.size()}};
  if (token) f.evidence["format"] = *token;
  f.secrets.emplace_back(value);
  if (span.end > span.begin) {
    span.shown = "<" + shown + ">";
    f.secret_spans.push_back(span);
  }
  out.add(std::move(f));
}

std::optional<std::string> no_auth_reason(std::string_view key, std::string_view value,
                                          bool root_password_set) {
  const std::string k = upper(key);
  const std::string v = lower(value);
  if (k == "POSTGRES_HOST_AUTH_METHOD" && v == "trust")
    return "POSTGRES_HOST_AUTH_METHOD=trust: the server accepts every connection without a "
           "password, superuser included";
  // With a root password given the entrypoint sets it: the switch does nothing.
  if ((k == "MYSQL_ALLOW_EMPTY_PASSWORD" || k == "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ||
       k == "MARIADB_ALLOW_EMPTY_PASSWORD") &&
      !value.empty() && !root_password_set)
    return k + " is set (any value, even \"no\", enables it): root logs in without a password";
  if (k == "ALLOW_EMPTY_PASSWORD" && (v == "yes" || v == "true" || v == "1"))
    return "ALLOW_EMPTY_PASSWORD=" + std::string(value) +
           ": the Bitnami image runs without a password";
  return std::nullopt;
}

bool sets_root_password(std::string_view key) {
  const std::string k = upper(key);
  for (std::string_view prefix : {"MYSQL_", "MARIADB_"})
    for (std::string_view name :
         {"ROOT_PASSWORD", "ROOT_PASSWORD_FILE", "ROOT_PASSWORD_HASH", "RANDOM_ROOT_PASSWORD"})
      if (k == std::string(prefix) + std::string(name)) return true;
  return false;
}

void check_no_auth_variable(std::string_view key, std::string_view value, Loc loc,
                            std::string_view where, Diagnostics& out) {
  const auto reason = no_auth_reason(key, value, false);
  if (!reason) return;
  LintFinding f;
  f.rule = "ci.database-no-auth";
  f.severity = Severity::high;
  f.loc = loc;
  f.message = *reason + " (" + std::string(where) + ")";
  f.evidence = {
      {"variable", std::string(key)}, {"value", std::string(value)}, {"where", std::string(where)}};
  out.add(std::move(f));
}

}  // namespace hostward::lint

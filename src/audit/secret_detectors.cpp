#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>

#include "audit/history_text.h"
#include "audit/shell_history.h"

namespace hostward::audit {

namespace {

using namespace history_text;

bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string uppercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string basename_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == kNpos ? path : path.substr(slash + 1));
}

std::string client_of(HistoryFormat f) {
  switch (f) {
    case HistoryFormat::psql:
      return "psql";
    case HistoryFormat::mysql:
      return "mysql";
    case HistoryFormat::redis:
      return "redis-cli";
    default:
      return {};
  }
}

// ---------------------------------------------------------------------------
// Which program a command runs

bool valid_name(std::string_view name) {
  return !name.empty() && !is_digit(name[0]) && std::all_of(name.begin(), name.end(), is_name_char);
}

// NAME=value with the name and '=' unquoted: a variable assignment.
bool is_assignment(const ShellWord& w) {
  const size_t eq = w.text.find('=');
  return eq != kNpos && eq < w.plain_prefix && valid_name(std::string_view(w.text).substr(0, eq));
}

struct Invocation {
  std::vector<size_t> assignments;  // words before the program
  size_t program = kNpos;
  std::string name;  // the program's base name
};

bool is_option(const ShellWord& w) { return w.text.size() > 1 && w.text[0] == '-'; }

// Skips options from `i` on; those `takes_value` names take the next word too.
template <typename TakesValue>
size_t skip_options_if(const std::vector<ShellWord>& w, size_t i, TakesValue takes_value) {
  while (i < w.size() && is_option(w[i])) {
    if (w[i].text == "--") return i + 1;
    i += takes_value(w[i].text) ? 2 : 1;
  }
  return i;
}

size_t skip_options(const std::vector<ShellWord>& w, size_t i,
                    std::initializer_list<std::string_view> with_value) {
  return skip_options_if(w, i, [&](std::string_view t) {
    return std::find(with_value.begin(), with_value.end(), t) != with_value.end();
  });
}

// Words that run the command that follows them.
size_t skip_wrapper(const std::string& name, const std::vector<ShellWord>& w, size_t i) {
  static const std::set<std::string, std::less<>> kKeywords = {
      "!",   "if", "then", "else",  "elif",    "do",      "while", "until",  "{",
      "and", "or", "not",  "begin", "builtin", "command", "nohup", "noglob", "nocorrect"};
  if (kKeywords.count(name)) return skip_options(w, i + 1, {});
  if (name == "sudo")
    return skip_options(w, i + 1, {"-u",           "-g",      "-h",
                                   "-p",           "-C",      "-D",
                                   "-R",           "-r",      "-T",
                                   "-t",           "-U",      "--user",
                                   "--group",      "--host",  "--prompt",
                                   "--close-from", "--chdir", "--chroot",
                                   "--role",       "--type",  "--command-timeout",
                                   "--other-user"});
  if (name == "doas") return skip_options(w, i + 1, {"-u", "-C"});
  if (name == "env") return skip_options(w, i + 1, {"-u", "-C", "-S", "--unset", "--chdir"});
  if (name == "nice") return skip_options(w, i + 1, {"-n", "--adjustment"});
  if (name == "exec") return skip_options(w, i + 1, {"-a"});
  if (name == "time") return skip_options(w, i + 1, {"-f", "-o", "--format", "--output"});
  if (name == "timeout") {  // then a duration
    const size_t at = skip_options(w, i + 1, {"-s", "-k", "--signal", "--kill-after"});
    return at < w.size() ? at + 1 : at;
  }
  return kNpos;
}

Invocation resolve(const ShellCommand& c) {
  Invocation inv;
  const auto& w = c.words;
  size_t i = 0;
  while (i < w.size()) {
    if (is_assignment(w[i])) {
      inv.assignments.push_back(i++);
      continue;
    }
    const std::string name = basename_of(w[i].text);
    const size_t after = skip_wrapper(name, w, i);
    if (after != kNpos) {
      i = after;
      continue;
    }
    inv.program = i;
    inv.name = name;
    break;
  }
  return inv;
}

// ---------------------------------------------------------------------------
// Detectors

// Values that stand for a secret rather than being one. Dictionary words such
// as "changeme" or "password" are reported: typed on this host, they were
// most likely the real (and weak) credential.
bool is_placeholder(std::string_view v) {
  if (v.empty() || v.find_first_not_of(v[0]) == kNpos) return true;  // "***", "xxxx"
  const char f = v.front(), b = v.back();
  if (v.size() >= 2 && ((f == '<' && b == '>') || (f == '{' && b == '}') ||
                        (f == '[' && b == ']') || (f == '%' && b == '%')))
    return true;  // <password>, {{token}}, [secret], %PASSWORD%
  const std::string l = lowercase(std::string(v));
  if (starts_with(l, "your")) return true;  // your_token, YOUR_PASSWORD
  static const std::set<std::string, std::less<>> kWords = {"redacted", "hidden", "masked",
                                                            "placeholder", "..."};
  return kWords.count(l) != 0;
}

bool literal(const ShellWord& w, std::string_view value) {
  return !w.dynamic && !is_placeholder(value);
}

class HitList {
 public:
  explicit HitList(std::vector<SecretHit>& hits) : hits_(hits) {}
  bool has(std::string_view secret) const { return seen_.find(secret) != seen_.end(); }
  // A secret found twice (as a variable's value and as a token, say) counts once.
  void add(std::string kind, std::string command, std::string secret, std::string variable = {},
           std::string scheme = {}) {
    if (secret.empty() || !seen_.insert(secret).second) return;
    hits_.push_back({std::move(kind), std::move(command), std::move(variable), std::move(scheme),
                     std::move(secret)});
  }

 private:
  std::vector<SecretHit>& hits_;
  std::set<std::string, std::less<>> seen_;
};

struct Args {
  const std::vector<ShellWord>& w;
  size_t begin;  // the first word after the program
};

// Names the program a raw-text finding came from.
using CommandOf = std::function<std::string(std::string_view secret)>;

// Options of docker, podman and helm that come before the subcommand and take a value.
constexpr std::string_view kGlobalsWithValue =
    " -H --host --config -c --context -l --log-level --tlscacert --tlscert --tlskey --connection"
    " --url --identity --root --runroot --storage-driver --namespace -n --kube-context"
    " --kubeconfig --registry-config --repository-config --repository-cache ";

// The word after subcommand `path` ("login", or "registry" "login"), if the command has it.
std::optional<size_t> subcommand_at(const std::vector<ShellWord>& w, size_t i,
                                    std::initializer_list<std::string_view> path) {
  for (const auto name : path) {
    i = skip_options_if(w, i, [](std::string_view t) {
      return kGlobalsWithValue.find(" " + std::string(t) + " ") != kNpos;
    });
    if (i >= w.size() || w[i].text != name) return std::nullopt;
    ++i;
  }
  return i;
}

// What `echo X` or `printf FORMAT X` writes, when it is all literal.
std::optional<std::string> literal_output(const ShellCommand& c) {
  const Invocation inv = resolve(c);
  if (inv.program == kNpos || (inv.name != "echo" && inv.name != "printf")) return std::nullopt;
  const auto& w = c.words;
  size_t i = inv.program + 1;
  std::vector<const ShellWord*> args;
  if (inv.name == "echo") {
    while (i < w.size() && is_option(w[i]) && w[i].text.find_first_not_of("neE", 1) == kNpos) ++i;
    for (; i < w.size(); ++i) args.push_back(&w[i]);
  } else {
    if (i < w.size() && w[i].text == "-v") return std::nullopt;
    if (i < w.size() && w[i].text == "--") ++i;
    if (i >= w.size()) return std::nullopt;
    const bool has_format = w[i].text.find('%') != kNpos;
    args.push_back(has_format && i + 1 < w.size() ? &w[i + 1] : &w[i]);
  }
  std::string out;
  for (const auto* a : args) {
    if (a->dynamic) return std::nullopt;
    if (!out.empty()) out += ' ';
    out += a->text;
  }
  if (ends_with(out, "\\n")) out.resize(out.size() - 2);
  if (out.empty()) return std::nullopt;
  return out;
}

// docker, podman, buildah, skopeo, nerdctl login and helm registry login:
// -p X, -pX, --password X, --password=X; with --password-stdin, a literal
// written into it by echo or printf, or a here-string.
void registry_login(const std::vector<ShellCommand>& cmds, size_t k, const Invocation& inv,
                    HitList& hits) {
  static const std::set<std::string, std::less<>> kClients = {"docker", "podman", "buildah",
                                                              "skopeo", "nerdctl"};
  const auto& w = cmds[k].words;
  std::optional<size_t> at;
  std::string command;
  if (kClients.count(inv.name)) {
    at = subcommand_at(w, inv.program + 1, {"login"});
    command = inv.name + " login";
  } else if (inv.name == "helm") {
    at = subcommand_at(w, inv.program + 1, {"registry", "login"});
    command = "helm registry login";
  }
  if (!at) return;
  bool from_stdin = false;
  std::optional<std::pair<size_t, std::string>> password;  // the last one given counts
  for (size_t i = *at; i < w.size(); ++i) {
    const std::string& t = w[i].text;
    if (t == "--") break;
    if ((t == "-p" || t == "--password") && i + 1 < w.size()) {
      ++i;
      password = {i, w[i].text};
    } else if (starts_with(t, "--password=")) {
      password = {i, t.substr(11)};
    } else if (starts_with(t, "-p=")) {  // pflag: -p=VALUE is VALUE
      password = {i, t.substr(3)};
    } else if (starts_with(t, "-p") && t.size() > 2) {  // pflag: -pVALUE
      password = {i, t.substr(2)};
    } else if (t == "--password-stdin") {
      from_stdin = true;
    } else if (t == "-u" || t == "--username") {
      ++i;
    }
  }
  if (password) {
    if (literal(w[password->first], password->second))
      hits.add("docker-login-password", command, password->second);
    return;
  }
  if (!from_stdin) return;
  for (const auto& r : cmds[k].redirections)
    if (r.op == "<<<" && literal(r.target, r.target.text))
      return hits.add("docker-login-password", command, r.target.text);
  if (cmds[k].piped && k > 0)
    if (const auto out = literal_output(cmds[k - 1]); out && !is_placeholder(*out))
      hits.add("docker-login-password", command, *out);
}

// mysql and its siblings: -pVALUE or --password=VALUE. A bare -p or
// --password prompts, and `-p VALUE` names a database (the MySQL manual:
// "there must be no space between -p and the password").
void mysql_client(const Args& a, const std::string& command, HitList& hits) {
  static const std::set<std::string, std::less<>> kWithValue = {
      "-e",        "-u",     "-h",     "-P",     "-D",         "-S",
      "--execute", "--user", "--host", "--port", "--database", "--socket"};
  const auto& w = a.w;
  // my_getopt takes an unambiguous prefix: --pass= is --password=.
  const auto is_password = [](std::string_view name) {
    return (name.size() >= 4 && starts_with("password", name)) || name == "password1" ||
           name == "password2" || name == "password3";
  };
  std::optional<std::pair<size_t, std::string>> last;  // like my_getopt, the last one counts
  for (size_t i = a.begin; i < w.size(); ++i) {
    const std::string& t = w[i].text;
    if (kWithValue.count(t)) {
      ++i;
    } else if (starts_with(t, "--")) {
      const size_t eq = std::min(t.find('='), t.size());
      if (!is_password(std::string_view(t).substr(2, eq - 2))) continue;
      last.reset();  // a bare --password prompts
      if (eq < t.size()) last = {i, t.substr(eq + 1)};
    } else if (t == "-p") {
      last.reset();
    } else if (starts_with(t, "-p")) {
      last = {i, t.substr(2)};
    }
  }
  if (last && !last->second.empty() && literal(w[last->first], last->second))
    hits.add("mysql-password", command, last->second);
}

// curl -u user:password (also --user, -U/--proxy-user, and -sSu user:pass).
// Without a colon, or with nothing after it, curl prompts or sends none.
void curl_user(const Args& a, HitList& hits) {
  const auto& w = a.w;
  for (size_t i = a.begin; i < w.size(); ++i) {
    const std::string& t = w[i].text;
    std::optional<std::string> value;
    if ((t == "-u" || t == "--user" || t == "-U" || t == "--proxy-user") && i + 1 < w.size()) {
      value = w[++i].text;
    } else if (starts_with(t, "--user=") || starts_with(t, "--proxy-user=")) {
      value = t.substr(t.find('=') + 1);
    } else if (t.size() > 1 && t[0] == '-' && t[1] != '-') {
      size_t k = 1;
      while (k < t.size() && std::strchr("sSLkvfiIgGjJNOZq46#", t[k]) != nullptr) ++k;
      if (k < t.size() && (t[k] == 'u' || t[k] == 'U')) {
        if (k + 1 < t.size())
          value = t.substr(k + 1);
        else if (i + 1 < w.size())
          value = w[++i].text;
      }
    }
    if (!value) continue;
    const size_t colon = value->find(':');
    if (colon == kNpos) continue;
    const std::string password = value->substr(colon + 1);
    if (literal(w[i], password)) return hits.add("curl-password", "curl", password);
  }
}

// sshpass -p PASSWORD (or -pPASSWORD) before the command; -f, -d and -e do not show it.
void sshpass(const Args& a, HitList& hits) {
  const auto& w = a.w;
  for (size_t i = a.begin; i < w.size() && is_option(w[i]); ++i) {
    const std::string& t = w[i].text;
    std::optional<std::string> value;
    if (t == "-p" && i + 1 < w.size())
      value = w[++i].text;
    else if (starts_with(t, "-p") && t.size() > 2)
      value = t.substr(2);
    else if (t == "-f" || t == "-d" || t == "-P")
      ++i;
    if (value) {
      if (literal(w[i], *value)) hits.add("sshpass-password", "sshpass", *value);
      return;
    }
  }
}

// htpasswd -b [-c...] FILE USER PASSWORD, or -nb USER PASSWORD.
void htpasswd(const Args& a, HitList& hits) {
  const auto& w = a.w;
  std::string letters;
  size_t i = a.begin;
  for (; i < w.size() && is_option(w[i]); ++i) {
    letters += w[i].text.substr(1);
    const char last = w[i].text.back();
    if (last == 'C' || last == 'r') ++i;  // -C cost, -r rounds
  }
  if (letters.find('b') == kNpos) return;
  const size_t at = i + (letters.find('n') != kNpos ? 1 : 2);
  if (at < w.size() && literal(w[at], w[at].text))
    hits.add("htpasswd-password", "htpasswd", w[at].text);
}

// A Redis command as redis-cli sends it: AUTH [user] pass, HELLO .. AUTH user
// pass, CONFIG SET requirepass|masterauth value, ACL SETUSER name .. >pass.
void redis_command(const std::vector<ShellWord>& w, size_t i, HitList& hits) {
  if (i >= w.size()) return;
  const std::string cmd = lowercase(w[i].text);
  const auto add = [&](const ShellWord& word, std::string_view value) {
    if (literal(word, value)) hits.add("redis-password", "redis-cli", std::string(value));
  };
  if (cmd == "auth" && i + 1 < w.size()) return add(w.back(), w.back().text);
  if (cmd == "config" && i + 3 < w.size() && lowercase(w[i + 1].text) == "set") {
    for (size_t p = i + 2; p + 1 < w.size(); p += 2) {
      const std::string param = lowercase(w[p].text);
      if (param == "requirepass" || param == "masterauth") return add(w[p + 1], w[p + 1].text);
    }
    return;
  }
  if (cmd == "acl" && i + 1 < w.size() && lowercase(w[i + 1].text) == "setuser") {
    for (size_t p = i + 3; p < w.size(); ++p)
      if (starts_with(w[p].text, ">")) return add(w[p], std::string_view(w[p].text).substr(1));
    return;
  }
  if (cmd == "hello" || cmd == "migrate") {
    for (size_t p = i + 1; p + 1 < w.size(); ++p) {
      const std::string word = lowercase(w[p].text);
      if (word == "auth" && cmd == "migrate") return add(w[p + 1], w[p + 1].text);
      if ((word == "auth" || word == "auth2") && p + 2 < w.size())
        return add(w[p + 2], w[p + 2].text);
    }
  }
}

// A line as redis-cli's sdssplitargs splits it: blanks separate, "..." takes
// \n \r \t \b \a \xHH escapes, '...' takes \'; a closing quote must end
// the word. A line it cannot split was never sent: no words.
std::vector<ShellWord> split_redis_args(std::string_view s) {
  std::vector<ShellWord> out;
  const auto blank = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  size_t i = 0;
  while (true) {
    while (i < s.size() && blank(s[i])) ++i;
    if (i >= s.size()) return out;
    ShellWord w;
    const char quote = s[i] == '"' || s[i] == '\'' ? s[i++] : '\0';
    for (; i < s.size(); ++i) {
      const char c = s[i];
      if (quote == '\0') {
        if (blank(c)) break;
        w.text += c;
      } else if (c == quote) {
        if (i + 1 < s.size() && !blank(s[i + 1])) return {};
        break;
      } else if (c == '\\' && i + 1 < s.size() && quote == '\'' && s[i + 1] == '\'') {
        w.text += s[++i];
      } else if (c == '\\' && i + 1 < s.size() && quote == '"') {
        const char d = s[++i];
        static constexpr std::string_view kFrom = "nrtba", kTo = "\n\r\t\b\a";
        if (d == 'x' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
          w.text += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
          i += 2;
        } else {
          const size_t at = kFrom.find(d);
          w.text += at == kNpos ? d : kTo[at];
        }
      } else {
        w.text += c;
      }
    }
    if (quote != '\0' && i >= s.size()) return {};  // unterminated
    ++i;
    out.push_back(std::move(w));
  }
}

// redis-cli -a PASSWORD or --pass PASSWORD; --askpass prompts. Words after
// the options are a Redis command.
void redis_cli(const Args& a, HitList& hits) {
  static const std::set<std::string, std::less<>> kWithValue = {
      "-h",          "-p",    "-s",        "-n",     "-u",         "-r",        "-i",
      "-d",          "-D",    "-t",        "--user", "--tls-cert", "--tls-key", "--cacert",
      "--cacertdir", "--sni", "--pattern", "--rdb",  "--eval"};
  const auto& w = a.w;
  size_t i = a.begin;
  for (; i < w.size() && is_option(w[i]); ++i) {
    const std::string& t = w[i].text;
    if ((t == "-a" || t == "--pass") && i + 1 < w.size()) {
      ++i;
      if (literal(w[i], w[i].text)) hits.add("redis-password", "redis-cli", w[i].text);
    } else if (kWithValue.count(t)) {
      ++i;
    }
  }
  redis_command(w, i, hits);
}

// Variables whose value is a credential: PGPASSWORD and MYSQL_PWD (read by
// libpq and the mysql client), SSHPASS (sshpass -e), REDISCLI_AUTH, and
// names ending in PASSWORD, PASSWD, _PASS, TOKEN, SECRET, API_KEY, APIKEY,
// SECRET_KEY, SECRET_ACCESS_KEY or _PAT.
std::string variable_kind(std::string_view name) {
  const std::string n = uppercase(name);
  if (n == "PGPASSWORD") return "pgpassword";
  if (n == "MYSQL_PWD") return "mysql-pwd";
  if (n == "SSHPASS" || n == "REDISCLI_AUTH") return "env-secret";
  static constexpr std::array<std::string_view, 10> kSuffixes = {
      "PASSWORD",          "PASSWD", "_PASS", "TOKEN", "SECRET", "API_KEY", "APIKEY", "SECRET_KEY",
      "SECRET_ACCESS_KEY", "_PAT"};
  for (const auto s : kSuffixes)
    if (ends_with(n, s)) return "env-secret";
  return {};
}

void variable(std::string_view name, const ShellWord& word, std::string_view value,
              const std::string& command, HitList& hits) {
  const std::string kind = variable_kind(name);
  // A value inside its own name (GITHUB_TOKEN=TOKEN) names the secret, it is not one.
  if (kind.empty() || !literal(word, value) || name.find(value) != std::string_view::npos) return;
  static const std::set<std::string, std::less<>> kNotSecrets = {
      "true", "false", "yes", "no", "on", "off", "0", "1", "null", "none", "nil"};
  if (kind == "env-secret" && kNotSecrets.count(lowercase(std::string(value)))) return;
  hits.add(kind, command, std::string(value), std::string(name));
}

void name_value(const ShellWord& w, const std::string& command, HitList& hits) {
  const size_t eq = w.text.find('=');
  if (eq == kNpos) return;
  const std::string_view name = std::string_view(w.text).substr(0, eq);
  if (valid_name(name)) variable(name, w, std::string_view(w.text).substr(eq + 1), command, hits);
}

// NAME=value before a command (or alone), export/declare/... NAME=value, fish's set NAME value.
void assignments(const ShellCommand& c, const Invocation& inv, HitList& hits) {
  const std::string command = inv.program == kNpos ? std::string() : inv.name;
  for (const size_t i : inv.assignments) name_value(c.words[i], command, hits);
  if (inv.program == kNpos) return;
  const auto& w = c.words;
  static const std::set<std::string, std::less<>> kExports = {"export", "declare", "typeset",
                                                              "local", "readonly"};
  if (kExports.count(inv.name)) {
    for (size_t i = inv.program + 1; i < w.size(); ++i)
      if (!is_option(w[i])) name_value(w[i], inv.name, hits);
  } else if (inv.name == "set") {  // fish: set [-gxU...] NAME VALUE...
    size_t i = inv.program + 1;
    for (; i < w.size() && is_option(w[i]); ++i) {
      const std::string& t = w[i].text;
      const bool long_opt = starts_with(t, "--");
      if ((long_opt && (t == "--erase" || t == "--query" || t == "--names" || t == "--show")) ||
          (!long_opt && t.find_first_of("eqnS") != kNpos))
        return;  // not an assignment
    }
    if (i + 1 < w.size() && valid_name(w[i].text))
      variable(w[i].text, w[i + 1], w[i + 1].text, "set", hits);
  }
}

// The password of a `user:password` value; "" without one.
std::string_view password_of_creds(std::string_view creds) {
  const size_t colon = creds.find(':');
  return colon == kNpos ? std::string_view() : creds.substr(colon + 1);
}

// The first word after the options: a subcommand such as skopeo's "copy".
std::string with_subcommand(const std::string& program, const Args& a) {
  for (size_t i = a.begin; i < a.w.size(); ++i)
    if (!is_option(a.w[i])) return program + " " + a.w[i].text;
  return program;
}

// Values of long options `names` (--name VALUE or --name=VALUE) and of
// short options `letters` (-x VALUE or -xVALUE); `each(word, value)`.
template <typename Each>
void option_values(const Args& a, std::initializer_list<std::string_view> names,
                   std::string_view letters, Each each) {
  const auto& w = a.w;
  for (size_t i = a.begin; i < w.size(); ++i) {
    const std::string& t = w[i].text;
    if (t == "--") return;
    for (const auto name : names) {
      if (t == name && i + 1 < w.size()) {
        ++i;
        each(w[i], std::string_view(w[i].text));
      } else if (t.size() > name.size() && starts_with(t, name) && t[name.size()] == '=') {
        each(w[i], std::string_view(t).substr(name.size() + 1));
      }
    }
    if (t.size() >= 2 && t[0] == '-' && t[1] != '-' && letters.find(t[1]) != kNpos) {
      if (t.size() > 2) {
        each(w[i], std::string_view(t).substr(2));
      } else if (i + 1 < w.size()) {
        ++i;
        each(w[i], std::string_view(w[i].text));
      }
    }
  }
}

// skopeo, podman and buildah: --creds, --src-creds, --dest-creds user:password.
void registry_creds(const Args& a, const std::string& program, HitList& hits) {
  const std::string command = with_subcommand(program, a);
  option_values(a, {"--creds", "--src-creds", "--screds", "--dest-creds", "--dcreds"}, "",
                [&](const ShellWord& w, std::string_view creds) {
                  const std::string_view password = password_of_creds(creds);
                  if (!password.empty() && literal(w, password))
                    hits.add("registry-creds-password", command, std::string(password));
                });
}

// wget --password, --http-password, --ftp-password, --proxy-password (and the
// old --*-passwd spellings); --ask-password prompts.
void wget_password(const Args& a, HitList& hits) {
  option_values(a,
                {"--password", "--http-password", "--ftp-password", "--proxy-password",
                 "--http-passwd", "--ftp-passwd", "--proxy-passwd"},
                "", [&](const ShellWord& w, std::string_view value) {
                  if (literal(w, value)) hits.add("wget-password", "wget", std::string(value));
                });
}

// gitlab-runner register --token|-t X, --registration-token|-r X (and the
// other subcommands that take a runner's token). Go's flag parsing: one or
// two dashes, a value after a blank or '=', never attached to a letter.
void gitlab_runner(const Args& a, HitList& hits) {
  const std::string command = with_subcommand("gitlab-runner", a);
  option_values(a, {"--token", "--registration-token", "-token", "-registration-token", "-t", "-r"},
                "", [&](const ShellWord& w, std::string_view value) {
                  if (literal(w, value))
                    hits.add("gitlab-runner-token", command, std::string(value));
                });
}

// The Azure Pipelines agent: ./config.sh --url U --auth pat --token X (or
// --auth negotiate|alt --password X). Another script named config.sh counts
// only with the agent's --url or --auth.
void azure_agent(const Args& a, const std::string& program, HitList& hits) {
  const bool agent = std::any_of(
      a.w.begin() + static_cast<std::ptrdiff_t>(a.begin), a.w.end(), [](const ShellWord& w) {
        return w.text == "--url" || w.text == "--auth" || starts_with(w.text, "--url=") ||
               starts_with(w.text, "--auth=");
      });
  if (!agent) return;
  option_values(a, {"--token", "--password"}, "", [&](const ShellWord& w, std::string_view value) {
    if (literal(w, value)) hits.add("azure-pipelines-token", program, std::string(value));
  });
}

// %XX escapes of a URL's query.
std::string percent_decoded(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size() && std::isxdigit(static_cast<unsigned char>(v[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
      out += static_cast<char>(hex_digit(v[i + 1]) * 16 + hex_digit(v[i + 2]));
      i += 2;
    } else {
      out += v[i];
    }
  }
  return out;
}

// password=... in a postgres:// URL's query.
std::optional<std::string> uri_query_password(std::string_view uri) {
  const size_t q = uri.find('?');
  if (q == kNpos) return std::nullopt;
  std::string_view query = uri.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = std::min(query.find('&'), query.size());
    const std::string_view pair = query.substr(0, amp);
    if (starts_with(pair, "password=")) return percent_decoded(pair.substr(9));
    query.remove_prefix(std::min(amp + 1, query.size()));
  }
  return std::nullopt;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The password of a libpq keyword/value connection string ("host=db
// password=x", values bare or in single quotes, backslash escapes), as
// conninfo_parse reads it. A string libpq would refuse has none.
std::optional<std::string> conninfo_password(std::string_view s) {
  std::optional<std::string> password;
  size_t i = 0;
  while (true) {
    while (i < s.size() && is_blank(s[i])) ++i;
    if (i >= s.size()) return password;
    const size_t key = i;
    while (i < s.size() && s[i] != '=' && !is_blank(s[i])) ++i;
    const std::string_view name = s.substr(key, i - key);
    while (i < s.size() && is_blank(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') return std::nullopt;
    ++i;
    while (i < s.size() && is_blank(s[i])) ++i;
    std::string value;
    const bool quoted = i < s.size() && s[i] == '\'';
    if (quoted) ++i;
    for (; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        value += s[++i];
      } else if (quoted ? s[i] == '\'' : is_blank(s[i])) {
        break;
      } else {
        value += s[i];
      }
    }
    if (quoted) {
      if (i >= s.size()) return std::nullopt;  // unterminated
      ++i;
    }
    if (name == "password") password = std::move(value);
  }
}

// libpq's programs given a connection string with a password in it: psql
// "host=db password=x", -d/--dbname, or postgresql://..?password=x.
void libpq_conninfo(const Args& a, const std::string& program, HitList& hits) {
  const auto& w = a.w;
  for (size_t i = a.begin; i < w.size(); ++i) {
    std::string_view t = w[i].text;
    if (w[i].dynamic || t.find("password") == kNpos) continue;
    if (starts_with(t, "--dbname="))
      t.remove_prefix(9);
    else if (starts_with(t, "-d"))
      t.remove_prefix(2);
    std::optional<std::string> password;
    if (starts_with(t, "postgresql://") || starts_with(t, "postgres://"))
      password = uri_query_password(t);
    else if (t.find('=') != kNpos && !starts_with(t, "-"))
      password = conninfo_password(t);
    if (password && !password->empty() && !is_placeholder(*password))
      hits.add("pg-conninfo-password", program, *password);
  }
}

bool is_libpq_program(const std::string& name) {
  static const std::set<std::string, std::less<>> kPrograms = {
      "psql",       "pgcli",         "pgbench",       "createdb",      "dropdb",
      "createuser", "dropuser",      "vacuumdb",      "reindexdb",     "clusterdb",
      "pg_isready", "pg_basebackup", "pg_receivewal", "pg_recvlogical"};
  return kPrograms.count(name) != 0 || starts_with(name, "pg_dump") || name == "pg_restore";
}

// ---------------------------------------------------------------------------
// Commands run through another program: sh -c, su -c, ssh, docker exec,
// kubectl exec. What they run is judged as if typed, two levels deep at most.

constexpr int kMaxNesting = 2;

void shell_commands(const std::vector<ShellCommand>& cmds, int depth, HitList& hits);

// Literal code handed to another shell: it is split again as that shell will.
void nested_script(const ShellWord& code, int depth, HitList& hits) {
  if (code.dynamic || code.text.empty()) return;
  shell_commands(split_shell_commands(code.text, ShellDialect::posix), depth + 1, hits);
}

// Words that are themselves a command (docker exec CONTAINER cmd args).
void nested_words(const std::vector<ShellWord>& w, size_t from, int depth, HitList& hits) {
  if (from >= w.size()) return;
  ShellCommand c;
  c.words.assign(w.begin() + static_cast<std::ptrdiff_t>(from), w.end());
  shell_commands({std::move(c)}, depth + 1, hits);
}

bool is_shell(const std::string& name) {
  static const std::set<std::string, std::less<>> kShells = {"sh",  "bash", "dash", "zsh",
                                                             "ksh", "ash",  "mksh"};
  return kShells.count(name) != 0;
}

// sh -c 'code' (also -xc, -lc; -o/-O take a value): the code, if given.
const ShellWord* shell_c_script(const Args& a) {
  const auto& w = a.w;
  bool c_flag = false;
  size_t i = a.begin;
  for (; i < w.size() && w[i].text.size() > 1 && (w[i].text[0] == '-' || w[i].text[0] == '+');
       ++i) {
    const std::string& t = w[i].text;
    if (t == "--" || t == "-") {
      ++i;
      break;
    }
    if (t == "--rcfile" || t == "--init-file") {
      ++i;
    } else if (!starts_with(t, "--")) {
      if (t.find('c') != kNpos) c_flag = true;
      if (t.back() == 'o' || t.back() == 'O') ++i;  // -o OPTION
    }
  }
  return c_flag && i < w.size() ? &w[i] : nullptr;
}

// su [-] [user] -c|--command 'code'.
const ShellWord* su_script(const Args& a) {
  const ShellWord* code = nullptr;
  option_values(a, {"--command", "--session-command"}, "c",
                [&](const ShellWord& w, std::string_view value) {
                  if (value == w.text) code = &w;  // a value inside an option word is left alone
                });
  return code;
}

// ssh [options] host command...: the remote shell runs the words joined by blanks.
void ssh_remote(const Args& a, int depth, HitList& hits) {
  constexpr std::string_view kWithValue = "BbcDEeFIiJLlmOoPpQRSWw";
  const auto& w = a.w;
  size_t i = a.begin;
  for (; i < w.size() && is_option(w[i]); ++i) {
    const std::string& t = w[i].text;
    if (t == "--") {
      ++i;
      break;
    }
    const size_t letter = t.find_first_of(kWithValue, 1);
    if (letter != kNpos && letter + 1 == t.size()) ++i;  // -p 22; -p22 holds its value
  }
  if (i + 1 >= w.size()) return;  // no host, or no command
  ShellWord code;
  for (size_t k = i + 1; k < w.size(); ++k) {
    if (w[k].dynamic) return;  // expanded here first: not literal code
    if (!code.text.empty()) code.text += ' ';
    code.text += w[k].text;
  }
  nested_script(code, depth, hits);
}

// docker|podman run|create|exec options: each -e/--env NAME=VALUE is judged
// as an assignment; the first word after them (the image or the container)
// is returned. Options the table does not know are taken as flags: the word
// after one is then taken for the image and nothing after it is judged.
size_t container_options(const Args& a, const std::string& command, HitList& hits) {
  static const std::set<std::string, std::less<>> kWithValue = {"-a",
                                                                "--attach",
                                                                "--add-host",
                                                                "--annotation",
                                                                "--blkio-weight",
                                                                "--cap-add",
                                                                "--cap-drop",
                                                                "--cgroup-parent",
                                                                "--cgroupns",
                                                                "--cidfile",
                                                                "--cpu-period",
                                                                "--cpu-quota",
                                                                "-c",
                                                                "--cpu-shares",
                                                                "--cpus",
                                                                "--cpuset-cpus",
                                                                "--cpuset-mems",
                                                                "--device",
                                                                "--dns",
                                                                "--dns-option",
                                                                "--dns-search",
                                                                "--domainname",
                                                                "--entrypoint",
                                                                "--env-file",
                                                                "--env-from-file",
                                                                "--expose",
                                                                "--gpus",
                                                                "--group-add",
                                                                "--health-cmd",
                                                                "--health-interval",
                                                                "--health-retries",
                                                                "--health-start-period",
                                                                "--health-timeout",
                                                                "-h",
                                                                "--hostname",
                                                                "--index",
                                                                "--ip",
                                                                "--ip6",
                                                                "--ipc",
                                                                "--isolation",
                                                                "-l",
                                                                "--label",
                                                                "--label-file",
                                                                "--link",
                                                                "--log-driver",
                                                                "--log-opt",
                                                                "--mac-address",
                                                                "-m",
                                                                "--memory",
                                                                "--memory-reservation",
                                                                "--memory-swap",
                                                                "--mount",
                                                                "--name",
                                                                "--network",
                                                                "--net",
                                                                "--network-alias",
                                                                "--pid",
                                                                "--pids-limit",
                                                                "--platform",
                                                                "--pod",
                                                                "--pull",
                                                                "--restart",
                                                                "--runtime",
                                                                "--security-opt",
                                                                "--shm-size",
                                                                "--stop-signal",
                                                                "--stop-timeout",
                                                                "--storage-opt",
                                                                "--sysctl",
                                                                "--tmpfs",
                                                                "-u",
                                                                "--user",
                                                                "--userns",
                                                                "--uts",
                                                                "-v",
                                                                "--volume",
                                                                "--volumes-from",
                                                                "-w",
                                                                "--workdir",
                                                                "-p",
                                                                "--publish",
                                                                "--ulimit",
                                                                "--detach-keys"};
  constexpr std::string_view kShortWithValue = "achlmpuvw";
  const auto env = [&](const ShellWord& w, std::string_view value) {
    ShellWord v{std::string(value), w.dynamic, 0};
    name_value(v, command, hits);
  };
  const auto& w = a.w;
  size_t i = a.begin;
  for (; i < w.size() && is_option(w[i]); ++i) {
    const std::string& t = w[i].text;
    if (t == "--") return i + 1;
    if ((t == "-e" || t == "--env") && i + 1 < w.size()) {
      ++i;
      env(w[i], w[i].text);
    } else if (starts_with(t, "--env=")) {
      env(w[i], std::string_view(t).substr(6));
    } else if (kWithValue.count(t)) {
      ++i;
    } else if (!starts_with(t, "--")) {  // -it, -eNAME=V, -p8080:80, -itp 80:80
      const size_t e = t.find('e');
      const size_t valued = t.find_first_of(kShortWithValue, 1);
      if (e != kNpos && e < valued) {
        if (e + 1 < t.size()) {
          env(w[i], std::string_view(t).substr(e + 1));
        } else if (i + 1 < w.size()) {
          ++i;
          env(w[i], w[i].text);
        }
      } else if (valued == t.size() - 1) {
        ++i;
      }
    }
  }
  return i;
}

// docker|podman [container] run|create|exec ...: the environment given, and
// the command run in the container.
void container_run(const Args& a, const std::string& program, int depth, HitList& hits) {
  for (const std::string_view sub : {"run", "create", "exec"}) {
    auto at = subcommand_at(a.w, a.begin, {sub});
    if (!at) at = subcommand_at(a.w, a.begin, {"container", sub});
    if (!at) continue;
    const size_t target = container_options(Args{a.w, *at}, program + " " + std::string(sub), hits);
    if (depth < kMaxNesting) nested_words(a.w, target + 1, depth, hits);
    return;
  }
}

// docker|podman compose [-f FILE ...] exec|run [options] SERVICE command,
// and the standalone docker-compose / podman-compose: the environment
// given, and the command run in the service's container.
void compose_run(const Args& a, const std::string& program, int depth, HitList& hits) {
  static constexpr std::string_view kComposeWithValue =
      " -f --file -p --project-name --project-directory --env-file --profile --ansi --progress"
      " --parallel --workdir ";
  size_t i = a.begin;
  std::string command = program;
  if (program == "docker" || program == "podman") {
    const auto at = subcommand_at(a.w, i, {"compose"});
    if (!at) return;
    i = *at;
    command += " compose";
  }
  // docker-compose v1 also takes docker's own -H, --context, --tls*.
  i = skip_options_if(a.w, i, [](std::string_view t) {
    const std::string word = " " + std::string(t) + " ";
    return kComposeWithValue.find(word) != kNpos || kGlobalsWithValue.find(word) != kNpos;
  });
  if (i >= a.w.size() || (a.w[i].text != "exec" && a.w[i].text != "run")) return;
  command += " " + a.w[i].text;
  const size_t service = container_options(Args{a.w, i + 1}, command, hits);
  if (depth < kMaxNesting) nested_words(a.w, service + 1, depth, hits);
}

// kubectl|oc exec ... -- command args.
void kubectl_exec(const Args& a, int depth, HitList& hits) {
  const auto& w = a.w;
  bool exec = false;
  for (size_t i = a.begin; i < w.size(); ++i) {
    if (w[i].text == "exec") exec = true;
    if (w[i].text == "--") {
      if (exec) nested_words(w, i + 1, depth, hits);
      return;
    }
  }
}

void nested_commands(const Invocation& inv, const Args& args, int depth, HitList& hits) {
  if (depth >= kMaxNesting) return;
  if (is_shell(inv.name)) {
    if (const ShellWord* code = shell_c_script(args)) nested_script(*code, depth, hits);
  } else if (inv.name == "su") {
    if (const ShellWord* code = su_script(args)) nested_script(*code, depth, hits);
  } else if (inv.name == "ssh") {
    ssh_remote(args, depth, hits);
  } else if (inv.name == "kubectl" || inv.name == "oc") {
    kubectl_exec(args, depth, hits);
  }
}

void shell_command(const std::vector<ShellCommand>& cmds, size_t k, int depth, HitList& hits) {
  static const std::set<std::string, std::less<>> kMysqlClients = {
      "mysql",        "mysqldump",     "mysqladmin",     "mysqlimport",  "mysqlshow",
      "mysqlcheck",   "mysqlpump",     "mysqlslap",      "mysqlbinlog",  "mariadb",
      "mariadb-dump", "mariadb-admin", "mariadb-import", "mariadb-show", "mariadb-check",
      "mariadb-slap", "mariadb-binlog"};
  const ShellCommand& c = cmds[k];
  const Invocation inv = resolve(c);
  assignments(c, inv, hits);
  if (inv.program == kNpos) return;
  const Args args{c.words, inv.program + 1};
  const std::string& name = inv.name;
  registry_login(cmds, k, inv, hits);
  if (kMysqlClients.count(name)) mysql_client(args, name, hits);
  if (name == "curl") curl_user(args, hits);
  if (name == "sshpass") sshpass(args, hits);
  if (name == "htpasswd") htpasswd(args, hits);
  if (name == "redis-cli") redis_cli(args, hits);
  if (name == "wget") wget_password(args, hits);
  if (name == "gitlab-runner") gitlab_runner(args, hits);
  if (name == "config.sh") azure_agent(args, name, hits);
  if (is_libpq_program(name)) libpq_conninfo(args, name, hits);
  if (name == "skopeo" || name == "podman" || name == "buildah") registry_creds(args, name, hits);
  if (name == "docker" || name == "podman") container_run(args, name, depth, hits);
  if (name == "docker" || name == "podman" || name == "docker-compose" || name == "podman-compose")
    compose_run(args, name, depth, hits);
  nested_commands(inv, args, depth, hits);
}

void shell_commands(const std::vector<ShellCommand>& cmds, int depth, HitList& hits) {
  for (size_t k = 0; k < cmds.size(); ++k) shell_command(cmds, k, depth, hits);
}

// The program of the first command with a word holding `secret`.
std::string program_holding(const std::vector<ShellCommand>& cmds, std::string_view secret) {
  for (const auto& c : cmds) {
    for (const auto& w : c.words) {
      if (w.text.find(secret) == kNpos) continue;
      const Invocation inv = resolve(c);
      return inv.program == kNpos ? std::string() : inv.name;
    }
  }
  return {};
}

// SQL that sets a password: PostgreSQL's CREATE/ALTER ROLE|USER ...
// [ENCRYPTED] PASSWORD 'x', MySQL's IDENTIFIED [WITH plugin] BY 'x' and SET
// PASSWORD [FOR user] = 'x'. Already hashed values (md5..., SCRAM-SHA-256$...,
// *<40 hex>) are not plaintext and are left alone.
bool is_word_char(char c) { return is_name_char(c) || c == '-' || c == '$' || c == '.'; }

bool word_at(std::string_view lower, size_t pos, std::string_view w) {
  if (pos >= lower.size() || lower.substr(pos, w.size()) != w) return false;
  if (pos > 0 && is_word_char(lower[pos - 1])) return false;
  const size_t end = pos + w.size();
  return end >= lower.size() || !is_name_char(lower[end]);
}

size_t skip_blank(std::string_view s, size_t i) {
  while (i < s.size() && std::strchr(" \t\r\n\x01", s[i]) != nullptr && s[i] != '\0') ++i;
  return i;
}

// Longer literals are not taken for passwords: every "password" of a hostile
// line may start a string, so each one is read this far at most.
constexpr size_t kMaxSqlString = 256;

std::optional<std::string> sql_string(std::string_view s, size_t i) {
  s = s.substr(0, std::min(s.size(), i + kMaxSqlString + 4));
  bool backslashes = false;
  if (i + 1 < s.size() && (s[i] == 'E' || s[i] == 'e') && s[i + 1] == '\'') {
    backslashes = true;  // PostgreSQL's E'...'
    ++i;
  }
  if (i >= s.size() || (s[i] != '\'' && s[i] != '"')) return std::nullopt;
  const char q = s[i];
  std::string out;
  for (++i; i < s.size(); ++i) {
    if (backslashes && s[i] == '\\' && i + 1 < s.size()) {
      out += s[++i];
    } else if (s[i] == q) {
      if (i + 1 < s.size() && s[i + 1] == q) {
        out += q;
        ++i;
      } else {
        return out;
      }
    } else {
      out += s[i];
    }
  }
  return std::nullopt;  // unterminated (or too long): not a statement that ran
}

bool is_hashed(std::string_view v) {
  const auto hex = [](std::string_view h) {
    return std::all_of(h.begin(), h.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
  };
  return starts_with(v, "SCRAM-SHA-256$") ||
         (v.size() == 35 && starts_with(v, "md5") && hex(v.substr(3))) ||
         (v.size() == 41 && v[0] == '*' && hex(v.substr(1)));
}

size_t first_word(std::string_view lower, std::initializer_list<std::string_view> words) {
  size_t best = kNpos;
  for (const auto w : words)
    for (size_t p = lower.find(w); p != kNpos && p < best; p = lower.find(w, p + 1))
      if (word_at(lower, p, w)) best = std::min(best, p);
  return best;
}

void sql_password(std::string_view s, std::string_view lower, size_t verb, HitList& hits,
                  const CommandOf& command_of) {
  constexpr std::string_view kPassword = "password";
  for (size_t p = lower.find(kPassword); p != kNpos; p = lower.find(kPassword, p + 1)) {
    if (verb == kNpos || verb >= p || !word_at(lower, p, kPassword)) continue;
    size_t i = skip_blank(s, p + kPassword.size());
    if (word_at(lower, i, "for")) {  // SET PASSWORD FOR user = 'x'
      const size_t eq = s.substr(0, std::min(s.size(), i + 256)).find('=', i);
      if (eq == kNpos) continue;
      i = eq;
    }
    if (i < s.size() && s[i] == '=') i = skip_blank(s, i + 1);
    if (i < s.size() && s[i] == '(') i = skip_blank(s, i + 1);
    const auto value = sql_string(s, i);
    if (value && !is_hashed(*value) && !is_placeholder(*value) && !hits.has(*value))
      hits.add("sql-password", command_of(*value), *value);
  }
}

void sql_identified_by(std::string_view s, std::string_view lower, HitList& hits,
                       const CommandOf& command_of) {
  constexpr std::string_view kIdentified = "identified";
  for (size_t p = lower.find(kIdentified); p != kNpos; p = lower.find(kIdentified, p + 1)) {
    if (!word_at(lower, p, kIdentified)) continue;
    size_t i = skip_blank(s, p + kIdentified.size());
    if (word_at(lower, i, "with")) {  // IDENTIFIED WITH plugin BY 'x'
      i = skip_blank(s, i + 4);
      if (i < s.size() && (s[i] == '\'' || s[i] == '"' || s[i] == '`')) {
        const size_t close = s.substr(0, std::min(s.size(), i + kMaxSqlString)).find(s[i], i + 1);
        if (close == kNpos) continue;
        i = close + 1;
      } else {
        while (i < s.size() && is_name_char(s[i])) ++i;
      }
      i = skip_blank(s, i);
    }
    if (!word_at(lower, i, "by")) continue;
    i = skip_blank(s, i + 2);
    if (word_at(lower, i, "password") || word_at(lower, i, "random")) continue;
    const auto value = sql_string(s, i);
    if (value && !is_hashed(*value) && !is_placeholder(*value) && !hits.has(*value))
      hits.add("sql-password", command_of(*value), *value);
  }
}

void sql_secrets(std::string_view s, const CommandOf& command_of, HitList& hits) {
  const std::string lower = lowercase(std::string(s));
  if (lower.find("password") == kNpos && lower.find("identified") == kNpos) return;
  sql_password(s, lower, first_word(lower, {"alter", "create", "set", "grant"}), hits, command_of);
  sql_identified_by(s, lower, hits, command_of);
}

bool is_scheme_char(char c) { return is_alnum(c) || c == '+' || c == '-' || c == '.'; }

// scheme://user:password@host. A password that is a variable is not one.
void url_secrets(std::string_view s, const CommandOf& command_of, HitList& hits) {
  for (size_t p = s.find("://"); p != kNpos; p = s.find("://", p + 3)) {
    size_t start = p;
    while (start > 0 && p - start < 32 && is_scheme_char(s[start - 1])) --start;
    while (start < p && !is_alpha(s[start])) ++start;
    if (start == p) continue;
    size_t end = p + 3;
    while (end < s.size() && end - p < 1024 &&
           std::strchr("/?#\"'<>`\\ \t\r\n\x01", s[end]) == nullptr && s[end] != '\0')
      ++end;
    const std::string_view authority = s.substr(p + 3, end - p - 3);
    const size_t at = authority.rfind('@');
    if (at == kNpos) continue;
    const std::string_view userinfo = authority.substr(0, at);
    const size_t colon = userinfo.find(':');
    if (colon == kNpos) continue;
    const std::string_view password = userinfo.substr(colon + 1);
    if (password.empty() || password[0] == '$' || password.find("${") != kNpos ||
        password.find("$(") != kNpos || is_placeholder(password) || hits.has(password))
      continue;
    hits.add("url-password", command_of(password), std::string(password), {},
             lowercase(std::string(s.substr(start, p - start))));
  }
}

enum class CharClass { alnum, word, dashed_word, upper_digit, slack, gitlab };

bool in_class(char c, CharClass k) {
  switch (k) {
    case CharClass::alnum:
      return is_alnum(c);
    case CharClass::word:
      return is_name_char(c);
    case CharClass::dashed_word:
      return is_name_char(c) || c == '-';
    case CharClass::upper_digit:
      return (c >= 'A' && c <= 'Z') || is_digit(c);
    case CharClass::slack:
      return is_alnum(c) || c == '-';
    case CharClass::gitlab:
      return is_name_char(c) || c == '-' || c == '.';
  }
  return false;
}

struct TokenFormat {
  std::string_view prefix;
  std::string_view kind;
  CharClass body;
  size_t min, max;  // body length; min == max: exactly that long
};

// Published token formats (GitHub, GitLab, AWS, Slack, Stripe, Google, npm,
// PyPI, Docker Hub). GitLab's runner, deploy and CI job tokens (glrt-, gldt-,
// glcbt-) are 20 characters, or longer and dotted in the routable format.
constexpr std::array<TokenFormat, 24> kTokenFormats = {{
    {"ghp_", "github-token", CharClass::alnum, 36, 36},
    {"gho_", "github-token", CharClass::alnum, 36, 36},
    {"ghu_", "github-token", CharClass::alnum, 36, 36},
    {"ghs_", "github-token", CharClass::alnum, 36, 36},
    {"ghr_", "github-token", CharClass::alnum, 36, 36},
    {"github_pat_", "github-token", CharClass::word, 70, 120},
    {"glpat-", "gitlab-token", CharClass::gitlab, 20, 200},
    {"glrt-", "gitlab-token", CharClass::gitlab, 20, 300},
    {"gldt-", "gitlab-token", CharClass::gitlab, 20, 300},
    {"glcbt-", "gitlab-token", CharClass::gitlab, 20, 300},
    {"GR1348941", "gitlab-token", CharClass::dashed_word, 20, 20},
    {"AKIA", "aws-access-key-id", CharClass::upper_digit, 16, 16},
    {"ASIA", "aws-access-key-id", CharClass::upper_digit, 16, 16},
    {"xoxa-", "slack-token", CharClass::slack, 10, 200},
    {"xoxb-", "slack-token", CharClass::slack, 10, 200},
    {"xoxp-", "slack-token", CharClass::slack, 10, 200},
    {"xoxr-", "slack-token", CharClass::slack, 10, 200},
    {"xoxs-", "slack-token", CharClass::slack, 10, 200},
    {"sk_live_", "stripe-live-key", CharClass::alnum, 24, 200},
    {"AIza", "google-api-key", CharClass::dashed_word, 35, 35},
    {"npm_", "npm-token", CharClass::alnum, 36, 36},
    {"pypi-AgE", "pypi-token", CharClass::dashed_word, 50, 2000},
    {"rk_live_", "stripe-live-key", CharClass::alnum, 24, 200},
    {"dckr_pat_", "docker-hub-token", CharClass::dashed_word, 27, 27},
}};

struct TokenMatch {
  std::string_view token;  // "" when there is none
  size_t run_end = 0;      // where the run of body characters after the prefix ends
};

// The token of `f` at `p`. When the prefix is there, the body's whole run is
// measured, so a failed candidate lets the caller skip every later candidate
// of `f` inside that run: a run too long (or too short, or followed by a
// letter) is not a token anywhere inside it either.
TokenMatch token_at(std::string_view s, size_t p, const TokenFormat& f) {
  if (s.substr(p, f.prefix.size()) != f.prefix || (p > 0 && is_alnum(s[p - 1]))) return {{}, p};
  const size_t body = p + f.prefix.size();
  size_t end = body;
  while (end < s.size() && in_class(s[end], f.body)) ++end;
  const size_t n = end - body;
  if (n < f.min || n > f.max || (end < s.size() && is_alnum(s[end]))) return {{}, end};
  const std::string_view b = s.substr(body, n);
  if (b.find_first_not_of(b[0]) == kNpos || uppercase(b).find("EXAMPLE") != kNpos) return {{}, end};
  return {s.substr(p, end - p), end};
}

// One pass: each format measures each run of its characters at most once.
void token_secrets(std::string_view s, const CommandOf& command_of, HitList& hits) {
  std::array<size_t, kTokenFormats.size()> skip_until{};
  for (size_t p = 0; p < s.size(); ++p) {
    for (size_t k = 0; k < kTokenFormats.size(); ++k) {
      const auto& f = kTokenFormats[k];
      if (s[p] != f.prefix[0] || p < skip_until[k]) continue;
      const TokenMatch m = token_at(s, p, f);
      skip_until[k] = m.run_end;
      if (m.token.empty()) continue;
      if (!hits.has(m.token))
        hits.add(std::string(f.kind), command_of(m.token), std::string(m.token));
      p += m.token.size() - 1;
      break;
    }
  }
}

}  // namespace

constexpr size_t kMaxNamedPerEntry = 16;

std::vector<SecretHit> find_secrets(HistoryFormat format, std::string_view entry) {
  std::vector<SecretHit> found;
  HitList hits(found);
  std::vector<ShellCommand> cmds;
  const std::string client = client_of(format);
  if (format == HistoryFormat::redis) {
    redis_command(split_redis_args(entry), 0, hits);
  } else if (client.empty()) {
    cmds = split_shell_commands(
        entry, format == HistoryFormat::fish ? ShellDialect::fish : ShellDialect::posix);
    shell_commands(cmds, 0, hits);
  }
  // Naming the program reads every word: on a line of thousands of tokens,
  // only the first few are named.
  size_t named = 0;
  const CommandOf command_of = [&](std::string_view secret) {
    if (!client.empty()) return client;
    return ++named <= kMaxNamedPerEntry ? program_holding(cmds, secret) : std::string();
  };
  sql_secrets(entry, command_of, hits);
  url_secrets(entry, command_of, hits);
  token_secrets(entry, command_of, hits);
  return found;
}

std::string redact(std::string_view secret) {
  size_t shown = secret.size() < 8 ? 0 : std::min<size_t>(4, secret.size() / 4);
  for (size_t i = 0; i < shown; ++i)
    if (secret[i] < 0x21 || secret[i] > 0x7e) shown = 0;  // a cut character is not UTF-8
  return fmt::format("{}…({} chars)", secret.substr(0, shown), secret.size());
}

}  // namespace hostward::audit

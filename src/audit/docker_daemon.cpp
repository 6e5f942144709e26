#include "audit/docker_daemon.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <set>

#include "audit/accounts.h"

namespace hostward::audit {

namespace {

constexpr size_t kMaxWords = 4096;       // words of one command line
constexpr size_t kMaxValue = 64 * 1024;  // one expanded variable or word
constexpr size_t kMaxSettings = 10000;   // assignments read from one unit
constexpr size_t kMaxHosts = 256;
constexpr size_t kMaxJsonDepth = 512;
constexpr const char* kDaemonJson = "/etc/docker/daemon.json";
constexpr const char* kDefaultUnixSocket = "/var/run/docker.sock";

const RuleInfo& tcp_socket_info() {
  static const RuleInfo i{
      "config.docker-tcp-socket",
      Severity::critical,
      {"T1133", "T1610"},
      "dockerd listens on TCP without verifying client certificates",
      "The Docker API is root on the host: whoever reaches the port starts a privileged "
      "container with / mounted. The seed's siblings had 2375 open to the internet.",
      "Remove the tcp:// hosts (-H in the unit or /etc/default/docker, \"hosts\" in "
      "/etc/docker/daemon.json, ListenStream= in docker.socket) and use the unix socket, or "
      "`docker -H ssh://user@host` from elsewhere; if TCP is needed, set tlsverify with "
      "tlscacert/tlscert/tlskey and give clients certificates. Note that dockerd refuses to start "
      "when hosts is set both as -H (the packaged unit's -H fd://) and in daemon.json: remove "
      "-H from ExecStart= with a drop-in (an empty ExecStart= first) when moving hosts to "
      "daemon.json. Then `systemctl daemon-reload && systemctl restart docker`."};
  return i;
}

const RuleInfo& group_members_info() {
  static const RuleInfo i{
      "config.docker-group-members",
      Severity::high,
      {"T1078.003", "T1611"},
      "Accounts in the docker group, or a Docker socket others can write, are root",
      "Whoever can write to /run/docker.sock runs `docker run -v /:/host --privileged` and is "
      "root without a password; the seed's miner ran as lxd, the socket's group.",
      "Remove accounts that must not be root from the group (`gpasswd -d USER docker`; a primary "
      "group needs `usermod -g`), give CI agents rootless Docker or a socket proxy that allows "
      "only what they need, and keep the socket root:docker 0660 (SocketMode=/SocketGroup= in "
      "docker.socket, \"group\" in daemon.json)."};
  return i;
}

// ---------------------------------------------------------------- text helpers

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_env_name(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string basename_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string where(const Origin& o) {
  return o.line > 0 ? fmt::format("{}:{}", o.path, o.line) : o.path;
}

// A value fit for a message: no control characters, no credentials before '@'.
std::string printable(std::string_view s) {
  std::string out;
  if (const size_t at = s.rfind('@'); at != std::string_view::npos) {
    const size_t scheme = s.find("://");
    const size_t from = scheme == std::string_view::npos ? 0 : scheme + 3;
    if (at >= from) {
      out = std::string(s.substr(0, from)) + "...";
      s = s.substr(at);
    }
  }
  for (const char c : s.substr(0, 200))
    out += std::iscntrl(static_cast<unsigned char>(c)) ? '?' : c;
  return out;
}

// Go's strconv.ParseBool, which pflag uses for boolean flags.
std::optional<bool> parse_go_bool(std::string_view s) {
  static const std::set<std::string_view> yes = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::set<std::string_view> no = {"0", "f", "F", "FALSE", "false", "False"};
  if (yes.count(s)) return true;
  if (no.count(s)) return false;
  return std::nullopt;
}

// ---------------------------------------------------------------- dockerd hosts

// Characters Go's url.Parse accepts in a host name (net/url shouldEscape, encodeHost).
bool valid_host_char(unsigned char c) {
  if (c >= 0x80 || std::isalnum(c)) return true;
  return c != 0 && std::strchr("-_.~$&+,;=:!()*'\"<>%", c) != nullptr;
}

DaemonHost refused_host(std::string why) {
  DaemonHost h;
  h.error = std::move(why);
  return h;
}

// opts.ParseTCPAddr: url.Parse("tcp://" + addr), then net.SplitHostPort with
// one retry that appends the default port.
// net.SplitHostPort of an authority, with ParseTCPAddr's one retry that
// appends the default port; an error when dockerd refuses it.
std::string split_host_port(const std::string& authority, std::string& host, std::string& port) {
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return "missing ']' in host";
    host = authority.substr(1, close - 1);
    const std::string after = authority.substr(close + 1);
    // "[::1]" alone: JoinHostPort doubles the brackets and SplitHostPort fails.
    if (after.empty()) return "invalid bind address format";
    if (after[0] != ':' || !all_digits(after.substr(1))) return "invalid port";
    port = after.substr(1);
    return "";
  }
  const size_t last = authority.rfind(':');
  if (last != std::string::npos && !all_digits(authority.substr(last + 1))) return "invalid port";
  if (std::count(authority.begin(), authority.end(), ':') == 1) {
    host = authority.substr(0, last);
    port = authority.substr(last + 1);
  } else {
    host = authority;  // no port, or IPv6 without brackets: the default port is appended
  }
  return "";
}

// opts.ParseTCPAddr: url.Parse("tcp://" + addr), then split host and port.
DaemonHost parse_tcp_host(std::string_view rest) {
  if (rest.empty()) rest = "localhost:2375";  // DefaultTCPHost
  if (rest.find("://") != std::string_view::npos)
    return refused_host("invalid proto, expected tcp");
  for (const char c : rest)
    if (std::iscntrl(static_cast<unsigned char>(c)))
      return refused_host("invalid control character in URL");
  std::string addr(rest);
  if (addr.size() >= 2 && addr.compare(addr.size() - 2, 2, "]:") == 0) addr += "2375";
  const size_t end = addr.find_first_of("/?#");
  std::string authority = addr.substr(0, end);
  std::string path;
  if (end != std::string::npos && addr[end] == '/') {
    path = addr.substr(end);
    path = path.substr(0, path.find_first_of("?#"));
  }
  if (const size_t at = authority.rfind('@'); at != std::string::npos)
    authority = authority.substr(at + 1);  // url.Parse drops user:password@
  std::string host, port;
  if (const std::string error = split_host_port(authority, host, port); !error.empty())
    return refused_host(error);
  for (const char c : host)
    if (!valid_host_char(static_cast<unsigned char>(c)))
      return refused_host("invalid character in host name");
  if (host.empty()) host = "localhost";  // DefaultHTTPHost
  if (port.empty()) port = "2375";
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || ptr != port.data() + port.size() || value > 65535)
    return refused_host("invalid port");
  DaemonHost h;
  h.proto = "tcp";
  h.host = host;
  h.address = fmt::format(
      "tcp://{}:{}{}", host.find(':') != std::string::npos ? "[" + host + "]" : host, port, path);
  return h;
}

DaemonHost parse_simple_proto(const std::string& proto, std::string_view rest,
                              const std::string& fallback) {
  std::string addr(rest);
  const std::string prefix = proto + "://";
  if (addr.compare(0, prefix.size(), prefix) == 0) addr = addr.substr(prefix.size());
  if (addr.find("://") != std::string::npos)
    return refused_host("invalid proto, expected " + proto);
  DaemonHost h;
  h.proto = proto;
  h.address = prefix + (addr.empty() ? fallback : addr);
  return h;
}

// ---------------------------------------------------------------- pflag

struct KnownFlag {
  std::string_view name;
  char shorthand;
  bool boolean;
};

// dockerd's shorthands and boolean flags (a boolean never takes the next word).
constexpr KnownFlag kFlags[] = {
    {"host", 'H', false},
    {"group", 'G', false},
    {"tls", 0, true},
    {"tlsverify", 0, true},
    {"config-file", 0, false},
    {"debug", 'D', true},
    {"log-level", 'l', false},
    {"pidfile", 'p', false},
    {"bridge", 'b', false},
    {"graph", 'g', false},
    {"storage-driver", 's', false},
    {"exec-driver", 'e', false},
    {"help", 'h', true},
    {"version", 'v', true},
    {"validate", 0, true},
    {"experimental", 0, true},
    {"icc", 0, true},
    {"ip-forward", 0, true},
    {"ip-forward-no-drop", 0, true},
    {"ip-masq", 0, true},
    {"iptables", 0, true},
    {"ip6tables", 0, true},
    {"ipv6", 0, true},
    {"userland-proxy", 0, true},
    {"live-restore", 0, true},
    {"selinux-enabled", 0, true},
    {"no-new-privileges", 0, true},
    {"raw-logs", 0, true},
    {"init", 0, true},
    {"disable-legacy-registry", 0, true},
    {"cri-containerd", 0, true},
    {"rootless", 0, true},
    {"allow-direct-routing", 0, true},
};

const KnownFlag* find_long(std::string_view name) {
  for (const auto& f : kFlags)
    if (f.name == name) return &f;
  return nullptr;
}

const KnownFlag* find_short(char c) {
  for (const auto& f : kFlags)
    if (f.shorthand == c) return &f;
  return nullptr;
}

void apply_flag(DockerdFlags& f, std::string_view name, const std::string& value,
                const Origin& origin) {
  if (name == "host") {
    if (f.hosts.size() < kMaxHosts) f.hosts.push_back({value, origin});
  } else if (name == "group") {
    f.group = Word{value, origin};
  } else if (name == "config-file") {
    f.config_file = value;
  } else if (name == "tls" || name == "tlsverify") {
    const auto b = parse_go_bool(value);
    if (!b) {
      f.refusals.push_back(fmt::format("invalid argument for --{} (not a boolean)", name));
      return;
    }
    (name == "tls" ? f.tls : f.tlsverify) = *b;
    (name == "tls" ? f.tls_origin : f.tlsverify_origin) = origin;
  }
}

// One "-abc" word: pflag reads shorthands until one takes a value, which is
// the rest of the word, or the next word (`next`, advanced when taken).
void parse_shorthands(DockerdFlags& f, const Word& w, const std::vector<Word>& args, size_t& next) {
  std::string_view shorts(w.text);
  shorts.remove_prefix(1);
  while (!shorts.empty()) {
    const KnownFlag* k = find_short(shorts[0]);
    const std::string_view rest = shorts.substr(1);
    if (k == nullptr) {
      f.refusals.push_back(
          fmt::format("unknown shorthand flag '{}'", printable(shorts.substr(0, 1))));
      return;
    }
    if (rest.size() >= 2 && rest[0] == '=') {  // -H=value
      apply_flag(f, k->name, std::string(rest.substr(1)), w.origin);
      return;
    }
    if (k->boolean) {
      apply_flag(f, k->name, "true", w.origin);
      shorts = rest;
      continue;
    }
    if (!rest.empty()) {  // -Hvalue
      apply_flag(f, k->name, std::string(rest), w.origin);
    } else if (next < args.size()) {  // -H value
      apply_flag(f, k->name, args[next].text, args[next].origin);
      ++next;
    } else {
      f.refusals.push_back(fmt::format("flag needs an argument: -{}", k->shorthand));
    }
    return;
  }
}

void parse_long_flag(DockerdFlags& f, const Word& w, const std::vector<Word>& args, size_t& next) {
  std::string_view body(w.text);
  body.remove_prefix(2);
  if (body[0] == '-' || body[0] == '=') {
    f.refusals.push_back("bad flag syntax");
    return;
  }
  const size_t eq = body.find('=');
  const std::string_view name = body.substr(0, eq);
  const KnownFlag* k = find_long(name);
  if (eq != std::string_view::npos) {
    apply_flag(f, name, std::string(body.substr(eq + 1)), w.origin);
  } else if (k != nullptr && k->boolean) {
    apply_flag(f, name, "true", w.origin);
  } else if (next < args.size() &&
             (k != nullptr || args[next].text.empty() || args[next].text[0] != '-')) {
    // A flag hostward does not know takes the next word unless that is a flag.
    apply_flag(f, name, args[next].text, args[next].origin);
    ++next;
  } else if (k != nullptr) {
    f.refusals.push_back(fmt::format("flag needs an argument: --{}", name));
  }
}

// ---------------------------------------------------------------- daemon.json

struct JsonPositions {
  std::map<std::string, int> key_line;
  std::vector<int> host_lines;  // lines of the strings of the last top-level "hosts" array
  bool too_deep = false;
};

std::string decode_json_key(std::string_view token) {
  if (token.size() < 2) return std::string(token);
  if (token.find('\\') == std::string_view::npos)
    return std::string(token.substr(1, token.size() - 2));
  const auto j = nlohmann::json::parse(token, nullptr, false);
  return j.is_string() ? j.get<std::string>() : std::string(token);
}

// nlohmann keeps no positions: one pass over the text finds the lines of the
// top-level keys and of the strings in "hosts" (the last "hosts" wins, as in
// encoding/json), and how deep it nests.
JsonPositions scan_json_positions(std::string_view text) {
  JsonPositions p;
  std::vector<char> stack;
  bool expect_key = false;
  std::string top_key;
  int line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
    } else if (c == '"') {
      const int at = line;
      const size_t start = i;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\')
          ++i;
        else if (text[i] == '\n')
          ++line;
      }
      const std::string_view token = text.substr(start, std::min(i, text.size() - 1) - start + 1);
      if (stack.size() == 1 && stack.back() == '{' && expect_key) {
        top_key = decode_json_key(token);
        p.key_line[top_key] = at;
        if (top_key == "hosts") p.host_lines.clear();
        expect_key = false;
      } else if (stack.size() == 2 && stack.back() == '[' && top_key == "hosts") {
        p.host_lines.push_back(at);
      }
    } else if (c == '{' || c == '[') {
      if (stack.size() >= kMaxJsonDepth) {
        p.too_deep = true;
        return p;
      }
      stack.push_back(c);
      expect_key = c == '{' && stack.size() == 1;
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
    } else if (c == ',' && stack.size() == 1 && stack.back() == '{') {
      expect_key = true;
    }
  }
  return p;
}

int line_of_byte(std::string_view text, size_t byte) {
  byte = std::min(byte, text.size());
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(byte), '\n'));
}

// A key read as `bool` (a *bool in dockerd's Config): anything but a boolean
// or null fails encoding/json, and dockerd with it.
void read_json_bool(const nlohmann::json& j, const char* key, std::optional<bool>& into,
                    DaemonJson& d, const std::string& path) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if (it->is_boolean()) {
    into = it->get<bool>();
    return;
  }
  d.refused = true;
  d.problems.push_back(fmt::format("{}:{}: \"{}\" is not a boolean", path, d.keys[key], key));
}

void read_json_hosts(const nlohmann::json& j, const JsonPositions& pos, DaemonJson& d,
                     const std::string& path) {
  const auto it = j.find("hosts");
  if (it == j.end() || it->is_null()) return;
  const int key_line = d.keys["hosts"];
  if (!it->is_array() ||
      !std::all_of(it->begin(), it->end(), [](const auto& v) { return v.is_string(); })) {
    d.refused = true;
    d.problems.push_back(fmt::format("{}:{}: \"hosts\" is not a list of strings", path, key_line));
    return;
  }
  d.has_hosts = true;
  const bool lines_known = pos.host_lines.size() == it->size();
  for (size_t i = 0; i < it->size() && i < kMaxHosts; ++i)
    d.hosts.push_back({(*it)[i].get<std::string>(),
                       Origin{path, lines_known ? pos.host_lines[i] : key_line, ""}});
}

// dockerd's check for unknown directives compares keys exactly: "Hosts" is
// unknown, although encoding/json would have matched it to the field.
void refuse_miscased_keys(DaemonJson& d, const std::string& path) {
  for (const auto& [key, line] : d.keys) {
    const std::string lower = lowercase(key);
    if (lower != key &&
        (lower == "hosts" || lower == "tls" || lower == "tlsverify" || lower == "group")) {
      d.refused = true;
      d.problems.push_back(
          fmt::format("{}:{}: \"{}\" is not a directive dockerd knows (keys are case-sensitive)",
                      path, line, key));
    }
  }
}

void read_json_group(const nlohmann::json& j, DaemonJson& d, const std::string& path) {
  const auto it = j.find("group");
  if (it == j.end() || it->is_null()) return;
  if (!it->is_string()) {
    d.refused = true;
    d.problems.push_back(fmt::format("{}:{}: \"group\" is not a string", path, d.keys["group"]));
    return;
  }
  d.group = Word{it->get<std::string>(), Origin{path, d.keys["group"], ""}};
}

// ---------------------------------------------------------------- systemd

void append_utf8(uint32_t v, std::string& out) {
  if (v < 0x80) {
    out += static_cast<char>(v);
  } else if (v < 0x800) {
    out += static_cast<char>(0xC0 | (v >> 6));
    out += static_cast<char>(0x80 | (v & 0x3F));
  } else if (v < 0x10000) {
    out += static_cast<char>(0xE0 | (v >> 12));
    out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (v & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (v >> 18));
    out += static_cast<char>(0x80 | ((v >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (v & 0x3F));
  }
}

// systemd's cunescape_one: the escape after a backslash at s[0]; the bytes it
// stands for and how many characters it used, or 0 when systemd rejects it.
size_t c_unescape(std::string_view s, std::string& out) {
  if (s.empty()) return 0;
  static const std::map<char, char> simple = {{'a', '\a'}, {'b', '\b'},  {'f', '\f'}, {'n', '\n'},
                                              {'r', '\r'}, {'t', '\t'},  {'v', '\v'}, {'\\', '\\'},
                                              {'"', '"'},  {'\'', '\''}, {'s', ' '}};
  if (const auto it = simple.find(s[0]); it != simple.end()) {
    out += it->second;
    return 1;
  }
  auto number = [&](size_t digits, int base, uint32_t& value) {
    if (s.size() < 1 + digits) return false;
    const auto [ptr, ec] = std::from_chars(s.data() + 1, s.data() + 1 + digits, value, base);
    return ec == std::errc() && ptr == s.data() + 1 + digits;
  };
  uint32_t v = 0;
  if (s[0] == 'x') {
    if (!number(2, 16, v) || v == 0) return 0;
    out += static_cast<char>(v);
    return 3;
  }
  if (s[0] >= '0' && s[0] <= '7') {
    if (s.size() < 3 || !all_digits(s.substr(0, 3))) return 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + 3, v, 8);
    if (ec != std::errc() || ptr != s.data() + 3 || v == 0 || v > 255) return 0;
    out += static_cast<char>(v);
    return 3;
  }
  if (s[0] == 'u' || s[0] == 'U') {
    const size_t digits = s[0] == 'u' ? 4 : 8;
    if (!number(digits, 16, v) || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    append_utf8(v, out);
    return 1 + digits;
  }
  return 0;
}

// systemd's extract_first_word with EXTRACT_UNQUOTE (and EXTRACT_CUNESCAPE):
// the next word of `s` from `pos`; false at the end or, with `error` set, on
// unbalanced quotes or a bad escape (unless `relax`).
bool next_word(std::string_view s, size_t& pos, bool cunescape, bool relax, std::string& word,
               std::string* error) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
  if (pos >= s.size()) return false;
  word.clear();
  char quote = 0;
  for (; pos < s.size(); ++pos) {
    const char c = s[pos];
    if (word.size() > kMaxValue) break;
    if (c == '\\') {
      if (pos + 1 >= s.size()) {
        if (relax) break;
        if (error) *error = "a backslash ends the line";
        return false;
      }
      if (!cunescape) {
        word += s[++pos];
        continue;
      }
      const size_t used = c_unescape(s.substr(pos + 1), word);
      if (used == 0) {
        if (!relax) {
          if (error) *error = "an escape systemd does not know";
          return false;
        }
        word += s[++pos];
        continue;
      }
      pos += used;
    } else if (quote != 0) {
      if (c == quote)
        quote = 0;
      else
        word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (is_space(c)) {
      break;
    } else {
      word += c;
    }
  }
  if (quote != 0 && !relax) {
    if (error) *error = "unbalanced quoting";
    return false;
  }
  return true;
}

std::vector<std::string> split_words(std::string_view s, bool cunescape) {
  std::vector<std::string> out;
  std::string word;
  size_t pos = 0;
  while (out.size() < kMaxWords && next_word(s, pos, cunescape, true, word, nullptr))
    out.push_back(word);
  return out;
}

// Replaces ${NAME}, ${NAME:-default}, ${NAME:+alternative} and $$ in one word.
// `single` is set to the variable when the word is exactly one "${NAME}".
std::string replace_env(std::string_view w, const std::map<std::string, EnvValue>& env,
                        const EnvValue** single) {
  std::string out;
  *single = nullptr;
  for (size_t i = 0; i < w.size() && out.size() <= kMaxValue; ++i) {
    if (w[i] != '$' || i + 1 >= w.size()) {
      out += w[i];
      continue;
    }
    if (w[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    const size_t close = w[i + 1] == '{' ? w.find('}', i + 2) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out += w[i];
      continue;
    }
    const std::string_view inside = w.substr(i + 2, close - i - 2);
    const size_t op = inside.find(':');
    const std::string name(inside.substr(0, op));
    const auto it = env.find(name);
    const bool set = it != env.end() && !it->second.value.empty();
    if (op != std::string_view::npos && op + 1 < inside.size() && inside[op + 1] == '-') {
      out += set ? it->second.value : std::string(inside.substr(op + 2));
    } else if (op != std::string_view::npos && op + 1 < inside.size() && inside[op + 1] == '+') {
      if (set) out += inside.substr(op + 2);
    } else if (it != env.end()) {
      out += it->second.value;
      if (i == 0 && close + 1 == w.size()) *single = &it->second;
    }
    i = close;
  }
  if (out.size() > kMaxValue) out.resize(kMaxValue);
  return out;
}

// ---------------------------------------------------------------- environment files

class EnvFileParser {
 public:
  explicit EnvFileParser(bool shell) : shell_(shell) {}

  std::vector<EnvAssignment> parse(std::string_view text) {
    for (size_t i = 0; i < text.size() && out_.size() < kMaxSettings; ++i) {
      step(text, i);
      if (text[i] == '\n') ++line_;
    }
    if (state_ != State::pre_key && state_ != State::comment && state_ != State::skip_line)
      finish();
    return out_;
  }

 private:
  enum class State {
    pre_key,
    key,
    pre_value,
    value,
    value_escape,
    single_quote,
    double_quote,
    double_quote_escape,
    comment,
    comment_escape,
    skip_line
  };

  void step(std::string_view text, size_t& i) {
    const char c = text[i];
    switch (state_) {
      case State::pre_key:
        if (c == '#' || c == ';') {
          state_ = State::comment;
        } else if (!is_space(c)) {
          state_ = State::key;
          key_.assign(1, c);
          key_line_ = line_;
        }
        break;
      case State::key:
        if (c == '\n') {
          state_ = State::pre_key;  // no '=': not an assignment
        } else if (c == '=') {
          key_ = std::string(trim(key_));
          value_.clear();
          trim_from_ = std::string::npos;
          state_ = State::pre_value;
        } else if (shell_ && is_space(c) && key_ == "export") {
          state_ = State::pre_key;
        } else {
          key_ += c;
        }
        break;
      case State::pre_value:
        if (shell_ && is_space(c) && c != '\n') {
          finish();
          state_ = State::skip_line;  // "A= cmd" runs cmd; nothing is assigned for later
        } else if (c == '\'') {
          state_ = State::single_quote;
        } else if (c == '"') {
          state_ = State::double_quote;
        } else if (!is_space(c) || c == '\n') {
          state_ = State::value;
          value_char(text, i);
        }
        break;
      case State::value:
        value_char(text, i);
        break;
      case State::value_escape:
        if (c != '\n') append(c);  // backslash-newline continues the value
        state_ = State::value;
        break;
      case State::single_quote:
        if (c == '\'')
          state_ = after_quote();
        else
          append(c);
        break;
      case State::double_quote:
        if (c == '"') {
          state_ = after_quote();
        } else if (c == '\\') {
          state_ = State::double_quote_escape;
        } else if (shell_ && c == '$') {
          expand(text, i);
        } else {
          append(c);
        }
        break;
      case State::double_quote_escape:
        if (c == '"' || c == '\\' || c == '`' || c == '$') {
          append(c);
        } else if (c != '\n') {
          append('\\');
          append(c);
        }
        state_ = State::double_quote;
        break;
      case State::comment:
        if (c == '\\')
          state_ = State::comment_escape;
        else if (c == '\n')
          state_ = State::pre_key;
        break;
      case State::comment_escape:  // since systemd 254 a comment does not continue
        state_ = c == '\n' ? State::pre_key : State::comment;
        break;
      case State::skip_line:
        if (c == '\n') state_ = State::pre_key;
        break;
    }
  }

  void value_char(std::string_view text, size_t& i) {
    const char c = text[i];
    if (c == '\n') {
      finish();
      state_ = State::pre_key;
    } else if (c == '\\') {
      state_ = State::value_escape;
    } else if (shell_ && c == '\'') {  // systemd takes quotes literally after the first character
      state_ = State::single_quote;
    } else if (shell_ && c == '"') {
      state_ = State::double_quote;
    } else if (shell_ && c == '$') {
      expand(text, i);
    } else if (shell_ && is_space(c)) {
      finish();
      state_ = State::skip_line;
    } else if (is_space(c)) {
      if (trim_from_ == std::string::npos) trim_from_ = value_.size();
      value_ += c;
    } else {
      append(c);
    }
  }

  // systemd goes on as before the value (whitespace skipped); a shell's word goes on.
  State after_quote() const { return shell_ ? State::value : State::pre_value; }

  void append(char c) {
    if (value_.size() < kMaxValue) value_ += c;
    trim_from_ = std::string::npos;
  }

  // A shell's $NAME or ${NAME}: earlier assignments of the same file.
  void expand(std::string_view text, size_t& i) {
    size_t j = i + 1;
    const bool braced = j < text.size() && text[j] == '{';
    if (braced) ++j;
    size_t end = j;
    while (end < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
      ++end;
    if (end == j || (braced && (end >= text.size() || text[end] != '}'))) {
      append('$');
      return;
    }
    const auto it = seen_.find(std::string(text.substr(j, end - j)));
    if (it != seen_.end() && value_.size() < kMaxValue) {  // a full value takes no more
      value_.append(it->second, 0, kMaxValue - value_.size());
      trim_from_ = std::string::npos;
    }
    i = braced ? end : end - 1;
  }

  void finish() {
    if (trim_from_ != std::string::npos) value_.resize(trim_from_);
    if (is_env_name(key_)) {
      out_.push_back({key_, value_, key_line_});
      seen_[key_] = value_;
    }
    key_.clear();
    value_.clear();
    trim_from_ = std::string::npos;
  }

  bool shell_;
  State state_ = State::pre_key;
  std::string key_, value_;
  size_t trim_from_ = std::string::npos;  // where trailing unquoted whitespace starts
  int line_ = 1, key_line_ = 1;
  std::vector<EnvAssignment> out_;
  std::map<std::string, std::string> seen_;
};

}  // namespace

// ================================================================ parsers

DaemonHost parse_daemon_host(std::string_view raw, bool tls) {
  const std::string_view value = trim(raw);
  if (value.empty()) {
    DaemonHost h;
    if (tls) {
      h.proto = "tcp";
      h.host = "localhost";
      h.address = "tcp://localhost:2376";  // DefaultTLSHost
    } else {
      h.proto = "unix";
      h.address = std::string("unix://") + kDefaultUnixSocket;
    }
    return h;
  }
  const size_t sep = value.find("://");
  const std::string proto(sep == std::string_view::npos ? "tcp" : value.substr(0, sep));
  const std::string_view rest = sep == std::string_view::npos ? value : value.substr(sep + 3);
  if (proto == "tcp") return parse_tcp_host(rest);
  if (proto == "unix") return parse_simple_proto("unix", rest, kDefaultUnixSocket);
  if (proto == "npipe") return parse_simple_proto("npipe", rest, "//./pipe/docker_engine");
  if (proto == "fd") {
    DaemonHost h;
    h.proto = "fd";
    h.address = std::string(value);
    return h;
  }
  // ssh:// is the docker client's; dockerd cannot listen on it.
  return refused_host(fmt::format("unsupported proto '{}'", printable(proto)));
}

Bind classify_bind(const std::string& host) {
  if (lowercase(host) == "localhost") return Bind::loopback;
  unsigned char b[16] = {};
  if (inet_pton(AF_INET, host.c_str(), b) == 1) {
    if (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0) return Bind::all_interfaces;
    return b[0] == 127 ? Bind::loopback : Bind::address;
  }
  if (inet_pton(AF_INET6, host.c_str(), b) == 1) {
    const bool zero_prefix = std::all_of(b, b + 10, [](unsigned char x) { return x == 0; });
    if (zero_prefix && b[10] == 0xff && b[11] == 0xff) {  // ::ffff:a.b.c.d is the IPv4 address
      if (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 0) return Bind::all_interfaces;
      return b[12] == 127 ? Bind::loopback : Bind::address;
    }
    if (std::all_of(b, b + 16, [](unsigned char x) { return x == 0; })) return Bind::all_interfaces;
    if (std::all_of(b, b + 15, [](unsigned char x) { return x == 0; }) && b[15] == 1)
      return Bind::loopback;
    return Bind::address;
  }
  return Bind::name;
}

const char* to_string(Bind b) {
  switch (b) {
    case Bind::loopback:
      return "loopback";
    case Bind::all_interfaces:
      return "all interfaces";
    case Bind::address:
      return "one address";
    case Bind::name:
      return "host name";
  }
  return "?";
}

DockerdFlags parse_dockerd_flags(const std::vector<Word>& args) {
  DockerdFlags f;
  size_t next = 0;
  while (next < args.size() && next < kMaxWords) {
    const Word& w = args[next++];
    if (w.text.size() < 2 || w.text[0] != '-') {
      f.refusals.push_back("dockerd accepts no positional arguments");
      continue;
    }
    if (w.text == "--") {
      if (next < args.size()) f.refusals.push_back("dockerd accepts no positional arguments");
      break;
    }
    if (w.text[1] == '-')
      parse_long_flag(f, w, args, next);
    else
      parse_shorthands(f, w, args, next);
  }
  return f;
}

DaemonJson parse_daemon_json(std::string_view text, const std::string& path) {
  DaemonJson d;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  if (text.size() >= 2 &&
      ((byte(0) == 0xFE && byte(1) == 0xFF) || (byte(0) == 0xFF && byte(1) == 0xFE))) {
    d.judged = false;
    d.problems.push_back(path + ": UTF-16 text; hostward does not judge it");
    return d;
  }
  if (trim(text).empty()) return d;  // dockerd takes an empty file as an empty configuration
  const JsonPositions pos = scan_json_positions(text);
  if (pos.too_deep) {
    d.judged = false;
    d.problems.push_back(path + ": nested deeper than hostward reads; not judged");
    return d;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    const auto* parse = dynamic_cast<const nlohmann::json::parse_error*>(&e);
    const int line = parse != nullptr ? line_of_byte(text, parse->byte) : 0;
    if (std::string_view(e.what()).find("UTF-8") != std::string_view::npos) {
      d.judged = false;  // Go's decoder replaces bad UTF-8 in strings and goes on
      d.problems.push_back(fmt::format("{}:{}: bytes that are not UTF-8; not judged", path, line));
    } else {
      d.refused = true;
      d.problems.push_back(fmt::format("{}:{}: not valid JSON", path, line));
    }
    return d;
  }
  if (!j.is_object()) {
    d.refused = true;
    d.problems.push_back(path + ": not a JSON object");
    return d;
  }
  for (const auto& item : j.items()) {
    const auto it = pos.key_line.find(item.key());
    d.keys[item.key()] = it == pos.key_line.end() ? 0 : it->second;
  }
  refuse_miscased_keys(d, path);
  read_json_hosts(j, pos, d, path);
  read_json_bool(j, "tls", d.tls, d, path);
  read_json_bool(j, "tlsverify", d.tlsverify, d, path);
  read_json_group(j, d, path);
  return d;
}

std::optional<std::vector<Command>> split_exec_commands(std::string_view value,
                                                        std::string* error) {
  std::string text;
  for (size_t i = 0; i < value.size(); ++i) {  // specifiers: only %% matters here
    text += value[i];
    if (value[i] == '%' && i + 1 < value.size() && value[i + 1] == '%') ++i;
  }
  std::vector<Command> commands(1);
  size_t pos = 0;
  std::string word;
  while (pos < text.size() && commands.size() < kMaxWords && commands.back().size() < kMaxWords) {
    while (pos < text.size() && is_space(text[pos])) ++pos;
    const auto separator_at = [&](size_t at) { return at >= text.size() || is_space(text[at]); };
    if (pos < text.size() && text[pos] == ';' && separator_at(pos + 1)) {
      ++pos;
      if (!commands.back().empty()) commands.emplace_back();
      continue;
    }
    if (pos + 1 < text.size() && text[pos] == '\\' && text[pos + 1] == ';' &&
        separator_at(pos + 2)) {
      pos += 2;
      commands.back().push_back(";");
      continue;
    }
    std::string why;
    if (!next_word(text, pos, true, false, word, &why)) {
      if (why.empty()) break;
      if (error) *error = why;
      return std::nullopt;
    }
    commands.back().push_back(word);
  }
  if (commands.back().empty()) commands.pop_back();
  for (auto& c : commands) {
    size_t skip = 0;
    bool at_sign = false;
    while (skip < c[0].size() && std::strchr("-@:+!", c[0][skip]) != nullptr) {
      at_sign = at_sign || c[0][skip] == '@';
      ++skip;
    }
    c[0] = c[0].substr(skip);
    // With '@' the second word is only argv[0]; the program is the first.
    if (at_sign && c.size() >= 2) c.erase(c.begin() + 1);
  }
  return commands;
}

std::vector<EnvAssignment> parse_environment_file(std::string_view text, bool shell) {
  return EnvFileParser(shell).parse(text);
}

std::vector<Word> expand_exec_words(const std::vector<std::string>& words,
                                    const std::map<std::string, EnvValue>& env,
                                    const Origin& exec_line) {
  std::vector<Word> out;
  for (const auto& w : words) {
    if (out.size() >= kMaxWords) break;
    // "$NAME" as a word of its own: the value split at whitespace, quotes
    // removed; nothing when unset (systemd.service, "Command lines").
    if (!w.empty() && w[0] == '$' && (w.size() == 1 || (w[1] != '{' && w[1] != '$'))) {
      const auto it = env.find(w.substr(1));
      if (it == env.end()) continue;
      Origin o = it->second.origin;
      o.via = fmt::format("{} in {}", w, where(exec_line));
      for (auto& part : split_words(it->second.value, false))
        if (out.size() < kMaxWords) out.push_back({std::move(part), o});
      continue;
    }
    const EnvValue* single = nullptr;
    std::string text = replace_env(w, env, &single);
    Origin o = exec_line;
    if (single != nullptr) {
      o = single->origin;
      o.via = fmt::format("{} in {}", w, where(exec_line));
    }
    out.push_back({std::move(text), o});
  }
  return out;
}

// ================================================================ the rules

namespace {

// One way dockerd is (or would be) started, with the flags it gets.
struct Invocation {
  std::string source;  // "systemd", "sysvinit", "daemon.json", "process"
  std::string label;   // for messages
  DockerdFlags flags;
  std::optional<EnvValue> env_tls_verify;  // DOCKER_TLS_VERIFY in the service's environment
  bool reads_daemon_json = true;
  const host::ProcessInfo* process = nullptr;
  Origin exec;  // the ExecStart= line, when from a unit
};

struct Candidate {
  Finding finding;
  std::string identity;
};

struct Context {
  const AuditInput& in;
  AuditResult& out;
  std::map<std::string, std::optional<DaemonJson>> jsons;  // path -> parsed; nullopt when absent
  std::optional<SystemdUnit> docker_socket;
  std::map<std::string, Candidate> candidates;  // by identity: the worst one is kept
  std::set<std::string> errors_seen;

  void error(std::string message) {
    if (errors_seen.insert(message).second) out.errors.push_back({"config", std::move(message)});
  }

  const DaemonJson* daemon_json(const std::string& path) {
    auto it = jsons.find(path);
    if (it == jsons.end()) {
      std::optional<DaemonJson> parsed;
      if (const auto text = in.files.read(path)) parsed = parse_daemon_json(*text, path);
      it = jsons.emplace(path, std::move(parsed)).first;
      if (it->second)
        for (const auto& p : it->second->problems)
          error(it->second->refused ? p + " (dockerd refuses to start with this file)" : p);
    }
    return it->second ? &*it->second : nullptr;
  }

  void add(Candidate c) {
    auto [it, inserted] = candidates.emplace(c.identity, c);
    if (!inserted && c.finding.severity > it->second.finding.severity) it->second = std::move(c);
  }
};

// Whether clients must present a certificate signed by the daemon's CA.
struct ClientAuth {
  enum Level { required, version_dependent, none } level = none;
  bool tls_on = false;  // TLS is served at all (the default port of an empty host is 2376)
  std::string why;
  nlohmann::json evidence;
};

ClientAuth decide_client_auth(const DockerdFlags& f, const DaemonJson* j,
                              const std::optional<EnvValue>& env) {
  ClientAuth a;
  std::optional<bool> verify = f.tlsverify;
  if (!verify && j) verify = j->tlsverify;
  if (f.tlsverify && j && j->tlsverify && *f.tlsverify != *j->tlsverify) verify = false;
  std::optional<bool> tls = f.tls;
  if (!tls && j) tls = j->tls;
  a.evidence = {{"tls", tls ? nlohmann::json(*tls) : nlohmann::json()},
                {"tlsverify", verify ? nlohmann::json(*verify) : nlohmann::json()}};
  if (env) a.evidence["DOCKER_TLS_VERIFY"] = where(env->origin);
  a.tls_on = tls == true || verify.has_value();
  if (verify == true) {
    a.level = ClientAuth::required;
  } else if (verify == false) {
    a.why = "TLS without client certificates (tlsverify=false): anyone can connect";
  } else if (tls == true) {
    // cmd/dockerd setDefaultOptions: recent dockerd turn tlsverify on with
    // tls unless it is set to false; releases before that did not.
    a.level = ClientAuth::version_dependent;
    a.why = "tls without tlsverify: only recent dockerd releases then require client certificates";
  } else if (env) {
    // Older dockerd took DOCKER_TLS_VERIFY as the default of --tlsverify;
    // recent ones read only flags and daemon.json.
    a.level = ClientAuth::version_dependent;
    a.why =
        "only DOCKER_TLS_VERIFY in the environment asks for client certificates, which "
        "recent dockerd releases ignore";
  } else {
    a.why = "no TLS: plain HTTP, no authentication";
  }
  return a;
}

Severity severity_for(Bind bind, ClientAuth::Level level) {
  const bool local = bind == Bind::loopback;
  if (level == ClientAuth::version_dependent) return local ? Severity::low : Severity::medium;
  return local ? Severity::high : Severity::critical;
}

std::string bind_phrase(Bind b) {
  switch (b) {
    case Bind::loopback:
      return "loopback only";
    case Bind::all_interfaces:
      return "every interface";
    case Bind::address:
      return "one address";
    case Bind::name:
      return "a host name";
  }
  return "";
}

nlohmann::json source_subject(const Invocation& inv, const Origin& origin,
                              const std::string& setting) {
  if (inv.process != nullptr && origin.path.empty()) {
    return {{"kind", "process"},
            {"pid", inv.process->pid},
            {"comm", inv.process->comm},
            {"exe", inv.process->exe_path},
            {"setting", setting}};
  }
  nlohmann::json s = {{"kind", "config"}, {"path", origin.path}, {"setting", setting}};
  if (origin.line > 0) s["line"] = origin.line;
  return s;
}

std::string source_identity(const Invocation& inv, const Origin& origin) {
  if (inv.process != nullptr && origin.path.empty())
    return "process\n" + inv.process->container_id + "\n" + basename_of(inv.process->exe_path);
  return where(origin);
}

// One TCP listener dockerd opens: a finding unless clients must present certificates.
void judge_tcp_listener(Context& ctx, const Invocation& inv, const ClientAuth& auth,
                        const std::string& address, const std::string& host,
                        const std::string& written, const Origin& origin,
                        const std::string& setting, nlohmann::json extra) {
  if (auth.level == ClientAuth::required) return;
  const Bind bind = classify_bind(host);
  const Severity sev = severity_for(bind, auth.level);
  nlohmann::json evidence = {{"host", printable(written)},
                             {"address", address},
                             {"bind", to_string(bind)},
                             {"client_auth", auth.why},
                             {"source", inv.source}};
  evidence.update(auth.evidence);
  if (extra.is_object()) evidence.update(extra);
  if (!origin.via.empty()) evidence["via"] = origin.via;
  if (!inv.exec.path.empty()) evidence["exec_start"] = where(inv.exec);
  if (inv.process != nullptr && !inv.process->container_id.empty())
    evidence["container_id"] = inv.process->container_id;
  const std::string title = fmt::format(
      "dockerd listens on {} ({}) {}{}", address, bind_phrase(bind),
      auth.level == ClientAuth::none ? "without TLS client verification"
                                     : "and may not verify client certificates",
      bind == Bind::loopback ? ": every local user and host-network container is root" : "");
  Candidate c;
  c.identity = source_identity(inv, origin) + "\n" + address;
  c.finding = make_finding(tcp_socket_info(), sev, title, source_subject(inv, origin, setting),
                           std::move(evidence), ctx.in.hostname, c.identity);
  ctx.add(std::move(c));
}

// A ListenStream= of docker.socket (systemd.socket(5)): a path or '@' is a
// unix socket, "vsock:" a VM socket, a bare port every interface, else ADDRESS:PORT.
std::optional<std::string> listen_stream_host(std::string_view v) {
  if (v.empty() || v[0] == '/' || v[0] == '@' || v.substr(0, 6) == "vsock:") return std::nullopt;
  if (all_digits(v)) return std::string("::");
  if (v[0] == '[') {
    const size_t close = v.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string host(v.substr(1, close - 1));
    return host.substr(0, host.find('%'));
  }
  const size_t colon = v.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return std::string(v.substr(0, colon));
}

// fd:// takes the sockets systemd passes: docker.socket's ListenStream=.
void judge_socket_activation(Context& ctx, const Invocation& inv, const ClientAuth& auth,
                             const std::string& written) {
  if (!ctx.docker_socket)
    ctx.docker_socket = read_systemd_unit(ctx.in.files, "docker.socket", "Socket");
  if (ctx.docker_socket->masked) return;
  std::vector<const UnitSetting*> listens;
  for (const auto& s : ctx.docker_socket->settings) {
    if (s.key != "ListenStream") continue;
    if (s.value.empty())
      listens.clear();
    else
      listens.push_back(&s);
  }
  for (const UnitSetting* s : listens) {
    const auto host = listen_stream_host(s->value);
    if (!host) continue;
    const std::string shown = host->find(':') != std::string::npos ? "[" + *host + "]" : *host;
    const std::string port =
        s->value.substr(s->value.rfind(':') == std::string::npos ? 0 : s->value.rfind(':') + 1);
    judge_tcp_listener(ctx, inv, auth, fmt::format("tcp://{}:{}", shown, port), *host, written,
                       Origin{s->path, s->line, ""}, "ListenStream",
                       {{"listen_stream", printable(s->value)}, {"dockerd_host", written}});
  }
}

void report_conflicts(Context& ctx, const Invocation& inv, const DaemonJson& j,
                      const std::string& json_path) {
  std::vector<std::string> both;
  if (!inv.flags.hosts.empty() && j.keys.count("hosts")) both.push_back("hosts");
  if (inv.flags.tls && j.keys.count("tls")) both.push_back("tls");
  if (inv.flags.tlsverify && j.keys.count("tlsverify")) both.push_back("tlsverify");
  if (inv.flags.group && j.keys.count("group")) both.push_back("group");
  if (both.empty()) return;
  std::string names;
  for (const auto& b : both) names += (names.empty() ? "" : ", ") + b;
  ctx.error(fmt::format(
      "{} and {}: dockerd refuses to start: the following directives are specified both as a "
      "flag and in the configuration file: {}",
      inv.label, json_path, names));
}

void judge_invocation(Context& ctx, const Invocation& inv) {
  for (const auto& r : inv.flags.refusals)
    ctx.error(fmt::format("{}: dockerd refuses to start: {}", inv.label, r));
  const DaemonJson* json = nullptr;
  std::string json_path;
  if (inv.reads_daemon_json) {
    json_path = inv.flags.config_file.value_or(kDaemonJson);
    json = ctx.daemon_json(json_path);
    if (json == nullptr && inv.flags.config_file)
      ctx.error(fmt::format("{}: dockerd refuses to start: --config-file {} does not exist",
                            inv.label, printable(json_path)));
    if (json != nullptr) report_conflicts(ctx, inv, *json, json_path);
  }
  const ClientAuth auth = decide_client_auth(inv.flags, json, inv.env_tls_verify);
  std::vector<std::pair<Word, std::string>> hosts;  // value, setting
  for (const auto& h : inv.flags.hosts) hosts.push_back({h, "-H"});
  if (json != nullptr)
    for (const auto& h : json->hosts) hosts.push_back({h, "hosts"});
  for (const auto& [word, setting] : hosts) {
    const DaemonHost h = parse_daemon_host(word.text, auth.tls_on);
    if (!h.error.empty()) {
      ctx.error(fmt::format("{}: dockerd refuses to start: host {}: {}",
                            word.origin.path.empty() ? inv.label : where(word.origin),
                            printable(word.text), h.error));
    } else if (h.proto == "tcp") {
      judge_tcp_listener(ctx, inv, auth, h.address, h.host, word.text, word.origin, setting, {});
    } else if (h.proto == "fd") {
      judge_socket_activation(ctx, inv, auth, word.text);
    }
  }
}

// ---------------------------------------------------------------- where dockerd comes from

std::optional<size_t> dockerd_arguments_start(const std::vector<std::string>& argv) {
  if (argv.empty()) return std::nullopt;
  const std::string program = basename_of(argv[0]);
  if (program == "dockerd") return 1;
  if (program == "docker" && argv.size() >= 2 && argv[1] == "daemon") return 2;  // Docker < 1.12
  return std::nullopt;
}

void read_env_files(Context& ctx, const UnitSetting& s, std::map<std::string, EnvValue>& env,
                    const std::string& unit_label) {
  std::string_view v = s.value;
  const bool optional = !v.empty() && v[0] == '-';
  if (optional) v.remove_prefix(1);
  const std::string pattern(v);
  std::vector<std::string> paths;
  if (pattern.find_first_of("*?[") != std::string::npos)
    paths = ctx.in.files.glob(pattern);
  else
    paths.push_back(pattern);
  for (const auto& p : paths) {
    const auto text = ctx.in.files.read(p);
    if (!text) {
      if (!optional)
        ctx.error(fmt::format("{}:{}: systemd refuses to start {}: EnvironmentFile {} is missing",
                              s.path, s.line, unit_label, printable(p)));
      continue;
    }
    for (const auto& a : parse_environment_file(*text, false))
      env[a.name] = EnvValue{a.value, Origin{p, a.line, ""}};
  }
}

// Environment= first, then EnvironmentFile= in order, each overriding (systemd.exec(5)).
std::map<std::string, EnvValue> service_environment(Context& ctx, const SystemdUnit& unit) {
  std::vector<const UnitSetting*> assignments, env_files;
  for (const auto& s : unit.settings) {
    auto& list = s.key == "Environment" ? assignments : env_files;
    if (s.key != "Environment" && s.key != "EnvironmentFile") continue;
    if (s.value.empty())
      list.clear();
    else
      list.push_back(&s);
  }
  std::map<std::string, EnvValue> env;
  for (const UnitSetting* s : assignments) {
    for (const auto& word : split_words(s->value, true)) {
      const size_t eq = word.find('=');
      if (eq != std::string::npos && is_env_name(word.substr(0, eq)))
        env[word.substr(0, eq)] = EnvValue{word.substr(eq + 1), Origin{s->path, s->line, ""}};
    }
  }
  for (const UnitSetting* s : env_files) read_env_files(ctx, *s, env, basename_of(unit.path));
  return env;
}

// The ExecStart= commands left after every reset, as systemd applies them.
std::vector<std::pair<Command, Origin>> exec_start_commands(Context& ctx, const SystemdUnit& unit) {
  std::vector<std::pair<Command, Origin>> commands;
  std::string type;
  for (const auto& s : unit.settings) {
    if (s.key == "Type") type = s.value;
    if (s.key != "ExecStart") continue;
    if (s.value.empty()) {
      commands.clear();  // an empty ExecStart= resets the list
      continue;
    }
    std::string why;
    const auto parsed = split_exec_commands(s.value, &why);
    if (!parsed) {
      ctx.error(fmt::format("{}:{}: systemd ignores this ExecStart=: {}", s.path, s.line, why));
      continue;
    }
    for (const auto& c : *parsed) commands.push_back({c, Origin{s.path, s.line, ""}});
  }
  if (commands.size() > 1 && type != "oneshot")
    ctx.error(fmt::format(
        "{}: systemd refuses to load docker.service: more than one ExecStart= (only "
        "Type=oneshot may have several; a drop-in must reset the list with an empty ExecStart=)",
        commands.back().second.path));
  return commands;
}

std::vector<Invocation> systemd_invocations(Context& ctx, const SystemdUnit& unit) {
  std::vector<Invocation> out;
  for (const auto& p : unit.problems) ctx.error(p);
  if (unit.path.empty() || unit.masked) return out;
  const auto commands = exec_start_commands(ctx, unit);
  const auto env = service_environment(ctx, unit);
  std::optional<EnvValue> tls_env;
  if (const auto it = env.find("DOCKER_TLS_VERIFY"); it != env.end() && !it->second.value.empty())
    tls_env = it->second;
  for (const auto& [command, origin] : commands) {
    const auto start = dockerd_arguments_start(command);
    if (!start) {
      ctx.error(fmt::format("{}: docker.service runs {}, not dockerd; its flags are not judged",
                            where(origin), printable(basename_of(command[0]))));
      continue;
    }
    Invocation inv;
    inv.source = "systemd";
    inv.label = fmt::format("docker.service ExecStart= ({})", where(origin));
    inv.exec = origin;
    inv.env_tls_verify = tls_env;
    inv.flags = parse_dockerd_flags(expand_exec_words(
        Command(command.begin() + static_cast<long>(*start), command.end()), env, origin));
    out.push_back(std::move(inv));
  }
  return out;
}

// The sysvinit and upstart scripts run `dockerd $DOCKER_OPTS`: the shell splits
// the unquoted value at whitespace and removes no quotes.
std::optional<Invocation> sysvinit_invocation(Context& ctx) {
  const std::string path = "/etc/default/docker";
  const auto text = ctx.in.files.read(path);
  if (!text) return std::nullopt;
  Invocation inv;
  inv.source = "sysvinit";
  inv.label = path;
  std::vector<Word> words;
  for (const auto& a : parse_environment_file(*text, true)) {
    if (a.name != "DOCKER_OPTS") continue;
    words.clear();
    std::string_view v = a.value;
    while (!v.empty() && words.size() < kMaxWords) {
      v = trim(v);
      size_t end = 0;
      while (end < v.size() && !is_space(v[end])) ++end;
      if (end > 0) words.push_back({std::string(v.substr(0, end)), Origin{path, a.line, ""}});
      v.remove_prefix(end);
    }
  }
  inv.flags = parse_dockerd_flags(words);
  return inv;
}

std::vector<Invocation> live_invocations(const AuditInput& in) {
  std::vector<Invocation> out;
  if (in.live == nullptr) return out;
  for (const auto& p : in.live->processes) {
    if (p.kernel_thread || (p.comm != "dockerd" && basename_of(p.exe_path) != "dockerd")) continue;
    if (!trusted_daemon(p)) continue;  // a user's process named dockerd proves nothing
    Invocation inv;
    inv.source = "process";
    inv.label = fmt::format("dockerd (pid {})", p.pid);
    inv.process = &p;
    // A dockerd in a container reads the container's daemon.json, not the host's.
    inv.reads_daemon_json = p.container_id.empty();
    std::vector<Word> args;
    for (size_t i = 1; i < p.argv.size() && i <= kMaxWords; ++i) args.push_back({p.argv[i], {}});
    inv.flags = parse_dockerd_flags(args);
    out.push_back(std::move(inv));
  }
  return out;
}

// ---------------------------------------------------------------- the docker group

int line_of_entry(const std::optional<std::string>& text, const std::string& name) {
  if (!text) return 0;
  int line = 1;
  size_t start = 0;
  while (start < text->size()) {
    if (text->compare(start, name.size() + 1, name + ":") == 0) return line;
    const size_t nl = text->find('\n', start);
    if (nl == std::string::npos) break;
    start = nl + 1;
    ++line;
  }
  return 0;
}

void report_group_members(Context& ctx, const Group& group) {
  const auto accounts = read_accounts(ctx.in.files);
  const auto group_text = ctx.in.files.read("/etc/group");
  const auto passwd_text = ctx.in.files.read("/etc/passwd");
  std::set<std::string> reported;
  auto account_of = [&](const std::string& name) -> const Account* {
    for (const auto& a : accounts)
      if (a.name == name) return &a;
    return nullptr;
  };
  auto report = [&](const std::string& user, bool primary) {
    const Account* a = account_of(user);
    if (user == "root" || (a != nullptr && a->uid == 0) || !reported.insert(user).second) return;
    nlohmann::json subject = {{"kind", "config"},
                              {"path", primary ? "/etc/passwd" : "/etc/group"},
                              {"setting", primary ? "primary group" : "group members"},
                              {"user", user}};
    const int line =
        primary ? line_of_entry(passwd_text, user) : line_of_entry(group_text, group.name);
    if (line > 0) subject["line"] = line;
    nlohmann::json evidence = {{"group", group.name},
                               {"gid", group.gid},
                               {"membership", primary ? "primary" : "supplementary"},
                               {"account_exists", a != nullptr}};
    if (a != nullptr) evidence["uid"] = a->uid;
    const std::string identity = "member\n" + group.name + "\n" + user;
    ctx.add(
        {make_finding(group_members_info(), Severity::high,
                      fmt::format("{} is in the {} group, which owns the Docker socket: root on "
                                  "this host without a password",
                                  printable(user), printable(group.name)),
                      subject, evidence, ctx.in.hostname, identity),
         identity});
  };
  for (const auto& m : group.members) report(m, false);
  for (const auto& a : accounts)
    if (a.gid == group.gid) report(a.name, true);
}

void report_socket(Context& ctx, const std::string& path, const FileFacts& facts,
                   const Group* group, const std::string& group_name) {
  const std::string mode = fmt::format("{:04o}", facts.mode & 07777);
  auto add = [&](Severity sev, const std::string& problem, const std::string& title) {
    const std::string identity = "socket\n" + path + "\n" + problem;
    nlohmann::json evidence = {{"mode", mode},
                               {"uid", facts.uid},
                               {"gid", facts.gid},
                               {"problem", problem},
                               {"expected_group", group_name}};
    if (group != nullptr) evidence["expected_gid"] = group->gid;
    ctx.add({make_finding(group_members_info(), sev, title,
                          {{"kind", "file"}, {"path", path}, {"setting", "mode"}}, evidence,
                          ctx.in.hostname, identity),
             identity});
  };
  if (facts.world_writable())
    add(Severity::critical, "world-writable",
        fmt::format("{} is writable by every user ({}): any local account is root", path, mode));
  // gid 0 is dockerd's fallback when the group does not exist: root's group.
  if ((facts.mode & S_IWGRP) && facts.gid != 0 && (group == nullptr || facts.gid != group->gid))
    add(Severity::high, "group-writable by another group",
        fmt::format("{} is writable by group {} ({}), not the {} group", path, facts.gid, mode,
                    printable(group_name)));
  if (facts.uid != 0)
    add(Severity::high, "not owned by root",
        fmt::format("{} is owned by uid {}, not root: that account is root", path, facts.uid));
}

// The sockets dockerd serves: /run/docker.sock (/var/run is a link to /run)
// and any other unix:// host it is given.
std::vector<std::string> socket_paths(const std::vector<Invocation>& invocations, Context& ctx) {
  std::set<std::string> paths = {"/run/docker.sock"};
  for (const auto& inv : invocations) {
    std::vector<Word> hosts = inv.flags.hosts;
    if (inv.reads_daemon_json)
      if (const DaemonJson* j = ctx.daemon_json(inv.flags.config_file.value_or(kDaemonJson)))
        hosts.insert(hosts.end(), j->hosts.begin(), j->hosts.end());
    for (const auto& h : hosts) {
      const DaemonHost d = parse_daemon_host(h.text, false);
      if (d.proto != "unix") continue;
      std::string p = d.address.substr(7);
      if (p.compare(0, 9, "/var/run/") == 0) p = p.substr(4);
      if (!p.empty() && p[0] == '/') paths.insert(p);
    }
  }
  return {paths.begin(), paths.end()};
}

std::optional<FileFacts> stat_socket(const ConfigFiles& files, const std::string& path) {
  auto facts = files.stat(path);
  if (!facts && path.compare(0, 5, "/run/") == 0) facts = files.stat("/var" + path);
  if (!facts || !S_ISSOCK(facts->mode)) return std::nullopt;
  return facts;
}

bool group_rules(Context& ctx, const std::vector<Invocation>& invocations) {
  std::set<std::string> names;
  for (const auto& inv : invocations) {
    if (inv.process != nullptr && !inv.process->container_id.empty()) continue;
    const DaemonJson* j = inv.reads_daemon_json
                              ? ctx.daemon_json(inv.flags.config_file.value_or(kDaemonJson))
                              : nullptr;
    if (inv.flags.group)
      names.insert(inv.flags.group->text);
    else if (j != nullptr && j->group)
      names.insert(j->group->text);
    else
      names.insert("docker");
  }
  if (names.empty()) names.insert("docker");
  const auto groups = read_groups(ctx.in.files);
  const Group* socket_group = nullptr;
  bool any = false;
  for (const auto& name : names) {
    for (const auto& g : groups) {
      if (g.name != name) continue;
      any = true;
      if (socket_group == nullptr) socket_group = &g;
      report_group_members(ctx, g);
    }
  }
  for (const auto& path : socket_paths(invocations, ctx)) {
    const auto facts = stat_socket(ctx.in.files, path);
    if (!facts) continue;
    any = true;
    report_socket(ctx, path, *facts, socket_group, *names.begin());
  }
  return any;
}

}  // namespace

void docker_daemon_register(RuleCatalog& catalog) {
  catalog.add(tcp_socket_info());
  catalog.add(group_members_info());
}

void docker_daemon_rules(const AuditInput& in, AuditResult& out) {
  Context ctx{in, out, {}, {}, {}, {}};
  const SystemdUnit unit = read_systemd_unit(in.files, "docker.service", "Service");
  std::vector<Invocation> invocations = systemd_invocations(ctx, unit);
  if (unit.path.empty()) {
    if (auto sysv = sysvinit_invocation(ctx)) invocations.push_back(std::move(*sysv));
  }
  if (invocations.empty() && in.files.read(kDaemonJson)) {
    Invocation alone;  // dockerd started by hand or by a unit hostward does not know
    alone.source = "daemon.json";
    alone.label = kDaemonJson;
    invocations.push_back(std::move(alone));
  }
  for (auto& inv : live_invocations(in)) invocations.push_back(std::move(inv));
  for (const auto& inv : invocations) judge_invocation(ctx, inv);

  const bool installed = !unit.path.empty() || !invocations.empty();
  const bool group_judged = group_rules(ctx, invocations);
  for (auto& [identity, c] : ctx.candidates) out.findings.push_back(std::move(c.finding));

  if (installed)
    out.judged(tcp_socket_info().id);
  else
    out.not_applicable(tcp_socket_info().id,
                       "Docker is not installed (no docker.service, "
                       "daemon.json or running dockerd)");
  if (installed || group_judged)
    out.judged(group_members_info().id);
  else
    out.not_applicable(group_members_info().id,
                       "Docker is not installed (no docker group, "
                       "docker.service, daemon.json or dockerd)");
}

}  // namespace hostward::audit

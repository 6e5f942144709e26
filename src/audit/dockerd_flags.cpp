#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>
#include <set>

#include "audit/docker_daemon.h"
#include "audit/docker_text.h"

namespace hostward::audit {

namespace {

using namespace docker_text;

constexpr const char* kDefaultUnixSocket = "/var/run/docker.sock";

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

}  // namespace

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

}  // namespace hostward::audit

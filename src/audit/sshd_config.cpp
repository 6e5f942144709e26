#include "audit/sshd_config.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <glob.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace hostward::audit {

namespace {

constexpr int kMaxDepth = 16;      // sshd's SERVCONF_MAX_DEPTH
constexpr int kMaxFiles = 256;     // ours: a fan-out of includes is exponential in the depth
constexpr size_t kMaxPorts = 256;  // servconf.h MAX_PORTS; ours for ListenAddress too

// Keywords sshd 9.x accepts anywhere, and the ones also accepted inside Match.
const std::set<std::string>& match_keywords() {
  static const std::set<std::string> k = {"acceptenv",
                                          "allowagentforwarding",
                                          "allowgroups",
                                          "allowstreamlocalforwarding",
                                          "allowtcpforwarding",
                                          "allowusers",
                                          "authenticationmethods",
                                          "authorizedkeyscommand",
                                          "authorizedkeyscommanduser",
                                          "authorizedkeysfile",
                                          "authorizedprincipalscommand",
                                          "authorizedprincipalscommanduser",
                                          "authorizedprincipalsfile",
                                          "banner",
                                          "casignaturealgorithms",
                                          "challengeresponseauthentication",
                                          "channeltimeout",
                                          "chrootdirectory",
                                          "clientalivecountmax",
                                          "clientaliveinterval",
                                          "denygroups",
                                          "denyusers",
                                          "disableforwarding",
                                          "exposeauthinfo",
                                          "forcecommand",
                                          "gatewayports",
                                          "gssapiauthentication",
                                          "hostbasedacceptedalgorithms",
                                          "hostbasedacceptedkeytypes",
                                          "hostbasedauthentication",
                                          "hostbasedusesnamefrompacketonly",
                                          "ignorerhosts",
                                          "include",
                                          "ipqos",
                                          "kbdinteractiveauthentication",
                                          "kerberosauthentication",
                                          "loglevel",
                                          "logverbose",
                                          "maxauthtries",
                                          "maxsessions",
                                          "passwordauthentication",
                                          "permitemptypasswords",
                                          "permitlisten",
                                          "permitopen",
                                          "permitrootlogin",
                                          "permittty",
                                          "permittunnel",
                                          "permituserrc",
                                          "pubkeyacceptedalgorithms",
                                          "pubkeyacceptedkeytypes",
                                          "pubkeyauthentication",
                                          "pubkeyauthoptions",
                                          "rdomain",
                                          "rekeylimit",
                                          "revokedkeys",
                                          "setenv",
                                          "streamlocalbindmask",
                                          "streamlocalbindunlink",
                                          "trustedusercakeys",
                                          "unusedconnectiontimeout",
                                          "x11displayoffset",
                                          "x11forwarding",
                                          "x11uselocalhost"};
  return k;
}

const std::set<std::string>& global_keywords() {
  static const std::set<std::string> k = {
      "addressfamily", "ciphers", "compression", "debianbanner", "fingerprinthash",
      "gssapicleanupcredentials", "gssapikexalgorithms", "gssapikeyexchange",
      "gssapistorecredentialsonrekey", "gssapistrictacceptorcheck", "hostcertificate", "hostkey",
      "hostkeyagent", "hostkeyalgorithms", "ignoreuserknownhosts", "kerberosorlocalpasswd",
      "kerberosticketcleanup", "kexalgorithms", "listenaddress", "logingracetime", "macs",
      "maxstartups", "modulifile", "permituserenvironment", "persourcemaxstartups",
      "persourcenetblocksize", "pidfile", "port", "printlastlog", "printmotd", "requiredrsasize",
      "securitykeyprovider", "strictmodes", "subsystem", "syslogfacility", "tcpkeepalive", "usedns",
      "usepam", "versionaddendum", "xauthlocation", "match",
      // deprecated or unsupported: accepted with a message, ignored
      "protocol", "rsaauthentication", "rhostsrsaauthentication", "uselogin",
      "useprivilegeseparation", "keyregenerationinterval", "serverkeybits", "skeyauthentication",
      "pamauthenticationviakbdint", "verifyreversemapping", "reversemappingcheck",
      "dsaauthentication", "kerberostgtpassing", "kerberosgetafstoken", "afstokenpassing",
      "gssapienablek5users", "hostdsakey", "useroaming", "gssapistrictacceptorcheck"};
  return k;
}

// The name a keyword's value is stored under (aliases fold onto one option).
std::string canonical(const std::string& keyword) {
  if (keyword == "challengeresponseauthentication") return "kbdinteractiveauthentication";
  if (keyword == "pubkeyacceptedkeytypes") return "pubkeyacceptedalgorithms";
  if (keyword == "hostbasedacceptedkeytypes") return "hostbasedacceptedalgorithms";
  return keyword;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// servconf's strdelim for the keyword: ends at whitespace or '=', then one
// '=' may follow with whitespace around it. The rest of the line is returned.
bool split_keyword(const std::string& line, std::string& keyword, std::string& rest) {
  size_t i = 0;
  while (i < line.size() && is_space(line[i])) ++i;
  const size_t start = i;
  while (i < line.size() && !is_space(line[i]) && line[i] != '=') ++i;
  keyword = line.substr(start, i - start);
  bool equals = i < line.size() && line[i] == '=';
  if (i < line.size()) ++i;
  while (i < line.size() && is_space(line[i])) ++i;
  if (!equals && i < line.size() && line[i] == '=') {
    ++i;
    while (i < line.size() && is_space(line[i])) ++i;
  }
  rest = line.substr(std::min(i, line.size()));
  return !keyword.empty();
}

}  // namespace

bool split_sshd_arguments(const std::string& s, std::vector<std::string>& out) {
  out.clear();
  size_t i = 0;
  while (i < s.size()) {
    if (is_space(s[i])) {
      ++i;
      continue;
    }
    if (s[i] == '#') break;
    std::string arg;
    char quote = 0;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      if (c == '\\' && i + 1 < s.size() &&
          (s[i + 1] == '\'' || s[i + 1] == '"' || s[i + 1] == '\\' ||
           (quote == 0 && s[i + 1] == ' '))) {
        arg += s[++i];
      } else if (quote == 0 && is_space(c)) {
        break;
      } else if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (quote != 0 && c == quote) {
        quote = 0;
      } else {
        arg += c;
      }
    }
    if (quote != 0) return false;
    out.push_back(arg);
  }
  return true;
}

int match_pattern_list(const std::string& subject_in, const std::string& list, bool fold) {
  const std::string subject = fold ? lowercase(subject_in) : subject_in;
  int got = 0;
  std::stringstream in(list);
  std::string entry;
  while (std::getline(in, entry, ',')) {
    const bool negated = !entry.empty() && entry[0] == '!';
    std::string pattern = negated ? entry.substr(1) : entry;
    if (fold) pattern = lowercase(pattern);
    if (fnmatch(pattern.c_str(), subject.c_str(), FNM_NOESCAPE) == 0) {
      if (negated) return -1;
      got = 1;
    }
  }
  return got;
}

namespace {

struct Net {
  int family = 0;
  unsigned char bytes[16] = {};
  int bits = 0;
};

bool parse_address(const std::string& text, Net& out) {
  if (inet_pton(AF_INET, text.c_str(), out.bytes) == 1) {
    out.family = AF_INET;
    out.bits = 32;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), out.bytes) == 1) {
    out.family = AF_INET6;
    out.bits = 128;
    return true;
  }
  return false;
}

bool in_net(const Net& addr, const Net& net) {
  if (addr.family != net.family) return false;
  for (int i = 0; i < net.bits; ++i) {
    const int byte = i / 8, bit = 7 - i % 8;
    if (((addr.bytes[byte] >> bit) & 1) != ((net.bytes[byte] >> bit) & 1)) return false;
  }
  return true;
}

}  // namespace

int match_address_list(const std::string& address, const std::string& list) {
  Net addr;
  const bool have_addr = parse_address(address, addr);
  int got = 0;
  std::stringstream in(list);
  std::string entry;
  while (std::getline(in, entry, ',')) {
    const bool negated = !entry.empty() && entry[0] == '!';
    const std::string e = negated ? entry.substr(1) : entry;
    bool matched = false;
    const size_t slash = e.find('/');
    if (slash != std::string::npos) {
      Net net;
      const std::string bits = e.substr(slash + 1);
      if (!parse_address(e.substr(0, slash), net) || bits.empty() ||
          bits.find_first_not_of("0123456789") != std::string::npos || bits.size() > 3)
        return -2;
      const int n = std::stoi(bits);
      if (n > net.bits) return -2;
      // sshd refuses a network with host bits set ("10.0.0.1/8").
      Net masked = net;
      masked.bits = n;
      for (int i = n; i < (net.family == AF_INET ? 32 : 128); ++i)
        if ((net.bytes[i / 8] >> (7 - i % 8)) & 1) return -2;
      matched = have_addr && in_net(addr, masked);
    } else {
      matched = fnmatch(e.c_str(), address.c_str(), FNM_NOESCAPE) == 0;
    }
    if (matched) {
      if (negated) return -1;
      got = 1;
    }
  }
  return got;
}

bool SshdEffective::refused() const {
  return std::any_of(problems.begin(), problems.end(),
                     [](const SshdProblem& p) { return p.fatal; });
}

bool SshdEffective::surely_refused() const {
  return std::any_of(problems.begin(), problems.end(),
                     [](const SshdProblem& p) { return p.fatal && p.certain; });
}

namespace {

// One pass over the configuration, as servconf's parse_server_config_depth.
// Without a connection (`global` pass) Match blocks never apply; with one,
// only lines in matching Match blocks do.
class Pass {
 public:
  Pass(const ConfigFiles& files, const SshdConnection* connection, SshdEffective& out)
      : files_(files), connection_(connection), out_(out) {}

  std::map<std::string, std::vector<std::string>> values;
  std::map<std::string, std::string> origin;

  // `never_match`: included from a Match block that does not apply: the
  // file's own Match lines never apply either (sshd's SSHCFG_NEVERMATCH).
  void file(const std::string& path, bool& active, int depth, bool never_match = false) {
    if (stop_) return;
    if (++reads_ > kMaxFiles) {
      problem(path, 0, "more than 256 files included", true);
      stop_ = true;
      return;
    }
    const auto text = files_.read(path);
    if (!text) {
      problem(path, 0, "cannot be read", depth == 0);
      return;
    }
    if (connection_ == nullptr) out_.files_read.push_back(path);
    std::istringstream in(*text);
    std::string line;
    int number = 0;
    bool in_match = false;  // after a Match line of this file
    while (!stop_ && std::getline(in, line)) {
      ++number;
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r' ||
                               line.back() == '\f'))
        line.pop_back();
      std::string keyword, rest;
      if (!split_keyword(line, keyword, rest) || keyword[0] == '#') continue;
      const std::string key = lowercase(keyword);
      if (rest.empty()) {
        problem(path, number, "no argument after keyword \"" + keyword + "\"", true);
        continue;
      }
      std::vector<std::string> args;
      if (!split_sshd_arguments(rest, args)) {
        problem(path, number, "invalid quotes", true);
        continue;
      }
      if (key == "match") {
        const int m = match_line(args, connection_, path, number);
        active = !never_match && m == 1;
        in_match = true;
        continue;
      }
      if (!match_keywords().count(key) && !global_keywords().count(key)) {
        // Our list may lag behind a newer sshd: fatal, but not for certain.
        problem(path, number, "Bad configuration option: " + keyword.substr(0, 64), true, false);
        continue;
      }
      // Outside the global section only what Match allows: sshd refuses the
      // rest when it reads the file (without a connection), and skips it with one.
      if (!active && !match_keywords().count(key)) {
        problem(path, number, "Directive '" + keyword + "' is not allowed within a Match block",
                true);
        continue;
      }
      if (key == "include") {
        // From a Match block that does not apply, the included files' own
        // Match lines never apply (from the global section they do).
        include(args, active, path, number, depth, never_match || (in_match && !active));
        continue;
      }
      if (args.empty()) continue;
      check_value(key, args, path, number);
      if (!active) continue;
      const std::string name = canonical(key);
      if (connection_ == nullptr && name == "port" && out_.ports.size() < kMaxPorts)
        out_.ports.push_back(args[0]);
      if (connection_ == nullptr && name == "listenaddress" &&
          out_.listen_addresses.size() < kMaxPorts)
        out_.listen_addresses.push_back(args[0]);
      if (!values.count(name)) {
        values[name] = args;
        origin[name] = path + ":" + std::to_string(number);
      }
    }
  }

 private:
  void problem(const std::string& file, int line, const std::string& message, bool fatal,
               bool certain = true) {
    if (connection_ != nullptr) return;  // the global pass reports each once
    out_.problems.push_back({file, line, message, fatal, certain});
  }

  // Relative paths are under /etc/ssh; each pattern's files in lexical order,
  // read where the Include stands; the includer's Match state is restored after.
  void include(const std::vector<std::string>& args, bool& active, const std::string& path,
               int number, int depth, bool never_match) {
    if (depth + 1 > kMaxDepth) {
      // sshd stops right there: "Too many recursive configuration includes".
      problem(path, number, "too many recursive configuration includes", true);
      stop_ = true;
      return;
    }
    for (const auto& a : args) {
      const std::string pattern = (a[0] == '/' || a[0] == '~') ? a : "/etc/ssh/" + a;
      const bool outer = active;
      for (const auto& f : files_.glob(pattern)) {
        file(f, active, depth + 1, never_match);
        active = outer;
      }
    }
  }

  int match_line(const std::vector<std::string>& args, const SshdConnection* c,
                 const std::string& path, int number) {
    if (args.empty()) {
      problem(path, number, "One or more attributes required for Match", true);
      return -1;
    }
    int result = c != nullptr ? 1 : 0;
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string attr = lowercase(args[i]);
      if (attr == "all") {
        if (args.size() != 1) {
          problem(path, number, "'all' cannot be combined with other Match attributes", true);
          return -1;
        }
        return 1;  // with or without a connection: what follows is global again
      }
      if (i + 1 >= args.size()) {
        problem(path, number, "Missing Match criteria for " + args[i], true);
        return -1;
      }
      const std::string& value = args[++i];
      if (attr == "localport") {
        if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos ||
            value.size() > 5 || std::stoi(value) == 0 || std::stoi(value) > 65535) {
          problem(path, number, "Invalid LocalPort '" + value + "' on Match line", true);
          return -1;
        }
        if (c != nullptr && std::stoi(value) != c->local_port) result = 0;
        continue;
      }
      if (attr == "address" || attr == "localaddress") {
        const int m = match_address_list(
            c != nullptr ? (attr == "address" ? c->address : c->local_address) : "", value);
        if (m == -2) {
          problem(path, number, "Bad Match " + attr + " list '" + value + "'", true);
          return -1;
        }
        if (c != nullptr && m != 1) result = 0;
        continue;
      }
      if (attr != "user" && attr != "group" && attr != "host" && attr != "rdomain") {
        problem(path, number, "Unsupported Match attribute " + args[i - 1], true);
        return -1;
      }
      if (c == nullptr) continue;
      if (attr == "user" && match_pattern_list(c->user, value, false) != 1) result = 0;
      if (attr == "host" && match_pattern_list(c->host, value, true) != 1) result = 0;
      if (attr == "rdomain" && match_pattern_list(c->rdomain, value, false) != 1) result = 0;
      if (attr == "group") {
        bool any = false;
        for (const auto& g : c->groups) any = any || match_pattern_list(g, value, false) == 1;
        if (!any) result = 0;
      }
    }
    return c != nullptr ? result : 0;
  }

  void check_value(const std::string& key, const std::vector<std::string>& args,
                   const std::string& path, int number) {
    static const std::set<std::string> kFlags = {"passwordauthentication",
                                                 "kbdinteractiveauthentication",
                                                 "challengeresponseauthentication",
                                                 "usepam",
                                                 "pubkeyauthentication",
                                                 "permitemptypasswords"};
    const std::string v = lowercase(args[0]);
    if (key == "permitrootlogin") {
      static const std::set<std::string> kOk = {"yes", "no", "prohibit-password",
                                                "without-password", "forced-commands-only"};
      if (!kOk.count(v)) problem(path, number, "unsupported option \"" + args[0] + "\"", true);
    } else if (kFlags.count(key) && v != "yes" && v != "no") {
      problem(path, number, "unsupported option \"" + args[0] + "\"", true);
    }
    if ((key == "permitrootlogin" || kFlags.count(key)) && args.size() > 1)
      problem(path, number, "garbage at end of line", true);
  }

  const ConfigFiles& files_;
  const SshdConnection* connection_;
  SshdEffective& out_;
  bool stop_ = false;  // sshd would have exited here
  int reads_ = 0;
};

}  // namespace

SshdEffective effective_sshd_config(const ConfigFiles& files, const std::string& path,
                                    const SshdConnection& connection) {
  SshdEffective out;
  Pass global(files, nullptr, out);
  bool active = true;
  global.file(path, active, 0);
  Pass matched(files, &connection, out);
  active = false;
  matched.file(path, active, 0);
  out.values = global.values;
  out.origin = global.origin;
  for (const auto& [k, v] : matched.values) {  // Match values override the global ones
    out.values[k] = v;
    out.origin[k] = matched.origin[k];
  }
  return out;
}

std::string SshdEffective::permit_root_login() const {
  const auto it = values.find("permitrootlogin");
  if (it == values.end() || it->second.empty()) return "prohibit-password";
  const std::string v = lowercase(it->second[0]);
  return v == "without-password" ? "prohibit-password" : v;
}

namespace {
bool flag(const std::map<std::string, std::vector<std::string>>& values, const std::string& key,
          bool fallback) {
  const auto it = values.find(key);
  if (it == values.end() || it->second.empty()) return fallback;
  return lowercase(it->second[0]) == "yes";
}
}  // namespace

bool SshdEffective::password_authentication() const {
  return flag(values, "passwordauthentication", true);
}
bool SshdEffective::kbd_interactive_authentication() const {
  return flag(values, "kbdinteractiveauthentication", true);
}
bool SshdEffective::use_pam() const { return flag(values, "usepam", false); }

bool SshdEffective::accepts_passwords() const {
  return password_authentication() || (kbd_interactive_authentication() && use_pam());
}

std::string SshdEffective::where(const std::string& keyword) const {
  const auto it = origin.find(keyword);
  return it == origin.end() ? "default" : it->second;
}

}  // namespace hostward::audit

#include "audit/pg_hba.h"

#include <arpa/inet.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace hostward::audit {

namespace {

constexpr int kMaxDepth = 10;  // hba.c's CONF_FILE_MAX_DEPTH

struct Token {
  std::string text;
  bool quoted = false;
};
using Field = std::vector<Token>;  // a comma list

// hba.c's next_field_expand: tokens split by whitespace, commas join the
// next token into the same field, double quotes make a token literal, `#`
// outside quotes ends the line.
std::vector<Field> split_fields(const std::string& line, bool& bad_quotes) {
  std::vector<Field> fields;
  size_t i = 0;
  bool continue_field = false;
  bad_quotes = false;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size() || line[i] == '#') break;
    Token t;
    bool in_quote = false;
    bool comma = false;
    while (i < line.size()) {
      const char c = line[i];
      if (!in_quote && (c == ' ' || c == '\t' || c == '\r')) break;
      if (!in_quote && c == '#') break;
      if (!in_quote && c == ',') {
        comma = true;
        ++i;
        break;
      }
      if (c == '"') {
        if (in_quote && i + 1 < line.size() && line[i + 1] == '"') {
          t.text += '"';  // "" inside quotes is one quote
          i += 2;
          continue;
        }
        in_quote = !in_quote;
        t.quoted = true;
        ++i;
        continue;
      }
      t.text += c;
      ++i;
    }
    if (in_quote) {
      bad_quotes = true;
      return fields;
    }
    if (continue_field && !fields.empty())
      fields.back().push_back(t);
    else
      fields.push_back({t});
    continue_field = comma;
  }
  return fields;
}

bool parse_ip(const std::string& text, int& family, unsigned char* bytes) {
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) {
    family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
    family = AF_INET6;
    return true;
  }
  return false;
}

// "IP/bits" -> true when `address` lies in it. `valid` false for a malformed network.
bool in_cidr(const std::string& address, const std::string& cidr, bool& valid) {
  valid = false;
  const size_t slash = cidr.find('/');
  if (slash == std::string::npos) return false;
  int nf = 0, af = 0;
  unsigned char net[16] = {}, addr[16] = {};
  if (!parse_ip(cidr.substr(0, slash), nf, net)) return false;
  const std::string bits_text = cidr.substr(slash + 1);
  if (bits_text.empty() || bits_text.size() > 3 ||
      bits_text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  const int bits = std::stoi(bits_text);
  if (bits > (nf == AF_INET ? 32 : 128)) return false;
  valid = true;
  if (!parse_ip(address, af, addr) || af != nf) return false;
  for (int i = 0; i < bits; ++i) {
    if (((addr[i / 8] >> (7 - i % 8)) & 1) != ((net[i / 8] >> (7 - i % 8)) & 1)) return false;
  }
  return true;
}

// "255.255.255.0" -> 24; -1 when not a netmask.
int mask_bits(const std::string& mask) {
  int family = 0;
  unsigned char b[16] = {};
  if (!parse_ip(mask, family, b)) return -1;
  const int total = family == AF_INET ? 32 : 128;
  int bits = 0;
  while (bits < total && ((b[bits / 8] >> (7 - bits % 8)) & 1)) ++bits;
  for (int i = bits; i < total; ++i)
    if ((b[i / 8] >> (7 - i % 8)) & 1) return -1;
  return bits;
}

const std::set<std::string>& methods() {
  static const std::set<std::string> m = {"trust",  "reject", "scram-sha-256", "md5",  "password",
                                          "gss",    "sspi",   "ident",         "peer", "ldap",
                                          "radius", "cert",   "pam",           "bsd"};
  return m;
}

std::vector<std::string> tokens_text(const Field& f) {
  std::vector<std::string> out;
  for (const auto& t : f) out.push_back(t.quoted ? "\"" + t.text + "\"" : t.text);
  return out;
}

class Reader {
 public:
  Reader(const ConfigFiles& files, HbaFile& out) : files_(files), out_(out) {}

  void file(const std::string& path, int depth, bool must_exist) {
    if (++reads_ > 256) {  // includes fanning out grow exponentially with the depth
      if (reads_ == 257) out_.problems.push_back({path, 0, "more than 256 files included"});
      return;
    }
    if (depth > kMaxDepth) {
      out_.problems.push_back({path, 0, "includes nested too deep"});
      return;
    }
    const auto text = files_.read(path);
    if (!text) {
      if (must_exist) out_.problems.push_back({path, 0, "could not open file"});
      return;
    }
    std::istringstream in(*text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      const int first = number;
      // A backslash at the end of a line continues the record (PostgreSQL 14+).
      while (!line.empty() && line.back() == '\r') line.pop_back();
      std::string next;
      while (!line.empty() && line.back() == '\\' && std::getline(in, next)) {
        line.pop_back();
        while (!next.empty() && next.back() == '\r') next.pop_back();
        line += next;
        ++number;
      }
      bool bad_quotes = false;
      auto fields = split_fields(line, bad_quotes);
      if (bad_quotes) {
        out_.problems.push_back({path, first, "unterminated quoted string"});
        continue;
      }
      if (fields.empty()) continue;
      record(path, first, fields, depth);
    }
  }

 private:
  void problem(const std::string& path, int line, const std::string& message) {
    out_.problems.push_back({path, line, message});
  }

  void record(const std::string& path, int line, const std::vector<Field>& f, int depth) {
    const std::string type = f[0][0].text;
    if (type == "include" || type == "include_if_exists" || type == "include_dir") {
      if (f.size() != 2) {
        problem(path, line, "invalid " + type + " line");
        return;
      }
      const std::string target = relative_to(path, f[1][0].text);
      if (type == "include_dir") {
        for (const auto& p : files_.glob(target + "/*.conf")) file(p, depth + 1, true);
      } else {
        file(target, depth + 1, type == "include");
      }
      return;
    }
    static const std::set<std::string> kTypes = {"local",     "host",       "hostssl",
                                                 "hostnossl", "hostgssenc", "hostnogssenc"};
    if (!kTypes.count(type)) {
      problem(path, line, "invalid connection type");  // the text is not echoed: it may be any file
      return;
    }
    HbaRecord r;
    r.file = path;
    r.line = line;
    r.type = type;
    size_t i = 1;
    if (f.size() <= i) return problem(path, line, "end-of-line before database specification");
    r.databases = tokens_text(f[i++]);
    if (f.size() <= i) return problem(path, line, "end-of-line before role specification");
    r.users = tokens_text(f[i++]);
    if (type != "local") {
      if (f.size() <= i) return problem(path, line, "end-of-line before IP address specification");
      const std::string a = f[i++][0].text;
      if (a == "all" || a == "samehost" || a == "samenet") {
        r.address = a;
      } else if (a.find('/') != std::string::npos) {
        bool valid = false;
        in_cidr("0.0.0.0", a, valid);
        if (!valid) return problem(path, line, "invalid IP address");
        r.address = a;
      } else {
        int family = 0;
        unsigned char b[16];
        if (parse_ip(a, family, b)) {
          // The two-field form: an address and a netmask.
          if (f.size() <= i) return problem(path, line, "end-of-line before netmask specification");
          const int bits = mask_bits(f[i++][0].text);
          if (bits < 0) return problem(path, line, "invalid IP mask");
          r.address = a + "/" + std::to_string(bits);
        } else {
          r.address = a;  // a host name: matched by reverse DNS, never judged here
        }
      }
    }
    if (f.size() <= i) return problem(path, line, "end-of-line before authentication method");
    r.method = f[i][0].text;
    if (!methods().count(r.method)) return problem(path, line, "invalid authentication method");
    if (r.method == "peer" && type != "local")
      return problem(path, line, "peer authentication is only supported on local sockets");
    out_.records.push_back(std::move(r));
  }

  const ConfigFiles& files_;
  HbaFile& out_;
  int reads_ = 0;
};

bool matches_name(const std::vector<std::string>& tokens, const std::string& name,
                  const std::string& user, bool database, const ConfigFiles* files,
                  const std::string& file, bool replication = false) {
  for (const auto& t : tokens) {
    // A replication connection matches only the "replication" keyword.
    if (database && replication) {
      if (t == "replication") return true;
      continue;
    }
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') {
      if (t.substr(1, t.size() - 2) == name) return true;
      continue;
    }
    if (t == "all") return true;
    if (database) {
      if (t == "sameuser" && name == user) return true;
      if ((t == "samerole" || t == "samegroup") && name == user)
        return true;                     // a role is its own member
      if (t == "replication") continue;  // only replication connections
    } else if (!t.empty() && t[0] == '+') {
      if (t.substr(1) == name) return true;  // membership beyond itself is not known here
      continue;
    }
    if (!t.empty() && t[0] == '@' && files != nullptr) {
      const auto text = files->read(relative_to(file, t.substr(1)));
      if (!text) continue;
      bool bad = false;
      std::istringstream in(*text);
      std::string line;
      while (std::getline(in, line)) {
        for (const auto& f : split_fields(line, bad))
          for (const auto& tok : f)
            if (tok.text == name || (!tok.quoted && tok.text == "all")) return true;
      }
      continue;
    }
    if (t == name) return true;
  }
  return false;
}

bool matches_address(const std::string& spec, const HbaConnection& c) {
  if (spec == "all") return true;
  if (spec == "samehost" || spec == "samenet") {
    for (const auto& s : c.server_addresses) {
      const size_t slash = s.find('/');
      const std::string own = s.substr(0, slash);
      if (spec == "samehost") {
        if (own == c.address) return true;
      } else {
        bool valid = false;
        // The network of the server's address: the same prefix, host bits ignored.
        if (in_cidr(c.address, s, valid) && valid) return true;
      }
    }
    return false;
  }
  if (spec.find('/') == std::string::npos) return false;  // a host name
  bool valid = false;
  return in_cidr(c.address, spec, valid);
}

}  // namespace

const char* to_string(HbaVerdict v) {
  switch (v) {
    case HbaVerdict::trust:
      return "trust";
    case HbaVerdict::password:
      return "password";
    case HbaVerdict::other_auth:
      return "other";
    case HbaVerdict::reject:
      return "reject";
  }
  return "reject";
}

HbaFile read_pg_hba(const ConfigFiles& files, const std::string& path) {
  HbaFile out;
  Reader(files, out).file(path, 0, true);
  return out;
}

HbaDecision decide(const HbaFile& hba, const HbaConnection& c) {
  HbaDecision d;
  for (const auto& r : hba.records) {
    if (r.type == "local") continue;
    if (r.type == "hostssl" && !c.ssl) continue;
    if (r.type == "hostnossl" && c.ssl) continue;
    if (r.type == "hostgssenc" && !c.gss) continue;
    if (r.type == "hostnogssenc" && c.gss) continue;
    if (!matches_address(r.address, c)) continue;
    if (!matches_name(r.databases, c.database, c.user, true, nullptr, r.file, c.replication))
      continue;
    if (!matches_name(r.users, c.user, c.user, false, nullptr, r.file)) continue;
    d.record = &r;
    static const std::set<std::string> kPassword = {"scram-sha-256", "md5", "password", "ldap",
                                                    "radius",        "pam", "bsd"};
    if (r.method == "trust")
      d.verdict = HbaVerdict::trust;
    else if (r.method == "reject")
      d.verdict = HbaVerdict::reject;
    else if (kPassword.count(r.method))
      d.verdict = HbaVerdict::password;
    else
      d.verdict = HbaVerdict::other_auth;
    return d;
  }
  return d;  // no record: "no pg_hba.conf entry", rejected
}

}  // namespace hostward::audit

#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/config_files.h"

// sshd's effective configuration, computed the way sshd computes it
// (OpenSSH 9.x servconf.c): keyword and arguments split like argv_split with
// quotes and `#` comments, case-insensitive keywords, the first value wins,
// `Include` globs expanded in lexical order where they stand, `Match` blocks
// evaluated for one connection (their values override the global ones, the
// first matching block wins), and the compiled-in defaults after that.
namespace hostward::audit {

// The connection the Match blocks are judged for: `sshd -T -C user=...,addr=...`.
struct SshdConnection {
  std::string user = "root";
  std::vector<std::string> groups = {"root"};
  std::string host = "203.0.113.5";  // UseDNS no (the default): the address
  std::string address = "203.0.113.5";
  std::string local_address = "198.51.100.1";
  int local_port = 22;
  std::string rdomain;
};

struct SshdProblem {
  std::string file;
  int line = 0;
  std::string message;
  bool fatal = false;   // sshd itself refuses to start with this
  bool certain = true;  // false: an option hostward does not know (a newer sshd may)
};

struct SshdEffective {
  // Lowercased keyword -> the arguments of the value that won.
  std::map<std::string, std::vector<std::string>> values;
  // Where each winning value was written ("file:line"), for evidence.
  std::map<std::string, std::string> origin;
  std::vector<SshdProblem> problems;
  std::vector<std::string> files_read;
  // Port and ListenAddress add up rather than the first one winning:
  // every value, in order (the first argument of each ListenAddress).
  std::vector<std::string> ports;
  std::vector<std::string> listen_addresses;
  bool refused() const;         // a fatal problem: sshd would not start with this file
  bool surely_refused() const;  // ... and not merely an option hostward does not know

  // Effective values with OpenSSH 9.x's defaults.
  std::string permit_root_login() const;  // yes, prohibit-password, forced-commands-only, no
  bool password_authentication() const;
  bool kbd_interactive_authentication() const;
  bool use_pam() const;
  // Passwords are accepted: PasswordAuthentication, or keyboard-interactive through PAM.
  bool accepts_passwords() const;
  std::string where(const std::string& keyword) const;  // "file:line" or "default"
};

SshdEffective effective_sshd_config(const ConfigFiles& files, const std::string& path,
                                    const SshdConnection& connection);

// misc.c's argv_split with terminate_on_comment: quotes, backslash escapes,
// a `#` at the start of a word ends the line. False on an unclosed quote.
bool split_sshd_arguments(const std::string& text, std::vector<std::string>& out);

// Pattern lists as match.c: comma-separated, `*` and `?`, `!` negates (a
// negated match rejects). 1 match, 0 no match, -1 negated match.
int match_pattern_list(const std::string& subject, const std::string& list, bool lowercase);
// Address lists with CIDR entries: 1, 0, -1 as above, -2 for a malformed entry.
int match_address_list(const std::string& address, const std::string& list);

}  // namespace hostward::audit

#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_rules.h"

// secrets.shell-history: credentials typed on a command line stay in the
// shell's (or client's) history file, readable by anyone who gets the account,
// a backup or a support bundle. The seed's staging host kept Docker registry
// credentials in plaintext bash history.
//
// The files, read as their programs read them:
//  - bash, ksh, ash (.bash_history, .sh_history, .ash_history): one command a
//    line; with HISTTIMEFORMAT, bash writes "#<seconds>" before each command.
//  - zsh (.zsh_history, .zhistory, .histfile): ": <start>:<elapsed>;<cmd>"
//    with EXTENDED_HISTORY, else the bare command; a line ending in a
//    backslash goes on (zsh's readhistline turns that backslash into a
//    newline); bytes are metafied (0x83 then the byte xor 32).
//  - fish (.local/share/fish/fish_history, fish 2.2's .config/fish/fish_history):
//    "- cmd: <cmd>" with "\\" and "\n" escaped (fish's unescape_yaml_fish_2_0);
//    "when:" and "paths:" lines are not commands.
//  - psql and mysql/mariadb clients (.psql_history, .mysql_history): libedit
//    writes "_HiStOrY_V2_" and then each entry strvis(3)-encoded (VIS_WHITE:
//    a space is \040), readline writes plain lines; psql stores a newline
//    inside an entry as 0x01. MariaDB's client writes .mysql_history too.
//  - redis-cli (.rediscli_history): linenoise, one command a line.
namespace hostward::audit {

void shell_history_register(RuleCatalog& catalog);
void shell_history_rules(const AuditInput& in, AuditResult& out);

enum class HistoryFormat { sh, zsh, fish, psql, mysql, redis };

// One command of a history file, decoded, and the file's line it starts on (1-based).
struct HistoryEntry {
  size_t line = 0;
  std::string text;
};

// Entries longer than this are skipped (and counted): work per line stays bounded.
constexpr size_t kMaxHistoryEntry = 64 * 1024;

// Calls `each` for every non-empty entry of a history file, in file order;
// returns the number of entries skipped for their length.
size_t for_each_history_entry(HistoryFormat format, std::string_view text,
                              const std::function<void(const HistoryEntry&)>& each);
std::vector<HistoryEntry> parse_history(HistoryFormat format, std::string_view text);

// Shell words as the shell sees them: quotes removed, escapes resolved.
enum class ShellDialect { posix, fish };

struct ShellWord {
  std::string text;
  // It holds an expansion ($X, ${X}, $(..), `..`, fish's (..)): its value is
  // only known when it runs, so it is not a literal secret.
  bool dynamic = false;
  size_t plain_prefix = 0;  // leading bytes that were unquoted, unescaped characters
};

struct ShellRedirection {
  std::string op;  // <, <<<, >, ...
  ShellWord target;
};

struct ShellCommand {
  std::vector<ShellWord> words;
  std::vector<ShellRedirection> redirections;
  bool piped = false;  // its input is the previous command's output (a | b)
};

// Simple commands split at | || && ; & ( ) and newlines; comments dropped.
std::vector<ShellCommand> split_shell_commands(std::string_view text, ShellDialect dialect);

// A credential found in one history entry. `secret` never leaves this
// module except through redact().
struct SecretHit {
  std::string kind;      // docker-login-password, pgpassword, url-password, github-token, ...
  std::string command;   // the program that was given it ("docker login"), "" when unknown
  std::string variable;  // env-secret, pgpassword, mysql-pwd: the variable's name
  std::string scheme;    // url-password: the URL's scheme
  std::string secret;
};

// Every credential in one entry, each secret once. Commands run through
// sh -c, su -c, ssh, docker|podman run|exec and kubectl exec are judged as
// if typed, two levels deep at most.
std::vector<SecretHit> find_secrets(HistoryFormat format, std::string_view entry);

// At most the first 4 characters, never more than a quarter of the secret
// (none below 8 characters, none unless printable ASCII), and its length:
// "hunt…(14 chars)".
std::string redact(std::string_view secret);

}  // namespace hostward::audit

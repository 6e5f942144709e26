#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_rules.h"
#include "audit/config_files.h"
#include "audit/systemd_unit.h"

// The Docker daemon's API sockets and who may use them (issue #6):
// config.docker-tcp-socket and config.docker-group-members. dockerd's
// configuration is read the way dockerd, pflag and systemd read it; the
// parsers are exposed for the tests and the fuzz target.
namespace hostward::audit {

void docker_daemon_register(RuleCatalog& catalog);
void docker_daemon_rules(const AuditInput& in, AuditResult& out);

// Where a word of a command line was written: an ExecStart= line, or the
// assignment of a variable it expanded (then `via` names the ExecStart= line).
struct Origin {
  std::string path;
  int line = 0;
  std::string via;
};

struct Word {
  std::string text;
  Origin origin;
};

// A -H / "hosts" value as dockerd normalizes it (opts/hosts.go ParseHost):
// no scheme means tcp, an empty host means localhost, no port means 2375.
struct DaemonHost {
  std::string proto;    // tcp, unix, fd, npipe; empty when dockerd refuses the value
  std::string address;  // tcp://HOST:PORT, unix:///path, fd://...
  std::string host;     // tcp: the host part without brackets
  std::string error;    // why dockerd refuses it
};
DaemonHost parse_daemon_host(std::string_view value, bool tls);

enum class Bind { loopback, all_interfaces, address, name };
Bind classify_bind(const std::string& host);
const char* to_string(Bind b);

// What a dockerd command line sets, read as spf13/pflag reads it.
struct DockerdFlags {
  std::vector<Word> hosts;
  std::optional<bool> tls;
  std::optional<bool> tlsverify;
  Origin tls_origin;
  Origin tlsverify_origin;
  std::optional<Word> group;
  std::optional<std::string> config_file;
  std::vector<std::string> refusals;  // what dockerd refuses to start with
};
// `args` are the words after the program name.
DockerdFlags parse_dockerd_flags(const std::vector<Word>& args);

// daemon.json as dockerd reads it (daemon/config: encoding/json into a map,
// then into the Config struct).
struct DaemonJson {
  bool refused = false;  // dockerd refuses to start with this file
  bool judged = true;    // false when hostward cannot tell what dockerd would do
  std::vector<std::string> problems;
  bool has_hosts = false;
  std::vector<Word> hosts;  // each with the line of its string
  std::optional<bool> tls;
  std::optional<bool> tlsverify;
  std::optional<Word> group;
  std::optional<std::string> data_root;  // where images and containers' layers are kept
  std::map<std::string, int> keys;       // top-level key -> line, for flag/file conflicts
};
DaemonJson parse_daemon_json(std::string_view text, const std::string& path);

// The commands of an ExecStart= value (a lone ";" separates them), each split
// into words as systemd does (quotes, C escapes), the prefixes -@:+! removed:
// the program first, then its arguments. nullopt, with `error`, when systemd
// ignores the line.
using Command = std::vector<std::string>;
std::optional<std::vector<Command>> split_exec_commands(std::string_view value, std::string* error);

struct EnvAssignment {
  std::string name;
  std::string value;
  int line = 0;
};
// An EnvironmentFile= (shell = false) or a file a shell sources (/etc/default/docker).
std::vector<EnvAssignment> parse_environment_file(std::string_view text, bool shell);

struct EnvValue {
  std::string value;
  Origin origin;
};
// An ExecStart= command's words with $NAME (split into words) and ${NAME}
// (one word) replaced as systemd does when it starts the service.
std::vector<Word> expand_exec_words(const std::vector<std::string>& words,
                                    const std::map<std::string, EnvValue>& env,
                                    const Origin& exec_line);

}  // namespace hostward::audit

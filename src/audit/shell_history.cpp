#include "audit/shell_history.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <set>

#include "audit/accounts.h"
#include "audit/history_text.h"

namespace hostward::audit {

namespace {

using namespace history_text;

constexpr size_t kReadCap = 4u << 20;  // what ConfigFiles::read returns at most
constexpr size_t kMaxFindingsPerFile = 50;
constexpr size_t kMaxHomes = 10000;

std::string_view describe(std::string_view kind) {
  static const std::array<std::pair<std::string_view, std::string_view>, 19> kWhat = {{
      {"docker-login-password", "a container registry password"},
      {"pgpassword", "a PostgreSQL password (PGPASSWORD)"},
      {"mysql-pwd", "a MySQL password (MYSQL_PWD)"},
      {"env-secret", "a secret in an environment variable"},
      {"mysql-password", "a MySQL password on the command line"},
      {"curl-password", "an HTTP password (curl -u)"},
      {"sshpass-password", "an SSH password (sshpass -p)"},
      {"htpasswd-password", "a web password (htpasswd -b)"},
      {"redis-password", "a Redis password"},
      {"url-password", "a password in a URL"},
      {"sql-password", "a database password in SQL"},
      {"github-token", "a GitHub token"},
      {"gitlab-token", "a GitLab token"},
      {"aws-access-key-id", "an AWS access key id"},
      {"slack-token", "a Slack token"},
      {"stripe-live-key", "a Stripe live key"},
      {"google-api-key", "a Google API key"},
      {"npm-token", "an npm token"},
      {"pypi-token", "a PyPI token"},
  }};
  for (const auto& [k, what] : kWhat)
    if (k == kind) return what;
  return "a credential";
}

// ---------------------------------------------------------------------------
// The rule

const RuleInfo& history_info() {
  static const RuleInfo i{
      "secrets.shell-history",
      Severity::high,
      {"T1552.003", "T1552.001"},
      "Credentials in shell and client histories",
      "The seed's staging host kept Docker registry credentials in plaintext bash history: "
      "whoever reads the file (another account, a backup, a support bundle, an intruder) logs "
      "in as its owner.",
      "Rotate the credential first: the file may already have been read. Then delete the line "
      "from the history file (and from the running shell: `history -d N; history -w` in bash). "
      "Keep credentials off the command line: `docker login --password-stdin` fed from a file "
      "or a credential helper, ~/.pgpass or ~/.my.cnf with mode 0600, `read -s`, and "
      "HISTCONTROL=ignorespace for the rare exception."};
  return i;
}

struct HistoryFile {
  std::string_view name;  // relative to the home directory
  HistoryFormat format;
};

constexpr std::array<HistoryFile, 11> kHistoryFiles = {{
    {".bash_history", HistoryFormat::sh},
    {".sh_history", HistoryFormat::sh},
    {".ash_history", HistoryFormat::sh},
    {".zsh_history", HistoryFormat::zsh},
    {".zhistory", HistoryFormat::zsh},
    {".histfile", HistoryFormat::zsh},
    {".local/share/fish/fish_history", HistoryFormat::fish},
    {".config/fish/fish_history", HistoryFormat::fish},
    {".psql_history", HistoryFormat::psql},
    {".mysql_history", HistoryFormat::mysql},
    {".rediscli_history", HistoryFormat::redis},
}};

struct Home {
  std::string user;
  std::string dir;
};

// Every account's home once, and /root; "/" and /nonexistent hold no history.
std::vector<Home> homes(const ConfigFiles& files, AuditResult& out) {
  std::vector<Home> list;
  std::set<std::string> seen;
  for (const auto& a : read_accounts(files)) {
    std::string dir = a.home;
    while (!dir.empty() && dir.back() == '/') dir.pop_back();
    if (dir.empty() || dir[0] != '/' || dir == "/nonexistent" || !seen.insert(dir).second) continue;
    if (list.size() == kMaxHomes) {
      out.errors.push_back(
          {"config", fmt::format("/etc/passwd: more than {} home directories; shell histories "
                                 "of the rest were not read",
                                 kMaxHomes)});
      break;
    }
    list.push_back({a.name, dir});
  }
  if (!seen.count("/root")) list.push_back({"root", "/root"});
  return list;
}

// The secrets of one file, to keep out of every name shown for it. Past the
// cap no name is shown at all.
struct FileSecrets {
  static constexpr size_t kMax = 10000;
  std::set<std::string> secrets;
  bool overflow = false;
  void add(const std::string& s) {
    if (secrets.size() < kMax)
      secrets.insert(s);
    else
      overflow = true;
  }
};

// A program, variable or scheme name fit to show: short, plain characters,
// and holding none of the file's secrets (a token pasted at the prompt is
// the program; a password typed on one line can be a command on another).
std::string shown_name(std::string_view name, const FileSecrets& file) {
  if (name.size() > 64 || file.overflow) return {};
  for (const auto& secret : file.secrets)
    if (name.find(secret) != kNpos) return {};
  for (const char c : name)
    if (!is_alnum(c) && std::strchr("._+- ", c) == nullptr) return {};
  return std::string(name);
}

Finding history_finding(const AuditInput& in, const std::string& path, const std::string& user,
                        size_t line, const SecretHit& hit, const FileSecrets& file) {
  nlohmann::json subject = {{"kind", "file"}, {"path", path}, {"line", line}, {"user", user}};
  nlohmann::json evidence = {{"kind", hit.kind}, {"redacted", redact(hit.secret)}};
  const std::string command = shown_name(hit.command, file);
  const std::string variable = shown_name(hit.variable, file);
  const std::string scheme = shown_name(hit.scheme, file);
  if (!command.empty()) evidence["command"] = command;
  if (!variable.empty()) evidence["variable"] = variable;
  if (!scheme.empty()) evidence["scheme"] = scheme;
  std::string what(describe(hit.kind));
  if (!variable.empty() && hit.kind == "env-secret") what = "a secret variable (" + variable + ")";
  return make_finding(history_info(), Severity::high,
                      fmt::format("{} in {} line {}", what, path, line), std::move(subject),
                      std::move(evidence), in.hostname,
                      path + "\n" + std::to_string(line) + "\n" + hit.kind);
}

void scan_history(const AuditInput& in, const std::string& path, const std::string& user,
                  HistoryFormat format, std::string_view text, AuditResult& out) {
  size_t more = 0;
  FileSecrets file;
  std::vector<std::pair<size_t, SecretHit>> kept;  // line, hit
  const size_t skipped = for_each_history_entry(format, text, [&](const HistoryEntry& e) {
    for (auto& hit : find_secrets(format, e.text)) {
      file.add(hit.secret);
      if (kept.size() == kMaxFindingsPerFile)
        ++more;
      else
        kept.emplace_back(e.line, std::move(hit));
    }
  });
  for (const auto& [line, hit] : kept)
    out.findings.push_back(history_finding(in, path, user, line, hit, file));
  if (more > 0) {
    out.findings.push_back(
        make_finding(history_info(), Severity::high,
                     fmt::format("{} more credentials in {} (only the first {} are listed)", more,
                                 path, kMaxFindingsPerFile),
                     {{"kind", "file"}, {"path", path}, {"user", user}},
                     {{"kind", "more"}, {"count", more}}, in.hostname, path + "\nmore"));
  }
  if (skipped > 0)
    out.errors.push_back(
        {"config", fmt::format("{}: {} commands longer than {} KiB were not judged", path, skipped,
                               kMaxHistoryEntry / 1024)});
}

enum class FileOutcome { absent, disabled, unreadable, read };

FileOutcome judge_file(const AuditInput& in, const Home& home, const HistoryFile& file,
                       AuditResult& out) {
  const std::string path = home.dir + "/" + std::string(file.name);
  const auto facts = in.files.stat(path);
  if (!facts) return FileOutcome::absent;
  if (S_ISLNK(facts->mode)) {
    // Never followed: a link could lead a root scan to any file or device.
    // A link to /dev/null is the usual way to keep no history.
    if (in.files.read_link(path).value_or("") == "/dev/null") return FileOutcome::disabled;
    out.errors.push_back(
        {"config", path + ": a symbolic link; not followed, the file it names was not judged"});
    return FileOutcome::unreadable;
  }
  if (!facts->is_regular()) return FileOutcome::absent;
  const auto text = in.files.read(path, false);  // never through a link the user made
  if (!text) {
    out.errors.push_back({"config", path + ": could not be read"});
    return FileOutcome::unreadable;
  }
  if (text->size() >= kReadCap)
    out.errors.push_back({"config", path + ": only the first 4 MiB read; the newest commands, "
                                           "at its end, were not judged"});
  scan_history(in, path, home.user, file.format, *text, out);
  return FileOutcome::read;
}

}  // namespace

void shell_history_register(RuleCatalog& catalog) { catalog.add(history_info()); }

void shell_history_rules(const AuditInput& in, AuditResult& out) {
  size_t read = 0, unreadable = 0, disabled = 0;
  for (const auto& home : homes(in.files, out)) {
    for (const auto& file : kHistoryFiles) {
      switch (judge_file(in, home, file, out)) {
        case FileOutcome::read:
          ++read;
          break;
        case FileOutcome::unreadable:
          ++unreadable;
          break;
        case FileOutcome::disabled:
          ++disabled;
          break;
        case FileOutcome::absent:
          break;
      }
    }
  }
  const std::string& id = history_info().id;
  if (read > 0)
    out.judged(id);
  else if (unreadable > 0)
    out.unknown(id, fmt::format("{} history files could not be read", unreadable));
  else
    out.not_applicable(id, disabled > 0 ? "shell histories are kept nowhere (links to /dev/null)"
                                        : "no shell or client history files");
}

}  // namespace hostward::audit

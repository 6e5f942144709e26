#include "audit/shell_history.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

#include "audit/accounts.h"
#include "audit/history_text.h"

namespace hostward::audit {

namespace {

using namespace history_text;

constexpr size_t kReadCap = 4u << 20;  // what ConfigFiles::read returns at most
constexpr size_t kMaxFindingsPerFile = 50;
constexpr size_t kMaxHomes = 10000;

std::string_view describe(std::string_view kind) {
  static const std::array<std::pair<std::string_view, std::string_view>, 25> kWhat = {{
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
      {"docker-hub-token", "a Docker Hub token"},
      {"registry-creds-password", "a container registry password (--creds)"},
      {"wget-password", "an HTTP or FTP password (wget)"},
      {"gitlab-runner-token", "a GitLab runner token"},
      {"azure-pipelines-token", "an Azure DevOps token (pipelines agent)"},
      {"pg-conninfo-password", "a PostgreSQL password in a connection string"},
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
  unsigned uid = 0;
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
    list.push_back({a.name, dir, a.uid});
  }
  if (!seen.count("/root")) list.push_back({"root", "/root", 0});
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

constexpr size_t kWindow = 5;  // no run this long of a secret is ever shown outside redact()

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A program, variable or scheme name is fit to show when it is short, of
// plain characters, and holds no 5 characters in a row of any of the file's
// secrets, nor a shorter secret whole, without regard to case (a token
// pasted at the prompt is the program; a password typed on one line can be a
// command on another; "HTTPS1234" must not be shown as the scheme "https").
class NameGuard {
 public:
  NameGuard(const std::vector<std::string_view>& names, const FileSecrets& file) {
    overflow_ = file.overflow;
    for (const auto name : names)
      if (plain(name)) names_.emplace(lower(name), true);
    // Every piece of a name a secret could match: its 5-grams, and its
    // substrings shorter than that (for short secrets).
    std::unordered_map<std::string, std::vector<std::string>> pieces;
    for (const auto& [name, ok] : names_)
      for (size_t i = 0; i < name.size(); ++i)
        for (size_t n = 1; n <= kWindow && i + n <= name.size(); ++n)
          pieces[name.substr(i, n)].push_back(name);
    for (const auto& secret : file.secrets) {
      const std::string s = lower(secret);
      if (s.size() < kWindow) {
        reject(pieces, s);
        continue;
      }
      for (size_t i = 0; i + kWindow <= s.size(); ++i) reject(pieces, s.substr(i, kWindow));
    }
  }

  std::string shown(std::string_view name) const {
    if (overflow_ || !plain(name)) return {};
    const auto it = names_.find(lower(name));
    return it != names_.end() && it->second ? std::string(name) : std::string();
  }

 private:
  static bool plain(std::string_view name) {
    return name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
             return is_alnum(c) || std::strchr("._+- ", c) != nullptr;
           });
  }
  void reject(const std::unordered_map<std::string, std::vector<std::string>>& pieces,
              const std::string& piece) {
    const auto it = pieces.find(piece);
    if (it == pieces.end()) return;
    for (const auto& name : it->second) names_[name] = false;
  }

  bool overflow_ = false;
  std::map<std::string, bool> names_;  // lowercased name -> fit to show
};

Finding history_finding(const AuditInput& in, const std::string& path, const std::string& user,
                        size_t line, size_t ordinal, const SecretHit& hit, const NameGuard& guard) {
  nlohmann::json subject = {{"kind", "file"}, {"path", path}, {"line", line}, {"user", user}};
  nlohmann::json evidence = {{"kind", hit.kind}, {"redacted", redact(hit.secret)}};
  const std::string command = guard.shown(hit.command);
  const std::string variable = guard.shown(hit.variable);
  const std::string scheme = guard.shown(hit.scheme);
  if (!command.empty()) evidence["command"] = command;
  if (!variable.empty()) evidence["variable"] = variable;
  if (!scheme.empty()) evidence["scheme"] = scheme;
  std::string what(describe(hit.kind));
  if (!variable.empty() && hit.kind == "env-secret") what = "a secret variable (" + variable + ")";
  // The second credential of a kind on a line is another finding.
  std::string identity = path + "\n" + std::to_string(line) + "\n" + hit.kind;
  if (ordinal > 1) identity += "\n" + std::to_string(ordinal);
  return make_finding(history_info(), Severity::high,
                      fmt::format("{} in {} line {}", what, path, line), std::move(subject),
                      std::move(evidence), in.hostname, identity);
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
  std::vector<std::string_view> names;
  for (const auto& [line, hit] : kept)
    for (const auto* name : {&hit.command, &hit.variable, &hit.scheme})
      if (!name->empty()) names.push_back(*name);
  const NameGuard guard(names, file);
  for (size_t i = 0; i < kept.size(); ++i) {
    const auto& [line, hit] = kept[i];
    size_t ordinal = 1;
    for (size_t j = i; j-- > 0 && kept[j].first == line;)
      ordinal += kept[j].second.kind == hit.kind;
    out.findings.push_back(history_finding(in, path, user, line, ordinal, hit, guard));
  }
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
  // Never through a link the user made, and only the user's own file (or
  // root's): a home under a linked /home is still read.
  const auto text = in.files.read_users_file(path, home.uid);
  if (!text) {
    out.errors.push_back({"config", path + ": could not be read, or is not " + home.user +
                                        "'s own file (nor root's, with one name)"});
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

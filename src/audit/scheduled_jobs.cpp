#include "audit/scheduled_jobs.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstring>
#include <optional>
#include <set>

#include "audit/accounts.h"
#include "audit/job_programs.h"
#include "audit/job_text.h"

namespace hostward::audit {

namespace {

using namespace job_text;
using namespace job_programs;

constexpr const char* kRuleId = "config.cron-world-writable";

// Hostile files: caps on everything that grows with input.
constexpr size_t kMaxDirEntries = 2000;
constexpr size_t kMaxPathEntries = 64;
constexpr size_t kMaxComponents = 128;
constexpr size_t kMaxFindings = 2000;
constexpr size_t kMaxUnits = 2000;
// Any user can install a crontab: a hostile one must not make the scan
// stat() for minutes. Programs judged per scan, and stat results kept.
constexpr size_t kMaxJudgedCommands = 20000;
constexpr size_t kMaxStatCalls = 100000;
constexpr size_t kMaxCachedFacts = 100000;
// As the kernel (path_resolution(7)): at most 40 symlinks on one path.
constexpr int kMaxSymlinks = 40;
// ConfigFiles::read reads at most 4 MiB of a file.
constexpr size_t kReadLimit = 4u << 20;
// login.defs' ENV_SUPATH and ENV_PATH defaults: PATH after `su -`.
constexpr const char* kLoginRootPath =
    "/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin";
constexpr const char* kLoginUserPath = "/usr/local/bin:/bin:/usr/bin";

// Debian's cron: PATH when the crontab sets none (_PATH_DEFPATH).
constexpr const char* kCronDefaultPath = "/usr/bin:/bin";
// systemd resolves a bare ExecStart= name through a fixed path, and services
// (anacron.service among them) inherit it as PATH.
constexpr const char* kSystemdPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const RuleInfo& rule_info() {
  static const RuleInfo i{
      kRuleId,
      Severity::high,
      {"T1053.003", "T1053.006"},
      "A cron job or systemd timer runs something any user can change",
      "A scheduled job that runs a world-writable script, or a program from a world-writable "
      "directory or PATH entry, runs whatever another user wrote there as the job's owner, "
      "usually root: the seed's miner ran as an unprivileged user, and one write becomes root's "
      "code at the next tick.",
      "Move the script into a root-owned directory (e.g. /usr/local/sbin, chown root:root, chmod "
      "755) and call it by absolute path; drop world-writable directories from the job's PATH; "
      "chmod o-w the crontab or unit file, reading it first: cron ignores a group- or "
      "world-writable crontab, so fixing the mode also activates whatever another user wrote "
      "into it."};
  return i;
}

// ---- paths ----

// Lexically absolute and clean ("//", ".", ".."); "" when too deep to judge.
std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    const std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
      if (parts.size() > kMaxComponents) return "";
    }
    i = j;
  }
  std::string out;
  for (const auto& p : parts) (out += '/') += p;
  return out.empty() ? "/" : out;
}

// "" when relative to a directory we cannot know (cwd "").
std::string absolute_from(const std::string& cwd, std::string_view path) {
  if (!path.empty() && path.front() == '/') return normalize_path(path);
  if (cwd.empty()) return "";
  return normalize_path(cwd + "/" + std::string(path));
}

std::string basename_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string octal_mode(mode_t mode) { return fmt::format("{:04o}", mode & 07777); }

// ConfigFiles::stat, remembered: the same directories come up for every job.
class FactsCache {
 public:
  explicit FactsCache(const ConfigFiles& files) : files_(files) {}
  std::optional<FileFacts> stat(const std::string& path) const {
    if (const auto it = cache_.find(path); it != cache_.end()) return it->second;
    ++calls_;
    const auto facts = files_.stat(path);
    if (cache_.size() < kMaxCachedFacts) cache_.emplace(path, facts);
    return facts;
  }
  bool exhausted() const { return calls_ >= kMaxStatCalls; }

 private:
  const ConfigFiles& files_;
  mutable std::map<std::string, std::optional<FileFacts>> cache_;
  mutable size_t calls_ = 0;
};

// "dir/." makes stat follow a symlinked directory (/bin -> usr/bin) to the
// directory the kernel walks through, where lstat of "dir" sees only the link.
std::optional<FileFacts> directory_facts(const FactsCache& files, const std::string& dir) {
  if (auto f = files.stat(dir == "/" ? "/." : dir + "/."); f && f->is_dir()) return f;
  return files.stat(dir);
}

struct Exposure {
  Exposure(std::string p, const FileFacts& f, bool target)
      : path(std::move(p)), facts(f), is_target(target) {}
  std::string path;  // the world-writable file or directory
  FileFacts facts;
  bool is_target = false;  // the judged path itself, not a directory above it
  // Every world-writable directory above the path is sticky: other users can
  // then only plant the path once these components (right under each) are
  // gone, as after a tmp cleanup or a reboot.
  bool only_sticky = true;
  std::vector<std::string> under_sticky;
};

// The path of the component of `path` right under directory `dir`.
std::string component_under(const std::string& path, const std::string& dir) {
  const size_t start = dir == "/" ? 1 : dir.size() + 1;
  return path.substr(0, path.find('/', start));
}

// What lets another user change or plant `path`: the path itself when it is
// world-writable, else the deepest world-writable directory above it (sticky
// or not: a missing name there can be created). Symlinked directories are
// followed by stat ("dir/."); resolution_steps() judges their own paths.
std::optional<Exposure> exposure_of(const FactsCache& files, const std::string& path,
                                    bool target_is_directory) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::optional<Exposure> deepest;
  bool only_sticky = true;
  std::vector<std::string> under_sticky;
  auto open_directory = [&](const std::string& dir, const FileFacts& f) {
    deepest = Exposure{dir, f, false};
    if ((f.mode & S_ISVTX) == 0)
      only_sticky = false;
    else
      under_sticky.push_back(component_under(path, dir));
  };
  if (path != "/") {
    if (auto f = directory_facts(files, "/"); f && f->world_writable()) open_directory("/", *f);
  }
  size_t start = 1;
  while (start < path.size()) {
    const size_t slash = path.find('/', start);
    if (slash == std::string::npos) break;  // the last component is the target
    const std::string dir = path.substr(0, slash);
    const auto f = directory_facts(files, dir);
    if (!f || !f->is_dir()) break;  // missing below here: creatable through `deepest`
    if (f->world_writable()) open_directory(dir, *f);
    start = slash + 1;
  }
  if (start >= path.size() || path.find('/', start) == std::string::npos) {
    const auto target = target_is_directory ? directory_facts(files, path) : files.stat(path);
    if (target && target->world_writable()) return Exposure{path, *target, true};
  }
  if (deepest) {
    deepest->only_sticky = only_sticky;
    deepest->under_sticky = std::move(under_sticky);
  }
  return deepest;
}

bool runnable(const FileFacts& f) {
  return S_ISLNK(f.mode) || (f.is_regular() && (f.mode & 0111) != 0);
}

void push_components_reversed(std::string_view path, std::vector<std::string>& stack) {
  size_t end = path.size();
  while (end > 0) {
    const size_t slash = path.rfind('/', end - 1);
    const size_t start = slash == std::string_view::npos ? 0 : slash + 1;
    if (end > start) stack.emplace_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    end = slash;
  }
}

std::string parent_of(const std::string& resolved) {
  const size_t slash = resolved.rfind('/');
  return slash == std::string::npos ? "" : resolved.substr(0, slash);
}

// ---- systemd ----

struct LoadedUnit {
  std::string path;                // the unit file that won
  std::vector<std::string> files;  // it and its drop-ins, in the order applied
  std::vector<std::pair<std::string, UnitSetting>> settings;  // file, setting
};

std::optional<std::string> setting_value(const LoadedUnit& unit, std::string_view section,
                                         std::string_view key) {
  std::optional<std::string> value;
  for (const auto& [file, s] : unit.settings)
    if (s.section == section && s.key == key) value = s.value;
  return value;
}

// ---- judging ----

// One scheduled job, as the findings describe it.
struct JobContext {
  std::string source;     // the file or directory that defines it: the finding's subject
  int line = 0;           // 0: none
  std::string setting;    // "cron job" or "systemd timer"
  std::string described;  // "cron job in /etc/cron.d/backup"
  std::string runs_as;
  bool as_root = false;
  std::string schedule;
  std::string path;  // PATH for bare program names
  std::string cwd;   // where relative paths start
  SharedEnvironment env = std::make_shared<const JobEnvironment>();
  nlohmann::json extra = nlohmann::json::object();
};

std::string env_value(const JobContext& job, const std::string& name) {
  const auto it = job.env->find(name);
  return it == job.env->end() ? "" : it->second;
}

enum class Reason {
  file,                 // the program or script is world-writable
  directory,            // a directory above it is
  path_entry,           // a PATH directory searched before it is
  run_parts_directory,  // the directory run-parts runs everything from is
  crontab_file,         // the crontab itself is (cron ignores it meanwhile)
  job_file,             // the anacrontab is
  unit_file,            // a unit file or drop-in is
  unit_directory,       // a directory of systemd's unit search path is
  link_target,          // the program is a symlink to a world-writable file
  link_directory,       // ... to a path under a world-writable directory
};

const char* reason_text(Reason r) {
  switch (r) {
    case Reason::file:
      return "program or script is world-writable";
    case Reason::directory:
      return "a directory on its path is world-writable";
    case Reason::path_entry:
      return "a PATH directory searched for it is world-writable";
    case Reason::run_parts_directory:
      return "the run-parts directory is world-writable";
    case Reason::crontab_file:
      return "the crontab is world-writable";
    case Reason::job_file:
      return "the anacrontab is world-writable";
    case Reason::unit_file:
      return "the unit file is world-writable";
    case Reason::unit_directory:
      return "a unit directory is world-writable";
    case Reason::link_target:
      return "the file its symlink leads to is world-writable";
    case Reason::link_directory:
      return "a directory on the path its symlink leads to is world-writable";
  }
  return "";
}

class Auditor {
 public:
  Auditor(const AuditInput& in, AuditResult& out)
      : in_(in),
        files_(in.files),
        facts_(in.files),
        out_(out),
        accounts_(read_accounts(in.files)),
        // An offline tree's owners are whoever unpacked it: judge modes only.
        check_owners_(in.files.root.empty()) {}

  // False when the host has no cron or timer configuration at all.
  bool run() {
    bool any = audit_run_parts_directories();  // first: crontab lines running them are then known
    any = audit_system_crontabs() || any;
    any = audit_anacrontab() || any;
    any = audit_timers() || any;
    // Last: any user can write one, and a huge one must not use up the
    // budget before root's own jobs are judged.
    any = audit_user_crontabs() || any;
    return any;
  }

 private:
  // ---- accounts ----
  const Account* account(const std::string& name) const {
    for (const auto& a : accounts_)
      if (a.name == name) return &a;
    return nullptr;
  }
  bool is_root(const std::string& user) const {
    if (const Account* a = account(user)) return a->uid == 0;
    return user == "root" || user == "0";
  }
  std::string user_name(uid_t uid) const {
    for (const auto& a : accounts_)
      if (a.uid == uid) return a.name;
    return std::to_string(uid);
  }
  std::string home_of(const std::string& user) const {
    const Account* a = account(user);
    return a != nullptr && !a->home.empty() ? a->home : "/";
  }

  // ---- findings ----
  std::string title(const JobContext& job, Reason reason, const std::string& program,
                    const Exposure& e) const {
    const std::string who = job.runs_as + "'s " + job.described;
    switch (reason) {
      case Reason::file:
        return fmt::format("{} runs {}, which any user can change", who, program);
      case Reason::directory:
        return fmt::format("{} runs {} from {}, a directory any user can write", who, program,
                           e.path);
      case Reason::path_entry:
        return fmt::format(
            "{} looks {} up through PATH, and {} on it is a directory any user "
            "can write",
            who, program, e.path);
      case Reason::run_parts_directory:
        return fmt::format("{} runs every script in {}, a directory any user can write", who,
                           program);
      case Reason::crontab_file:
        return fmt::format(
            "{} is world-writable: any user can add cron jobs to it (cron ignores "
            "it until its mode is fixed)",
            e.path);
      case Reason::job_file:
        return fmt::format("{} is world-writable: any user can add jobs that {} runs", e.path,
                           job.runs_as);
      case Reason::unit_file:
        return fmt::format("{} is world-writable: any user can change what {} runs", e.path, who);
      case Reason::unit_directory:
        return fmt::format(
            "{} is world-writable: any user can add units or drop-ins that "
            "override {}",
            e.path, who);
      case Reason::link_target:
        return fmt::format("{} runs {}, a symlink to {}, which any user can change", who, program,
                           e.path);
      case Reason::link_directory:
        return fmt::format(
            "{} runs {}, a symlink that leads through {}, a directory any user can "
            "write",
            who, program, e.path);
    }
    return "";
  }

  // Sticky directories: a component right under one that exists and belongs
  // to root or the job's own user cannot be replaced by anyone else; only
  // once a tmp cleanup or a reboot removes it can another user plant it.
  struct Held {
    std::string path;
    unsigned owner = 0;
  };
  std::optional<Held> held_under_sticky(const JobContext& job, const Exposure& e) const {
    if (!check_owners_ || e.is_target || !e.only_sticky || e.under_sticky.empty())
      return std::nullopt;
    const Account* user = account(job.runs_as);
    std::optional<Held> last;
    for (const auto& held : e.under_sticky) {
      const auto f = facts_.stat(held);
      if (!f || (f->uid != 0 && (user == nullptr || f->uid != user->uid))) return std::nullopt;
      last = Held{held, f->uid};  // what was judged: a second stat could find it gone
    }
    return last;
  }

  void report(const JobContext& job, Reason reason, const std::string& program, const Exposure& e,
              nlohmann::json extra = nlohmann::json::object()) {
    if (out_.findings.size() >= kMaxFindings) return;
    const std::string identity = fmt::format("{}:{}:{}:{}", job.source, job.line, program, e.path);
    if (!reported_.insert(identity).second) return;
    nlohmann::json subject = {{"kind", "config"}, {"path", job.source}, {"setting", job.setting}};
    if (job.line > 0) subject["line"] = job.line;
    nlohmann::json evidence = {{"runs_as", job.runs_as},
                               {"program", program},
                               {"writable_path", e.path},
                               {"mode", octal_mode(e.facts.mode)},
                               {"sticky", (e.facts.mode & S_ISVTX) != 0},
                               {"owner", user_name(e.facts.uid)},
                               {"reason", reason_text(reason)},
                               {"schedule", job.schedule}};
    if (!e.is_target && (reason == Reason::file || reason == Reason::directory)) {
      const auto program_facts = facts_.stat(program);
      evidence["program_exists"] = program_facts.has_value();
      if (program_facts) evidence["program_owner"] = user_name(program_facts->uid);
    }
    for (const auto& [key, value] : job.extra.items()) evidence[key] = value;
    for (const auto& [key, value] : extra.items()) evidence[key] = value;
    Severity severity = job.as_root ? Severity::high : Severity::medium;
    if (const auto held = held_under_sticky(job, e)) {
      severity = Severity::low;
      evidence["plantable"] = fmt::format(
          "only after a tmp cleanup or a reboot removes {}: {} is sticky and {} belongs to {}",
          held->path, e.path, held->path, user_name(held->owner));
    }
    out_.findings.push_back(make_finding(rule_info(), severity, title(job, reason, program, e),
                                         std::move(subject), std::move(evidence), in_.hostname,
                                         identity));
  }

  // ---- paths a job runs ----
  // The paths `path` goes through: each symlink met (the directories above
  // it decide who can swap it), then where it resolves to, with no symlink
  // left. Links are read inside the root; at most kMaxSymlinks are followed.
  std::vector<std::string> resolution_steps(const std::string& path) const {
    std::vector<std::string> steps;
    std::vector<std::string> rest;  // components still to walk, the next one last
    push_components_reversed(path, rest);
    std::string resolved;  // "" is "/"
    int links = 0;
    while (!rest.empty() && rest.size() <= kMaxComponents * 8) {
      const std::string part = std::move(rest.back());
      rest.pop_back();
      if (part == ".") continue;
      if (part == "..") {
        resolved = parent_of(resolved);
        continue;
      }
      const std::string candidate = resolved + "/" + part;
      const auto f = facts_.stat(candidate);
      std::optional<std::string> target;
      if (f && S_ISLNK(f->mode) && links < kMaxSymlinks) target = files_.read_link(candidate);
      if (!target || target->empty()) {
        resolved = candidate;
        continue;
      }
      ++links;
      steps.push_back(candidate);
      if (target->front() == '/') resolved.clear();
      push_components_reversed(*target, rest);
    }
    steps.push_back(resolved.empty() ? "/" : resolved);
    return steps;
  }

  // A file the job runs, and every symlink on the way to it (from
  // `first_step` on: run-parts' own directory is judged on its own).
  void judge_file(const JobContext& job, const std::string& path, size_t first_step = 0) {
    if (path.empty()) return;
    const auto steps = resolution_steps(path);
    for (size_t k = first_step; k < steps.size(); ++k) {
      const auto e = exposure_of(facts_, steps[k], false);
      if (!e) continue;
      if (k == 0) {
        report(job, e->is_target ? Reason::file : Reason::directory, path, *e);
        continue;
      }
      nlohmann::json extra = {{"link_step", steps[k]},
                              {"resolves_to", steps.back()},
                              {"target_exists", facts_.stat(steps.back()).has_value()}};
      report(job, e->is_target ? Reason::link_target : Reason::link_directory, path, *e,
             std::move(extra));
    }
  }

  struct Lookup {
    std::string found;
    std::vector<std::string> searched;  // PATH directories tried, the one holding it last
  };

  Lookup lookup(const std::string& name, const std::string& path_value, const std::string& cwd,
                bool need_executable) const {
    Lookup l;
    size_t start = 0;
    while (start <= path_value.size() && l.searched.size() < kMaxPathEntries) {
      const size_t colon = std::min(path_value.find(':', start), path_value.size());
      const std::string entry = path_value.substr(start, colon - start);
      start = colon + 1;
      const std::string dir = absolute_from(cwd, entry);  // "" and "." are the cwd
      if (dir.empty()) continue;
      l.searched.push_back(dir);
      const std::string candidate = normalize_path(dir + "/" + name);
      const auto f = facts_.stat(candidate);
      if (f && !f->is_dir() && (!need_executable || runnable(*f))) {
        l.found = candidate;
        break;
      }
    }
    return l;
  }

  // The program a command names: by path, or through PATH, whose directories
  // before the one holding it must not be writable either.
  void judge_program(const JobContext& job, const std::string& name, const std::string& path_value,
                     bool need_executable = true) {
    if (name.find('/') != std::string::npos) {
      judge_file(job, absolute_from(job.cwd, name));
      return;
    }
    if (path_value.empty()) return;  // PATH set to something we cannot know
    const Lookup l = lookup(name, path_value, job.cwd, need_executable);
    const size_t before = l.found.empty() ? l.searched.size() : l.searched.size() - 1;
    for (size_t k = 0; k < before; ++k) {
      if (auto e = exposure_of(facts_, l.searched[k], true))
        report(job, Reason::path_entry, name, *e, {{"path_entry", l.searched[k]}});
    }
    judge_file(job, l.found);
  }

  // A command line a shell runs (cron's SHELL -c, sh -c, flock -c).
  void judge_shell_code(const JobContext& job, std::string_view code, int depth) {
    if (depth > kMaxShellDepth) return;
    JobContext shell = job;  // cd, PATH=... and export PATH=... change what later commands find
    for (const auto& cmd : split_job_commands(code, *job.env))
      judge_simple_command(shell, cmd, depth);
  }

  // The shell's own state: "cd DIR", "PATH=..." alone, "export PATH=...".
  bool follow_shell_state(JobContext& shell, const SimpleCommand& words, size_t i) {
    const std::string& name = words[i].text;
    if (name == "cd") {
      size_t j = i + 1;
      while (j < words.size() && is_option(words[j].text)) ++j;
      if (j >= words.size())
        shell.cwd = absolute_from("/", env_value(shell, "HOME"));
      else
        shell.cwd = words[j].exact ? absolute_from(shell.cwd, words[j].text) : "";
      return true;
    }
    if (name == "export" || name == "readonly") {
      for (size_t j = i + 1; j < words.size(); ++j)
        if (starts_with(words[j].text, "PATH="))
          shell.path = words[j].exact ? words[j].text.substr(5) : "";
      return true;
    }
    return false;
  }

  // False once the scan has judged enough: the rest is reported as not judged.
  bool within_budget(const JobContext& job) {
    if (budget_spent_) return false;
    if (++commands_judged_ <= kMaxJudgedCommands && !facts_.exhausted()) return true;
    budget_spent_ = true;
    out_.errors.push_back(
        {"config", fmt::format("{}:{}: judging of scheduled jobs stopped here, after {} commands "
                               "(the scan's budget of commands and file lookups); the rest are "
                               "not judged",
                               job.source, job.line, commands_judged_ - 1)});
    return false;
  }

  void judge_simple_command(JobContext& job, const SimpleCommand& words, int depth) {
    if (!within_budget(job)) return;
    std::string path = job.path;
    bool assigned = false;
    size_t i = 0;
    for (; i < words.size(); ++i) {
      const std::string& w = words[i].text;
      if (is_assignment(w)) {
        if (starts_with(w, "PATH=")) path = words[i].exact ? w.substr(5) : "";
        assigned = true;
        continue;
      }
      if (starts_compound(w)) return;  // for/case: their words are not commands
      if (!is_shell_keyword(w)) break;
    }
    if (i >= words.size()) {
      if (assigned) job.path = path;  // assignments alone set the shell's own variables
      return;
    }
    while (i < words.size() && (words[i].text == "exec" || words[i].text == "command")) {
      ++i;
      while (i < words.size() && is_option(words[i].text)) ++i;
    }
    if (i >= words.size() || !words[i].exact || follow_shell_state(job, words, i)) return;
    const std::string& name = words[i].text;
    if (name == "." || name == "source") {
      if (i + 1 < words.size() && words[i + 1].exact)
        judge_program(job, words[i + 1].text, path, false);  // sh searches PATH for it
      return;
    }
    if (is_shell_builtin(name)) return;
    judge_invocation(job, words, i, path, depth);
  }

  // words[i] is the program; what it runs next (a wrapped command, a script).
  void judge_invocation(const JobContext& job, const SimpleCommand& words, size_t i,
                        std::string path, int depth) {
    for (int hops = 0; hops < 8 && i < words.size() && words[i].exact; ++hops) {
      judge_program(job, words[i].text, path);
      const std::string base = basename_of(words[i].text);
      if (base == "su" || base == "runuser") {
        judge_user_switch(job, words, i + 1, path, depth);
        return;
      }
      if (const Wrapper* w = wrapper_of(base)) {
        const auto next = skip_wrapper(job, *w, words, i + 1, path, depth);
        if (!next) return;
        i = *next;
        continue;
      }
      const Interpreter kind = interpreter_of(base);
      if (kind == Interpreter::run_parts) {
        judge_run_parts_command(job, words, i + 1);
      } else if (kind != Interpreter::none) {
        judge_script_argument(job, script_argument(kind, words, i + 1), depth);
      }
      return;
    }
  }

  // Past a wrapper's options and operands to the command it runs; nullopt
  // when it runs none (or a shell string, judged here).
  std::optional<size_t> skip_wrapper(const JobContext& job, const Wrapper& w,
                                     const SimpleCommand& words, size_t j, std::string& path,
                                     int depth) {
    if (w.name == "flock") {
      for (size_t k = j; k + 1 < words.size(); ++k) {
        if (words[k].text == "-c" || words[k].text == "--command") {
          judge_shell_code(job, words[k + 1].text, depth + 1);
          return std::nullopt;
        }
      }
    }
    for (; j < words.size(); ++j) {
      const std::string& word = words[j].text;
      if (word == "--") {
        ++j;
        break;
      }
      if (w.name == "env" && is_assignment(word)) {
        if (starts_with(word, "PATH=") && words[j].exact) path = word.substr(5);
        continue;
      }
      if (!is_option(word)) break;
      if (starts_with(word, "--")) continue;
      for (size_t k = 1; k < word.size(); ++k) {
        if (w.with_arg.find(word[k]) != std::string_view::npos) {
          option_argument(words, j, k);
          break;
        }
      }
    }
    j += static_cast<size_t>(w.operands_before_command);
    if (j >= words.size()) return std::nullopt;
    return j;
  }

  // su and runuser: the command runs as another user, through that user's
  // shell (-c CODE, or the words after the user) or, with runuser -u, as is.
  void judge_user_switch(const JobContext& job, const SimpleCommand& words, size_t j,
                         const std::string& path, int depth) {
    if (depth > kMaxShellDepth) return;
    const UserSwitch u = user_switch(words, j);
    JobContext as = job;
    if (u.user) {
      as.runs_as = *u.user;
      as.as_root = is_root(*u.user);
    }
    std::string as_path = path;
    if (u.login) {  // a login environment: HOME, SHELL, USER, LOGNAME and PATH reset
      const std::string home = home_of(as.runs_as);
      as_path = as.as_root ? kLoginRootPath : kLoginUserPath;
      as.env = std::make_shared<const JobEnvironment>(JobEnvironment{
          {"HOME", home}, {"PATH", as_path}, {"USER", as.runs_as}, {"LOGNAME", as.runs_as}});
      as.cwd = absolute_from("/", home);
    }
    as.path = as_path;
    if (u.code) {
      judge_shell_code(as, *u.code, depth + 1);
    } else if (u.runs_command) {
      if (u.rest < words.size()) judge_invocation(as, words, u.rest, as_path, depth + 1);
    } else {
      judge_script_argument(as, script_argument(Interpreter::shell, words, u.rest), depth);
    }
  }

  // Inline code of python, perl, ruby, php or node is not shell: the paths in
  // it are data (a cache to delete, a log to write), not programs it runs.
  void judge_script_argument(const JobContext& job, const ScriptArgument& arg, int depth) {
    if (arg.script) judge_file(job, absolute_from(job.cwd, *arg.script));
    if (arg.code && arg.code_is_shell) judge_shell_code(job, *arg.code, depth + 1);
  }

  void judge_run_parts_command(const JobContext& job, const SimpleCommand& words, size_t j) {
    bool lsb = false, any_name = false;
    for (; j < words.size(); ++j) {
      const std::string& w = words[j].text;
      if (w == "--") {
        ++j;
        break;
      }
      if (!is_option(w)) break;
      if (w == "--test" || w == "--list") return;  // prints, runs nothing
      if (w == "--lsbsysinit") lsb = true;
      if (starts_with(w, "--regex")) any_name = true;
      if (w == "-u" || w == "-a") ++j;
    }
    if (j < words.size() && words[j].exact)
      judge_run_parts_directory(job, absolute_from(job.cwd, words[j].text), lsb, any_name, false);
  }

  // run-parts runs every executable regular file whose name passes its
  // rules, following symlinks; anyone who can write the directory adds one,
  // and a link is judged by the paths it leads through.
  void judge_run_parts_directory(const JobContext& job, const std::string& dir, bool lsb,
                                 bool any_name, bool script_is_subject) {
    if (dir.empty() || !run_parts_judged_.insert(dir).second) return;
    if (auto e = exposure_of(facts_, dir, true)) {
      JobContext where = job;
      if (script_is_subject) where.source = dir;
      report(where, e->is_target ? Reason::run_parts_directory : Reason::directory, dir, *e);
    }
    const auto names = files_.list(dir);
    for (size_t k = 0; k < names.size() && k < kMaxDirEntries; ++k) {
      if (!any_name && !run_parts_name_ok(names[k], lsb)) continue;
      const std::string script = dir == "/" ? "/" + names[k] : dir + "/" + names[k];
      const auto f = facts_.stat(script);
      if (!f) continue;
      JobContext where = job;
      if (script_is_subject) where.source = script;
      if (S_ISLNK(f->mode)) {
        judge_run_parts_link(where, script);
        continue;
      }
      if (!f->is_regular() || (f->mode & 0111) == 0 || !f->world_writable()) continue;
      report(where, Reason::file, script, {script, *f, true});
    }
  }

  // A link run-parts would run: its target an executable file, or missing
  // (then whoever can create it there decides what runs).
  void judge_run_parts_link(const JobContext& job, const std::string& link) {
    const auto steps = resolution_steps(link);
    const auto target = facts_.stat(steps.back());
    if (target && (!target->is_regular() || (target->mode & 0111) == 0)) return;
    judge_file(job, link, 1);
  }

  // ---- cron ----
  bool audit_run_parts_directories() {
    bool any = false;
    for (const char* period : {"hourly", "daily", "weekly", "monthly"}) {
      const std::string dir = std::string("/etc/cron.") + period;
      const auto f = directory_facts(facts_, dir);
      if (!f || !f->is_dir()) continue;
      any = true;
      JobContext job;
      job.source = dir;
      job.setting = "cron job";
      job.described = std::string("cron.") + period + " job";
      job.runs_as = "root";
      job.as_root = true;
      job.schedule = period;
      judge_run_parts_directory(job, dir, false, false, true);
    }
    return any;
  }

  bool audit_system_crontabs() {
    bool any = false;
    if (facts_.stat("/etc/crontab")) {
      any = true;
      audit_crontab_file("/etc/crontab", true, "");
    }
    const auto names = files_.list("/etc/cron.d");
    for (size_t k = 0; k < names.size() && k < kMaxDirEntries; ++k) {
      any = true;
      // database.c: names outside [A-Za-z0-9_-] (x.dpkg-old, backup.sh) are skipped.
      if (names[k][0] == '.' || !run_parts_name_ok(names[k], false)) continue;
      audit_crontab_file("/etc/cron.d/" + names[k], true, "");
    }
    return any;
  }

  bool audit_user_crontabs() {
    const std::string spool = "/var/spool/cron/crontabs";
    auto names = files_.list(spool);
    std::stable_partition(names.begin(), names.end(),
                          [&](const std::string& n) { return is_root(n); });
    for (size_t k = 0; k < names.size() && k < kMaxDirEntries; ++k) {
      if (names[k][0] == '.' || starts_with(names[k], "tmp.")) continue;  // crontab(1)'s temp files
      audit_crontab_file(spool + "/" + names[k], false, names[k]);
    }
    return !names.empty();
  }

  // database.c's checks before cron reads a crontab; "" when it does.
  std::string cron_refusal(const FileFacts& f, bool system_crontab, const std::string& user) const {
    if (system_crontab) {
      // A symlink must be root's; cron then checks the target, which is not
      // judged here: taken as accepted.
      if (S_ISLNK(f.mode)) return check_owners_ && f.uid != 0 ? "WRONG SYMLINK OWNER" : "";
      if (check_owners_ && f.uid != 0) return "WRONG FILE OWNER";
      if (!f.is_regular()) return "NOT A REGULAR FILE";
      if ((f.mode & (S_IWGRP | S_IWOTH)) != 0) return "INSECURE MODE (group/other writable)";
      return "";
    }
    if (S_ISLNK(f.mode)) return "CAN'T OPEN";  // opened with O_NOFOLLOW
    const Account* a = account(user);
    if (!accounts_.empty() && a == nullptr) return "ORPHAN (no passwd entry)";
    if (check_owners_ && a != nullptr && f.uid != a->uid && f.uid != 0) return "WRONG FILE OWNER";
    if (!f.is_regular()) return "NOT A REGULAR FILE";
    if ((f.mode & 07777) != 0600) return "INSECURE MODE (mode 0600 expected)";
    return "";
  }

  void audit_crontab_file(const std::string& path, bool system_crontab, const std::string& user) {
    const auto facts = facts_.stat(path);
    if (!facts) return;
    JobContext file_job;
    file_job.source = path;
    file_job.setting = "cron job";
    file_job.described = "cron jobs in " + path;
    file_job.runs_as = system_crontab ? "root" : user;  // a system crontab names any user
    file_job.as_root = is_root(file_job.runs_as);
    if (facts->is_regular() && facts->world_writable()) {
      report(file_job, Reason::crontab_file, path, {path, *facts, true},
             {{"cron_ignores_it", true}});
      return;
    }
    if (const std::string refusal = cron_refusal(*facts, system_crontab, user); !refusal.empty()) {
      out_.errors.push_back(
          {"config", fmt::format("{}: cron ignores this file: {}", path, refusal)});
      return;
    }
    auto text = files_.read(path);
    if (!text) return;
    if (text->size() >= kReadLimit) {
      // Cut at the read limit, not by its owner: its last line is incomplete
      // here, not in the file cron reads.
      out_.errors.push_back(
          {"config", fmt::format("{}: larger than the {} MiB read limit: only the lines before it "
                                 "are judged",
                                 path, kReadLimit >> 20)});
      const size_t last_newline = text->rfind('\n');
      text->resize(last_newline == std::string::npos ? 0 : last_newline + 1);
    }
    const Crontab tab = parse_crontab(*text, system_crontab);
    if (tab.refused()) {
      out_.errors.push_back(
          {"config", fmt::format("{}:{}: {}: Debian's cron ignores this whole file", path,
                                 tab.error_line, tab.error)});
      return;
    }
    for (const CronJob& job : tab.jobs) {
      if (system_crontab && !accounts_.empty() && account(job.user) == nullptr) {
        out_.errors.push_back(
            {"config", fmt::format("{}:{}: bad username: Debian's cron ignores this whole file",
                                   path, job.line)});
        return;
      }
    }
    if (tab.unread_from_line > 0)
      out_.errors.push_back(
          {"config", fmt::format("{}:{}: {}: the jobs from here on are not judged", path,
                                 tab.unread_from_line, tab.unread_reason)});
    for (const CronJob& job : tab.jobs) judge_cron_job(path, system_crontab ? job.user : user, job);
  }

  // A job's environment: the file's snapshot with what cron or anacron adds.
  // Jobs sharing a snapshot and a user share the result too.
  template <typename AddDefaults>
  SharedEnvironment environment_for(const SharedEnvironment& assigned, const std::string& user,
                                    AddDefaults add_defaults) {
    if (env_cache_.env && env_cache_.assigned == assigned && env_cache_.user == user)
      return env_cache_.env;
    JobEnvironment env = assigned ? *assigned : JobEnvironment{};
    add_defaults(env);
    env_cache_ = {assigned, user, std::make_shared<const JobEnvironment>(std::move(env))};
    return env_cache_.env;
  }

  void judge_cron_job(const std::string& path, const std::string& user, const CronJob& cron) {
    JobContext job;
    job.source = path;
    job.line = cron.line;
    job.setting = "cron job";
    job.described = "cron job in " + path;
    job.runs_as = user;
    job.as_root = is_root(user);
    job.schedule = cron.schedule;
    // entry.c: SHELL, HOME and PATH default unless the crontab sets them;
    // do_command.c runs SHELL -c COMMAND in HOME.
    job.env = environment_for(cron.env, "cron:" + user, [&](JobEnvironment& env) {
      env.emplace("SHELL", "/bin/sh");
      env.emplace("HOME", home_of(user));
      env.emplace("PATH", kCronDefaultPath);
      env["LOGNAME"] = user;
      env["USER"] = user;
    });
    job.path = env_value(job, "PATH");
    job.cwd = absolute_from("/", env_value(job, "HOME"));
    judge_file(job, absolute_from(job.cwd, env_value(job, "SHELL")));
    judge_shell_code(job, cron.command, 0);
  }

  bool audit_anacrontab() {
    const std::string path = "/etc/anacrontab";
    const auto facts = facts_.stat(path);
    if (!facts) return false;
    JobContext file_job;
    file_job.source = path;
    file_job.setting = "cron job";
    file_job.described = "anacron jobs";
    file_job.runs_as = "root";
    file_job.as_root = true;
    if (facts->world_writable()) report(file_job, Reason::job_file, path, {path, *facts, true});
    const auto text = files_.read(path);
    if (!text) return true;
    for (const AnacronJob& a : parse_anacrontab(*text)) {
      JobContext job = file_job;
      job.line = a.line;
      job.described = "anacron job " + a.identifier;
      job.schedule = all_digits(a.period) ? "every " + a.period + " days" : a.period;
      job.env = environment_for(a.env, "anacron", [&](JobEnvironment& env) {
        env.emplace("PATH", kSystemdPath);  // what anacron.service starts with
        env.emplace("HOME", home_of("root"));
      });
      job.path = env_value(job, "PATH");
      job.cwd = "/";
      judge_shell_code(job, a.command, 0);  // launch.c: /bin/sh -c COMMAND
    }
    return true;
  }

  // ---- systemd timers ----
  std::optional<LoadedUnit> load_unit(const std::string& name) const {
    const SystemdUnit u = read_systemd_unit(files_, name);
    // Masked (a link to /dev/null, an empty file) or unreadable: nothing runs.
    if (u.path.empty() || u.masked || !u.problems.empty()) return std::nullopt;
    LoadedUnit unit;
    unit.path = u.path;
    unit.files.push_back(u.path);
    unit.files.insert(unit.files.end(), u.drop_ins.begin(), u.drop_ins.end());
    for (const auto& s : u.settings) unit.settings.emplace_back(s.path, s);
    return unit;
  }

  std::set<std::string> enabled_units() const {
    std::set<std::string> out;
    for (const char* dir :
         {"/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"}) {
      for (const auto& wants : files_.list(dir)) {
        if (!ends_with(wants, ".wants") && !ends_with(wants, ".requires")) continue;
        for (const auto& unit : files_.list(std::string(dir) + "/" + wants))
          if (out.size() < kMaxUnits) out.insert(unit);
      }
    }
    return out;
  }

  bool audit_timers() {
    std::set<std::string> timers;
    for (const auto& dir : kSystemdUnitDirs) {
      for (const auto& name : files_.list(dir)) {
        // Templates (foo@.timer) run only as instances; not judged.
        if (ends_with(name, ".timer") && name.find('@') == std::string::npos &&
            timers.size() < kMaxUnits)
          timers.insert(name);
      }
    }
    if (timers.empty()) return false;
    const auto enabled = enabled_units();
    for (const auto& name : timers) audit_timer(name, enabled.count(name) != 0);
    return true;
  }

  void audit_timer(const std::string& name, bool enabled) {
    const auto timer = load_unit(name);
    if (!timer) return;
    std::string target = name.substr(0, name.size() - 6) + ".service";
    std::vector<std::string> schedule;
    for (const auto& [file, s] : timer->settings) {
      if (s.section != "Timer") continue;
      if (s.key == "Unit") target = s.value.empty() ? target : s.value;
      if (s.key != "OnCalendar" && !(starts_with(s.key, "On") && ends_with(s.key, "Sec"))) continue;
      if (s.value.empty())
        schedule.clear();  // an empty assignment resets the list
      else if (schedule.size() < 16)
        schedule.push_back(s.key + "=" + s.value);
    }
    const auto service = ends_with(target, ".service") ? load_unit(target) : std::nullopt;
    JobContext job;
    job.setting = "systemd timer";
    job.described = "systemd timer " + name;
    job.runs_as = "root";
    if (service) {
      const auto user = setting_value(*service, "Service", "User");
      const auto dynamic = setting_value(*service, "Service", "DynamicUser");
      if (user && !user->empty())
        job.runs_as = *user;
      else if (dynamic && (*dynamic == "yes" || *dynamic == "true" || *dynamic == "1"))
        job.runs_as = "a dynamic user";
    }
    job.as_root = is_root(job.runs_as);
    for (size_t k = 0; k < schedule.size(); ++k) job.schedule += (k ? "; " : "") + schedule[k];
    job.extra = {{"timer", timer->path}, {"enabled", enabled}};
    if (service) job.extra["service"] = service->path;
    job.path = kSystemdPath;
    job.env = std::make_shared<const JobEnvironment>(
        JobEnvironment{{"PATH", kSystemdPath}, {"HOME", home_of(job.runs_as)}});
    judge_unit_files(job, *timer, service ? &*service : nullptr);
    if (service) judge_exec_lines(job, *service);
  }

  void judge_unit_files(const JobContext& job, const LoadedUnit& timer, const LoadedUnit* service) {
    std::vector<std::string> unit_files = timer.files;
    if (service) unit_files.insert(unit_files.end(), service->files.begin(), service->files.end());
    for (const auto& file : unit_files) {
      const auto f = facts_.stat(file);
      if (!f || !f->world_writable()) continue;
      JobContext where = job;
      where.source = file;
      report(where, Reason::unit_file, file, {file, *f, true});
    }
    // Anyone who can write a directory of the search path can add a unit
    // that shadows these, or a drop-in that replaces ExecStart=.
    for (const auto& dir : kSystemdUnitDirs) {
      if (auto e = exposure_of(facts_, dir, true)) {
        JobContext where = job;
        where.source = e->path;
        report(where, Reason::unit_directory, e->path, *e);
      }
    }
  }

  void judge_exec_lines(JobContext job, const LoadedUnit& service) {
    // Each Exec*= line appends a command; an empty one resets the list.
    std::map<std::string, std::vector<std::pair<std::string, UnitSetting>>> lines;
    for (const auto& [file, s] : service.settings) {
      if (s.section != "Service") continue;
      if (s.key != "ExecStartPre" && s.key != "ExecStart" && s.key != "ExecStartPost") continue;
      if (s.value.empty())
        lines[s.key].clear();
      else
        lines[s.key].emplace_back(file, s);
    }
    std::string cwd = "/";
    if (auto wd = setting_value(service, "Service", "WorkingDirectory")) {
      std::string_view d = *wd;
      if (!d.empty() && d.front() == '-') d.remove_prefix(1);
      if (d == "~")
        cwd = home_of(job.runs_as);
      else if (!d.empty() && d.front() == '/')
        cwd = normalize_path(d);
    }
    job.cwd = cwd.empty() ? "/" : cwd;
    for (const char* key : {"ExecStartPre", "ExecStart", "ExecStartPost"}) {
      for (const auto& [file, s] : lines[key]) {
        job.source = file;
        job.line = s.line;
        for (const auto& cmd : parse_exec_value(s.value))
          if (within_budget(job)) judge_invocation(job, cmd, 0, job.path, 0);
      }
    }
  }

  const AuditInput& in_;
  const ConfigFiles& files_;
  FactsCache facts_;
  AuditResult& out_;
  std::vector<Account> accounts_;
  bool check_owners_;
  std::set<std::string> reported_;
  std::set<std::string> run_parts_judged_;
  size_t commands_judged_ = 0;
  bool budget_spent_ = false;
  struct {
    SharedEnvironment assigned;
    std::string user;
    SharedEnvironment env;
  } env_cache_;
};

}  // namespace

void scheduled_jobs_register(RuleCatalog& catalog) { catalog.add(rule_info()); }

void scheduled_jobs_rules(const AuditInput& in, AuditResult& out) {
  Auditor auditor(in, out);
  if (auditor.run())
    out.judged(kRuleId);
  else
    out.not_applicable(kRuleId,
                       "no crontab, anacrontab, /etc/cron.{hourly,daily,weekly,monthly} or "
                       "systemd timer");
}

}  // namespace hostward::audit

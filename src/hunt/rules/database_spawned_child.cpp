#include <fmt/format.h>

#include <set>

#include "hunt/rule_context.h"

namespace hostward::hunt {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "process.database-spawned-child",
      Severity::high,
      {"T1190", "T1059.004"},
      "A database server is the ancestor of a program that is not its own",
      "COPY ... TO PROGRAM, UDFs and module loading turn a database login into a shell; the seed's "
      "miner and its watchdog were children of postgres.",
      "Check the database log for the statement that ran it, revoke superuser and "
      "pg_execute_server_program from application roles, bind the server to loopback, and contain "
      "the process tree. Add real backup or archive commands to hunt.database_child_allow."};
  return i;
}

bool is_shell(const std::string& name) {
  static const std::set<std::string> kShells = {"sh", "bash", "dash", "zsh", "ash", "busybox"};
  return kShells.count(name) > 0;
}

// The command a process runs: its program, or for `sh -c CMD` the first word of CMD.
std::string command_name(const ProcessInfo& p) {
  const std::string prog = program_name(p);
  if (is_shell(prog) && p.argv.size() >= 3 && p.argv[1] == "-c") {
    const std::string& cmd = p.argv[2];
    const size_t start = cmd.find_first_not_of(" \t");
    if (start == std::string::npos) return prog;
    const size_t end = cmd.find_first_of(" \t;|&", start);
    return std::string(base_name(cmd.substr(start, end - start)));
  }
  return prog;
}

// A command line a shell runs as one plain command: no lists, pipes,
// substitutions or redirections that could smuggle a second command in.
bool simple_command(const std::string& cmd) {
  return cmd.find_first_of(";|&$`<>(){}\n\\") == std::string::npos;
}

bool trusted_image(const ProcessInfo& p) {
  if (p.exe_state == host::ExeState::unknown) return exe_denied(p);  // judged by name alone
  return !p.exe_path.empty() &&
         (p.exe_state == host::ExeState::present || p.exe_state == host::ExeState::replaced) &&
         writable_location(p).where == WritableLocation::none;
}

// Below an allowed command: an installed program, and no shell with a compound command.
bool installed_below(const ProcessInfo& p) {
  if (!trusted_image(p)) return false;
  const bool compound_shell = is_shell(program_name(p)) && p.argv.size() >= 3 &&
                              p.argv[1] == "-c" && !simple_command(p.argv[2]);
  return !compound_shell;
}

// An allowed archive or backup command: named in the allowlist, run from an
// installed program, and (through a shell) as one plain command.
bool allowed(const RuleContext& ctx, const ProcessInfo& p) {
  if (!trusted_image(p)) return false;
  const std::string prog = program_name(p);
  std::string name = prog;
  if (is_shell(prog) && p.argv.size() >= 3 && p.argv[1] == "-c") {
    if (!simple_command(p.argv[2])) return false;
    name = command_name(p);
  }
  for (const auto& a : ctx.config.database_child_allow) {
    if (glob_match(a, name)) return true;
  }
  return false;
}

std::string dir_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

bool is_shared_bin_dir(const std::string& dir) {
  static const std::set<std::string> kShared = {"/bin",        "/sbin",          "/usr/bin",
                                                "/usr/sbin",   "/usr/local/bin", "/usr/local/sbin",
                                                "/usr/libexec"};
  return kShared.count(dir) > 0;
}

// A server's own programs: the same image, or a program beside it in a
// directory of its own (postgres's /usr/lib/postgresql/15/bin), not /usr/bin.
bool own_program(const ProcessInfo& server, const ProcessInfo& p) {
  if (p.exe_state == host::ExeState::unknown || server.exe_state == host::ExeState::unknown) {
    const auto denied = [](const ProcessInfo& q) {
      return q.exe_state != host::ExeState::unknown || exe_denied(q);
    };
    return denied(p) && denied(server) && p.comm == server.comm;
  }
  if (p.exe_dev == server.exe_dev && p.exe_ino == server.exe_ino && p.exe_ino != 0) return true;
  if (p.exe_state != host::ExeState::present) return false;
  const std::string dir = dir_of(server.exe_path);
  return !dir.empty() && !is_shared_bin_dir(dir) && dir_of(p.exe_path) == dir &&
         p.ns.mnt == server.ns.mnt;
}

void run(const RuleContext& ctx, std::vector<Finding>& out) {
  for (const auto& p : ctx.index.all()) {
    if (p.kernel_thread || is_database_server(p)) continue;
    const auto chain = ctx.index.ancestors(p);
    const ProcessInfo* server = nullptr;
    size_t server_at = 0;
    for (size_t i = 0; i < chain.size(); ++i) {
      if (is_database_server(*chain[i])) {
        server = chain[i];
        server_at = i;
        break;
      }
    }
    // Allowed when the server's child on this path is an allowed command and
    // everything below it is an installed program (barman's archiver runs ssh),
    // with no shell running more than one plain command.
    bool skip = false;
    if (server != nullptr) {
      const ProcessInfo& first = server_at > 0 ? *chain[server_at - 1] : p;
      skip = allowed(ctx, first);
      for (size_t i = 0; skip && i + 1 < server_at; ++i) skip = installed_below(*chain[i]);
      if (server_at > 0) skip = skip && installed_below(p);
    }
    if (server == nullptr || skip || own_program(*server, p)) continue;
    nlohmann::json lineage = nlohmann::json::array();
    for (const ProcessInfo* a : chain) {
      lineage.push_back({{"pid", a->pid}, {"comm", a->comm}, {"exe", a->exe}});
      if (a == server) break;
    }
    out.push_back(process_finding(
        ctx, info(), p,
        fmt::format("{} was started by database server {} ({})", describe(p), describe(*server),
                    server->exe.empty() ? server->comm : server->exe),
        {{"database", {{"pid", server->pid}, {"comm", server->comm}, {"exe", server->exe}}},
         {"command", command_name(p)},
         {"lineage", lineage}},
        fmt::format("{}|{}|{}|{}", server->exe_path, p.exe_path, command_name(p), p.uid)));
  }
}

}  // namespace

ProcessRule database_spawned_child_rule() { return {info(), run}; }

}  // namespace hostward::hunt

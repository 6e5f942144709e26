#include "lint/shell_checks.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "lint/docker_cli.h"
#include "lint/shell_script.h"

namespace hostward::lint {

namespace {

bool is_downloader(std::string_view name) { return name == "curl" || name == "wget"; }

bool is_interpreter(std::string_view name) {
  static constexpr std::array<std::string_view, 14> kNames = {
      "sh",     "bash",    "zsh",     "dash", "ksh",  "ash",  "fish",
      "python", "python3", "python2", "perl", "ruby", "node", "php"};
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

bool is_shell(std::string_view name) {
  return name == "sh" || name == "bash" || name == "zsh" || name == "dash" || name == "ksh" ||
         name == "ash";
}

// The interpreter reads its program from stdin: no file argument, or "-", or -s.
bool reads_stdin(const SimpleCommand& cmd, size_t program) {
  for (size_t i = program + 1; i < cmd.words.size(); ++i) {
    const std::string_view a = cmd.words[i]->text;
    if (a == "-" || a == "-s" || a == "--") return true;
    if (a == "-c" || a == "-e" || a == "-m") return false;
    if (!a.empty() && a[0] != '-') return false;
  }
  return true;
}

std::string first_url(const SimpleCommand& cmd, size_t program) {
  for (size_t i = program + 1; i < cmd.words.size(); ++i) {
    const std::string& a = cmd.words[i]->text;
    if (a.find("://") != std::string::npos) return a;
  }
  for (size_t i = program + 1; i < cmd.words.size(); ++i) {
    const std::string& a = cmd.words[i]->text;
    if (!a.empty() && a[0] != '-' && a.find('.') != std::string::npos) return a;
  }
  return {};
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c); });
}

void remote_pipe_finding(const ScriptLocator& where, const ShellWord& at, const std::string& url,
                         std::string_view downloader, std::string_view interpreter,
                         Diagnostics& out) {
  LintFinding f;
  f.rule = "ci.remote-script-pipe";
  f.severity = Severity::high;
  f.loc = where.loc(at);
  f.message = std::string(downloader) + " output is run by " + std::string(interpreter) +
              " straight from " + (url.empty() ? std::string("the network") : url) +
              ": whoever controls that URL runs code here; pin it to a commit or check a hash";
  f.evidence = {{"url", url},
                {"downloader", std::string(downloader)},
                {"interpreter", std::string(interpreter)}};
  out.add(std::move(f));
}

class ShellLinter {
 public:
  ShellLinter(const ScriptText& script, const ShellContext& ctx, Diagnostics& out, int depth)
      : script_(script),
        ctx_(ctx),
        out_(out),
        depth_(depth),
        tokens_(tokenize_shell(script.text)),
        where_(script.verbatim ? ScriptLocator::verbatim(*script.file, script.offset)
                               : ScriptLocator::searched(*script.file, script.offset, script.end,
                                                         script.text, tokens_)) {}

  void run() {
    if (tokens_.truncated)
      out_.error(script_.file->path(), script_.file->position(script_.offset).line,
                 "a shell script of more than 200000 words; the rest is not read");
    for (const auto& pipeline : split_pipelines(tokens_)) {
      check_pipe(pipeline);
      for (const auto& cmd : pipeline.commands) check_command(cmd);
    }
  }

 private:
  // The downloader that starts an inner script: "curl" of "$(curl -fsSL x)".
  std::optional<std::pair<std::string, std::string>> downloads(std::string_view body) const {
    const auto inner = tokenize_shell(body, 10000);
    for (const auto& p : split_pipelines(inner)) {
      if (p.commands.empty()) continue;
      const auto& c = p.commands.front();
      const size_t prog = program_index(c);
      if (prog < c.words.size() && is_downloader(base_name(c.words[prog]->text)))
        return std::make_pair(std::string(base_name(c.words[prog]->text)), first_url(c, prog));
    }
    return std::nullopt;
  }

  void check_pipe(const Pipeline& p) {
    for (size_t i = 0; i + 1 < p.commands.size(); ++i) {
      const auto& c = p.commands[i];
      const size_t prog = program_index(c);
      if (prog >= c.words.size() || !is_downloader(base_name(c.words[prog]->text))) continue;
      for (size_t j = i + 1; j < p.commands.size(); ++j) {
        const auto& r = p.commands[j];
        const size_t rp = program_index(r);
        if (rp >= r.words.size()) continue;
        const std::string_view name = base_name(r.words[rp]->text);
        if (!is_interpreter(name) || !reads_stdin(r, rp)) continue;
        const std::string url = first_url(c, prog);
        if (is_pinned_url(url)) break;
        remote_pipe_finding(where_, *c.words[prog], url, base_name(c.words[prog]->text), name,
                            out_);
        break;
      }
    }
  }

  void check_command(const SimpleCommand& cmd) {
    std::vector<const ShellWord*> env_assignments;
    const size_t prog = program_index(cmd, &env_assignments);
    for (const auto* w : cmd.assignments) recurse_into(*w);  // CID=$(docker run …)
    for (const auto* w : cmd.words) recurse_into(*w);
    if (prog >= cmd.words.size()) return;
    const ShellWord& program = *cmd.words[prog];
    const std::string_view name = base_name(program.text);

    if (auto spec = parse_docker_run(script_.text, cmd, prog, where_)) {
      spec->inherited_env = ctx_.env;
      spec->hosted_runner = ctx_.hosted_runner;
      spec->publishes_to_host = !ctx_.docker_in_service;
      for (const auto* a : cmd.assignments) add_assignment(*a, spec->inherited_env);
      for (const auto* a : env_assignments) add_assignment(*a, spec->inherited_env);
      check_container(*spec, out_);
      return;
    }
    if (is_interpreter(name) || name == "source" || name == "." || name == "eval")
      check_interpreter(cmd, prog);
    if (program.text.find('/') != std::string::npos && !program.text.empty() &&
        program.text.find('$') == std::string::npos && ctx_.on_script_file)
      ctx_.on_script_file(program.text, where_.loc(program));
  }

  static void add_assignment(const ShellWord& w, std::map<std::string, std::string>& env) {
    const size_t eq = w.text.find('=');
    env[w.text.substr(0, eq)] = w.text.substr(eq + 1);
  }

  void check_interpreter(const SimpleCommand& cmd, size_t prog) {
    const std::string_view name = base_name(cmd.words[prog]->text);
    // bash <(curl …), sh -c "$(curl …)", source <(wget -O- …)
    for (size_t i = prog + 1; i < cmd.words.size(); ++i) {
      for (const auto& body : cmd.words[i]->substitutions) {
        if (auto d = downloads(body); d && !is_pinned_url(d->second)) {
          remote_pipe_finding(where_, *cmd.words[i], d->second, d->first, name, out_);
          return;
        }
      }
    }
    if (name == "eval") return;
    for (size_t i = prog + 1; i < cmd.words.size(); ++i) {
      const ShellWord& a = *cmd.words[i];
      if (a.text == "-c" && is_shell(name) && i + 1 < cmd.words.size()) {
        lint_inner(*cmd.words[i + 1], cmd.words[i + 1]->text);
        return;
      }
      if (!a.text.empty() && a.text[0] == '-') continue;
      if (a.text.find('$') == std::string::npos && ctx_.on_script_file && !a.process_substitution)
        ctx_.on_script_file(a.text, where_.loc(a));
      return;
    }
  }

  void recurse_into(const ShellWord& w) {
    for (const auto& body : w.substitutions) lint_inner(w, body);
  }

  void lint_inner(const ShellWord& at, const std::string& body) {
    if (depth_ >= 4 || body.empty()) return;
    ScriptText inner{script_.file, body, where_.loc(at).offset, false,
                     script_.verbatim ? std::string_view::npos : script_.end};
    lint_shell(inner, ctx_, out_, depth_ + 1);
  }

  const ScriptText& script_;
  const ShellContext& ctx_;
  Diagnostics& out_;
  int depth_;
  ShellTokens tokens_;
  ScriptLocator where_;
};

}  // namespace

bool is_pinned_url(std::string_view url) {
  size_t start = 0;
  while (start < url.size()) {
    size_t end = url.find_first_of("/?#=&@", start);
    if (end == std::string_view::npos) end = url.size();
    const std::string_view seg = url.substr(start, end - start);
    if ((seg.size() == 40 || seg.size() == 64) && is_hex(seg)) return true;
    start = end + 1;
  }
  return false;
}

void lint_shell(const ScriptText& script, const ShellContext& ctx, Diagnostics& out, int depth) {
  ShellLinter(script, ctx, out, depth).run();
}

}  // namespace hostward::lint

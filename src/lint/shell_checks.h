#pragma once
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "lint/diagnostics.h"
#include "lint/script_locator.h"

namespace hostward::lint {

// What a script runs in: the variables its step, job and pipeline set, the
// runner it runs on, and who to tell about the script files it runs.
struct ShellContext {
  std::map<std::string, std::string> env;
  bool hosted_runner = false;
  // `bash scripts/setup.sh`, `./deploy.sh`, `source env.sh`: the path as written.
  std::function<void(const std::string& path, Loc where)> on_script_file;
  // docker talks to a daemon in a service container (GitLab's docker:dind):
  // what it publishes is on that container, not on the runner host
  bool docker_in_service = false;
};

// Where a script's text comes from in its file.
struct ScriptText {
  const SourceFile* file = nullptr;
  std::string_view text;
  size_t offset = 0;                    // where the text (or its YAML scalar) starts in the file
  bool verbatim = false;                // the text is the file's bytes at `offset`
  size_t end = std::string_view::npos;  // where its YAML scalar ends, when not verbatim
};

// Runs the shell rules over one script: `docker run` as a container
// (ci.port-published-all-interfaces, ci.database-no-auth, ...), and
// ci.remote-script-pipe; substitutions and `sh -c` bodies are read too.
void lint_shell(const ScriptText& script, const ShellContext& ctx, Diagnostics& out, int depth = 0);

// A URL that names an exact commit (a 40- or 64-digit hex path segment).
bool is_pinned_url(std::string_view url);

}  // namespace hostward::lint

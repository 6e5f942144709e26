#pragma once
#include <yaml-cpp/yaml.h>

#include <vector>

#include "lint/container_spec.h"
#include "lint/shell_checks.h"
#include "lint/workspace.h"
#include "lint/yaml_access.h"

namespace hostward::lint {

// One function per kind of file. Each reports into ws.diag() and queues the
// files it references (templates, scripts, local actions, includes).
using YamlDocs = std::vector<YAML::Node>;
void lint_compose(const SourceFile& file, const YamlDocs& docs, Workspace& ws);
void lint_github_workflow(const SourceFile& file, const YamlDocs& docs, Workspace& ws);
void lint_github_action(const SourceFile& file, const YamlDocs& docs, Workspace& ws,
                        const InheritedContext& ctx);
void lint_azure(const SourceFile& file, const YamlDocs& docs, Workspace& ws,
                const InheritedContext& ctx);
void lint_gitlab(const SourceFile& file, const YamlDocs& docs, Workspace& ws);
void lint_dockerfile(const SourceFile& file, Workspace& ws);
void lint_shell_file(const SourceFile& file, Workspace& ws, const InheritedContext& ctx);

// Shared by the YAML linters.
Located located(const SourceFile& file, const YAML::Node& node);
// Runs the shell rules over a YAML scalar holding a script (`run: |`).
void lint_script_node(const SourceFile& file, const YAML::Node& node, const ShellContext& ctx,
                      Diagnostics& out);
// Queues the scripts a step runs (`bash scripts/x.sh`), resolved from the root.
std::function<void(const std::string&, Loc)> script_queue(Workspace& ws, const SourceFile& from,
                                                          const InheritedContext& ctx);
// ci.hardcoded-secret and pipeline-level ci.database-no-auth over a map of
// variables (env:, variables:); adds them to `scope`.
void check_variables(const SourceFile& file, const YAML::Node& map, std::string_view where,
                     Workspace& ws, NodeBudget& budget, std::map<std::string, std::string>* scope,
                     bool pipeline_level);
// Bind mounts of a container: "HOST:CONTAINER[:MODE]" or {type: bind, source}.
void read_volumes(const SourceFile& file, const YAML::Node& volumes, NodeBudget& budget,
                  ContainerSpec& spec);
// `options:` of a GitHub service or an Azure container: docker create flags.
void read_options(const SourceFile& file, const YAML::Node& options, ContainerSpec& spec);
// Environment of a container: a map (KEY: value) or a list ("KEY=value").
void read_environment(const SourceFile& file, const YAML::Node& env, NodeBudget& budget,
                      std::vector<EnvVar>& out);

}  // namespace hostward::lint

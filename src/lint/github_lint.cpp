#include <algorithm>

#include "lint/docker_cli.h"
#include "lint/file_linters.h"
#include "lint/secrets.h"

namespace hostward::lint {

namespace {

// runs-on: "self-hosted" or a list holding it, a runner group, or a label no
// GitHub-hosted runner has. Expressions (${{ matrix.os }}) are unknown.
enum class Runner { hosted, self_hosted, unknown };

Runner runner_of(const YAML::Node& runs_on, NodeBudget& budget) {
  std::vector<std::string> labels;
  if (runs_on.IsScalar()) {
    labels.push_back(runs_on.Scalar());
  } else if (runs_on.IsSequence()) {
    for (const auto& l : items(runs_on, budget)) labels.push_back(scalar(l));
  } else if (runs_on.IsMap()) {
    if (has(runs_on, "group")) return Runner::self_hosted;
    for (const auto& l : items(child(runs_on, "labels"), budget)) labels.push_back(scalar(l));
    if (const auto one = child(runs_on, "labels"); one.IsScalar()) labels.push_back(one.Scalar());
  }
  if (labels.empty()) return Runner::unknown;
  bool any_unknown = false;
  for (const auto& l : labels) {
    if (l == "self-hosted") return Runner::self_hosted;
    if (l.find("${{") != std::string::npos) any_unknown = true;
  }
  if (any_unknown) return Runner::unknown;
  const auto hosted_label = [](const std::string& l) {
    for (std::string_view p : {"ubuntu-", "windows-", "macos-"})
      if (l.rfind(p, 0) == 0) return true;
    return false;
  };
  return std::all_of(labels.begin(), labels.end(), hosted_label) ? Runner::hosted
                                                                 : Runner::self_hosted;
}

ContainerSpec container_of(const SourceFile& file, const std::string& kind, const YamlEntry& e,
                           const YAML::Node& node, NodeBudget& budget, bool hosted) {
  ContainerSpec spec;
  spec.kind = kind;
  spec.name = e.key;
  spec.anchor = loc_of(file, e.key_node);
  spec.hosted_runner = hosted;
  if (node.IsScalar()) {
    spec.image = located(file, node);
    return spec;
  }
  spec.image = located(file, child(node, "image"));
  for (const auto& p : items(child(node, "ports"), budget))
    if (p.IsScalar()) spec.ports.push_back({located(file, p), false, std::nullopt, std::nullopt});
  read_environment(file, child(node, "env"), budget, spec.env);
  read_volumes(file, child(node, "volumes"), budget, spec);
  read_options(file, child(node, "options"), spec);
  return spec;
}

struct Scope {
  std::map<std::string, std::string> env;
  bool hosted = false;
};

void lint_steps(const SourceFile& file, const YAML::Node& steps, const Scope& scope, Workspace& ws,
                NodeBudget& budget) {
  for (const auto& step : items(steps, budget)) {
    if (!step.IsMap()) continue;
    auto env = scope.env;
    check_variables(file, child(step, "env"), "step env", ws, budget, &env, false);
    check_variables(file, child(step, "with"), "action input", ws, budget, nullptr, false);
    InheritedContext inherited{env, scope.hosted, std::nullopt, false};
    if (const auto run = child(step, "run"); run.IsScalar()) {
      ShellContext ctx{env, scope.hosted, script_queue(ws, file, inherited)};
      lint_script_node(file, run, ctx, ws.diag());
    }
    const std::string uses = scalar(child(step, "uses"));
    if (uses.rfind("./", 0) == 0) {
      for (std::string_view name : {"action.yml", "action.yaml"}) {
        const std::string ref =
            "/" + uses.substr(2) + (uses.back() == '/' ? "" : "/") + std::string(name);
        if (auto rel = ws.resolve(file, ref)) {
          ws.enqueue(FileKind::github_action, *rel, inherited);
          break;
        }
      }
    }
  }
}

bool every_step_has_timeout(const YAML::Node& steps, NodeBudget& budget) {
  const auto all = items(steps, budget);
  return !all.empty() && std::all_of(all.begin(), all.end(),
                                     [](const YAML::Node& s) { return has(s, "timeout-minutes"); });
}

void lint_job(const SourceFile& file, const YamlEntry& job, const Scope& workflow, Workspace& ws,
              NodeBudget& budget) {
  const YAML::Node& j = job.value;
  if (!j.IsMap()) return;
  Scope scope = workflow;
  const Runner runner = runner_of(child(j, "runs-on"), budget);
  scope.hosted = runner == Runner::hosted;
  check_variables(file, child(j, "env"), "job env", ws, budget, &scope.env, true);

  const auto steps = child(j, "steps");
  if (runner == Runner::self_hosted && !has(j, "timeout-minutes") && !has(j, "uses") &&
      !every_step_has_timeout(steps, budget)) {
    LintFinding f;
    f.rule = "ci.missing-timeout";
    f.severity = Severity::medium;
    f.loc = loc_of(file, job.key_node);
    f.message = "job " + job.key +
                " runs on a self-hosted runner without timeout-minutes: a hung step holds the "
                "runner for 6 hours";
    f.evidence = {{"job", job.key}, {"runner", "self-hosted"}, {"default_timeout_minutes", 360}};
    ws.diag().add(std::move(f));
  }
  if (const auto c = child(j, "container"); !c.IsNull()) {
    YamlEntry e{"container", job.key_node, c};
    auto spec = container_of(file, "job container", e, c, budget, scope.hosted);
    spec.name = job.key;
    spec.inherited_env = scope.env;
    check_container(spec, ws.diag());
  }
  for (const auto& svc : entries(child(j, "services"), budget)) {
    auto spec = container_of(file, "service", svc, svc.value, budget, scope.hosted);
    spec.inherited_env = scope.env;
    check_container(spec, ws.diag());
  }
  lint_steps(file, steps, scope, ws, budget);
}

}  // namespace

void lint_github_workflow(const SourceFile& file, const YamlDocs& docs, Workspace& ws) {
  NodeBudget budget;
  for (const auto& doc : docs) {
    Scope scope;
    check_variables(file, child(doc, "env"), "workflow env", ws, budget, &scope.env, true);
    for (const auto& job : entries(child(doc, "jobs"), budget))
      lint_job(file, job, scope, ws, budget);
  }
}

void lint_github_action(const SourceFile& file, const YamlDocs& docs, Workspace& ws,
                        const InheritedContext& ctx) {
  NodeBudget budget;
  for (const auto& doc : docs) {
    const auto runs = child(doc, "runs");
    if (scalar(child(runs, "using")) != "composite") continue;
    lint_steps(file, child(runs, "steps"), Scope{ctx.env, ctx.hosted_runner}, ws, budget);
  }
}

}  // namespace hostward::lint

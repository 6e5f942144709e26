#include <algorithm>

#include "lint/docker_cli.h"
#include "lint/file_linters.h"
#include "lint/secrets.h"

namespace hostward::lint {

namespace {

enum class Pool { inherit, hosted, self_hosted, unknown };

bool is_expression(const std::string& s) {
  return s.find("$(") != std::string::npos || s.find("${{") != std::string::npos ||
         s.find("$[") != std::string::npos;
}

// `pool: Default`, `pool: {name: DO-Build-Agents}` are agent pools of your
// own; `pool: {vmImage: ubuntu-latest}` and "Azure Pipelines" are Microsoft's.
Pool pool_of(const YAML::Node& pool) {
  if (pool.IsNull()) return Pool::inherit;
  std::string name;
  if (pool.IsScalar()) {
    name = pool.Scalar();
  } else if (pool.IsMap()) {
    if (has(pool, "vmImage")) return Pool::hosted;
    name = scalar(child(pool, "name"));
    if (name.empty()) return Pool::unknown;
  } else {
    return Pool::unknown;
  }
  if (is_expression(name)) return Pool::unknown;
  return name == "Azure Pipelines" ? Pool::hosted : Pool::self_hosted;
}

struct Scope {
  Pool pool = Pool::unknown;
  std::map<std::string, std::string> vars;
};

Scope enter(const Scope& outer, const YAML::Node& node) {
  Scope s = outer;
  if (const Pool p = pool_of(child(node, "pool")); p != Pool::inherit) s.pool = p;
  return s;
}

class AzureLinter {
 public:
  AzureLinter(const SourceFile& file, Workspace& ws) : file_(file), ws_(ws) {}

  void pipeline(const YAML::Node& root, const InheritedContext& ctx) {
    Scope scope;
    scope.vars = ctx.env;
    if (ctx.azure_template) {
      scope.pool = !ctx.self_hosted_pool   ? Pool::unknown
                   : *ctx.self_hosted_pool ? Pool::self_hosted
                                           : Pool::hosted;
    } else {
      scope.pool = Pool::hosted;  // no pool anywhere: Microsoft-hosted ubuntu-latest
    }
    scope = enter(scope, root);
    variables(child(root, "variables"), scope, true);
    containers(child(child(root, "resources"), "containers"), scope);
    if (const auto ext = child(root, "extends"); ext.IsMap())
      template_ref(child(ext, "template"), scope);
    stages(child(root, "stages"), scope);
    jobs(child(root, "jobs"), scope);
    if (const auto s = child(root, "steps"); s.IsSequence()) {
      if (!ctx.azure_template)
        timeout(root, "the pipeline's job", key_of(root, "steps"), {s}, scope);
      steps(s, scope);
    }
  }

 private:
  Loc key_of(const YAML::Node& map, std::string_view key) {
    for (auto it = map.begin(); it != map.end(); ++it)
      if (it->first.IsScalar() && it->first.Scalar() == key) return loc_of(file_, it->first);
    return loc_of(file_, map);
  }

  InheritedContext inherited(const Scope& s) const {
    InheritedContext c;
    c.env = s.vars;
    c.azure_template = true;
    if (s.pool == Pool::self_hosted) c.self_hosted_pool = true;
    if (s.pool == Pool::hosted) c.self_hosted_pool = false;
    return c;
  }

  void template_ref(const YAML::Node& ref, const Scope& scope) {
    const std::string path = scalar(ref);
    if (path.empty() || path.find('@') != std::string::npos || is_expression(path)) return;
    if (auto rel = ws_.resolve(file_, path)) ws_.enqueue(FileKind::azure, *rel, inherited(scope));
  }

  void variables(const YAML::Node& vars, Scope& scope, bool pipeline_level) {
    if (vars.IsMap()) {
      check_variables(file_, vars, "pipeline variables", ws_, budget_, &scope.vars, pipeline_level);
      return;
    }
    for (const auto& v : items(vars, budget_)) {
      if (has(v, "template")) {
        template_ref(child(v, "template"), scope);
        continue;
      }
      const std::string name = scalar(child(v, "name"));
      const auto value = child(v, "value");
      if (name.empty() || !value.IsScalar()) continue;
      const Loc at = loc_of(file_, value);
      check_secret(name, value.Scalar(), at, {at.offset, scalar_end(file_, value), {}},
                   "pipeline variables", ws_.diag());
      if (pipeline_level)
        check_no_auth_variable(name, value.Scalar(), at, "pipeline variables", ws_.diag());
      scope.vars[name] = value.Scalar();
    }
  }

  void containers(const YAML::Node& list, const Scope& scope) {
    for (const auto& c : items(list, budget_)) {
      if (!c.IsMap()) continue;
      ContainerSpec spec;
      spec.kind = "container resource";
      spec.name = scalar(child(c, "container"));
      spec.anchor = loc_of(file_, c);
      spec.image = located(file_, child(c, "image"));
      spec.inherited_env = scope.vars;
      spec.hosted_runner = scope.pool == Pool::hosted;
      for (const auto& p : items(child(c, "ports"), budget_))
        if (p.IsScalar())
          spec.ports.push_back({located(file_, p), false, std::nullopt, std::nullopt});
      read_environment(file_, child(c, "env"), budget_, spec.env);
      read_volumes(file_, child(c, "volumes"), budget_, spec);
      if (const auto m = child(c, "mapDockerSocket"); is_true(m))
        spec.mount_sources.push_back({"/var/run/docker.sock", loc_of(file_, m), false});
      read_options(file_, child(c, "options"), spec);
      check_container(spec, ws_.diag());
    }
  }

  void stages(const YAML::Node& list, const Scope& outer) {
    for (const auto& stage : items(list, budget_)) {
      if (has(stage, "template")) {
        template_ref(child(stage, "template"), outer);
        continue;
      }
      Scope scope = enter(outer, stage);
      variables(child(stage, "variables"), scope, true);
      jobs(child(stage, "jobs"), scope);
    }
  }

  // The step lists of a job: steps, or a deployment's lifecycle hooks.
  void collect_steps(const YAML::Node& node, std::vector<YAML::Node>& out, int depth) {
    if (!node.IsMap() || depth > 6) return;
    for (const auto& e : entries(node, budget_)) {
      if (e.key == "steps" && e.value.IsSequence())
        out.push_back(e.value);
      else if (e.value.IsMap())
        collect_steps(e.value, out, depth + 1);
    }
  }

  void jobs(const YAML::Node& list, const Scope& outer) {
    for (const auto& job : items(list, budget_)) {
      if (has(job, "template")) {
        template_ref(child(job, "template"), outer);
        continue;
      }
      if (!job.IsMap()) continue;
      const bool deployment = has(job, "deployment");
      const auto name_node = child(job, deployment ? "deployment" : "job");
      Scope scope = enter(outer, job);
      variables(child(job, "variables"), scope, true);
      std::vector<YAML::Node> lists;
      if (const auto s = child(job, "steps"); s.IsSequence()) lists.push_back(s);
      collect_steps(child(job, "strategy"), lists, 0);
      if (!has(job, "timeoutInMinutes") || scalar(child(job, "timeoutInMinutes")) == "0")
        timeout(job, (deployment ? "deployment " : "job ") + scalar(name_node),
                name_node.IsNull() ? loc_of(file_, job) : loc_of(file_, name_node), lists, scope);
      for (const auto& s : lists) steps(s, scope);
    }
  }

  void timeout(const YAML::Node& job, const std::string& what, Loc at,
               const std::vector<YAML::Node>& lists, const Scope& scope) {
    if (scope.pool != Pool::self_hosted) return;
    size_t count = 0, with_timeout = 0;
    for (const auto& l : lists) {
      for (const auto& s : items(l, budget_)) {
        ++count;
        const std::string t = scalar(child(s, "timeoutInMinutes"));
        if (!t.empty() && t != "0") ++with_timeout;
      }
    }
    if (count > 0 && with_timeout == count) return;
    const bool zero = scalar(child(job, "timeoutInMinutes")) == "0";
    LintFinding f;
    f.rule = "ci.missing-timeout";
    f.severity = Severity::medium;
    f.loc = at;
    f.message = what + " runs on a self-hosted agent pool " +
                (zero ? std::string("with timeoutInMinutes: 0 (no limit at all)")
                      : std::string("without timeoutInMinutes")) +
                ": a hung step holds the agent";
    f.evidence = {{"job", what},
                  {"pool", "self-hosted"},
                  {"steps", count},
                  {"steps_with_timeout", with_timeout}};
    ws_.diag().add(std::move(f));
  }

  void steps(const YAML::Node& list, const Scope& scope) {
    for (const auto& step : items(list, budget_)) {
      if (!step.IsMap()) continue;
      if (has(step, "template")) {
        template_ref(child(step, "template"), scope);
        continue;
      }
      auto env = scope.vars;
      check_variables(file_, child(step, "env"), "step env", ws_, budget_, &env, false);
      InheritedContext inh = inherited(scope);
      inh.env = env;
      inh.hosted_runner = scope.pool == Pool::hosted;
      ShellContext ctx{env, inh.hosted_runner, script_queue(ws_, file_, inh)};
      for (std::string_view key : {"script", "bash"})
        if (const auto s = child(step, key); s.IsScalar())
          lint_script_node(file_, s, ctx, ws_.diag());
      const std::string task = scalar(child(step, "task"));
      if (task.empty()) continue;
      const auto inputs = child(step, "inputs");
      check_variables(file_, inputs, "task inputs", ws_, budget_, nullptr, false);
      const std::string kind = task.substr(0, task.find('@'));
      if (kind == "Bash" || kind == "CmdLine" || kind == "ShellScript") {
        if (const auto s = child(inputs, "script"); s.IsScalar())
          lint_script_node(file_, s, ctx, ws_.diag());
        for (std::string_view key : {"filePath", "scriptPath"}) {
          std::string path = scalar(child(inputs, key));
          for (std::string_view root :
               {"$(System.DefaultWorkingDirectory)/", "$(Build.SourcesDirectory)/"})
            if (path.rfind(root, 0) == 0) path = path.substr(root.size());
          if (!path.empty() && !is_expression(path)) ctx.on_script_file(path, loc_of(file_, step));
        }
      }
    }
  }

  const SourceFile& file_;
  Workspace& ws_;
  NodeBudget budget_;
};

}  // namespace

void lint_azure(const SourceFile& file, const YamlDocs& docs, Workspace& ws,
                const InheritedContext& ctx) {
  AzureLinter linter(file, ws);
  for (const auto& doc : docs)
    if (doc.IsMap()) linter.pipeline(doc, ctx);
}

}  // namespace hostward::lint

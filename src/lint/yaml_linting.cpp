#include "lint/docker_cli.h"
#include "lint/file_linters.h"
#include "lint/secrets.h"

namespace hostward::lint {

Located located(const SourceFile& file, const YAML::Node& node) {
  Located out;
  out.value = scalar(node);
  const ScalarSpan span = scalar_span(file, node);
  out.loc = {&file, span.begin};
  out.exact = span.exact && node.IsScalar();
  return out;
}

void lint_script_node(const SourceFile& file, const YAML::Node& node, const ShellContext& ctx,
                      Diagnostics& out) {
  if (!node.IsScalar()) return;
  ScriptText text{&file, node.Scalar(), loc_of(file, node).offset, false, scalar_end(file, node)};
  lint_shell(text, ctx, out);
}

std::function<void(const std::string&, Loc)> script_queue(Workspace& ws, const SourceFile& from,
                                                          const InheritedContext& ctx) {
  return [&ws, &from, ctx](const std::string& ref, Loc) {
    if (auto rel = ws.resolve(from, ref, true)) ws.enqueue(FileKind::shell, *rel, ctx);
  };
}

void check_variables(const SourceFile& file, const YAML::Node& map, std::string_view where,
                     Workspace& ws, NodeBudget& budget, std::map<std::string, std::string>* scope,
                     bool pipeline_level) {
  for (const auto& e : entries(map, budget)) {
    if (!e.value.IsScalar()) continue;
    const std::string& v = e.value.Scalar();
    const Loc at = loc_of(file, e.value);
    check_secret(e.key, v, at, {at.offset, scalar_end(file, e.value), {}}, where, ws.diag());
    if (pipeline_level) check_no_auth_variable(e.key, v, at, where, ws.diag());
    if (scope) (*scope)[e.key] = v;
  }
}

void read_environment(const SourceFile& file, const YAML::Node& env, NodeBudget& budget,
                      std::vector<EnvVar>& out) {
  if (env.IsMap()) {
    for (const auto& e : entries(env, budget)) {
      if (e.value.IsNull()) {
        out.push_back({e.key, std::nullopt, loc_of(file, e.key_node), {}});
      } else if (e.value.IsScalar()) {
        const Loc at = loc_of(file, e.value);
        out.push_back({e.key, e.value.Scalar(), at, {at.offset, scalar_end(file, e.value), {}}});
      }
    }
  } else if (env.IsSequence()) {
    for (const auto& item : items(env, budget)) {
      if (!item.IsScalar()) continue;
      const std::string& s = item.Scalar();
      const Loc at = loc_of(file, item);
      const size_t eq = s.find('=');
      if (eq == std::string::npos) {
        out.push_back({s, std::nullopt, at, {}});
        continue;
      }
      // "KEY=value": hide from after the "=" when the item is written as read
      const ScalarSpan span = scalar_span(file, item);
      const size_t end = scalar_end(file, item);
      const size_t begin = span.exact ? span.begin + eq + 1 : at.offset;
      out.push_back({s.substr(0, eq), s.substr(eq + 1), at, {begin, end, {}}});
    }
  }
}

void read_volumes(const SourceFile& file, const YAML::Node& volumes, NodeBudget& budget,
                  ContainerSpec& spec) {
  for (const auto& v : items(volumes, budget)) {
    if (v.IsScalar()) {
      Located l = located(file, v);
      const size_t colon = l.value.find(':');
      if (colon == std::string::npos) continue;  // a named or anonymous volume
      l.value = l.value.substr(0, colon);
      spec.mount_sources.push_back(l);
    } else if (v.IsMap() && scalar(child(v, "type")) == "bind") {
      spec.mount_sources.push_back(located(file, child(v, "source")));
    }
  }
}

void read_options(const SourceFile& file, const YAML::Node& options, ContainerSpec& spec) {
  if (!options.IsScalar()) return;
  const std::string& text = options.Scalar();
  const auto tokens = tokenize_shell(text, 10000);
  read_docker_options(text, tokens,
                      ScriptLocator::searched(file, loc_of(file, options).offset,
                                              scalar_end(file, options), text, tokens),
                      spec);
}

}  // namespace hostward::lint

#include <algorithm>
#include <array>

#include "lint/file_linters.h"
#include "lint/images.h"
#include "lint/secrets.h"

namespace hostward::lint {

namespace {

bool is_reserved(std::string_view key) {
  static constexpr std::array<std::string_view, 12> kKeys = {
      "image",     "services", "stages",  "types",   "before_script", "after_script",
      "variables", "cache",    "include", "default", "workflow",      "spec"};
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

struct Entry {
  const SourceFile* file;
  YamlEntry entry;
};

class GitlabLinter {
 public:
  explicit GitlabLinter(Workspace& ws) : ws_(ws) {}

  // The main file and its local includes, in order; later definitions of a
  // job replace earlier ones, as GitLab merges them.
  void read(const SourceFile& file, const YamlDocs& docs, int depth) {
    if (depth > 16) return;
    for (const auto& doc : docs) {
      for (auto& e : entries(doc, budget_)) {
        if (e.key == "include") {
          includes(file, e.value, depth);
        } else {
          auto it = std::find_if(top_.begin(), top_.end(),
                                 [&](const Entry& t) { return t.entry.key == e.key; });
          if (it != top_.end())
            *it = {&file, e};
          else
            top_.push_back({&file, e});
        }
      }
    }
  }

  void lint() {
    const Entry* dflt = find("default");
    if (const Entry* vars = find("variables"))
      check_variables(*vars->file, vars->entry.value, "pipeline variables", ws_, budget_,
                      &global_vars_, true);
    for (const auto& t : top_) {
      if (is_reserved(t.entry.key) || t.entry.key.empty() || t.entry.key[0] == '.') continue;
      if (!t.entry.value.IsMap()) continue;
      job(t, dflt);
    }
  }

 private:
  const Entry* find(std::string_view key) const {
    for (const auto& t : top_)
      if (t.entry.key == key) return &t;
    return nullptr;
  }

  void includes(const SourceFile& file, const YAML::Node& inc, int depth) {
    std::vector<std::string> paths;
    auto add = [&](const YAML::Node& n) {
      if (n.IsScalar() && n.Scalar().find("://") == std::string::npos)
        paths.push_back(n.Scalar());
      else if (n.IsMap() && has(n, "local"))
        paths.push_back(scalar(child(n, "local")));
    };
    if (inc.IsSequence())
      for (const auto& n : items(inc, budget_)) add(n);
    else
      add(inc);
    for (const auto& p : paths) {
      if (p.empty() || p.find('*') != std::string::npos || p.find('$') != std::string::npos)
        continue;
      auto rel = ws_.resolve(file, p.front() == '/' ? p : "/" + p);
      if (!rel) continue;
      const SourceFile* inc_file = ws_.load(*rel);
      if (!inc_file || !loaded_.insert(inc_file).second) continue;
      std::string error;
      int line = 0;
      auto docs = load_yaml(*inc_file, error, line);
      if (!docs) {
        ws_.diag().error(inc_file->path(), line, "YAML: " + error);
        continue;
      }
      kept_docs_.push_back(std::move(*docs));
      read(*inc_file, kept_docs_.back(), depth + 1);
    }
  }

  // A key of a job, looked up through `extends` (hidden jobs or others) and
  // then `default:`, as GitLab resolves it.
  std::optional<Entry> lookup(const Entry& job, std::string_view key, int depth = 0) const {
    if (const auto v = child(job.entry.value, key); !v.IsNull())
      return Entry{job.file, {std::string(key), YAML::Node(), v}};
    if (depth > 10) return std::nullopt;
    const auto ext = child(job.entry.value, "extends");
    std::vector<std::string> parents;
    if (ext.IsScalar()) parents.push_back(ext.Scalar());
    for (const auto& p : ext.IsSequence() ? std::vector<YAML::Node>(ext.begin(), ext.end())
                                          : std::vector<YAML::Node>{})
      parents.push_back(scalar(p));
    for (auto it = parents.rbegin(); it != parents.rend(); ++it)
      if (const Entry* parent = find(*it))
        if (auto v = lookup(*parent, key, depth + 1)) return v;
    return std::nullopt;
  }

  std::optional<Entry> effective(const Entry& job, std::string_view key, const Entry* dflt) const {
    if (auto v = lookup(job, key)) return v;
    if (dflt)
      if (const auto v = child(dflt->entry.value, key); !v.IsNull())
        return Entry{dflt->file, {std::string(key), YAML::Node(), v}};
    if (const Entry* top = find(key)) return *top;  // deprecated global image/services/...
    return std::nullopt;
  }

  void scripts(const Entry& e, const YAML::Node& node, const ShellContext& ctx, int depth) {
    if (depth > 10) return;
    if (node.IsScalar()) {
      lint_script_node(*e.file, node, ctx, ws_.diag());
    } else if (node.IsSequence()) {
      for (const auto& n : items(node, budget_)) scripts(e, n, ctx, depth + 1);
    }
  }

  void job(const Entry& t, const Entry* dflt) {
    const SourceFile& file = *t.file;
    auto env = global_vars_;
    check_variables(file, child(t.entry.value, "variables"), "job variables", ws_, budget_, &env,
                    true);
    const auto tags = effective(t, "tags", dflt);
    bool self_managed = false;
    if (tags && tags->entry.value.IsSequence()) {
      for (const auto& tag : items(tags->entry.value, budget_))
        if (scalar(tag).rfind("saas-", 0) != 0) self_managed = true;
    }
    if (self_managed && !effective(t, "timeout", dflt)) {
      LintFinding f;
      f.rule = "ci.missing-timeout";
      f.severity = Severity::medium;
      f.loc = loc_of(file, t.entry.key_node);
      f.message = "job " + t.entry.key +
                  " runs on a self-managed runner (tags) without timeout: a hung job holds the "
                  "runner until the project's limit";
      f.evidence = {{"job", t.entry.key}, {"runner", "self-managed"}};
      ws_.diag().add(std::move(f));
    }
    InheritedContext inh{env, false, std::nullopt, false};
    ShellContext ctx{env, false, script_queue(ws_, file, inh)};
    const auto services = effective(t, "services", dflt);
    if (services) {
      for (const auto& s : items(services->entry.value, budget_)) {
        const std::string image = scalar(s.IsMap() ? child(s, "name") : s);
        if (image_repository(image) == "docker" && image.find("dind") != std::string::npos)
          ctx.docker_in_service = true;
      }
    }
    for (std::string_view key : {"before_script", "script", "after_script"})
      if (auto s = effective(t, key, dflt)) scripts(*s, s->entry.value, ctx, 0);
    if (services) {
      for (const auto& s : items(services->entry.value, budget_)) {
        ContainerSpec spec;
        spec.kind = "GitLab service";
        spec.publishes_to_host = false;
        spec.inherited_env = env;
        spec.anchor = loc_of(*services->file, s);
        const YAML::Node image = s.IsMap() ? child(s, "name") : s;
        spec.image = located(*services->file, image);
        spec.name = s.IsMap() ? scalar(child(s, "alias")) : "";
        read_environment(*services->file, child(s, "variables"), budget_, spec.env);
        for (const auto& c : items(child(s, "command"), budget_))
          spec.command.push_back(located(*services->file, c));
        check_container(spec, ws_.diag());
      }
    }
  }

  Workspace& ws_;
  NodeBudget budget_;
  std::vector<Entry> top_;
  std::map<std::string, std::string> global_vars_;
  std::set<const SourceFile*> loaded_;
  std::deque<YamlDocs> kept_docs_;
};

}  // namespace

void lint_gitlab(const SourceFile& file, const YamlDocs& docs, Workspace& ws) {
  GitlabLinter linter(ws);
  linter.read(file, docs, 0);
  linter.lint();
}

}  // namespace hostward::lint

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "lint/file_linters.h"
#include "lint/lint.h"

namespace hostward::lint {

namespace fs = std::filesystem;

namespace {

bool has_yaml_ext(const std::string& name) {
  return name.size() > 4 && (name.ends_with(".yml") || name.ends_with(".yaml"));
}

bool is_dockerfile_name(const std::string& name) {
  return name.rfind("Dockerfile", 0) == 0 || name.rfind("Containerfile", 0) == 0 ||
         name.ends_with(".Dockerfile") || name.ends_with(".dockerfile");
}

// A file named on the command line that no name rule knows: look inside.
std::optional<FileKind> sniff(const SourceFile& file) {
  const std::string& t = file.text();
  if (file.path().ends_with(".sh") || t.rfind("#!/bin/sh", 0) == 0 ||
      t.rfind("#!/bin/bash", 0) == 0 || t.rfind("#!/usr/bin/env bash", 0) == 0)
    return FileKind::shell;
  if (!has_yaml_ext(file.path())) return std::nullopt;
  std::string error;
  int line = 0;
  auto docs = load_yaml(file, error, line);
  if (!docs || docs->empty()) return FileKind::azure;  // reported when linted
  const YAML::Node& d = docs->front();
  if (has(d, "services") && !has(d, "stages")) return FileKind::compose;
  if (const auto jobs = child(d, "jobs"); jobs.IsMap()) return FileKind::github_workflow;
  if (has(d, "runs")) return FileKind::github_action;
  for (const char* k : {"trigger", "pool", "stages", "steps", "extends", "jobs", "pr"})
    if (has(d, k)) return FileKind::azure;
  return FileKind::gitlab;
}

void lint_one(Workspace& ws, FileKind kind, const std::string& rel, const InheritedContext& ctx,
              bool named) {
  const SourceFile* file = ws.load(rel);
  if (!file) return;
  std::optional<FileKind> k = kind;
  if (named) k = classify_path(rel) ? classify_path(rel) : sniff(*file);
  if (!k) {
    ws.diag().error(file->path(), 0, "not a CI, compose, Dockerfile or shell file; not linted");
    return;
  }
  try {
    if (*k == FileKind::dockerfile) return lint_dockerfile(*file, ws);
    if (*k == FileKind::shell) return lint_shell_file(*file, ws, ctx);
    std::string error;
    int line = 0;
    const auto docs = load_yaml(*file, error, line);
    if (!docs) {
      ws.diag().error(file->path(), line, "YAML: " + error);
      return;
    }
    switch (*k) {
      case FileKind::azure:
        return lint_azure(*file, *docs, ws, ctx);
      case FileKind::github_workflow:
        return lint_github_workflow(*file, *docs, ws);
      case FileKind::github_action:
        return lint_github_action(*file, *docs, ws, ctx);
      case FileKind::gitlab:
        return lint_gitlab(*file, *docs, ws);
      case FileKind::compose:
        return lint_compose(*file, *docs, ws);
      default:
        return;
    }
  } catch (const std::exception& e) {
    ws.diag().error(file->path(), 0, std::string("not linted to the end: ") + e.what());
  }
}

// Walks `root` for files to lint, in sorted order, skipping .git and
// node_modules; symbolic links are not followed. Local actions are returned,
// not queued: linted after the workflows, those that use one pass on their
// runner and variables to it first.
std::vector<std::string> discover(Workspace& ws, size_t& budget) {
  std::vector<std::string> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(ws.root(), fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    ws.diag().error(ws.root(), 0, "cannot read: " + ec.message());
    return {};
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      ws.diag().error(it->path().string(), 0, "cannot read: " + ec.message());
      ec.clear();
      continue;
    }
    const std::string name = it->path().filename().string();
    std::error_code sec;
    const auto st = it->symlink_status(sec);
    if (st.type() == fs::file_type::directory) {
      if (name == ".git" || name == "node_modules") it.disable_recursion_pending();
      continue;
    }
    if (st.type() != fs::file_type::regular) continue;
    const std::string rel = it->path().lexically_relative(ws.root()).string();
    if (!classify_path(rel)) continue;
    if (budget == 0) {
      ws.diag().error(ws.root(), 0, "more files than --max-files; the rest not linted");
      break;
    }
    --budget;
    found.push_back(rel);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> actions;
  for (const auto& rel : found) {
    if (*classify_path(rel) == FileKind::github_action)
      actions.push_back(rel);
    else
      ws.enqueue(*classify_path(rel), rel, {});
  }
  return actions;
}

void drain(Workspace& ws) {
  FileKind kind;
  std::string rel;
  InheritedContext ctx;
  while (ws.next(kind, rel, ctx)) lint_one(ws, kind, rel, ctx, false);
}

// The root for a file named alone: the repository holding it (the nearest
// folder on its path with a .git), so the templates and actions it names are
// found; else its own folder. Nothing above that is read.
fs::path repository_of(const fs::path& file) {
  fs::path dir = file.parent_path();
  for (int guard = 0; guard < 64; ++guard) {
    const fs::path here = dir.empty() ? fs::path(".") : dir;
    std::error_code ec;
    if (fs::exists(here / ".git", ec)) return here;
    if (dir.empty() || dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return file.parent_path().empty() ? fs::path(".") : file.parent_path();
}

}  // namespace

std::optional<FileKind> classify_path(const std::string& rel) {
  const fs::path p(rel);
  const std::string name = p.filename().string();
  const std::string dir = p.parent_path().generic_string();
  if (name.rfind("azure-pipelines", 0) == 0 && has_yaml_ext(name)) return FileKind::azure;
  if ((dir == ".github/workflows" || dir.ends_with("/.github/workflows")) && has_yaml_ext(name))
    return FileKind::github_workflow;
  if ((name == "action.yml" || name == "action.yaml") &&
      (dir.rfind(".github/", 0) == 0 || dir.find("/.github/") != std::string::npos))
    return FileKind::github_action;
  if (name == ".gitlab-ci.yml" || name == ".gitlab-ci.yaml") return FileKind::gitlab;
  if ((name.rfind("docker-compose", 0) == 0 || name.rfind("compose", 0) == 0) && has_yaml_ext(name))
    return FileKind::compose;
  if (is_dockerfile_name(name)) return FileKind::dockerfile;
  return std::nullopt;
}

std::unique_ptr<LintRun> run_lint(const LintOptions& options) {
  auto run = std::make_unique<LintRun>();
  std::vector<std::string> paths = options.paths;
  if (paths.empty()) paths.push_back(".");
  size_t budget = options.max_files;
  for (const auto& path : paths) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      run->diag.error(path, 0, "no such file or folder");
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      auto ws = std::make_unique<Workspace>(path, options.limits, run->diag);
      const auto actions = discover(*ws, budget);
      drain(*ws);
      for (const auto& rel : actions) ws->enqueue(FileKind::github_action, rel, {});
      drain(*ws);
      run->workspaces.push_back(std::move(ws));
    } else {
      const fs::path p = fs::path(path).lexically_normal();
      const fs::path root = repository_of(p);
      auto ws = std::make_unique<Workspace>(root.string(), options.limits, run->diag);
      lint_one(*ws, FileKind::shell, p.lexically_relative(root).string(), {}, true);
      drain(*ws);
      run->workspaces.push_back(std::move(ws));
    }
  }
  for (const auto& ws : run->workspaces) {
    run->files += ws->files();
    run->bytes += ws->bytes();
  }
  return run;
}

}  // namespace hostward::lint

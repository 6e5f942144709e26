#include "lint/workspace.h"

#include <sys/stat.h>

#include <filesystem>

namespace hostward::lint {

namespace fs = std::filesystem;

const char* kind_name(FileKind k) {
  switch (k) {
    case FileKind::azure:
      return "azure-pipelines";
    case FileKind::github_workflow:
      return "github-workflow";
    case FileKind::github_action:
      return "github-action";
    case FileKind::gitlab:
      return "gitlab-ci";
    case FileKind::compose:
      return "compose";
    case FileKind::dockerfile:
      return "dockerfile";
    case FileKind::shell:
      return "shell";
  }
  return "?";
}

std::string Workspace::display_of(const std::string& rel) const {
  return (fs::path(root_) / rel).lexically_normal().string();
}

std::string Workspace::rel_of(const SourceFile& file) const {
  auto it = rel_.find(&file);
  return it == rel_.end() ? file.path() : it->second;
}

const SourceFile* Workspace::load(const std::string& rel) {
  const std::string display = display_of(rel);
  if (auto it = by_path_.find(display); it != by_path_.end()) return it->second;
  if (failed_.count(display)) return nullptr;
  std::string error;
  auto file = read_source((fs::path(root_) / rel).string(), display, limits_, error);
  if (!file) {
    failed_.insert(display);
    diag_.error(display, 0, error);
    return nullptr;
  }
  bytes_ += file->text().size();
  files_.push_back(std::move(*file));
  by_path_[display] = &files_.back();
  rel_[&files_.back()] = rel;
  return &files_.back();
}

std::optional<std::string> Workspace::resolve(const SourceFile& from, std::string_view ref,
                                              bool root_first) const {
  if (ref.empty() || ref.size() > 4096 || ref.find('\0') != std::string_view::npos)
    return std::nullopt;
  std::vector<fs::path> candidates;
  const fs::path dir = fs::path(rel_of(from)).parent_path();
  if (ref.front() == '/') {
    candidates.push_back(fs::path(ref.substr(1)));
  } else if (root_first) {
    candidates.push_back(fs::path(ref));
    candidates.push_back(dir / ref);
  } else {
    candidates.push_back(dir / ref);
    candidates.push_back(fs::path(ref));
  }
  for (const auto& c : candidates) {
    const fs::path rel = c.lexically_normal();
    if (rel.empty() || rel.is_absolute() || *rel.begin() == "..") continue;
    const fs::path real = fs::path(root_) / rel;
    struct stat st {};
    if (::stat(real.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    std::error_code ec;
    const fs::path canon = fs::canonical(real, ec);
    const fs::path canon_root = fs::canonical(root_, ec);
    if (ec) continue;
    const auto rel_to_root = canon.lexically_relative(canon_root);
    if (rel_to_root.empty() || *rel_to_root.begin() == "..") continue;  // a link out of the tree
    return rel.string();
  }
  return std::nullopt;
}

void Workspace::enqueue(FileKind kind, std::string rel, InheritedContext ctx) {
  if (!queued_.emplace(static_cast<int>(kind), rel).second) return;
  queue_.push_back({kind, std::move(rel), std::move(ctx)});
}

bool Workspace::next(FileKind& kind, std::string& rel, InheritedContext& ctx) {
  if (queue_.empty()) return false;
  kind = queue_.front().kind;
  rel = std::move(queue_.front().display);
  ctx = std::move(queue_.front().ctx);
  queue_.pop_front();
  return true;
}

}  // namespace hostward::lint

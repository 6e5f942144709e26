#pragma once
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lint/diagnostics.h"
#include "lint/source_file.h"

namespace hostward::lint {

enum class FileKind { azure, github_workflow, github_action, gitlab, compose, dockerfile, shell };
const char* kind_name(FileKind k);

// Everything a linted file may pass on to the files it references: the
// variables in scope, the runner, and for Azure templates the pool.
struct InheritedContext {
  std::map<std::string, std::string> env;
  bool hosted_runner = false;
  std::optional<bool> self_hosted_pool;  // Azure: known from the including pipeline
  bool azure_template = false;           // a template, not a pipeline
};

// The files of one run. Files are read once and kept (findings and fixes
// point into them); files referenced by others (templates, scripts, local
// actions and includes) are queued with what they inherit.
class Workspace {
 public:
  Workspace(std::string root, ReadLimits limits, Diagnostics& diag)
      : root_(std::move(root)), limits_(limits), diag_(diag) {}

  const std::string& root() const { return root_; }
  Diagnostics& diag() { return diag_; }

  // Reads the file at `rel` (a path relative to the root), or reports why
  // not and returns null. Files are shown as root/rel.
  const SourceFile* load(const std::string& rel);
  std::string display_of(const std::string& rel) const;
  std::string rel_of(const SourceFile& file) const;

  // A file referenced as `ref` from `from` (a path inside the root):
  // relative to the referencing file's folder, then to the root; a leading
  // "/" means the root. Nullopt when it does not exist or leaves the root.
  std::optional<std::string> resolve(const SourceFile& from, std::string_view ref,
                                     bool root_first = false) const;

  void enqueue(FileKind kind, std::string rel, InheritedContext ctx);
  bool next(FileKind& kind, std::string& rel, InheritedContext& ctx);

  size_t bytes() const { return bytes_; }
  size_t files() const { return files_.size(); }
  std::deque<SourceFile>& sources() { return files_; }

 private:
  std::string root_;
  ReadLimits limits_;
  Diagnostics& diag_;
  std::deque<SourceFile> files_;
  std::map<std::string, const SourceFile*> by_path_;
  std::map<const SourceFile*, std::string> rel_;
  std::set<std::string> failed_;
  struct Task {
    FileKind kind;
    std::string display;
    InheritedContext ctx;
  };
  std::deque<Task> queue_;
  std::set<std::pair<int, std::string>> queued_;
  size_t bytes_ = 0;
};

}  // namespace hostward::lint

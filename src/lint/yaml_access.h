#pragma once
#include <yaml-cpp/yaml.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lint/diagnostics.h"

namespace hostward::lint {

// Thrown when a file makes the walk visit more nodes than any real pipeline
// has: an alias bomb expands exponentially if walked naively.
class WalkLimitExceeded : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class NodeBudget {
 public:
  explicit NodeBudget(size_t nodes = 200000) : left_(nodes) {}
  void take(size_t n = 1) {
    if (n > left_) throw WalkLimitExceeded("more than 200000 YAML nodes walked (alias bomb?)");
    left_ -= n;
  }

 private:
  size_t left_;
};

struct YamlEntry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// The documents of a YAML file, or nullopt with the parser's message and line.
std::optional<std::vector<YAML::Node>> load_yaml(const SourceFile& file, std::string& error,
                                                 int& error_line);

// A mapping's entries with merge keys (<<: *anchor, <<: [*a, *b]) resolved the
// way YAML 1.1 does: explicit keys win, then merged maps in order.
std::vector<YamlEntry> entries(const YAML::Node& map, NodeBudget& budget);
std::vector<YAML::Node> items(const YAML::Node& seq, NodeBudget& budget);

// The value under `key`, merge keys honoured; a null node when absent.
YAML::Node child(const YAML::Node& map, std::string_view key);
bool has(const YAML::Node& map, std::string_view key);

std::string scalar(const YAML::Node& node);  // "" unless a scalar
bool is_true(const YAML::Node& node);        // true, yes, on (any case)

// Where a node's text starts in the file (after any anchor or tag).
Loc loc_of(const SourceFile& file, const YAML::Node& node);

// A scalar's text in the file: `begin` is its first content byte (after an
// opening quote); `exact` when the bytes there equal its value, so that an
// edit at `begin` is safe.
struct ScalarSpan {
  size_t begin = 0;
  char quote = 0;  // '"', '\'' or 0 for plain
  bool exact = false;
};
ScalarSpan scalar_span(const SourceFile& file, const YAML::Node& node);

// Where a scalar's text ends in the file (past a closing quote, the last line
// of a block scalar or of a plain multi-line one).
size_t scalar_end(const SourceFile& file, const YAML::Node& node);

}  // namespace hostward::lint

// A CI or compose file: the first byte picks the kind, the rest is the YAML.
// Templates and includes point nowhere (the root does not exist).
#include <cstddef>
#include <cstdint>
#include <string>

#include "lint/file_linters.h"
#include "lint_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hostward::lint;
  if (size < 1) return 0;
  const int kind = data[0] % 5;
  SourceFile file("f.yml", "f.yml", std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  Diagnostics diag;
  Workspace ws("/nonexistent/hostward-fuzz", {}, diag);
  std::string error;
  int line = 0;
  const auto docs = load_yaml(file, error, line);
  if (!docs) return 0;
  try {
    switch (kind) {
      case 0:
        lint_compose(file, *docs, ws);
        break;
      case 1:
        lint_github_workflow(file, *docs, ws);
        break;
      case 2:
        lint_azure(file, *docs, ws, {});
        break;
      case 3:
        lint_gitlab(file, *docs, ws);
        break;
      default:
        lint_github_action(file, *docs, ws, {});
        break;
    }
  } catch (const WalkLimitExceeded&) {
    // an alias bomb: reported as an error by the run
  } catch (const YAML::Exception&) {
  }
  check_lint_findings(diag);
  return 0;
}

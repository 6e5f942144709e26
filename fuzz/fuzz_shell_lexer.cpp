// A shell script (a run: step, a .sh file, a Dockerfile when the first byte
// is odd): tokens stay inside the script and every rule runs on it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lint/file_linters.h"
#include "lint/shell_script.h"
#include "lint_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hostward::lint;
  if (size < 1) return 0;
  const bool dockerfile = data[0] & 1;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto tokens = tokenize_shell(text);
  for (const auto& t : tokens.tokens) {
    if (t.kind != ShellToken::Kind::word) continue;
    if (t.word.begin > t.word.end || t.word.end > text.size()) abort();
  }
  for (const auto& p : split_pipelines(tokens))
    for (const auto& c : p.commands)
      if (program_index(c) > c.words.size()) abort();
  SourceFile file("s.sh", "s.sh", text);
  Diagnostics diag;
  Workspace ws("/nonexistent/hostward-fuzz", {}, diag);
  if (dockerfile)
    lint_dockerfile(file, ws);
  else
    lint_shell_file(file, ws, {});
  // the same text decoded from YAML: words are searched for in the file
  ShellContext ctx;
  lint_shell({&file, text, 0, false}, ctx, diag);
  check_lint_findings(diag);
  return 0;
}

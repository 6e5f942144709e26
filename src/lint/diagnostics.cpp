#include "lint/diagnostics.h"

#include "lint/secrets.h"

namespace hostward::lint {

void Diagnostics::add(LintFinding f) {
  if (!seen_.emplace(f.loc.file, f.loc.offset, f.rule, f.message).second) return;
  findings_.push_back(std::move(f));
}

namespace {

int code_points(std::string_view s) {
  int n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

std::string shown_line(const LintFinding& f, std::string_view line, int* column) {
  std::string out(line);
  for (const auto& secret : f.secrets) {
    if (secret.empty()) continue;
    const std::string redacted = "<" + redact(secret) + ">";
    for (size_t at = out.find(secret); at != std::string::npos;
         at = out.find(secret, at + redacted.size())) {
      if (column && code_points(std::string_view(out).substr(0, at)) < *column - 1)
        *column += code_points(redacted) - code_points(secret);
      out.replace(at, secret.size(), redacted);
    }
  }
  return out;
}

void Diagnostics::error(std::string path, int line, std::string message) {
  errors_.push_back({std::move(path), line, std::move(message)});
}

}  // namespace hostward::lint

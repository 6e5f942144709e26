#include "lint/diagnostics.h"

#include <algorithm>

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

std::string shown_line(const LintFinding& f, std::string_view line, size_t line_start,
                       int* column) {
  std::string out(line);
  const size_t line_end = line_start + line.size();
  std::vector<Span> spans;
  for (const auto& s : f.secret_spans)
    if (s.begin < line_end && s.end > line_start && s.begin < s.end) spans.push_back(s);
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin > b.begin; });
  size_t limit = line_end;  // right to left, never overlapping
  for (const auto& s : spans) {
    const size_t b = std::max(s.begin, line_start), e = std::min({s.end, line_end, limit});
    if (b >= e) continue;
    if (column && code_points(out.substr(0, b - line_start)) < *column - 1)
      *column += code_points(s.shown) - code_points(out.substr(b - line_start, e - b));
    out.replace(b - line_start, e - b, s.shown);
    limit = b;
  }
  for (const auto& secret : f.secrets) {
    if (secret.size() < 4) continue;  // too short to find safely; spans cover it
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

#include "lint/fix.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

namespace hostward::lint {

namespace {

std::string apply(std::string_view text, size_t base, const std::vector<TextEdit>& edits) {
  std::string out;
  size_t pos = base;
  for (const auto& e : edits) {
    out.append(text.substr(pos - base, e.offset - pos));
    out.append(e.replacement);
    pos = e.offset + e.length;
  }
  out.append(text.substr(pos - base));
  return out;
}

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t eol = s.find('\n', pos);
    if (eol == std::string_view::npos) eol = s.size() - 1;
    out.push_back(s.substr(pos, eol - pos + 1));
    pos = eol + 1;
  }
  return out;
}

// The lines of a hunk as ' ', '-' and '+' lines, from a longest common
// subsequence (hunks are a few lines; a huge one is shown as replaced).
std::vector<std::pair<char, std::string_view>> line_diff(const std::vector<std::string_view>& a,
                                                         const std::vector<std::string_view>& b) {
  std::vector<std::pair<char, std::string_view>> out;
  if (a.size() * b.size() > 4'000'000) {
    for (auto l : a) out.emplace_back('-', l);
    for (auto l : b) out.emplace_back('+', l);
    return out;
  }
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;)
    for (size_t j = b.size(); j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      out.emplace_back(' ', a[i++]);
      ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] > lcs[i + 1][j])) {
      out.emplace_back('+', b[j++]);
    } else {
      out.emplace_back('-', a[i++]);
    }
  }
  return out;
}

}  // namespace

std::vector<FileFix> plan_fixes(const std::vector<LintFinding>& findings) {
  std::map<const SourceFile*, std::vector<TextEdit>> by_file;
  for (const auto& f : findings)
    if (f.fix && f.fix->file) by_file[f.fix->file].push_back(*f.fix);
  std::vector<FileFix> out;
  for (auto& [file, edits] : by_file) {
    std::sort(edits.begin(), edits.end(),
              [](const TextEdit& a, const TextEdit& b) { return a.offset < b.offset; });
    std::vector<TextEdit> kept;
    for (const auto& e : edits) {
      if (e.offset + e.length > file->text().size()) continue;
      if (!kept.empty()) {
        const auto& last = kept.back();
        if (last.offset == e.offset && last.length == e.length && last.replacement == e.replacement)
          continue;
        if (e.offset < last.offset + last.length ||
            (e.offset == last.offset && (e.length == 0 || last.length == 0)))
          continue;
      }
      kept.push_back(e);
    }
    if (kept.empty()) continue;
    FileFix fix{file, kept, apply(file->text(), 0, kept)};
    out.push_back(std::move(fix));
  }
  std::sort(out.begin(), out.end(),
            [](const FileFix& a, const FileFix& b) { return a.file->path() < b.file->path(); });
  return out;
}

std::string unified_diff(const FileFix& fix) {
  const SourceFile& f = *fix.file;
  const int nlines = static_cast<int>(split_lines(f.text()).size());
  std::string out = "--- a/" + f.path() + "\n+++ b/" + f.path() + "\n";
  int delta = 0;
  size_t i = 0;
  while (i < fix.edits.size()) {
    int first = std::max(1, f.position(fix.edits[i].offset).line - 3);
    int last = f.position(fix.edits[i].offset + fix.edits[i].length).line + 3;
    size_t j = i + 1;
    while (j < fix.edits.size() && f.position(fix.edits[j].offset).line - 3 <= last + 1) {
      last = f.position(fix.edits[j].offset + fix.edits[j].length).line + 3;
      ++j;
    }
    last = std::min(last, nlines);
    const size_t begin = f.offset_of(first, 1);
    const size_t end = last >= nlines ? f.text().size() : f.offset_of(last + 1, 1);
    const std::string_view old_text = std::string_view(f.text()).substr(begin, end - begin);
    const std::vector<TextEdit> hunk(fix.edits.begin() + static_cast<long>(i),
                                     fix.edits.begin() + static_cast<long>(j));
    const std::string new_text = apply(old_text, begin, hunk);
    const auto a = split_lines(old_text);
    const auto b = split_lines(new_text);
    out += "@@ -" + std::to_string(first) + "," + std::to_string(a.size()) + " +" +
           std::to_string(first + delta) + "," + std::to_string(b.size()) + " @@\n";
    auto line = [&](char mark, std::string_view l) {
      out += mark;
      out.append(l);
      if (l.empty() || l.back() != '\n') out += "\n\\ No newline at end of file\n";
    };
    for (const auto& [mark, l] : line_diff(a, b)) line(mark, l);
    delta += static_cast<int>(b.size()) - static_cast<int>(a.size());
    i = j;
  }
  return out;
}

bool write_fix(const FileFix& fix, std::string& error) {
  const std::string& path = fix.file->real_path();
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    error = "no longer a regular file";
    return false;
  }
  std::string tmp = path + ".hostward-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    error = std::string("cannot create a file next to it: ") + std::strerror(errno);
    return false;
  }
  bool ok = ::fchmod(fd, st.st_mode & 07777) == 0;
  size_t done = 0;
  while (ok && done < fix.text.size()) {
    const ssize_t n = ::write(fd, fix.text.data() + done, fix.text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      ok = false;
    else
      done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (ok) ok = ::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) {
    error = std::string("cannot write: ") + std::strerror(errno);
    ::unlink(tmp.c_str());
  }
  return ok;
}

}  // namespace hostward::lint

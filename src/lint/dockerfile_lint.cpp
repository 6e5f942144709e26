#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "lint/file_linters.h"
#include "lint/secrets.h"
#include "lint/shell_lexer.h"

namespace hostward::lint {

namespace {

// A here-document of an instruction (RUN <<EOF, COPY <<EOF /f): its body.
struct Heredoc {
  size_t begin = 0;     // first byte of the body
  size_t end = 0;       // first byte of the delimiter line
  bool script = false;  // the body is what RUN's shell runs
};

struct Instruction {
  std::string keyword;    // upper case
  size_t args_begin = 0;  // file offset of the arguments
  size_t end = 0;         // file offset past the instruction (and its continuations)
  std::vector<Heredoc> heredocs;
  size_t next = 0;  // where the next instruction may start: past the here-documents
};

bool blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](unsigned char c) { return std::isspace(c); });
}

// The escape character from a `# escape=` parser directive, '\\' by default.
char escape_of(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line(text.data() + pos, eol - pos);
    if (line.empty() || line[0] != '#') break;
    std::string l(line.substr(1));
    l.erase(std::remove_if(l.begin(), l.end(), [](unsigned char c) { return std::isspace(c); }),
            l.end());
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
    if (l.rfind("escape=", 0) == 0 && l.size() == 8) return l[7];
    pos = eol + 1;
  }
  return '\\';
}

bool is_shell_name(std::string_view w) {
  const size_t slash = w.rfind('/');
  if (slash != std::string_view::npos) w = w.substr(slash + 1);
  return w == "sh" || w == "bash" || w == "dash" || w == "ash" || w == "zsh";
}

// The bodies of the instruction's here-documents, which follow it line by
// line; returns where the next instruction may start. A body is RUN's script
// when it feeds the shell itself (RUN <<EOF, RUN bash <<EOF), not a command
// (RUN cat <<EOF > f).
size_t read_heredocs(const std::string& text, Instruction& ins) {
  const std::string_view args(text.data() + ins.args_begin, ins.end - ins.args_begin);
  const auto tokens = tokenize_shell(args, 4096);
  size_t pos = ins.end + 1;
  bool command_seen = false, shell = false;
  for (size_t i = 0; i + 1 < tokens.tokens.size() && pos < text.size(); ++i) {
    const auto& t = tokens.tokens[i];
    if (t.kind == ShellToken::Kind::word) {
      if (!command_seen) shell = is_shell_name(t.word.text);
      command_seen = true;
      continue;
    }
    if (t.op != "<<" && t.op != "<<-") {
      if (t.op != "<") command_seen = false;  // ; && | start another command
      continue;
    }
    const std::string& delim = tokens.tokens[i + 1].word.text;
    if (delim.empty()) continue;
    Heredoc h;
    h.begin = pos;
    h.end = text.size();
    h.script = ins.keyword == "RUN" && (!command_seen || shell);
    while (pos < text.size()) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string::npos) eol = text.size();
      std::string_view line(text.data() + pos, eol - pos);
      if (t.op == "<<-")
        while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      const size_t here = pos;
      pos = eol + 1;
      if (line == delim) {
        h.end = here;
        break;
      }
    }
    ins.heredocs.push_back(h);
  }
  return std::max(pos, ins.end + 1);
}

std::vector<Instruction> instructions(const std::string& text, char escape) {
  std::vector<Instruction> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line(text.data() + pos, eol - pos);
    size_t lead = 0;
    while (lead < line.size() && std::isspace(static_cast<unsigned char>(line[lead]))) ++lead;
    if (blank(line) || line[lead] == '#') {
      pos = eol + 1;
      continue;
    }
    Instruction ins;
    size_t k = lead;
    while (k < line.size() && !std::isspace(static_cast<unsigned char>(line[k]))) ++k;
    ins.keyword = std::string(line.substr(lead, k - lead));
    std::transform(ins.keyword.begin(), ins.keyword.end(), ins.keyword.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
    ins.args_begin = pos + k;
    // continuation: the escape character ends the line (spaces after it allowed)
    size_t end = eol;
    for (;;) {
      std::string_view l(text.data() + pos, end - pos);
      while (!l.empty() && (l.back() == ' ' || l.back() == '\t' || l.back() == '\r'))
        l.remove_suffix(1);
      if (l.empty() || l.back() != escape || end >= text.size()) break;
      pos = end + 1;
      end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
    }
    ins.end = end;
    ins.next = read_heredocs(text, ins);
    pos = ins.next;
    out.push_back(std::move(ins));
  }
  return out;
}

void lint_run(const SourceFile& file, const Instruction& ins, char escape, Workspace& ws) {
  const std::string& text = file.text();
  std::string_view args(text.data() + ins.args_begin, ins.end - ins.args_begin);
  ShellContext ctx;
  if (!args.empty() && args.front() == '[') {  // exec form
    auto j = nlohmann::json::parse(args, nullptr, false);
    if (!j.is_array() || j.size() < 3 || !j[0].is_string() || !j[1].is_string() ||
        !j[2].is_string())
      return;
    const std::string prog = j[0].get<std::string>();
    if (prog.find("sh") == std::string::npos || j[1].get<std::string>() != "-c") return;
    const std::string script = j[2].get<std::string>();
    lint_shell({&file, script, ins.args_begin, false, ins.end}, ctx, ws.diag());
    return;
  }
  if (escape != '\\') return;  // a Windows image: the shell is cmd or PowerShell
  lint_shell({&file, args, ins.args_begin, true}, ctx, ws.diag());
  for (const auto& h : ins.heredocs)
    if (h.script && h.end > h.begin)
      lint_shell({&file, std::string_view(text.data() + h.begin, h.end - h.begin), h.begin, true},
                 ctx, ws.diag());
}

void lint_env(const SourceFile& file, const Instruction& ins, bool is_arg, Workspace& ws) {
  const std::string& text = file.text();
  const std::string_view args(text.data() + ins.args_begin, ins.end - ins.args_begin);
  const auto tokens = tokenize_shell(args, 1000);
  std::vector<const ShellWord*> words;
  for (const auto& t : tokens.tokens)
    if (t.kind == ShellToken::Kind::word) words.push_back(&t.word);
  if (words.empty()) return;
  const char* where = is_arg ? "Dockerfile ARG default" : "Dockerfile ENV";
  // `at`..`end`: the value's bytes within the arguments
  auto check = [&](const std::string& key, const std::string& value, size_t at, size_t from,
                   size_t end) {
    const Loc loc{&file, ins.args_begin + at};
    check_secret(key, value, loc, {ins.args_begin + from, ins.args_begin + end, {}}, where,
                 ws.diag());
    if (!is_arg)
      check_no_auth_variable(key, value, loc, "Dockerfile ENV, baked into the image", ws.diag());
  };
  if (words[0]->text.find('=') == std::string::npos) {  // ENV KEY value with spaces
    if (is_arg || words.size() < 2) return;
    std::string value;
    for (size_t i = 1; i < words.size(); ++i) value += (i > 1 ? " " : "") + words[i]->text;
    check(words[0]->text, value, words[1]->begin, words[1]->begin, words.back()->end);
    return;
  }
  for (const auto* w : words) {
    const size_t eq = w->text.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    const size_t raw_eq = args.substr(w->begin, w->end - w->begin).find('=');
    check(w->text.substr(0, eq), w->text.substr(eq + 1), w->begin,
          w->begin + (raw_eq == std::string_view::npos ? 0 : raw_eq + 1), w->end);
  }
}

}  // namespace

void lint_dockerfile(const SourceFile& file, Workspace& ws) {
  const char escape = escape_of(file.text());
  for (const auto& ins : instructions(file.text(), escape)) {
    if (ins.keyword == "RUN")
      lint_run(file, ins, escape, ws);
    else if (ins.keyword == "ENV")
      lint_env(file, ins, false, ws);
    else if (ins.keyword == "ARG")
      lint_env(file, ins, true, ws);
  }
}

void lint_shell_file(const SourceFile& file, Workspace& ws, const InheritedContext& ctx) {
  ShellContext shell{ctx.env, ctx.hosted_runner, nullptr};
  shell.on_script_file = [&ws, &file, ctx](const std::string& ref, Loc) {
    if (auto rel = ws.resolve(file, ref)) ws.enqueue(FileKind::shell, *rel, ctx);
  };
  lint_shell({&file, file.text(), 0, true}, shell, ws.diag());
}

}  // namespace hostward::lint

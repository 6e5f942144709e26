#include <algorithm>

#include "lint/file_linters.h"
#include "lint/shell_lexer.h"

namespace hostward::lint {

namespace {

// The line to add to a long-form port without host_ip, at its first key.
std::optional<TextEdit> insert_host_ip(const SourceFile& file, const YAML::Node& port) {
  const Loc at = loc_of(file, port);
  const std::string& text = file.text();
  if (at.offset >= text.size()) return std::nullopt;
  if (port.begin() == port.end()) return std::nullopt;
  const YAML::Node key = port.begin()->first;
  const Loc first = loc_of(file, key);
  // only where the key's own text is: anything else would edit other bytes
  if (!key.IsScalar() || text.compare(first.offset, key.Scalar().size(), key.Scalar()) != 0)
    return std::nullopt;
  if (text[at.offset] == '{') return TextEdit{&file, first.offset, 0, "host_ip: 127.0.0.1, "};
  const size_t line_start = text.rfind('\n', first.offset == 0 ? 0 : first.offset - 1);
  const size_t column = first.offset - (line_start == std::string::npos ? 0 : line_start + 1);
  const size_t eol = text.find('\n', first.offset);
  const bool crlf = eol != std::string::npos && eol > 0 && text[eol - 1] == '\r';
  return TextEdit{
      &file, first.offset, 0,
      std::string("host_ip: 127.0.0.1") + (crlf ? "\r\n" : "\n") + std::string(column, ' ')};
}

void read_ports(const SourceFile& file, const YAML::Node& ports, NodeBudget& budget,
                ContainerSpec& spec) {
  for (const auto& p : items(ports, budget)) {
    if (p.IsScalar()) {
      spec.ports.push_back({located(file, p), false, std::nullopt, std::nullopt});
    } else if (p.IsMap()) {
      PortPublish pub;
      pub.long_form = true;
      pub.spec = located(file, child(p, "target"));
      pub.spec.loc = loc_of(file, p);
      const bool has_ip_key = std::any_of(p.begin(), p.end(), [](const auto& kv) {
        return kv.first.IsScalar() && kv.first.Scalar() == "host_ip";
      });
      if (const auto ip = child(p, "host_ip"); ip.IsScalar())
        pub.host_ip = located(file, ip);
      else if (has_ip_key)  // "host_ip:" with no value: all interfaces, nothing to edit
        pub.host_ip = Located{"", loc_of(file, p), false};
      else
        pub.fix = insert_host_ip(file, p);
      spec.ports.push_back(std::move(pub));
    }
  }
}

void read_command(const SourceFile& file, const YAML::Node& command, NodeBudget& budget,
                  ContainerSpec& spec) {
  if (command.IsScalar()) {
    const Loc at = loc_of(file, command);
    for (const auto& t : tokenize_shell(command.Scalar(), 10000).tokens)
      if (t.kind == ShellToken::Kind::word) spec.command.push_back({t.word.text, at, false});
  } else {
    for (const auto& c : items(command, budget))
      if (c.IsScalar()) spec.command.push_back(located(file, c));
  }
}

void lint_service(const SourceFile& file, const YamlEntry& entry, NodeBudget& budget,
                  Workspace& ws) {
  const YAML::Node& s = entry.value;
  if (!s.IsMap()) return;
  ContainerSpec spec;
  spec.kind = "compose service";
  spec.name = entry.key;
  spec.anchor = loc_of(file, entry.key_node);
  spec.image = located(file, child(s, "image"));
  read_ports(file, child(s, "ports"), budget, spec);
  read_environment(file, child(s, "environment"), budget, spec.env);
  if (const auto p = child(s, "privileged"); is_true(p)) spec.privileged = loc_of(file, p);
  for (const auto& c : items(child(s, "cap_add"), budget))
    if (c.IsScalar()) spec.cap_add.push_back(located(file, c));
  read_volumes(file, child(s, "volumes"), budget, spec);
  if (const auto n = child(s, "network_mode"); n.IsScalar()) spec.network = located(file, n);
  read_command(file, child(s, "command"), budget, spec);
  check_container(spec, ws.diag());
}

}  // namespace

void lint_compose(const SourceFile& file, const YamlDocs& docs, Workspace& ws) {
  NodeBudget budget;
  for (const auto& doc : docs)
    for (const auto& entry : entries(child(doc, "services"), budget))
      lint_service(file, entry, budget, ws);
}

}  // namespace hostward::lint

// A shell or client history file (the first byte picks the format: bash,
// zsh, fish, psql, mysql, redis-cli), parsed and searched for credentials,
// then judged by secrets.shell-history as root's history. Properties: entries
// come in file order with line numbers inside the file; a hit has a kind and
// a secret, each secret once; the redaction shows at most min(4, len/4)
// characters; no name shown (command, variable, scheme) holds 5 characters in
// a row of any secret, or a shorter secret whole, in any case; the evidence
// and subject hold nothing else; no long alphanumeric secret appears
// anywhere in the findings, in any case.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "audit/shell_history.h"

namespace {

using namespace hostward::audit;

constexpr HistoryFormat kFormats[] = {HistoryFormat::sh,    HistoryFormat::zsh,
                                      HistoryFormat::fish,  HistoryFormat::psql,
                                      HistoryFormat::mysql, HistoryFormat::redis};
constexpr const char* kPaths[] = {
    "/root/.bash_history", "/root/.zsh_history",   "/root/.local/share/fish/fish_history",
    "/root/.psql_history", "/root/.mysql_history", "/root/.rediscli_history"};

void check_redaction(const std::string& secret) {
  const std::string r = redact(secret);
  const std::string tail = "…(" + std::to_string(secret.size()) + " chars)";
  if (r.size() < tail.size() || r.compare(r.size() - tail.size(), tail.size(), tail) != 0) abort();
  const size_t shown = r.size() - tail.size();
  if (shown > 4 || shown > secret.size() / 4 || (secret.size() < 8 && shown != 0)) abort();
  if (secret.compare(0, shown, r, 0, shown) != 0) abort();
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Only long alphanumeric secrets anywhere: a short or punctuated one may
// occur in the report's own words (a path, a title) by chance.
bool must_not_appear(const std::string& secret) {
  if (secret.size() < 16) return false;
  for (const char c : secret)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

// A name the report shows, against every secret of the file.
void check_name(const std::string& name, const std::set<std::string>& secrets) {
  const std::string n = lower(name);
  for (const auto& secret : secrets) {
    const std::string s = lower(secret);
    if (s.size() < 5 && n.find(s) != std::string::npos) abort();
    for (size_t i = 0; i + 5 <= s.size(); ++i)
      if (n.find(s.substr(i, 5)) != std::string::npos) abort();
  }
}

void check_finding(const hostward::Finding& f, const char* path,
                   const std::set<std::string>& secrets) {
  if (f.subject["path"] != path || f.subject["user"] != "root") abort();
  for (const auto& [key, value] : f.subject.items())
    if (key != "kind" && key != "path" && key != "line" && key != "user") abort();
  if (f.evidence["kind"] == "more") return;
  for (const auto& [key, value] : f.evidence.items()) {
    if (key == "kind" || key == "redacted") continue;
    if (key != "command" && key != "variable" && key != "scheme") abort();
    check_name(value.get<std::string>(), secrets);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t which = data[0] % 6;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t lines = 1;
  for (const char c : text) lines += c == '\n';

  std::set<std::string> secrets;
  size_t last_line = 0;
  for_each_history_entry(kFormats[which], text, [&](const HistoryEntry& e) {
    if (e.line <= last_line || e.line > lines || e.text.empty() || e.text.size() > kMaxHistoryEntry)
      abort();
    last_line = e.line;
    const auto hits = find_secrets(kFormats[which], e.text);
    for (size_t i = 0; i < hits.size(); ++i) {
      if (hits[i].kind.empty() || hits[i].secret.empty()) abort();
      for (size_t j = 0; j < i; ++j)
        if (hits[j].secret == hits[i].secret) abort();
      check_redaction(hits[i].secret);
      secrets.insert(hits[i].secret);
    }
    split_shell_commands(e.text, ShellDialect::fish);
  });

  AuditInput in;
  in.hostname = "fuzz";
  in.files.memory[kPaths[which]] = text;
  AuditResult out;
  shell_history_rules(in, out);
  if (out.findings.size() > 51) abort();  // 50, then one saying how many more
  nlohmann::json all = nlohmann::json::array();
  for (const auto& f : out.findings) {
    if (f.rule != "secrets.shell-history") abort();
    if (secrets.size() < 10000) check_finding(f, kPaths[which], secrets);
    all.push_back({f.title, f.subject, f.evidence, f.fingerprint});
  }
  for (const auto& e : out.errors) all.push_back(e.message);
  const std::string dump =
      lower(all.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  for (const auto& secret : secrets)
    if (must_not_appear(secret) && dump.find(lower(secret)) != std::string::npos) abort();
  return 0;
}

#include <optional>
#include <set>

#include "audit/docker_daemon.h"
#include "audit/docker_text.h"

namespace hostward::audit {

namespace {

using namespace docker_text;

constexpr size_t kMaxJsonDepth = 512;

// ---------------------------------------------------------------- daemon.json

struct JsonPositions {
  std::map<std::string, int> key_line;
  std::vector<int> host_lines;  // lines of the strings of the last top-level "hosts" array
  bool too_deep = false;
};

std::string decode_json_key(std::string_view token) {
  if (token.size() < 2) return std::string(token);
  if (token.find('\\') == std::string_view::npos)
    return std::string(token.substr(1, token.size() - 2));
  const auto j = nlohmann::json::parse(token, nullptr, false);
  return j.is_string() ? j.get<std::string>() : std::string(token);
}

// nlohmann keeps no positions: one pass over the text finds the lines of the
// top-level keys and of the strings in "hosts" (the last "hosts" wins, as in
// encoding/json), and how deep it nests.
JsonPositions scan_json_positions(std::string_view text) {
  JsonPositions p;
  std::vector<char> stack;
  bool expect_key = false;
  std::string top_key;
  int line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
    } else if (c == '"') {
      const int at = line;
      const size_t start = i;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\')
          ++i;
        else if (text[i] == '\n')
          ++line;
      }
      const std::string_view token = text.substr(start, std::min(i, text.size() - 1) - start + 1);
      if (stack.size() == 1 && stack.back() == '{' && expect_key) {
        top_key = decode_json_key(token);
        p.key_line[top_key] = at;
        if (top_key == "hosts") p.host_lines.clear();
        expect_key = false;
      } else if (stack.size() == 2 && stack.back() == '[' && top_key == "hosts") {
        p.host_lines.push_back(at);
      }
    } else if (c == '{' || c == '[') {
      if (stack.size() >= kMaxJsonDepth) {
        p.too_deep = true;
        return p;
      }
      stack.push_back(c);
      expect_key = c == '{' && stack.size() == 1;
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
    } else if (c == ',' && stack.size() == 1 && stack.back() == '{') {
      expect_key = true;
    }
  }
  return p;
}

int line_of_byte(std::string_view text, size_t byte) {
  byte = std::min(byte, text.size());
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(byte), '\n'));
}

// A key read as `bool` (a *bool in dockerd's Config): anything but a boolean
// or null fails encoding/json, and dockerd with it.
void read_json_bool(const nlohmann::json& j, const char* key, std::optional<bool>& into,
                    DaemonJson& d, const std::string& path) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if (it->is_boolean()) {
    into = it->get<bool>();
    return;
  }
  d.refused = true;
  d.problems.push_back(fmt::format("{}:{}: \"{}\" is not a boolean", path, d.keys[key], key));
}

void read_json_hosts(const nlohmann::json& j, const JsonPositions& pos, DaemonJson& d,
                     const std::string& path) {
  const auto it = j.find("hosts");
  if (it == j.end() || it->is_null()) return;
  const int key_line = d.keys["hosts"];
  if (!it->is_array() ||
      !std::all_of(it->begin(), it->end(), [](const auto& v) { return v.is_string(); })) {
    d.refused = true;
    d.problems.push_back(fmt::format("{}:{}: \"hosts\" is not a list of strings", path, key_line));
    return;
  }
  d.has_hosts = true;
  const bool lines_known = pos.host_lines.size() == it->size();
  for (size_t i = 0; i < it->size() && i < kMaxHosts; ++i)
    d.hosts.push_back({(*it)[i].get<std::string>(),
                       Origin{path, lines_known ? pos.host_lines[i] : key_line, ""}});
}

// dockerd's check for unknown directives compares keys exactly: "Hosts" is
// unknown, although encoding/json would have matched it to the field.
void refuse_miscased_keys(DaemonJson& d, const std::string& path) {
  for (const auto& [key, line] : d.keys) {
    const std::string lower = lowercase(key);
    if (lower != key &&
        (lower == "hosts" || lower == "tls" || lower == "tlsverify" || lower == "group")) {
      d.refused = true;
      d.problems.push_back(
          fmt::format("{}:{}: \"{}\" is not a directive dockerd knows (keys are case-sensitive)",
                      path, line, key));
    }
  }
}

void read_json_group(const nlohmann::json& j, DaemonJson& d, const std::string& path) {
  const auto it = j.find("group");
  if (it == j.end() || it->is_null()) return;
  if (!it->is_string()) {
    d.refused = true;
    d.problems.push_back(fmt::format("{}:{}: \"group\" is not a string", path, d.keys["group"]));
    return;
  }
  d.group = Word{it->get<std::string>(), Origin{path, d.keys["group"], ""}};
}

}  // namespace

DaemonJson parse_daemon_json(std::string_view text, const std::string& path) {
  DaemonJson d;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  if (text.size() >= 2 &&
      ((byte(0) == 0xFE && byte(1) == 0xFF) || (byte(0) == 0xFF && byte(1) == 0xFE))) {
    d.judged = false;
    d.problems.push_back(path + ": UTF-16 text; hostward does not judge it");
    return d;
  }
  if (trim(text).empty()) return d;  // dockerd takes an empty file as an empty configuration
  const JsonPositions pos = scan_json_positions(text);
  if (pos.too_deep) {
    d.judged = false;
    d.problems.push_back(path + ": nested deeper than hostward reads; not judged");
    return d;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    const auto* parse = dynamic_cast<const nlohmann::json::parse_error*>(&e);
    const int line = parse != nullptr ? line_of_byte(text, parse->byte) : 0;
    if (std::string_view(e.what()).find("UTF-8") != std::string_view::npos) {
      d.judged = false;  // Go's decoder replaces bad UTF-8 in strings and goes on
      d.problems.push_back(fmt::format("{}:{}: bytes that are not UTF-8; not judged", path, line));
    } else {
      d.refused = true;
      d.problems.push_back(fmt::format("{}:{}: not valid JSON", path, line));
    }
    return d;
  }
  if (!j.is_object()) {
    d.refused = true;
    d.problems.push_back(path + ": not a JSON object");
    return d;
  }
  for (const auto& item : j.items()) {
    const auto it = pos.key_line.find(item.key());
    d.keys[item.key()] = it == pos.key_line.end() ? 0 : it->second;
  }
  refuse_miscased_keys(d, path);
  read_json_hosts(j, pos, d, path);
  read_json_bool(j, "tls", d.tls, d, path);
  read_json_bool(j, "tlsverify", d.tlsverify, d, path);
  read_json_group(j, d, path);
  if (const auto it = j.find("data-root"); it != j.end() && it->is_string())
    d.data_root = it->get<std::string>();
  return d;
}

}  // namespace hostward::audit

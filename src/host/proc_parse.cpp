#include "host/proc_parse.h"

#include <charconv>

namespace hostward::host {

namespace {

template <typename T>
bool to_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\n') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The first run of exactly 64 lowercase hex characters, as container runtimes name their cgroups.
std::string find_container_id(std::string_view path) {
  size_t i = 0;
  while (i < path.size()) {
    size_t j = i;
    while (j < path.size() && is_hex(path.substr(j, 1))) ++j;
    if (j - i == 64) return std::string(path.substr(i, 64));
    i = j + 1;
  }
  return {};
}

std::string runtime_of(std::string_view path) {
  if (path.find("libpod") != std::string_view::npos) return "podman";
  if (path.find("crio") != std::string_view::npos) return "cri-o";
  if (path.find("containerd") != std::string_view::npos) return "containerd";
  if (path.find("docker") != std::string_view::npos) return "docker";
  if (path.find("kubepods") != std::string_view::npos) return "kubernetes";
  return "unknown";
}

}  // namespace

std::optional<StatFields> parse_stat(std::string_view text) {
  // comm is whatever lies between the first "(" and the last ")": it may hold both.
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  StatFields st;
  std::string_view pid_text = text.substr(0, open);
  while (!pid_text.empty() && pid_text.back() == ' ') pid_text.remove_suffix(1);
  if (!to_number(pid_text, st.pid)) return std::nullopt;
  st.comm = std::string(text.substr(open + 1, close - open - 1));
  const auto f = split_ws(text.substr(close + 1));
  // f[0] is field 3 (state); field N is f[N - 3].
  if (f.size() < 22) return std::nullopt;
  if (f[0].size() != 1) return std::nullopt;
  st.state = f[0][0];
  bool ok = to_number(f[1], st.ppid) && to_number(f[2], st.pgrp) && to_number(f[3], st.session) &&
            to_number(f[6], st.flags) && to_number(f[11], st.utime) && to_number(f[12], st.stime) &&
            to_number(f[17], st.num_threads) && to_number(f[19], st.starttime) &&
            to_number(f[21], st.rss_pages);
  if (!ok) return std::nullopt;
  return st;
}

std::optional<StatusFields> parse_status(std::string_view text) {
  StatusFields st;
  bool have_name = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == '\t' || value.front() == ' '))
      value.remove_prefix(1);
    if (key == "Name") {
      // The kernel escapes "\n" and "\\" in Name; keep the text as given.
      st.name = std::string(value);
      have_name = true;
    } else if (key == "Tgid") {
      to_number(value, st.tgid);
    } else if (key == "PPid") {
      to_number(value, st.ppid);
    } else if (key == "Threads") {
      to_number(value, st.threads);
    } else if (key == "Uid" || key == "Gid") {
      const auto f = split_ws(value);
      if (f.size() < 4) continue;
      uint32_t* dst = key == "Uid" ? st.uid : st.gid;
      bool ok = true;
      for (int i = 0; i < 4; ++i) ok = ok && to_number(f[i], dst[i]);
      if (ok && key == "Uid") st.has_uid = true;
    }
  }
  if (!have_name) return std::nullopt;
  return st;
}

std::vector<std::string> split_cmdline(std::string_view text) {
  std::vector<std::string> argv;
  if (text.empty()) return argv;
  if (text.back() == '\0') text.remove_suffix(1);
  size_t pos = 0;
  while (true) {
    const size_t nul = text.find('\0', pos);
    if (nul == std::string_view::npos) {
      argv.emplace_back(text.substr(pos));
      break;
    }
    argv.emplace_back(text.substr(pos, nul - pos));
    pos = nul + 1;
  }
  return argv;
}

CgroupInfo parse_cgroup(std::string_view text) {
  CgroupInfo info;
  std::string v1_path;  // first hierarchy other than "/", used when the unified one says nothing
  bool have_v2 = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    const size_t c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    const size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    const std::string_view path = line.substr(c2 + 1);
    if (line.substr(0, c1) == "0" && c2 == c1 + 1) {
      info.path = std::string(path);
      have_v2 = true;
    } else if (v1_path.empty() && path != "/") {
      v1_path = std::string(path);
    }
    if (info.container_id.empty()) {
      info.container_id = find_container_id(path);
      if (!info.container_id.empty()) info.runtime = runtime_of(path);
    }
  }
  if ((!have_v2 || info.path == "/") && !v1_path.empty()) info.path = v1_path;
  return info;
}

std::optional<uint64_t> parse_ns_link(std::string_view link) {
  const size_t open = link.find(":[");
  if (open == std::string_view::npos || link.empty() || link.back() != ']') return std::nullopt;
  uint64_t ino = 0;
  if (!to_number(link.substr(open + 2, link.size() - open - 3), ino)) return std::nullopt;
  return ino;
}

std::optional<long long> parse_boot_time(std::string_view proc_stat) {
  size_t pos = proc_stat.find("\nbtime ");
  if (pos == std::string_view::npos) {
    if (proc_stat.substr(0, 6) != "btime ") return std::nullopt;
    pos = 0;
  } else {
    pos += 1;
  }
  size_t end = proc_stat.find('\n', pos);
  if (end == std::string_view::npos) end = proc_stat.size();
  long long value = 0;
  if (!to_number(proc_stat.substr(pos + 6, end - pos - 6), value)) return std::nullopt;
  return value;
}

std::map<uint32_t, std::string> parse_passwd(std::string_view text) {
  std::map<uint32_t, std::string> users;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] == '#') continue;
    const size_t c1 = line.find(':');
    if (c1 == std::string_view::npos || c1 == 0) continue;
    const size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    const size_t c3 = line.find(':', c2 + 1);
    if (c3 == std::string_view::npos) continue;
    uint32_t uid = 0;
    if (!to_number(line.substr(c2 + 1, c3 - c2 - 1), uid)) continue;
    users.emplace(uid, std::string(line.substr(0, c1)));  // first entry for a uid wins
  }
  return users;
}

}  // namespace hostward::host

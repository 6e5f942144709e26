#include "audit/mounts.h"

#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace hostward::audit {

namespace {

constexpr size_t kMaxEntries = 100000;

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// The kernel and fstab write space, tab, newline and backslash as \ooo.
std::string unescape_octal(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto digit = [](char c) { return c >= '0' && c <= '7'; };
    if (s[i] == '\\' && i + 3 < s.size() && digit(s[i + 1]) && digit(s[i + 2]) && digit(s[i + 3])) {
      out +=
          static_cast<char>(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += s[i];
  }
  return out;
}

void add_options(std::vector<std::string>& out, std::string_view list) {
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    const auto item = list.substr(start, comma == list.npos ? list.npos : comma - start);
    if (!item.empty()) out.emplace_back(item);
    if (comma == list.npos) break;
    start = comma + 1;
  }
}

template <typename F>
void for_each_line(std::string_view text, F f) {
  size_t start = 0;
  int number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == text.npos) end = text.size();
    f(text.substr(start, end - start), ++number);
    start = end + 1;
  }
}

}  // namespace

bool MountEntry::has_option(std::string_view name) const {
  return std::find(options.begin(), options.end(), name) != options.end();
}

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
  std::vector<MountEntry> out;
  for_each_line(text, [&out](std::string_view line, int number) {
    if (out.size() >= kMaxEntries) return;
    const auto f = fields_of(line);
    // Optional fields between the sixth and the "-" separator.
    const auto dash = std::find(f.begin() + std::min<size_t>(f.size(), 6), f.end(), "-");
    if (f.size() < 6 || dash == f.end() || f.end() - dash < 3) return;
    MountEntry m;
    m.mount_point = unescape_octal(f[4]);
    add_options(m.options, f[5]);
    m.fs_type = std::string(dash[1]);
    m.source = unescape_octal(dash[2]);
    if (f.end() - dash >= 4) add_options(m.options, dash[3]);
    m.line = number;
    out.push_back(std::move(m));
  });
  return out;
}

std::vector<MountEntry> parse_fstab(std::string_view text) {
  std::vector<MountEntry> out;
  for_each_line(text, [&out](std::string_view line, int number) {
    if (out.size() >= kMaxEntries) return;
    const auto f = fields_of(line);
    if (f.size() < 3 || f[0].front() == '#') return;
    MountEntry m;
    m.source = unescape_octal(f[0]);
    m.mount_point = unescape_octal(f[1]);
    m.fs_type = std::string(f[2]);
    if (f.size() >= 4) add_options(m.options, f[3]);
    m.line = number;
    if (m.mount_point.size() > 1 && m.mount_point.back() == '/') m.mount_point.pop_back();
    out.push_back(std::move(m));
  });
  return out;
}

const MountEntry* mount_holding(const std::vector<MountEntry>& mounts, const std::string& path) {
  const MountEntry* best = nullptr;
  for (const auto& m : mounts) {
    const std::string& mp = m.mount_point;
    const bool holds =
        mp == "/" || path == mp ||
        (path.size() > mp.size() && path.compare(0, mp.size(), mp) == 0 && path[mp.size()] == '/');
    if (holds && (best == nullptr || mp.size() >= best->mount_point.size())) best = &m;
  }
  return best;
}

namespace {

bool remote_or_lazy(const std::string& type) {
  static const std::set<std::string> kTypes = {
      "nfs",    "nfs4", "cifs",   "smb3", "smbfs", "9p",    "ceph",  "glusterfs",
      "autofs", "afs",  "lustre", "gpfs", "davfs", "sshfs", "ncpfs", "coda"};
  return kTypes.count(type) > 0 || type.rfind("fuse", 0) == 0;
}

bool kernel_view(const std::string& type) {
  static const std::set<std::string> kTypes = {
      "proc",        "sysfs",      "cgroup",   "cgroup2", "devtmpfs",  "devpts",    "debugfs",
      "tracefs",     "securityfs", "pstore",   "bpf",     "configfs",  "mqueue",    "hugetlbfs",
      "binfmt_misc", "nsfs",       "efivarfs", "overlay", "selinuxfs", "rpc_pipefs"};
  return kTypes.count(type) > 0;
}

// A mount point as a path inside `root`, or "" when it lies outside.
std::string inside(const std::string& mount_point, const std::string& root) {
  if (root.empty() || root == "/") return mount_point;
  if (mount_point == root) return "/";
  if (mount_point.size() > root.size() && mount_point.compare(0, root.size(), root) == 0 &&
      mount_point[root.size()] == '/')
    return mount_point.substr(root.size());
  return "";
}

std::string real_root(const std::string& root) {
  if (root.empty()) return root;
  char buf[PATH_MAX];
  if (::realpath(root.c_str(), buf) == nullptr) return root;
  std::string r = buf;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  return r;
}

}  // namespace

std::vector<std::string> unsafe_mount_points(const std::vector<MountEntry>& mounts,
                                             const std::string& root, bool kernel_views) {
  std::vector<std::string> out;
  const std::string r = real_root(root);
  for (const auto& m : mounts) {
    if (!remote_or_lazy(m.fs_type) && !(kernel_views && kernel_view(m.fs_type))) continue;
    const std::string p = inside(m.mount_point, r);
    if (!p.empty() && p != "/") out.push_back(p);
  }
  return out;
}

std::map<std::string, bool> nosuid_by_mount_point(const std::vector<MountEntry>& mounts,
                                                  const std::string& root) {
  std::map<std::string, bool> out;
  const std::string r = real_root(root);
  for (const auto& m : mounts) {
    const std::string p = inside(m.mount_point, r);
    if (!p.empty()) out[p] = m.has_option("nosuid");
  }
  return out;
}

std::vector<MountEntry> host_mounts() {
  std::ifstream in("/proc/self/mountinfo");
  std::stringstream text;
  text << in.rdbuf();
  return parse_mountinfo(text.str());
}

}  // namespace hostward::audit

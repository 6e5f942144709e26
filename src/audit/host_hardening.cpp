#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <set>

#include "audit/accounts.h"
#include "audit/docker_daemon.h"
#include "audit/modules.h"
#include "audit/mounts.h"
#include "audit/setid_walk.h"
#include "audit/systemd_unit.h"

namespace hostward::audit {

namespace {

const RuleInfo& tmp_exec_info() {
  static const RuleInfo i{
      "config.tmp-exec-allowed",
      Severity::low,
      {"T1059.004", "T1564.001"},
      "a temporary directory lets programs run from it (no noexec)",
      "Every user and every compromised service can write there; the seed's miner ran as "
      "/tmp/mysql. noexec does not stop interpreters, but it stops dropped binaries.",
      "Mount /tmp, /var/tmp and /dev/shm with nodev,nosuid,noexec (an fstab line, or "
      "`systemctl edit tmp.mount`), then remount; check that package scripts and build tools "
      "still work (set TMPDIR for those that need an executable scratch directory)."};
  return i;
}

const RuleInfo& setid_info() {
  static const RuleInfo i{
      "config.suid-in-world-writable",
      Severity::high,
      {"T1548.001"},
      "a set-uid or set-gid program lies where any user can write",
      "Nothing legitimate installs set-id programs in /tmp or another world-writable "
      "directory; one there is a planted backdoor (a root shell copy) or a staging step.",
      "Check who made it (owner, time, `hostward evidence` of any process running it), keep "
      "a copy as evidence, then remove it; find how it got there before trusting the host."};
  return i;
}

constexpr const char* kTempDirs[] = {"/tmp", "/var/tmp", "/dev/shm"};

nlohmann::json mount_json(const MountEntry& m) {
  return {{"mount_point", m.mount_point},
          {"fs_type", m.fs_type},
          {"source", m.source},
          {"options", m.options}};
}

// Live: the kernel's table says what is mounted now.
void tmp_exec_live(const AuditInput& in, const std::string& mountinfo, AuditResult& out) {
  const auto mounts = parse_mountinfo(mountinfo);
  for (const char* dir : kTempDirs) {
    if (!in.files.stat(dir)) continue;
    const MountEntry* m = mount_holding(mounts, dir);
    if (m == nullptr || m->has_option("noexec")) continue;
    const bool own = m->mount_point == dir;
    out.findings.push_back(make_finding(
        tmp_exec_info(), Severity::low,
        own ? fmt::format("{} is mounted without noexec", dir)
            : fmt::format("{} is not a mount of its own: it lies on {} without noexec", dir,
                          m->mount_point),
        {{"kind", "mount"}, {"path", dir}, {"mount_point", m->mount_point}},
        {{"mount", mount_json(*m)}, {"source", "/proc/self/mountinfo"}}, in.hostname, dir));
  }
}

// systemd's tmp.mount when it mounts /tmp at boot (enabled, or a unit of the
// admin's in /etc): the unit file that decided and its options, the last
// Options= of the unit and its drop-ins winning.
std::optional<std::pair<std::string, std::vector<std::string>>> tmp_mount_options(
    const ConfigFiles& files) {
  const bool enabled =
      unit_enabled(files, "tmp.mount") || files.stat("/etc/systemd/system/tmp.mount").has_value();
  if (!enabled) return std::nullopt;
  const SystemdUnit unit = read_systemd_unit(files, "tmp.mount", "Mount");
  if (unit.path.empty() || unit.masked) return std::nullopt;
  std::pair<std::string, std::vector<std::string>> out{unit.path, {}};
  for (const auto& s : unit.settings) {
    if (s.key != "Options") continue;
    out.first = s.path;
    out.second.clear();
    size_t start = 0;
    while (start <= s.value.size()) {
      const size_t comma = s.value.find(',', start);
      out.second.push_back(
          s.value.substr(start, comma == std::string::npos ? comma : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

// Offline: what fstab (or systemd's tmp.mount) would mount at boot.
void tmp_exec_offline(const AuditInput& in, AuditResult& out) {
  const auto fstab_text = in.files.read("/etc/fstab");
  const auto fstab = fstab_text ? parse_fstab(*fstab_text) : std::vector<MountEntry>{};
  for (const char* dir : kTempDirs) {
    if (!in.files.stat(dir) && std::string_view(dir) != "/dev/shm") continue;
    const MountEntry* m = nullptr;
    for (const auto& e : fstab)
      if (e.mount_point == dir) m = &e;
    nlohmann::json subject = {{"kind", "config"}, {"path", "/etc/fstab"}, {"setting", dir}};
    std::string title;
    if (m != nullptr) {
      if (m->has_option("noexec")) continue;
      subject["line"] = m->line;
      title = fmt::format("{} is mounted without noexec (/etc/fstab line {})", dir, m->line);
    } else if (const auto unit = tmp_mount_options(in.files);
               unit && std::string_view(dir) == "/tmp") {
      // systemd's tmp.mount, enabled or written in /etc: its Options= decide.
      if (std::find(unit->second.begin(), unit->second.end(), "noexec") != unit->second.end())
        continue;
      subject["path"] = unit->first;
      title = fmt::format("/tmp is mounted by {} without noexec", unit->first);
    } else if (std::string_view(dir) == "/dev/shm") {
      title = "/dev/shm has no fstab line: systemd mounts it without noexec";
    } else {
      title = fmt::format(
          "{} has no fstab line: it lies on its parent file system, "
          "without noexec",
          dir);
    }
    out.findings.push_back(make_finding(
        tmp_exec_info(), Severity::low, title, subject,
        m ? nlohmann::json{{"mount", mount_json(*m)}} : nlohmann::json{{"mount", nullptr}},
        in.hostname, dir));
  }
}

// Accounts and groups as good as root: uid 0, the groups of raw disks,
// password hashes, the Docker and LXD sockets and sudo, and their members.
struct Privileged {
  std::set<uint32_t> users = {0};
  std::set<uint32_t> groups = {0};
};

Privileged privileged_ids(const ConfigFiles& files) {
  static const std::set<std::string> kRootGroups = {"disk", "shadow", "docker", "sudo", "lxd"};
  Privileged p;
  const auto groups = read_groups(files);
  std::set<std::string> members;
  for (const auto& g : groups) {
    if (!kRootGroups.count(g.name)) continue;
    p.groups.insert(g.gid);
    members.insert(g.members.begin(), g.members.end());
  }
  for (const auto& a : read_accounts(files))
    if (p.groups.count(a.gid) || members.count(a.name)) p.users.insert(a.uid);
  return p;
}

// dockerd's "data-root": containers' layers are plain directories there, and
// a job's /tmp inside them is world-writable.
std::optional<std::string> docker_data_root(const ConfigFiles& files) {
  const auto text = files.read("/etc/docker/daemon.json");
  if (!text) return std::nullopt;
  auto root = parse_daemon_json(*text, "/etc/docker/daemon.json").data_root;
  if (!root || root->empty() || (*root)[0] != '/') return std::nullopt;
  while (root->size() > 1 && root->back() == '/') root->pop_back();
  return root;
}

}  // namespace

void host_hardening_register(RuleCatalog& catalog) {
  catalog.add(tmp_exec_info());
  catalog.add(setid_info());
}

void host_hardening_rules(const AuditInput& in, AuditResult& out) {
  if (in.live != nullptr) {
    const auto mountinfo = in.files.read("/proc/self/mountinfo");
    if (mountinfo) {
      tmp_exec_live(in, *mountinfo, out);
      out.judged(tmp_exec_info().id);
    } else {
      out.unknown(tmp_exec_info().id, "/proc/self/mountinfo is not readable");
    }
  } else if (in.files.read("/etc/fstab")) {
    tmp_exec_offline(in, out);
    out.judged(tmp_exec_info().id);
  } else {  // an image or a container's root: its runtime decides the mounts
    out.not_applicable(tmp_exec_info().id, "no /etc/fstab in the tree");
  }

  if (!in.files.memory.empty()) return;  // the walk needs a real tree
  SetidWalkOptions options;
  const auto mounts = host_mounts();  // a tree under --root is mounted on this host too
  for (auto& p : unsafe_mount_points(mounts, in.files.root, true)) options.skipped.insert(p);
  if (auto data_root = docker_data_root(in.files)) options.skipped.insert(std::move(*data_root));
  // An offline tree is often mounted nosuid for inspection: the host's mount
  // options say nothing about the machine the tree comes from.
  if (in.files.root.empty()) options.nosuid = nosuid_by_mount_point(mounts, in.files.root);
  const SetidWalk walk = walk_setid_in_world_writable(in.files.root, options);
  for (const auto& e : walk.errors) out.errors.push_back({"config", e});
  if (!walk.complete) {
    out.unknown(setid_info().id, walk.incomplete_reason);
  } else {
    out.judged(setid_info().id);
  }
  const Privileged privileged = privileged_ids(in.files);
  for (const auto& f : walk.found) {
    const bool suid = (f.mode & 04000) != 0 && (f.mode & (S_IXGRP | S_IXOTH)) != 0;
    const bool sgid = (f.mode & 02000) != 0 && (f.mode & S_IXGRP) != 0;
    if (!suid && !sgid) continue;  // only its owner can run it: nothing to gain
    // Whoever runs it becomes its owner or group: root, or as good as root.
    const bool to_root =
        (suid && privileged.users.count(f.uid)) || (sgid && privileged.groups.count(f.gid));
    out.findings.push_back(
        make_finding(setid_info(), to_root ? Severity::high : Severity::low,
                     fmt::format("{} is set-{} (owner uid {}, group {}) under the "
                                 "world-writable {}",
                                 f.path,
                                 suid && sgid ? "uid and set-gid"
                                 : suid       ? "uid"
                                              : "gid",
                                 f.uid, f.gid, f.writable_dir),
                     {{"kind", "file"}, {"path", f.path}},
                     {{"mode", fmt::format("{:04o}", f.mode & 07777)},
                      {"uid", f.uid},
                      {"gid", f.gid},
                      {"size", f.size},
                      {"to_root", to_root},
                      {"world_writable_dir", f.writable_dir}},
                     in.hostname, f.path));
  }
}

}  // namespace hostward::audit

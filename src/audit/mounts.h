#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

// Mount tables: the kernel's /proc/PID/mountinfo (what is mounted now) and
// /etc/fstab (what is mounted at boot).
namespace hostward::audit {

struct MountEntry {
  std::string mount_point;  // octal escapes (\040) decoded
  std::string fs_type;
  std::string source;
  std::vector<std::string> options;  // per-mount options, then the superblock's
  int line = 0;
  bool has_option(std::string_view name) const;
};

// proc(5) mountinfo: "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root
// rw,errors=continue". Malformed lines are skipped; at most 100,000 entries.
std::vector<MountEntry> parse_mountinfo(std::string_view text);

// fstab(5): "source mount_point type options [dump [pass]]", `#` comments.
std::vector<MountEntry> parse_fstab(std::string_view text);

// The entry that holds `path`: the longest mount point that is `path` or a
// directory above it, the last listed when several are (a later mount hides
// an earlier one). Null when none does.
const MountEntry* mount_holding(const std::vector<MountEntry>& mounts, const std::string& path);

// What a scan must not enter, from this host's mount table, as paths inside
// `root` ("" for /; mounts outside it are left out): network, FUSE and
// automount file systems (a hung server hangs whoever touches them), and
// with `kernel_views` also proc, sysfs, cgroup and the like.
std::vector<std::string> unsafe_mount_points(const std::vector<MountEntry>& mounts,
                                             const std::string& root, bool kernel_views);

// Every mount point inside `root`, and whether it is mounted nosuid (no
// file there gains privilege); a later mount at the same place wins.
std::map<std::string, bool> nosuid_by_mount_point(const std::vector<MountEntry>& mounts,
                                                  const std::string& root);

// This host's own mount table (/proc/self/mountinfo), empty when unreadable.
std::vector<MountEntry> host_mounts();

}  // namespace hostward::audit

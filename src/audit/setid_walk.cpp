#include "audit/setid_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <chrono>
#include <set>

namespace hostward::audit {

namespace {

constexpr int kMaxDepth = 128;

// Never entered: kernel views, and container runtimes' and builders' stores
// (0700 to users, so nothing there is reachable to them anyway; running
// containers' layers there are plain directories with their own /tmp).
const std::set<std::string> kSkippedPaths = {"/proc",
                                             "/sys",
                                             "/dev",
                                             "/var/lib/docker",
                                             "/var/lib/containerd",
                                             "/var/lib/containers",
                                             "/var/lib/buildkit",
                                             "/var/lib/rancher",
                                             "/var/lib/kubelet",
                                             "/var/lib/lxc",
                                             "/var/lib/lxd",
                                             "/var/lib/incus",
                                             "/var/snap/docker",
                                             "/var/snap/lxd"};

// A device change the mount table did not announce is checked by magic.
bool skipped_fs_magic(long type) {
  switch (static_cast<unsigned long>(type)) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case NFS_SUPER_MAGIC:
    case 0x65735546UL:  // FUSE
    case 0xFF534D42UL:  // CIFS
    case 0xFE534D42UL:  // SMB2
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case OVERLAYFS_SUPER_MAGIC:
    case AUTOFS_SUPER_MAGIC:
      return true;
    default:
      return false;
  }
}

class Walker {
 public:
  Walker(const SetidWalkOptions& options, SetidWalk& result)
      : options_(options), result_(result), start_(std::chrono::steady_clock::now()) {}

  // `fd` is an open directory at `path` (relative to the walked root).
  void walk(int fd, const std::string& path, dev_t dev, const std::string& writable, int depth,
            bool nosuid) {
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
      ::close(fd);
      return;
    }
    while (const dirent* e = ::readdir(dir)) {
      if (stopped()) break;
      const std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      const std::string child = (path == "/" ? "" : path) + "/" + name;
      unsigned char type = e->d_type;
      if (type == DT_UNKNOWN) {  // a file system without d_type: ask
        struct stat st {};
        if (::fstatat(::dirfd(dir), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
      }
      if (type == DT_DIR) {
        enter(::dirfd(dir), name, child, dev, writable, depth, nosuid);
      } else if (type == DT_REG && !writable.empty() && !nosuid) {
        check_file(::dirfd(dir), name, child, writable);
      }
    }
    ::closedir(dir);
  }

  void enter(int parent, const std::string& name, const std::string& child, dev_t dev,
             const std::string& writable, int depth, bool nosuid) {
    if (kSkippedPaths.count(child) || options_.skipped.count(child)) return;
    if (const auto m = options_.nosuid.find(child); m != options_.nosuid.end()) nosuid = m->second;
    if (depth >= kMaxDepth) {
      if (!depth_noted_)
        result_.errors.push_back(
            fmt::format("set-id search: {} is nested deeper than {} directories; not "
                        "searched below",
                        child, kMaxDepth));
      depth_noted_ = true;
      return;
    }
    const int fd = ::openat(parent, name.c_str(),
                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return;
    }
    if (st.st_dev != dev) {
      struct statfs fs {};
      if (::fstatfs(fd, &fs) == 0 && skipped_fs_magic(fs.f_type)) {
        ::close(fd);
        return;
      }
    }
    ++result_.entries;
    const std::string below = (st.st_mode & S_IWOTH) ? child : writable;
    walk(fd, child, st.st_dev, below, depth + 1, nosuid);
  }

  void check_file(int parent, const std::string& name, const std::string& child,
                  const std::string& writable) {
    ++result_.entries;
    struct stat st {};
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
      return;
    const bool setuid = (st.st_mode & S_ISUID) != 0;
    const bool setgid = (st.st_mode & S_ISGID) != 0 && (st.st_mode & S_IXGRP) != 0;
    if (!setuid && !setgid) return;
    if (result_.found.size() >= 1000) return;
    result_.found.push_back(
        {child, st.st_mode, st.st_uid, st.st_gid, static_cast<long long>(st.st_size), writable});
  }

  bool stopped() {
    if (!result_.complete) return true;
    if (result_.entries >= options_.max_entries) {
      result_.complete = false;
      result_.incomplete_reason = fmt::format("stopped after {} entries", result_.entries);
    } else if ((++ticks_ & 4095) == 0 &&
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() >
                   options_.max_seconds) {
      result_.complete = false;
      result_.incomplete_reason =
          fmt::format("stopped after {} s and {} entries", options_.max_seconds, result_.entries);
    }
    return !result_.complete;
  }

 private:
  const SetidWalkOptions& options_;
  SetidWalk& result_;
  std::chrono::steady_clock::time_point start_;
  size_t ticks_ = 0;
  bool depth_noted_ = false;
};

}  // namespace

SetidWalk walk_setid_in_world_writable(const std::string& root, const SetidWalkOptions& options) {
  SetidWalk result;
  Walker walker(options, result);
  const std::string top = root.empty() ? "/" : root;
  const int fd = ::open(top.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    result.complete = false;
    result.incomplete_reason = "cannot open " + top;
    return result;
  }
  struct stat st {};
  ::fstat(fd, &st);
  const auto nosuid_of = [&options](const std::string& path) {
    const auto m = options.nosuid.find(path);
    return m != options.nosuid.end() && m->second;
  };
  // /dev is skipped as a whole; its shared-memory tmpfs is walked on its own,
  // reached without following a link (an image's /dev may be one).
  const int dev = ::openat(fd, "dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  const int shm =
      dev < 0 ? -1 : ::openat(dev, "shm", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dev >= 0) ::close(dev);
  walker.walk(fd, "/", st.st_dev, (st.st_mode & S_IWOTH) ? "/" : "", 0, nosuid_of("/"));
  if (shm >= 0) {
    struct stat sst {};
    ::fstat(shm, &sst);
    walker.walk(shm, "/dev/shm", sst.st_dev, (sst.st_mode & S_IWOTH) ? "/dev/shm" : "", 1,
                nosuid_of("/dev/shm"));
  }
  if (!result.complete)
    result.errors.push_back("set-id search incomplete: " + result.incomplete_reason);
  return result;
}

}  // namespace hostward::audit

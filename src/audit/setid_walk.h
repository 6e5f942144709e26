#pragma once
#include <sys/types.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "audit/mounts.h"

namespace hostward::audit {

struct SetidFile {
  std::string path;
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  long long size = 0;
  std::string writable_dir;  // the nearest world-writable directory above it
};

struct SetidWalkOptions {
  // Paths inside the tree never entered: kernel views, network, FUSE and
  // automount file systems from this host's mount table (a hung server must
  // not hang the scan; unsafe_mount_points).
  std::set<std::string> skipped;
  // Mount points inside the tree and whether they are nosuid: set-id files
  // there gain nothing and are not reported.
  std::map<std::string, bool> nosuid;
  size_t max_entries = 5'000'000;
  double max_seconds = 60;
};

struct SetidWalk {
  std::vector<SetidFile> found;
  std::vector<std::string> errors;
  bool complete = true;
  std::string incomplete_reason;
  size_t entries = 0;
};

// Every set-uid, or set-gid and group-executable, regular file below a
// world-writable directory of the tree at `root` ("" for /), found without
// following a symlink. Only directories are stat'ed outside world-writable
// subtrees, so the walk costs about one getdents per directory.
SetidWalk walk_setid_in_world_writable(const std::string& root, const SetidWalkOptions& options);

}  // namespace hostward::audit

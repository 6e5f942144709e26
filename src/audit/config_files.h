#pragma once
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hostward::audit {

// Where config files come from: the live host, an offline tree under --root,
// or a process's own root (/proc/PID/root). Reads never leave the root
// (openat2 RESOLVE_IN_ROOT: an absolute symlink in an image stays in the
// image), never block (O_NONBLOCK, regular files only: a FIFO or a device is
// refused), and take at most 4 MiB.
// What stat(2) says of a path, the few fields the rules judge.
struct FileFacts {
  mode_t mode = 0;  // type and permission bits
  uid_t uid = 0;
  gid_t gid = 0;
  bool is_dir() const;
  bool is_regular() const;
  bool world_writable() const;  // o+w, and not a symlink
};

struct ConfigFiles {
  std::string root;  // "" for the live host
  // When not empty, the only files there are (tests and fuzzing): path -> content.
  std::map<std::string, std::string> memory;
  // When set, only files this user owns are read: a postmaster's
  // configuration is what its own user wrote (it cannot point us at /etc/shadow).
  std::optional<unsigned> owner;

  // With follow_links false, a symlink anywhere on the path is refused
  // (RESOLVE_NO_SYMLINKS): for files in users' homes, which they could swap
  // for a link to a device whose open has effects.
  std::optional<std::string> read(const std::string& path, bool follow_links = true) const;
  // A file a user writes (a shell history): the directories on the way may be
  // links (a home under /data, resolved inside root), the file itself may not,
  // and it must be the user's own, or root's with one name (never a hard link
  // to a file the user could not read).
  std::optional<std::string> read_users_file(const std::string& path, unsigned uid) const;
  // A symlink's target, not followed; nullopt when `path` is not a link. In
  // memory the link's target is the content stored for the path.
  std::optional<std::string> read_link(const std::string& path) const;
  // Paths matching a glob under root, in lexical order (as glob(3) sorts).
  std::vector<std::string> glob(const std::string& pattern) const;
  // lstat(2) inside root (a symlink is reported as one); nullopt when absent.
  // In memory: a file present is 0644 root:root unless `memory_facts` says
  // otherwise; a prefix of a present file is a 0755 directory.
  std::optional<FileFacts> stat(const std::string& path) const;
  std::map<std::string, FileFacts> memory_facts;
  // Mount points (inside root) of network, FUSE and automount file systems:
  // nothing at or below them is read, stat'ed or listed, so a hung server
  // cannot hang the scan. Filled from the live mount table.
  std::vector<std::string> skipped_mounts;
  bool skipped(const std::string& path) const;
  // Names in a directory inside root, sorted, without . and ..; empty when unreadable.
  std::vector<std::string> list(const std::string& dir) const;
};

// ASCII lowercase: keywords of sshd and PostgreSQL are compared without case.
std::string lowercase(std::string s);

// An include's target: absolute as written, else relative to the including file's directory.
std::string relative_to(const std::string& including_file, const std::string& name);

}  // namespace hostward::audit

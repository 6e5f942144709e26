#include "respond/evidence.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>

#include "core/fingerprint.h"
#include "core/time_format.h"
#include "host/proc_fs.h"
#include "host/proc_parse.h"
#include "hostward/version.h"
#include "respond/proc_text.h"

namespace hostward::respond {

namespace {

using nlohmann::json;

// A new file in the evidence directory, hashed as it is written.
class EvidenceFile {
 public:
  EvidenceFile(int dirfd, const std::string& name) : name_(name) {
    fd_ = ::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ < 0) error_ = name + ": " + std::strerror(errno);
  }
  ~EvidenceFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  void write(const void* data, size_t n) {
    if (fd_ < 0) return;
    hash_.update(data, n);
    size_t put = 0;
    while (put < n) {
      const ssize_t w = ::write(fd_, static_cast<const char*>(data) + put, n - put);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        error_ = name_ + ": " + std::strerror(errno);
        return;
      }
      put += static_cast<size_t>(w);
    }
    size_ += n;
  }
  // Closes the file (fsync first) and returns its manifest entry.
  json finish() {
    if (fd_ >= 0) {
      ::fsync(fd_);
      ::close(fd_);
      fd_ = -1;
    }
    return {{"path", name_}, {"size", size_}, {"sha256", hash_.hex()}};
  }

 private:
  std::string name_;
  int fd_ = -1;
  Sha256 hash_;
  uint64_t size_ = 0;
  std::string error_;
};

class Capture {
 public:
  Capture(int dirfd, const EvidenceOptions& o) : dirfd_(dirfd), options_(o) {}

  json process(const ProcKey& key) {
    json p = {{"pid", key.pid}, {"start_ticks", key.start_ticks}};
    json errors = json::array();
    const std::string proc = "/proc/" + std::to_string(key.pid);
    host::Fd pdir(::open(proc.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!pdir.valid()) {
      p["errors"] = json::array({"gone before evidence could be taken"});
      return p;
    }
    const auto stat_text = host::read_file_at(pdir.get(), "stat", 4096);
    const auto st = stat_text ? host::parse_stat(*stat_text) : std::nullopt;
    if (!st || st->starttime != key.start_ticks) {
      p["errors"] = json::array({"gone, or its PID now belongs to another process"});
      return p;
    }
    const std::string sub = "pid-" + std::to_string(key.pid);
    ::mkdirat(dirfd_, sub.c_str(), 0700);
    p["ppid"] = st->ppid;
    p["pgrp"] = st->pgrp;
    p["session"] = st->session;
    p["comm"] = st->comm;
    p["state"] = std::string(1, st->state);

    // Raw copies, each named in the manifest with its hash.
    for (const char* name :
         {"cmdline", "environ", "status", "stat", "limits", "cgroup", "maps", "mountinfo",
          "net/tcp", "net/tcp6", "net/udp", "net/udp6", "net/unix"}) {
      const auto text = host::read_file_at(pdir.get(), name, 16u << 20);
      if (!text) {
        errors.push_back(std::string(name) + ": " + std::strerror(errno));
        continue;
      }
      std::string flat = name;  // net/tcp -> net_tcp
      std::replace(flat.begin(), flat.end(), '/', '_');
      const std::string file = sub + "/" + flat;
      raw_[name] = *text;
      write_file(file, *text, errors);
    }
    if (auto it = raw_.find("cmdline"); it != raw_.end())
      p["argv"] = host::split_cmdline(it->second);
    if (auto it = raw_.find("environ"); it != raw_.end())
      p["environ"] = host::split_cmdline(it->second);
    if (auto it = raw_.find("status"); it != raw_.end()) {
      if (const auto s = host::parse_status(it->second)) {
        p["uid"] = {s->uid[0], s->uid[1], s->uid[2], s->uid[3]};
        p["gid"] = {s->gid[0], s->gid[1], s->gid[2], s->gid[3]};
        p["threads"] = s->threads;
      }
    }
    if (auto it = raw_.find("cgroup"); it != raw_.end())
      p["cgroup"] = host::parse_cgroup(it->second).path;
    for (const char* link : {"cwd", "root", "exe"}) {
      if (const auto l = host::read_link_at(pdir.get(), link)) p[link] = *l;
    }
    json ns = json::object();
    for (const char* n : {"pid", "mnt", "net", "user", "uts", "ipc", "cgroup", "time"}) {
      const std::string rel = std::string("ns/") + n;
      if (const auto l = host::read_link_at(pdir.get(), rel.c_str())) ns[n] = *l;
    }
    p["namespaces"] = ns;
    p["fds"] = fds(pdir.get());
    p["executable"] = executable(pdir.get(), sub, errors);
    if (options_.memory) p["memory"] = memory(pdir.get(), sub, errors);
    p["errors"] = errors;
    raw_.clear();
    return p;
  }

  json files() const { return files_; }

 private:
  void write_file(const std::string& name, const std::string& data, json& errors) {
    EvidenceFile f(dirfd_, name);
    f.write(data.data(), data.size());
    if (!f.ok()) errors.push_back(f.error());
    files_.push_back(f.finish());
  }

  json fds(int pdir) {
    std::map<uint64_t, NetEntry> sockets;
    for (const char* proto : {"tcp", "tcp6", "udp", "udp6", "unix"}) {
      const auto it = raw_.find(std::string("net/") + proto);
      if (it == raw_.end()) continue;
      for (auto& e : parse_proc_net(it->second, proto)) sockets[e.inode] = e;
    }
    json out = json::array();
    const int fddir = ::openat(pdir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fddir < 0) return out;
    for (const auto& name : host::list_dir(fddir, ".")) {
      const auto target = host::read_link_at(fddir, name.c_str());
      if (!target) continue;
      json fd = {{"fd", std::atoi(name.c_str())}, {"target", *target}};
      unsigned long long inode = 0;
      if (std::sscanf(target->c_str(), "socket:[%llu]", &inode) == 1) {
        if (auto it = sockets.find(inode); it != sockets.end()) {
          fd["socket"] = {{"proto", it->second.proto},
                          {"local", it->second.local},
                          {"remote", it->second.remote},
                          {"state", it->second.state}};
        }
      }
      out.push_back(std::move(fd));
    }
    ::close(fddir);
    std::sort(out.begin(), out.end(),
              [](const json& a, const json& b) { return a["fd"].get<int>() < b["fd"].get<int>(); });
    return out;
  }

  // The running image through /proc/PID/exe: the original bytes even when the
  // file was deleted or is a memfd.
  json executable(int pdir, const std::string& sub, json& errors) {
    json e = json::object();
    const int fd = ::openat(pdir, "exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      errors.push_back(std::string("exe: ") + std::strerror(errno));
      return e;
    }
    // One copy per image: a watchdog and the miner it respawns share theirs.
    struct stat st {};
    const bool known = ::fstat(fd, &st) == 0;
    const auto id =
        std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
    if (known) {
      if (auto it = images_.find(id); it != images_.end()) {
        ::close(fd);
        return it->second;
      }
    }
    EvidenceFile f(dirfd_, sub + "/exe");
    char buf[1 << 16];
    uint64_t total = 0;
    bool truncated = false;
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) {
      if (total + static_cast<uint64_t>(n) > options_.max_exe_bytes) {
        truncated = true;
        break;
      }
      f.write(buf, static_cast<size_t>(n));
      total += static_cast<uint64_t>(n);
    }
    ::close(fd);
    if (!f.ok()) errors.push_back(f.error());
    json entry = f.finish();
    files_.push_back(entry);
    e["file"] = entry["path"];
    e["size"] = entry["size"];
    e["sha256"] = entry["sha256"];
    if (truncated) e["truncated"] = true;
    if (known) images_[id] = e;
    return e;
  }

  json memory(int pdir, const std::string& sub, json& errors) {
    json out = json::array();
    const auto it = raw_.find("maps");
    if (it == raw_.end()) return out;
    const int mem = ::openat(pdir, "mem", O_RDONLY | O_CLOEXEC);
    if (mem < 0) {
      errors.push_back(std::string("mem: ") + std::strerror(errno));
      return out;
    }
    std::vector<char> buf(1 << 16);
    for (const auto& r : parse_maps(it->second)) {
      if (!r.writable_anonymous()) continue;
      const uint64_t left = options_.max_bytes - memory_bytes_;
      json region = {{"start", r.start}, {"end", r.end}, {"perms", r.perms}, {"name", r.name}};
      if (left == 0) {
        region["skipped"] = "--max-bytes reached";
        out.push_back(std::move(region));
        continue;
      }
      char name[64];
      std::snprintf(name, sizeof name, "/mem-%llx-%llx.bin",
                    static_cast<unsigned long long>(r.start),
                    static_cast<unsigned long long>(r.end));
      EvidenceFile f(dirfd_, sub + name);
      uint64_t want = std::min<uint64_t>(r.end - r.start, left);
      uint64_t at = r.start;
      while (want > 0) {
        const ssize_t n =
            ::pread(mem, buf.data(), std::min<uint64_t>(want, buf.size()), static_cast<off_t>(at));
        if (n <= 0) break;  // an unreadable page (guard, I/O): what came before is kept
        f.write(buf.data(), static_cast<size_t>(n));
        at += static_cast<uint64_t>(n);
        want -= static_cast<uint64_t>(n);
      }
      memory_bytes_ += at - r.start;
      if (!f.ok()) errors.push_back(f.error());
      json entry = f.finish();
      files_.push_back(entry);
      region["file"] = entry["path"];
      region["bytes"] = entry["size"];
      region["sha256"] = entry["sha256"];
      if (at - r.start < r.end - r.start) region["truncated"] = true;
      out.push_back(std::move(region));
    }
    ::close(mem);
    return out;
  }

  int dirfd_;
  const EvidenceOptions& options_;
  json files_ = json::array();
  std::map<std::string, std::string> raw_;
  std::map<std::pair<uint64_t, uint64_t>, json> images_;
  uint64_t memory_bytes_ = 0;
};

std::string archive_name() {
  return archive_libzstd_version() != nullptr ? "evidence.tar.zst" : "evidence.tar.gz";
}

bool write_archive(int dirfd, const json& files, const std::string& name, std::string& error) {
  const int out =
      ::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) {
    error = name + ": " + std::strerror(errno);
    return false;
  }
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  // zstd in-process when libarchive has it (fast at low levels: executables
  // can be large); never a filter that would run an external program.
  if (archive_libzstd_version() != nullptr) {
    archive_write_add_filter_zstd(a);
    archive_write_set_filter_option(a, "zstd", "compression-level", "1");
  } else {
    archive_write_add_filter_gzip(a);
    archive_write_set_filter_option(a, "gzip", "compression-level", "1");
  }
  bool ok = archive_write_open_fd(a, out) == ARCHIVE_OK;
  std::vector<char> buf(1 << 16);
  for (const auto& f : files) {
    if (!ok) break;
    const std::string path = f["path"];
    const int in = ::openat(dirfd, path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0) continue;
    struct stat st {};
    ::fstat(in, &st);
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, path.c_str());
    archive_entry_set_size(e, st.st_size);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0600);
    archive_entry_set_mtime(e, st.st_mtime, 0);
    ok = archive_write_header(a, e) == ARCHIVE_OK;
    ssize_t n;
    while (ok && (n = ::read(in, buf.data(), buf.size())) > 0)
      ok = archive_write_data(a, buf.data(), static_cast<size_t>(n)) == n;
    archive_entry_free(e);
    ::close(in);
  }
  if (!ok) error = std::string("archive: ") + archive_error_string(a);
  archive_write_close(a);
  archive_write_free(a);
  ::fsync(out);
  ::close(out);
  return ok;
}

json hash_file(int dirfd, const std::string& name) {
  const int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  uint64_t size = 0;
  const auto digest = fd >= 0 ? sha256_hex_of_fd(fd, &size) : std::nullopt;
  if (fd >= 0) ::close(fd);
  return {{"path", name}, {"size", size}, {"sha256", digest.value_or("")}};
}

// A symlink among the directories above `path` that is not root's (or
// ours): someone could aim the evidence at a place of their choosing.
std::string foreign_link_on_the_way(const std::string& path) {
  std::string prefix;
  size_t at = 0;
  while ((at = path.find('/', at + 1)) != std::string::npos) {
    prefix = path.substr(0, at);
    struct stat st {};
    if (::lstat(prefix.c_str(), &st) == 0 && S_ISLNK(st.st_mode) && st.st_uid != 0 &&
        st.st_uid != ::geteuid())
      return prefix;
  }
  return {};
}

}  // namespace

EvidenceResult capture_evidence(const std::vector<ProcKey>& processes,
                                const EvidenceOptions& options) {
  EvidenceResult r;
  r.dir = options.out_dir;
  while (r.dir.size() > 1 && r.dir.back() == '/') r.dir.pop_back();
  if (r.dir.empty()) {
    r.error = "no evidence directory given";
    return r;
  }
  if (const std::string link = foreign_link_on_the_way(r.dir); !link.empty()) {
    r.error = r.dir + ": " + link + " on the way is a link another user owns; refused";
    return r;
  }
  if (::mkdir(r.dir.c_str(), 0700) != 0) {
    r.error =
        r.dir + ": " +
        (errno == EEXIST ? std::string("exists already (evidence goes only into a new directory)")
                         : std::string(std::strerror(errno)));
    return r;
  }
  host::Fd dir(::open(r.dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (!dir.valid() || ::fstat(dir.get(), &st) != 0 || st.st_uid != ::geteuid()) {
    r.error = r.dir + ": cannot open the directory just made (replaced?)";
    return r;
  }
  ::fchmod(dir.get(), 0700);  // whatever the umask

  Capture capture(dir.get(), options);
  json procs = json::array();
  for (const auto& k : processes) procs.push_back(capture.process(k));
  json files = capture.files();
  json manifest = {{"schema", "hostward-evidence/v1"},
                   {"tool", {{"name", "hostward"}, {"version", kVersion}}},
                   {"created", rfc3339_utc(std::time(nullptr))},
                   {"processes", procs},
                   {"files", files},
                   {"errors", json::array()}};
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) manifest["host"] = host;
  if (options.archive) {
    std::string error;
    if (write_archive(dir.get(), files, archive_name(), error)) {
      manifest["archive"] = hash_file(dir.get(), archive_name());
      r.archive_path = r.dir + "/" + archive_name();
    } else {
      manifest["errors"].push_back(error);
    }
  }
  const std::string text =
      manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  EvidenceFile mf(dir.get(), "manifest.json");
  mf.write(text.data(), text.size());
  mf.finish();
  ::fsync(dir.get());
  r.ok = mf.ok();
  if (!r.ok) r.error = mf.error();
  r.manifest_path = r.dir + "/manifest.json";
  r.manifest = std::move(manifest);
  return r;
}

}  // namespace hostward::respond

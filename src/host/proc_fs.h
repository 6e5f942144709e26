#pragma once
#include <optional>
#include <string>
#include <vector>

// Low-level access to /proc that neither trusts libc's readdir (an LD_PRELOAD
// hook can filter it) nor follows links an attacker could plant.
namespace hostward::host {

// PIDs listed by /proc, read with the getdents64 system call directly.
// Throws std::system_error when /proc cannot be opened.
std::vector<int> list_pids(const std::string& proc_root = "/proc");

// Names in a directory, through getdents64; empty when it cannot be opened.
std::vector<std::string> list_dir(int dirfd, const char* name);

// Reads up to max_bytes of a file relative to dirfd (O_NOFOLLOW). Sets *truncated
// when there was more. nullopt on any error (errno preserved).
std::optional<std::string> read_file_at(int dirfd, const char* name, size_t max_bytes,
                                        bool* truncated = nullptr);

std::optional<std::string> read_link_at(int dirfd, const char* name);

// An O_PATH-free owning fd.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_ = -1;
};

}  // namespace hostward::host

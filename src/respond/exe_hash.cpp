#include "respond/exe_hash.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "respond/proc_handle.h"

namespace hostward::respond {

std::string ExeHasher::hash(int pid, unsigned long long start_ticks) {
  const std::string path = "/proc/" + std::to_string(pid) + "/exe";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || start_ticks_of(pid) != start_ticks) {
    ::close(fd);
    return {};
  }
  const auto key =
      std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
  if (auto it = by_file_.find(key); it != by_file_.end()) {
    ::close(fd);
    return it->second;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) EVP_DigestUpdate(ctx, buf, static_cast<size_t>(n));
  ::close(fd);
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx, d, &len);
  EVP_MD_CTX_free(ctx);
  if (n < 0) return {};
  static const char* k = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < len; ++i) {
    s += k[d[i] >> 4];
    s += k[d[i] & 15];
  }
  by_file_[key] = s;
  return s;
}

}  // namespace hostward::respond

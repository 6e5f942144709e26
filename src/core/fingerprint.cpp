#include "core/fingerprint.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <stdexcept>

namespace hostward {

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest(sha256) failed");
  }
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string make_fingerprint(std::string_view hostname, std::string_view rule,
                             std::string_view subject_key) {
  std::string material;
  material.append(hostname).append("\x1f").append(rule).append("\x1f").append(subject_key);
  return sha256_hex(material).substr(0, 32);
}

}  // namespace hostward

namespace hostward {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::update(const void* data, size_t n) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, n);
}

std::string Sha256::hex() {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), d, &len);
  static const char* k = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < len; ++i) {
    s += k[d[i] >> 4];
    s += k[d[i] & 15];
  }
  return s;
}

std::optional<std::string> sha256_hex_of_fd(int fd, uint64_t* bytes) {
  Sha256 h;
  char buf[1 << 16];
  uint64_t total = 0;
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    h.update(buf, static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
  }
  if (n < 0) return std::nullopt;
  if (bytes) *bytes = total;
  return h.hex();
}

}  // namespace hostward

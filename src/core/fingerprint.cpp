#include "core/fingerprint.h"

#include <fmt/format.h>
#include <openssl/evp.h>

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

#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hostward {

// Hex SHA-256 of the input (OpenSSL EVP).
std::string sha256_hex(std::string_view data);

// SHA-256 fed in pieces (files, images read from /proc), as lowercase hex.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t n);
  std::string hex();  // ends it

 private:
  void* ctx_;
};

// SHA-256 of everything left to read on fd; nullopt on a read error.
// `bytes`, when given, receives the length.
std::optional<std::string> sha256_hex_of_fd(int fd, uint64_t* bytes = nullptr);

// A stable id for one finding on one host: the same rule on the same subject
// gives the same fingerprint across runs, whatever its pid.
std::string make_fingerprint(std::string_view hostname, std::string_view rule,
                             std::string_view subject_key);

}  // namespace hostward

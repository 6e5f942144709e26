#pragma once
#include <string>
#include <string_view>

namespace hostward {

// Hex SHA-256 of the input (OpenSSL EVP).
std::string sha256_hex(std::string_view data);

// A stable id for one finding on one host: the same rule on the same subject
// gives the same fingerprint across runs, whatever its pid.
std::string make_fingerprint(std::string_view hostname, std::string_view rule,
                             std::string_view subject_key);

}  // namespace hostward

// `nft -j list ruleset` output: foreign base chains or std::runtime_error.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "exposure/nft_ruleset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int family : {4, 6}) {
    try {
      (void)hostward::exposure::foreign_nft_chains(text, family, family == 6);
    } catch (const std::runtime_error&) {
    }
  }
  return 0;
}

// sanitize_for_terminal, then truncate_columns and wrap with parameters taken
// from the first three bytes: N = byte0, indent = byte1 % 40,
// width = indent + 1 + byte2 % 150 (so indent < width < 200).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/text_sanitize.h"
#include "core/writers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const size_t n = data[0];
  const size_t indent = data[1] % 40;
  const size_t width = indent + 1 + data[2] % 150;
  const std::string_view text(reinterpret_cast<const char*>(data + 3), size - 3);

  const std::string safe = hostward::sanitize_for_terminal(text);
  const std::string cut = hostward::truncate_columns(safe, n);
  // Cutting never gives more than N columns.
  if (hostward::display_width(cut) > n) abort();
  const std::string wrapped = hostward::wrap(safe, width, indent);
  volatile size_t sink = cut.size() + wrapped.size();
  (void)sink;
  return 0;
}

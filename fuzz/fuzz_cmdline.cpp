// /proc/PID/cmdline split into argv, each argument sanitized for the terminal.
// Property: the sanitized text holds no C0 control byte, no DEL, no ESC (the
// text output relies on it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/text_sanitize.h"
#include "host/proc_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto argv = hostward::host::split_cmdline(text);
  size_t total = 0;
  for (const auto& arg : argv) {
    const std::string safe = hostward::sanitize_for_terminal(arg);
    for (const char ch : safe) {
      const auto c = static_cast<unsigned char>(ch);
      if (c < 0x20 || c == 0x7f || c == 0x1b) abort();
    }
    total += safe.size();
  }
  volatile size_t sink = total + argv.size();
  (void)sink;
  return 0;
}

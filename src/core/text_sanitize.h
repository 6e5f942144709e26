#pragma once
#include <string>
#include <string_view>

namespace hostward {

// Attacker-controlled text (cmdlines, comm, paths) may hold terminal escape
// sequences. Replace every C0/C1 control character and DEL with a visible
// escape, and every invalid UTF-8 byte with \xNN, so the text is safe to print.
std::string sanitize_for_terminal(std::string_view text);

// Cut to at most `width` display columns (counting each code point as one),
// ending with "…" when cut.
std::string truncate_columns(std::string_view text, size_t width);

// The number of code points in valid UTF-8 text.
size_t display_width(std::string_view text);

}  // namespace hostward

#include <gtest/gtest.h>

#include "core/text_sanitize.h"

namespace hostward {
namespace {

TEST(Sanitize, EscapesControlCharacters) {
  EXPECT_EQ(sanitize_for_terminal("a\x1b[31mred\x1b[0m"), "a\\e[31mred\\e[0m");
  EXPECT_EQ(sanitize_for_terminal("line\nnext\ttab\r"), "line\\nnext\\ttab\\r");
  EXPECT_EQ(sanitize_for_terminal(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(sanitize_for_terminal("del\x7f"), "del\\x7f");
}

TEST(Sanitize, KeepsValidUtf8AndEscapesInvalidBytes) {
  EXPECT_EQ(sanitize_for_terminal("caf\xc3\xa9 └─"), "caf\xc3\xa9 └─");
  EXPECT_EQ(sanitize_for_terminal("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(sanitize_for_terminal("\xc3"), "\\xc3");  // cut sequence
  // C1 control CSI (U+009B) starts escape sequences on some terminals.
  EXPECT_EQ(sanitize_for_terminal("\xc2\x9b"
                                  "31m"),
            "\\xc2\\x9b31m");
  EXPECT_EQ(sanitize_for_terminal("\xc0\xaf"), "\\xc0\\xaf");  // overlong "/"
}

TEST(Sanitize, EscapesBidiAndInvisibleCharacters) {
  EXPECT_EQ(sanitize_for_terminal("a\u202Eevil"),
            "a\\xe2\\x80\\xaeevil");                                  // right-to-left override
  EXPECT_EQ(sanitize_for_terminal("x\u200By"), "x\\xe2\\x80\\x8by");  // zero-width space
  EXPECT_EQ(sanitize_for_terminal("\uFEFF"), "\\xef\\xbb\\xbf");
  EXPECT_EQ(sanitize_for_terminal("\u2069"), "\\xe2\\x81\\xa9");
}

TEST(Sanitize, TruncatesByColumns) {
  EXPECT_EQ(truncate_columns("abcdef", 10), "abcdef");
  EXPECT_EQ(truncate_columns("abcdef", 4), "abc…");
  EXPECT_EQ(truncate_columns("└─└─└─", 3), "└─…");
  EXPECT_EQ(display_width("└─x"), 3u);
}

}  // namespace
}  // namespace hostward

#include "probe/protocols/bson.h"

#include <gtest/gtest.h>

#include "probe/bson_doc.h"

namespace hostward::probe {
namespace {

using namespace bson_doc;

TEST(BsonWriter, EncodesTheHelloCommandByteForByte) {
  const std::string expected(
      "\x1f\x00\x00\x00"
      "\x10hello\x00\x01\x00\x00\x00"
      "\x02$db\x00\x06\x00\x00\x00"
      "admin\x00"
      "\x00",
      31);
  EXPECT_EQ(BsonWriter().add_int32("hello", 1).add_string("$db", "admin").document(), expected);
  EXPECT_EQ(BsonWriter().add_bool("nameOnly", true).document(),
            std::string("\x10\x00\x00\x00\x08nameOnly\x00\x01\x00", 16));
}

TEST(BsonReader, ReadsEveryTypeAReplyUses) {
  const std::string bytes =
      doc(f64("ok", 1.0) + str("s", "text") + sub("d", doc(i32("n", -5))) +
          arr("a", doc(str("0", "x") + i64("1", 1LL << 40))) + boolean("t", true) +
          oid("id", "\x65\xe1\x2a\x3b\x01\x02\x03\x04\x05\x06\x07\x08") +
          datetime("when", 1700000000000) + timestamp("ts", 1700000000, 1) +
          binary("bin", 4, "0123456789abcdef") + head(0x0A, "nothing") + head(0x13, "dec") +
          std::string(16, '\x01') + head(0x7F, "max"));
  const auto j = parse_bson(bytes);
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["ok"], 1.0);
  EXPECT_EQ((*j)["s"], "text");
  EXPECT_EQ((*j)["d"]["n"], -5);
  EXPECT_EQ((*j)["a"], nlohmann::json::array({"x", 1LL << 40}));
  EXPECT_EQ((*j)["t"], true);
  EXPECT_EQ((*j)["id"], "65e12a3b0102030405060708");
  EXPECT_EQ((*j)["when"], 1700000000000);
  EXPECT_EQ((*j)["ts"], (uint64_t{1700000000} << 32) | 1);
  EXPECT_TRUE((*j)["bin"].is_null());
  EXPECT_TRUE((*j)["nothing"].is_null());
  EXPECT_TRUE((*j)["dec"].is_null());
  EXPECT_TRUE((*j)["max"].is_null());
}

TEST(BsonReader, IgnoresBytesAfterTheDocument) {
  const auto j = parse_bson(doc(i32("a", 1)) + "trailing");
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["a"], 1);
}

TEST(BsonReader, RejectsMalformedDocuments) {
  const std::string good = doc(str("k", "v"));
  EXPECT_FALSE(parse_bson(""));
  EXPECT_FALSE(parse_bson(good.substr(0, good.size() - 1)));                 // cut short
  EXPECT_FALSE(parse_bson(le(0x7fffffff, 4) + good));                        // size past the end
  EXPECT_FALSE(parse_bson(le(17 << 20, 4) + std::string(17 << 20, '\0')));   // over 16 MiB
  EXPECT_FALSE(parse_bson(le(4, 4)));                                        // smaller than 5
  EXPECT_FALSE(parse_bson(le(0xffffffff, 4) + "\0"));                        // negative
  EXPECT_FALSE(parse_bson(doc(head(0x20, "k"))));                            // unknown type
  EXPECT_FALSE(parse_bson(doc(head(0x02, "k") + le(0x7fffffff, 4) + "v")));  // string too long
  EXPECT_FALSE(parse_bson(doc(head(0x02, "k") + le(0, 4))));                 // string length 0
  EXPECT_FALSE(parse_bson(doc(head(0x02, "k") + le(2, 4) + "vv")));          // no NUL
  EXPECT_FALSE(parse_bson(doc(head(0x08, "k") + "\x02")));                   // bool 2
  EXPECT_FALSE(parse_bson(doc(head(0x10, "k") + "\x01\x00")));               // int32 cut
  EXPECT_FALSE(parse_bson(doc(head(0x05, "k") + le(0xfffffff0, 4) + "\x00")));
  EXPECT_FALSE(parse_bson(doc(std::string("\x10key-without-end", 16))));
  std::string no_terminator = good;
  no_terminator.back() = 'x';
  EXPECT_FALSE(parse_bson(no_terminator));
  // A nested document that claims more than its parent holds.
  const std::string inner = doc(i32("n", 1));
  EXPECT_FALSE(parse_bson(le(4 + 2 + inner.size(), 4) + head(0x03, "") + inner + '\0'));
}

TEST(BsonReader, StopsAtDepthThirtyTwo) {
  const auto nested = [](int levels) {
    std::string d = doc("");
    for (int i = 0; i < levels; ++i) d = doc(sub("x", d));
    return d;
  };
  EXPECT_TRUE(parse_bson(nested(32)));
  EXPECT_FALSE(parse_bson(nested(33)));
}

}  // namespace
}  // namespace hostward::probe

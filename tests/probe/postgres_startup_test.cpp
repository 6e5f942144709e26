#include "probe/protocols/postgres_startup.h"

#include <gtest/gtest.h>

namespace hostward::probe {
namespace {

std::string msg(char type, const std::string& body) {
  std::string out(1, type);
  const uint32_t len = static_cast<uint32_t>(body.size() + 4);
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((len >> s) & 0xff));
  return out + body;
}

std::string int32(uint32_t v) {
  std::string out;
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
  return out;
}

TEST(PgStartup, MessageShape) {
  const std::string m = pg_startup_message("postgres", "postgres");
  ASSERT_GE(m.size(), 8u);
  EXPECT_EQ(static_cast<size_t>(static_cast<uint8_t>(m[3])), m.size());  // length, big-endian
  EXPECT_EQ(m.substr(4, 4), int32(196608));
  EXPECT_NE(m.find(std::string("user\0postgres\0", 14)), std::string::npos);
  EXPECT_EQ(m.back(), '\0');
}

TEST(PgStartup, AuthReplies) {
  EXPECT_EQ(parse_pg_auth_reply(msg('R', int32(0)))->kind, PgAuthReply::ok);
  EXPECT_EQ(parse_pg_auth_reply(msg('R', int32(5) + "salt"))->kind, PgAuthReply::md5);
  const auto scram = parse_pg_auth_reply(
      msg('R', int32(10) + std::string("SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0", 34)));
  ASSERT_TRUE(scram);
  EXPECT_EQ(scram->kind, PgAuthReply::sasl);
  EXPECT_EQ(scram->mechanisms, (std::vector<std::string>{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}));
  const auto hba = parse_pg_auth_reply(msg(
      'E',
      std::string("SFATAL\0VFATAL\0C28000\0Mno pg_hba.conf entry for host \"192.0.2.9\"\0\0", 64)));
  ASSERT_TRUE(hba);
  EXPECT_EQ(hba->kind, PgAuthReply::error);
  EXPECT_EQ(hba->sqlstate, "28000");
  EXPECT_EQ(hba->message, "no pg_hba.conf entry for host \"192.0.2.9\"");
}

TEST(PgStartup, IncompleteAndHostile) {
  EXPECT_FALSE(parse_pg_auth_reply(""));
  EXPECT_FALSE(parse_pg_auth_reply(std::string("R\0\0", 3)));
  EXPECT_FALSE(parse_pg_auth_reply(msg('R', int32(0)).substr(0, 7)));
  EXPECT_EQ(parse_pg_auth_reply("SSH-2.0-OpenSSH_9.2\r\n")->kind, PgAuthReply::not_postgres);
  EXPECT_EQ(parse_pg_auth_reply("HTTP/1.1 400 Bad Request\r\n")->kind, PgAuthReply::not_postgres);
  // A declared length of 2 GiB is not PostgreSQL, not a reason to wait.
  EXPECT_EQ(parse_pg_auth_reply(std::string("R\x7f\xff\xff\xff", 5))->kind,
            PgAuthReply::not_postgres);
  // An error without terminators is cut, not overrun.
  EXPECT_EQ(parse_pg_auth_reply(msg('E', "Mabc"))->kind, PgAuthReply::error);
}

}  // namespace
}  // namespace hostward::probe

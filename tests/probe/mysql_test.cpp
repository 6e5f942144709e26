#include "probe/protocols/mysql.h"

#include <gtest/gtest.h>

#include "probe/steps_driver.h"

namespace hostward::probe {
namespace {

std::string packet(uint8_t sequence, const std::string& payload) {
  const size_t n = payload.size();
  return std::string{static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                     static_cast<char>((n >> 16) & 0xff), static_cast<char>(sequence)} +
         payload;
}

// Greeting of mysql:8.0.36 (Docker): capabilities 0xdfffffff, utf8mb4_0900_ai_ci,
// 21 bytes of scramble, caching_sha2_password.
const std::string kMysql80 =
    packet(0, std::string("\x0a"
                          "8.0.36\x00"
                          "\x0d\x00\x00\x00"
                          "\x1b\x4f\x3a\x5c\x10\x2d\x66\x27"
                          "\x00"
                          "\xff\xff"
                          "\xff"
                          "\x02\x00"
                          "\xff\xdf"
                          "\x15"
                          "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                          "\x4c\x6b\x12\x2e\x61\x0f\x7a\x33\x45\x19\x5d\x70\x00"
                          "caching_sha2_password\x00",
                          74));

// Greeting of MariaDB 10.11.6 (Debian 12): the "5.5.5-" replication prefix,
// MariaDB's extended capabilities in the last 4 reserved bytes.
const std::string kMariadb =
    packet(0, std::string("\x0a"
                          "5.5.5-10.11.6-MariaDB-0+deb12u1\x00"
                          "\x1f\x00\x00\x00"
                          "\x3e\x52\x60\x2b\x5a\x47\x6d\x2c"
                          "\x00"
                          "\xfe\xf7"
                          "\x2d"
                          "\x02\x00"
                          "\xff\x81"
                          "\x15"
                          "\x00\x00\x00\x00\x00\x00"
                          "\x1d\x00\x00\x00"
                          "\x27\x3f\x51\x6b\x4e\x7b\x2a\x5e\x22\x4f\x70\x39\x00"
                          "mysql_native_password\x00",
                          99));

const std::string kHostNotAllowed =
    packet(0, "\xff\x6a\x04Host '172.17.0.1' is not allowed to connect to this MySQL server");

ProtocolOptions with_logins() {
  ProtocolOptions o;
  o.try_default_logins = true;
  return o;
}

TEST(Mysql, GreetingGivesVersionAndUnknownWithoutLoggingIn) {
  for (const size_t chunk : {size_t{1}, size_t{4096}}) {
    auto c = run_conversation(mysql_steps({}), {{kMysql80}}, chunk);
    EXPECT_EQ(c.sent, std::vector<std::string>{""});
    EXPECT_EQ(c.done_at, std::vector<size_t>{kMysql80.size()});
    EXPECT_EQ(c.steps_left, 0u);
    EXPECT_EQ(c.result.service, "mysql");
    EXPECT_EQ(c.result.access, Access::unknown);
    EXPECT_EQ(c.result.version, "8.0.36");
    EXPECT_EQ(c.result.facts["auth_plugin"], "caching_sha2_password");
    EXPECT_EQ(c.result.facts["tls_offered"], true);
  }
}

TEST(Mysql, MariadbVersionLosesTheReplicationPrefix) {
  const auto g = parse_mysql_greeting(kMariadb);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, MysqlGreeting::Kind::handshake);
  EXPECT_EQ(g->connection_id, 31u);
  EXPECT_EQ(g->auth_plugin, "mysql_native_password");
  auto c = run_conversation(mysql_steps({}), {{kMariadb}});
  EXPECT_EQ(c.result.version, "10.11.6-MariaDB-0+deb12u1");
}

TEST(Mysql, HostNotAllowedIsRefused) {
  auto c = run_conversation(mysql_steps(with_logins()), {{kHostNotAllowed, true}});
  EXPECT_EQ(c.done_at, std::vector<size_t>{kHostNotAllowed.size()});
  EXPECT_EQ(c.result.access, Access::refused);
  EXPECT_EQ(c.result.facts["error_code"], 1130);
  EXPECT_NE(c.result.detail.find("is not allowed to connect"), std::string::npos);
}

TEST(Mysql, LoginPacketIsHandshakeResponse41ForRootWithEmptyPassword) {
  const auto g = parse_mysql_greeting(kMysql80);
  ASSERT_TRUE(g);
  const std::string expected(
      "\x3c\x00\x00\x01"  // 60 bytes, sequence 1
      "\x00\x82\x08\x00"  // PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH
      "\x00\x00\x00\x01"  // max packet 16 MiB
      "\x21"              // utf8_general_ci
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "root\x00"
      "\x00"  // empty auth response
      "mysql_native_password\x00",
      64);
  EXPECT_EQ(mysql_empty_password_login(*g, "root"), expected);
  auto c = run_conversation(mysql_steps(with_logins()), {{kMysql80}});
  ASSERT_EQ(c.steps_left, 1u);
}

TEST(Mysql, RootWithoutPasswordIsOpen) {
  const std::string ok = packet(2, std::string("\x00\x00\x00\x02\x00\x00\x00", 7));
  auto c = run_conversation(mysql_steps(with_logins()), {{kMariadb}, {ok}});
  EXPECT_EQ(c.done_at, (std::vector<size_t>{kMariadb.size(), ok.size()}));
  EXPECT_EQ(c.result.access, Access::open);
  EXPECT_FALSE(c.result.command_execution);
  EXPECT_NE(c.result.detail.find("root logs in with an empty password"), std::string::npos);
}

TEST(Mysql, RootRefusedOrSwitchedIsAuthRequired) {
  const std::string denied = packet(
      2, "\xff\x15\x04#28000Access denied for user 'root'@'172.17.0.1' (using password: NO)");
  auto c = run_conversation(mysql_steps(with_logins()), {{kMariadb}, {denied}});
  EXPECT_EQ(c.result.access, Access::auth_required);
  EXPECT_NE(c.result.detail.find("Access denied for user 'root'"), std::string::npos);
  EXPECT_EQ(c.result.detail.find("28000"), std::string::npos);

  const std::string switch_plugin = packet(
      2, std::string(
             "\xfe"
             "caching_sha2_password\x00"
             "\x3a\x11\x6f\x22\x5b\x09\x41\x7e\x13\x38\x6c\x2d\x50\x4a\x27\x61\x1c\x35\x48\x72\x00",
             44));
  auto s = run_conversation(mysql_steps(with_logins()), {{kMysql80}, {switch_plugin}});
  EXPECT_EQ(s.result.access, Access::auth_required);
  EXPECT_NE(s.result.detail.find("caching_sha2_password"), std::string::npos);
  EXPECT_EQ(s.steps_left, 0u);
}

TEST(Mysql, OtherProtocolsAreNotMysqlEarly) {
  auto ssh = run_conversation(mysql_steps({}), {{"SSH-2.0-OpenSSH_9.2p1\r\n"}});
  EXPECT_EQ(ssh.done_at, std::vector<size_t>{4});
  EXPECT_EQ(ssh.result.access, Access::not_service);
  auto huge = run_conversation(mysql_steps({}), {{std::string("\xff\xff\xff\x00", 4)}});
  EXPECT_EQ(huge.result.access, Access::not_service);
  auto odd = run_conversation(mysql_steps({}), {{std::string("\x05\x00\x00\x00\x42", 5)}});
  EXPECT_EQ(odd.done_at, std::vector<size_t>{5});
  EXPECT_EQ(odd.result.access, Access::not_service);
}

TEST(Mysql, BrokenGreetingsAreUnknown) {
  auto cut = run_conversation(mysql_steps({}), {{kMysql80.substr(0, 30), true}});
  EXPECT_EQ(cut.result.access, Access::unknown);
  auto silent = run_conversation(mysql_steps({}), {{"", true}});
  EXPECT_EQ(silent.result.access, Access::unknown);
  auto no_nul = run_conversation(mysql_steps({}), {{packet(0,
                                                           "\x0a"
                                                           "8.0.36")}});
  EXPECT_EQ(no_nul.result.access, Access::unknown);
  auto short_fixed = run_conversation(mysql_steps({}), {{packet(0, std::string("\x0a"
                                                                               "8\x00\x01\x02",
                                                                               5))}});
  EXPECT_EQ(short_fixed.result.access, Access::unknown);
}

TEST(MysqlGreeting, OldServerWithoutExtendedPartStillGreets) {
  const auto g = parse_mysql_greeting(packet(0, std::string("\x0a"
                                                            "4.0.27\x00"
                                                            "\x01\x00\x00\x00"
                                                            "abcdefgh"
                                                            "\x00"
                                                            "\x2c\x20",
                                                            23)));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, MysqlGreeting::Kind::handshake);
  EXPECT_EQ(g->capabilities, 0x202cu);
  auto c = run_conversation(mysql_steps(with_logins()), {{packet(0, std::string("\x0a"
                                                                                "4.0.27\x00"
                                                                                "\x01\x00\x00\x00"
                                                                                "abcdefgh"
                                                                                "\x00"
                                                                                "\x2c\x00",
                                                                                23))}});
  EXPECT_EQ(c.result.access, Access::unknown);
  EXPECT_EQ(c.steps_left, 0u);  // no PROTOCOL_41: no login
}

TEST(MysqlAuthReply, RejectsOddPackets) {
  const auto empty = parse_mysql_auth_reply(std::string("\x00\x00\x00\x02", 4));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->kind, MysqlAuthReply::Kind::malformed);
  const auto huge = parse_mysql_auth_reply(std::string("\xff\xff\xff\x02", 4));
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->kind, MysqlAuthReply::Kind::malformed);
  EXPECT_FALSE(parse_mysql_auth_reply(std::string("\x07\x00\x00\x02\x00", 5)));
  const auto old = parse_mysql_auth_reply(packet(2, "\xfe"));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->plugin, "mysql_old_password");
  const auto cut_err = parse_mysql_auth_reply(packet(2, "\xff\x15"));
  ASSERT_TRUE(cut_err);
  EXPECT_EQ(cut_err->kind, MysqlAuthReply::Kind::error);
  auto garbage = run_conversation(mysql_steps(with_logins()), {{kMysql80}, {packet(2, "\x42")}});
  EXPECT_EQ(garbage.result.access, Access::unknown);
}

}  // namespace
}  // namespace hostward::probe

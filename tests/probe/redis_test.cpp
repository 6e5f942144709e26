#include "probe/protocols/redis.h"

#include <gtest/gtest.h>

#include "probe/steps_driver.h"

namespace hostward::probe {
namespace {

std::string bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

// INFO server from redis:7.2.4 in Docker (trimmed to the first lines).
const std::string kInfoServer =
    "# Server\r\n"
    "redis_version:7.2.4\r\n"
    "redis_git_sha1:00000000\r\n"
    "redis_git_dirty:0\r\n"
    "redis_build_id:ec7e7ab1b6f4a9c8\r\n"
    "redis_mode:standalone\r\n"
    "os:Linux 6.1.0-18-amd64 x86_64\r\n"
    "arch_bits:64\r\n"
    "tcp_port:6379\r\n";

const std::string kDenied =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same host "
    "the server is running, however MAKE SURE Redis is not publicly accessible from internet if "
    "you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just "
    "disable the protected mode by editing the Redis configuration file, and setting the "
    "protected mode option to 'no', and then restarting the server. 3) If you started the server "
    "manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an "
    "authentication password for the default user. NOTE: You only need to do one of the above "
    "things in order for the server to start accepting connections from the outside.\r\n";

TEST(Redis, PongThenInfoIsOpenWithVersionAndOs) {
  for (const size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
    auto c = run_conversation(redis_steps({}), {{"+PONG\r\n"}, {bulk(kInfoServer)}}, chunk);
    EXPECT_EQ(c.sent, (std::vector<std::string>{"PING\r\n", "INFO server\r\n"}));
    EXPECT_EQ(c.done_at, (std::vector<size_t>{7, bulk(kInfoServer).size()}));
    EXPECT_EQ(c.result.service, "redis");
    EXPECT_EQ(c.result.access, Access::open);
    EXPECT_EQ(c.result.version, "7.2.4");
    EXPECT_EQ(c.result.facts["os"], "Linux 6.1.0-18-amd64 x86_64");
    EXPECT_EQ(c.result.facts["redis_mode"], "standalone");
    EXPECT_FALSE(c.result.command_execution);
  }
}

TEST(Redis, NoauthIsAuthRequired) {
  auto c = run_conversation(redis_steps({}), {{"-NOAUTH Authentication required.\r\n"}});
  EXPECT_EQ(c.result.access, Access::auth_required);
  EXPECT_EQ(c.steps_left, 0u);
  EXPECT_NE(c.result.detail.find("NOAUTH"), std::string::npos);
}

TEST(Redis, ProtectedModeIsRefused) {
  auto c = run_conversation(redis_steps({}), {{kDenied, true}});
  EXPECT_EQ(c.done_at, std::vector<size_t>{kDenied.size()});
  EXPECT_EQ(c.result.access, Access::refused);
}

TEST(Redis, OtherProtocolsAreNotRedisFromTheFirstByte) {
  for (const std::string reply : {"HTTP/1.1 400 Bad Request\r\n\r\n",
                                  "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n", "\x16\x03\x01"}) {
    auto c = run_conversation(redis_steps({}), {{reply}});
    EXPECT_EQ(c.done_at, std::vector<size_t>{1}) << reply;
    EXPECT_EQ(c.result.access, Access::not_service) << reply;
  }
  auto err = run_conversation(redis_steps({}), {{"-ERR unknown command 'PING'\r\n"}});
  EXPECT_EQ(err.result.access, Access::not_service);
  auto ok = run_conversation(redis_steps({}), {{"+OK\r\n"}});
  EXPECT_EQ(ok.result.access, Access::not_service);
}

TEST(Redis, LoadingIsRedisButUnknown) {
  auto c =
      run_conversation(redis_steps({}), {{"-LOADING Redis is loading the dataset in memory\r\n"}});
  EXPECT_EQ(c.result.access, Access::unknown);
}

TEST(Redis, CutShortIsUnknown) {
  auto c = run_conversation(redis_steps({}), {{"+PON", true}});
  EXPECT_EQ(c.result.access, Access::unknown);
  auto silent = run_conversation(redis_steps({}), {{"", true}});
  EXPECT_EQ(silent.result.access, Access::unknown);
}

TEST(Redis, HostileInfoKeepsOpenWithoutVersion) {
  for (const std::string info : {"$999999999\r\n", "$5\r\nabcdeXY", "-ERR unknown command\r\n"}) {
    auto c = run_conversation(redis_steps({}), {{"+PONG\r\n"}, {info, true}});
    EXPECT_EQ(c.result.access, Access::open) << info;
    EXPECT_EQ(c.result.version, "") << info;
    EXPECT_EQ(c.done_at.size(), 2u);
    EXPECT_NE(c.done_at[1], std::string::npos);
  }
}

TEST(Resp, ParsesEveryRespTwoType) {
  auto v = parse_resp("+PONG\r\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, RespType::simple_string);
  EXPECT_EQ(v->text, "PONG");
  EXPECT_EQ(v->consumed, 7u);

  v = parse_resp(":-42\r\nextra");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, RespType::integer);
  EXPECT_EQ(v->text, "-42");
  EXPECT_EQ(v->consumed, 6u);

  v = parse_resp("$-1\r\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, RespType::null);

  v = parse_resp(std::string("$4\r\na\r\0b\r\n", 10));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, RespType::bulk_string);
  EXPECT_EQ(v->text, std::string("a\r\0b", 4));

  v = parse_resp("*3\r\n:1\r\n$3\r\nfoo\r\n*1\r\n-ERR x\r\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, RespType::array);
  ASSERT_EQ(v->items.size(), 3u);
  EXPECT_EQ(v->items[1].text, "foo");
  EXPECT_EQ(v->items[2].items.at(0).type, RespType::error);
  EXPECT_EQ(v->consumed, 29u);
}

TEST(Resp, IncompleteIsNulloptAtEveryPrefix) {
  const std::string whole = "*2\r\n$3\r\nfoo\r\n:7\r\n";
  for (size_t n = 0; n < whole.size(); ++n) {
    EXPECT_FALSE(parse_resp(whole.substr(0, n))) << n;
  }
  EXPECT_TRUE(parse_resp(whole));
}

TEST(Resp, RejectsHostileInput) {
  const auto invalid = [](std::string_view s) {
    const auto v = parse_resp(s);
    return v && v->type == RespType::invalid;
  };
  EXPECT_TRUE(invalid("$16777217\r\n"));  // more than 16 MiB
  EXPECT_TRUE(invalid("$99999999999999999999\r\n"));
  EXPECT_TRUE(invalid("$-2\r\n"));
  EXPECT_TRUE(invalid("$x\r\n"));
  EXPECT_TRUE(invalid("*2000000\r\n"));
  EXPECT_TRUE(invalid(":12a\r\n"));
  EXPECT_TRUE(invalid("$3\r\nfooXX"));  // no CRLF after the data
  EXPECT_TRUE(invalid("+OK\n"));        // lone LF
  EXPECT_TRUE(invalid("+O\rK\r\n"));    // lone CR
  EXPECT_TRUE(invalid("*1\r\n!\r\n"));  // RESP3 type inside
  EXPECT_FALSE(invalid("+OK\r"));       // the LF may still come
  EXPECT_FALSE(parse_resp("+OK\r"));
}

TEST(Resp, ArraysNestEightDeepAtMost) {
  std::string eight;
  for (int i = 0; i < 8; ++i) eight += "*1\r\n";
  const auto ok = parse_resp(eight + ":1\r\n");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->type, RespType::array);
  const auto deep = parse_resp("*1\r\n" + eight + ":1\r\n");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->type, RespType::invalid);
}

TEST(RedisInfo, SkipsSectionsAndOddLines) {
  const auto info =
      parse_redis_info("# Server\r\nredis_version:6.0.16\r\n\r\nnocolon\r\n:x\r\na:b:c\n");
  EXPECT_EQ(info.size(), 2u);
  EXPECT_EQ(info.at("redis_version"), "6.0.16");
  EXPECT_EQ(info.at("a"), "b:c");
}

}  // namespace
}  // namespace hostward::probe

#include "probe/protocols/memcached.h"

#include <gtest/gtest.h>

#include "probe/steps_driver.h"

namespace hostward::probe {
namespace {

// `stats` from memcached 1.6.21 (Debian 12), trimmed.
const std::string kStats =
    "STAT pid 742\r\n"
    "STAT uptime 86400\r\n"
    "STAT time 1709200000\r\n"
    "STAT version 1.6.21\r\n"
    "STAT libevent 2.1.12-stable\r\n"
    "STAT pointer_size 64\r\n"
    "STAT rusage_user 12.345678\r\n"
    "STAT max_connections 1024\r\n"
    "STAT curr_connections 2\r\n"
    "STAT total_connections 57\r\n"
    "STAT curr_items 1432\r\n"
    "STAT total_items 20001\r\n"
    "STAT evictions 0\r\n"
    "END\r\n";

TEST(Memcached, StatsAreOpenWithVersionAndCounts) {
  for (const size_t chunk : {size_t{1}, size_t{13}, size_t{4096}}) {
    auto c = run_conversation(memcached_steps({}), {{kStats}}, chunk);
    EXPECT_EQ(c.sent, std::vector<std::string>{"stats\r\n"});
    EXPECT_EQ(c.done_at, std::vector<size_t>{kStats.size()});
    EXPECT_EQ(c.result.service, "memcached");
    EXPECT_EQ(c.result.access, Access::open);
    EXPECT_EQ(c.result.version, "1.6.21");
    EXPECT_EQ(c.result.facts["curr_items"], 1432);
    EXPECT_EQ(c.result.facts["curr_connections"], 2);
  }
}

TEST(Memcached, UnauthenticatedIsAuthRequired) {
  auto c = run_conversation(memcached_steps({}), {{"CLIENT_ERROR unauthenticated\r\n"}});
  EXPECT_EQ(c.result.access, Access::auth_required);
}

TEST(Memcached, ErrorAndForeignRepliesAreNotMemcached) {
  auto error = run_conversation(memcached_steps({}), {{"ERROR\r\n"}});
  EXPECT_EQ(error.result.access, Access::not_service);
  // Redis answers with a RESP error: rejected on the first byte.
  const auto redis = run_conversation(memcached_steps({}), {{"-ERR unknown command 'stats'\r\n"}});
  EXPECT_EQ(redis.done_at, std::vector<size_t>{1});
  EXPECT_EQ(redis.result.access, Access::not_service);
  auto ssh = run_conversation(memcached_steps({}), {{"SSH-2.0-OpenSSH_9.2p1\r\n"}});
  EXPECT_EQ(ssh.done_at, std::vector<size_t>{2});
  EXPECT_EQ(ssh.result.access, Access::not_service);
}

TEST(Memcached, CutShortIsUnknown) {
  auto c = run_conversation(memcached_steps({}), {{kStats.substr(0, 40), true}});
  EXPECT_EQ(c.result.access, Access::unknown);
}

TEST(MemcachedStats, RejectsBrokenStatLines) {
  for (const std::string s : {"STAT version\r\n", "STAT  1\r\n", "STAT a 1\r\nERROR\r\n",
                              "STAT a 1\r\nHELLO\r\n", "STAT a 1\nEND\r\n"}) {
    const auto r = parse_memcached_stats(s);
    ASSERT_TRUE(r) << s;
    EXPECT_EQ(r->kind, MemcachedStats::Kind::foreign) << s;
  }
}

TEST(MemcachedStats, CapsTheNumberOfStats) {
  std::string many;
  for (size_t i = 0; i <= kMemcachedMaxStats; ++i) many += "STAT s" + std::to_string(i) + " 1\r\n";
  const auto r = parse_memcached_stats(many + "END\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, MemcachedStats::Kind::foreign);
}

TEST(MemcachedStats, NonNumericCounterStaysText) {
  auto c =
      run_conversation(memcached_steps({}), {{"STAT curr_items 99999999999999999999\r\nEND\r\n"}});
  EXPECT_EQ(c.result.access, Access::open);
  EXPECT_EQ(c.result.facts["curr_items"], "99999999999999999999");
}

}  // namespace
}  // namespace hostward::probe

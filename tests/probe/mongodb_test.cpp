#include "probe/protocols/mongodb.h"

#include <gtest/gtest.h>

#include "probe/bson_doc.h"
#include "probe/protocols/bson.h"
#include "probe/steps_driver.h"

namespace hostward::probe {
namespace {

using namespace bson_doc;

// An OP_MSG from the server: header, flags, kind-0 body, then `more` sections.
std::string server_msg(int32_t response_to, const std::string& body, uint32_t flags = 0,
                       const std::string& more = "") {
  std::string rest = le(flags, 4) + '\0' + body + more;
  if (flags & 1) rest += "\xde\xad\xbe\xef";  // checksum
  return le(16 + rest.size(), 4) + le(4242, 4) + le(static_cast<uint32_t>(response_to), 4) +
         le(2013, 4) + rest;
}

// hello from a MongoDB 7.0 standalone, as mongosh prints it:
// { isWritablePrimary: true, topologyVersion: { processId: ObjectId, counter: Long(0) },
//   maxBsonObjectSize: 16777216, maxMessageSizeBytes: 48000000, maxWriteBatchSize: 100000,
//   localTime: ISODate, logicalSessionTimeoutMinutes: 30, connectionId: 12,
//   minWireVersion: 0, maxWireVersion: 21, readOnly: false, ok: 1 }
const std::string kHello70 = doc(
    boolean("isWritablePrimary", true) +
    sub("topologyVersion",
        doc(oid("processId", "\x65\xe1\x2a\x3b\x9c\x4d\x1e\x2f\x3a\x4b\x5c\x6d") +
            i64("counter", 0))) +
    i32("maxBsonObjectSize", 16777216) + i32("maxMessageSizeBytes", 48000000) +
    i32("maxWriteBatchSize", 100000) + datetime("localTime", 1709200000123) +
    i32("logicalSessionTimeoutMinutes", 30) + i32("connectionId", 12) + i32("minWireVersion", 0) +
    i32("maxWireVersion", 21) + boolean("readOnly", false) + f64("ok", 1.0));

const std::string kDatabases =
    doc(arr("databases",
            doc(sub("0", doc(str("name", "admin"))) + sub("1", doc(str("name", "config"))) +
                sub("2", doc(str("name", "local"))) + sub("3", doc(str("name", "shop"))))) +
        f64("ok", 1.0));

const std::string kUnauthorized =
    doc(f64("ok", 0.0) + str("errmsg", "Command listDatabases requires authentication") +
        i32("code", 13) + str("codeName", "Unauthorized"));

TEST(Mongodb, SendsHelloAsOpMsgByteForByte) {
  const std::string expected(
      "\x34\x00\x00\x00"  // messageLength 52
      "\x01\x00\x00\x00"  // requestID 1
      "\x00\x00\x00\x00"  // responseTo
      "\xdd\x07\x00\x00"  // opCode 2013
      "\x00\x00\x00\x00"  // flagBits
      "\x00"              // section kind 0
      "\x1f\x00\x00\x00\x10hello\x00\x01\x00\x00\x00\x02$db\x00\x06\x00\x00\x00"
      "admin\x00\x00",
      52);
  EXPECT_EQ(mongodb_steps({}).at(0).send, expected);
}

TEST(Mongodb, ListedDatabasesAreOpen) {
  for (const size_t chunk : {size_t{1}, size_t{4096}}) {
    const std::string hello = server_msg(1, kHello70);
    const std::string list = server_msg(2, kDatabases);
    auto c = run_conversation(mongodb_steps({}), {{hello}, {list}}, chunk);
    EXPECT_EQ(c.done_at, (std::vector<size_t>{hello.size(), list.size()}));
    ASSERT_EQ(c.sent.size(), 2u);
    const auto body = parse_bson(std::string_view(c.sent[1]).substr(21));
    ASSERT_TRUE(body);
    EXPECT_EQ(*body, (nlohmann::json{{"listDatabases", 1}, {"nameOnly", true}, {"$db", "admin"}}));
    EXPECT_EQ(c.result.service, "mongodb");
    EXPECT_EQ(c.result.access, Access::open);
    EXPECT_EQ(c.result.version, "7.0");
    EXPECT_EQ(c.result.facts["max_wire_version"], 21);
    EXPECT_EQ(c.result.facts["writable_primary"], true);
    EXPECT_EQ(c.result.facts["databases"],
              nlohmann::json::array({"admin", "config", "local", "shop"}));
  }
}

TEST(Mongodb, UnauthorizedIsAuthRequired) {
  auto c = run_conversation(mongodb_steps({}),
                            {{server_msg(1, kHello70)}, {server_msg(2, kUnauthorized)}});
  EXPECT_EQ(c.result.access, Access::auth_required);
  EXPECT_EQ(c.result.version, "7.0");
  EXPECT_FALSE(c.result.facts.contains("databases"));
}

TEST(Mongodb, OlderUnauthorizedMessageCountsByCode) {
  const auto old =
      doc(f64("ok", 0.0) +
          str("errmsg", "not authorized on admin to execute command { listDatabases: 1 }") +
          i32("code", 13));
  const auto c =
      run_conversation(mongodb_steps({}), {{server_msg(1, kHello70)}, {server_msg(2, old)}});
  EXPECT_EQ(c.result.access, Access::auth_required);
}

TEST(Mongodb, ChecksumAndDocumentSequencesAreSkipped) {
  const std::string sequence = std::string(1, '\x01') + le(4 + 5 + 5, 4) + "docs" + '\0' + doc("");
  auto c = run_conversation(
      mongodb_steps({}), {{server_msg(1, kHello70, 1)}, {server_msg(2, kDatabases, 0, sequence)}});
  EXPECT_EQ(c.result.access, Access::open);
}

TEST(Mongodb, OtherProtocolsAreNotMongodb) {
  auto http = run_conversation(mongodb_steps({}), {{"HTTP/1.1 400 Bad Request\r\n\r\n"}});
  EXPECT_EQ(http.done_at, std::vector<size_t>{4});
  EXPECT_EQ(http.result.access, Access::not_service);
  std::string legacy = server_msg(1, kHello70);
  legacy.replace(12, 4, le(1, 4));  // OP_REPLY
  auto old = run_conversation(mongodb_steps({}), {{legacy}});
  EXPECT_EQ(old.done_at, std::vector<size_t>{16});
  EXPECT_EQ(old.result.access, Access::not_service);
}

TEST(Mongodb, ClosingOrCuttingShortIsUnknown) {
  auto silent = run_conversation(mongodb_steps({}), {{"", true}});
  EXPECT_EQ(silent.result.access, Access::unknown);
  auto cut = run_conversation(mongodb_steps({}), {{server_msg(1, kHello70).substr(0, 30), true}});
  EXPECT_EQ(cut.result.access, Access::unknown);
  // hello answered, listDatabases never: still unknown, with what hello told.
  auto half = run_conversation(mongodb_steps({}), {{server_msg(1, kHello70)}});
  EXPECT_EQ(half.result.access, Access::unknown);
  EXPECT_EQ(half.steps_left, 1u);
  EXPECT_EQ(half.result.version, "7.0");
}

TEST(Mongodb, MalformedRepliesAreUnknown) {
  std::string bad_bson = server_msg(1, kHello70);
  bad_bson[21] = '\x7f';  // the body's size byte no longer matches
  for (const std::string& reply :
       {bad_bson, server_msg(9, kHello70), server_msg(1, kHello70, 1u << 5),
        server_msg(1, kHello70).substr(0, 26)}) {
    std::string framed = reply;
    framed.replace(0, 4, le(framed.size(), 4));
    auto c = run_conversation(mongodb_steps({}), {{framed, true}});
    EXPECT_EQ(c.result.access, Access::unknown) << c.result.detail;
    EXPECT_EQ(c.steps_left, 0u);
  }
}

TEST(OpMsgReply, HugeOrTinyLengthIsNotMongodb) {
  for (const uint32_t length :
       {uint32_t{(16 << 20) + 1}, uint32_t{0x7fffffff}, uint32_t{0x80000000}, uint32_t{25}}) {
    const auto r = parse_op_msg_reply(le(length, 4));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->problem, OpMsgReply::Problem::not_mongodb) << length;
  }
  EXPECT_FALSE(parse_op_msg_reply(le(100, 4) + le(0, 8) + le(2013, 4)));  // waits for the rest
}

TEST(OpMsgReply, SectionProblemsAreMalformed) {
  const std::string body = doc(f64("ok", 1.0));
  const auto malformed = [](const std::string& msg) {
    const auto r = parse_op_msg_reply(msg);
    return r && r->problem == OpMsgReply::Problem::malformed;
  };
  EXPECT_FALSE(malformed(server_msg(1, body)));
  EXPECT_TRUE(malformed(server_msg(1, body, 0, std::string(1, '\x00') + body)));  // two bodies
  EXPECT_TRUE(malformed(server_msg(1, body, 0, std::string(1, '\x02') + body)));  // kind 2
  EXPECT_TRUE(malformed(server_msg(1, body, 0, std::string(1, '\x01') + le(0xfffffff0, 4))));
  EXPECT_TRUE(malformed(server_msg(1, body, 0, "\x01\x00")));
  std::string only_sequence = le(16 + 4 + 1 + 9, 4) + le(1, 4) + le(1, 4) + le(2013, 4) + le(0, 4) +
                              '\x01' + le(9, 4) + "abcd" + '\0';
  EXPECT_TRUE(malformed(only_sequence));  // no body
}

TEST(MongodbRelease, MapsWireVersions) {
  EXPECT_EQ(mongodb_release_for_wire_version(6), "3.6");
  EXPECT_EQ(mongodb_release_for_wire_version(17), "6.0");
  EXPECT_EQ(mongodb_release_for_wire_version(25), "8.0");
  EXPECT_EQ(mongodb_release_for_wire_version(-1), "");
  EXPECT_EQ(mongodb_release_for_wire_version(1000), "");
}

}  // namespace
}  // namespace hostward::probe

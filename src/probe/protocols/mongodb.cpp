#include "probe/protocols/mongodb.h"

#include <array>

#include "probe/protocols/bson.h"
#include "probe/protocols/wire_bytes.h"

namespace hostward::probe {

namespace {

using nlohmann::json;

constexpr size_t kHeaderSize = 16;
constexpr size_t kSmallestMessage = kHeaderSize + 4 + 1 + 5;  // flags, kind 0, empty document
constexpr uint32_t kChecksumPresent = 1u << 0;
constexpr uint32_t kMoreToCome = 1u << 1;
constexpr uint32_t kRequiredBits = 0xffff;  // the low 16 flag bits must be understood
constexpr int32_t kHelloId = 1;
constexpr int32_t kListDatabasesId = 2;
constexpr size_t kMaxDatabaseNames = 50;

OpMsgReply problem(OpMsgReply::Problem p, std::string error) {
  OpMsgReply r;
  r.problem = p;
  r.error = std::move(error);
  return r;
}

bool truthy(const json& body, const char* key) {
  const auto it = body.find(key);
  if (it == body.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  return it->is_number() && it->get<double>() != 0;
}

std::string text(const json& body, const char* key, size_t max) {
  const auto it = body.find(key);
  return it != body.end() && it->is_string() ? abridge(it->get<std::string>(), max) : "";
}

// Whether `received` holds a usable reply to request `id`; when not, `verdict`
// says whether to wait or stop, and the result says why it stopped.
bool read_reply(std::string_view received, bool closed, int32_t id, const char* command,
                ServiceResult& r, OpMsgReply& reply, Reply& verdict) {
  r.service = "mongodb";
  verdict = Reply::done;
  auto parsed = parse_op_msg_reply(received);
  if (!parsed) {
    if (!closed) {
      verdict = Reply::need_more;
      return false;
    }
    r.access = Access::unknown;
    r.detail = received.empty() ? std::string("closed the connection without answering ") +
                                      command + " (not MongoDB, or older than 3.6)"
                                : std::string("closed the connection in the middle of the ") +
                                      command + " reply";
    return false;
  }
  reply = std::move(*parsed);
  if (reply.problem == OpMsgReply::Problem::none && reply.response_to != id) {
    reply.problem = OpMsgReply::Problem::malformed;
    reply.error =
        "answers request " + std::to_string(reply.response_to) + ", not " + std::to_string(id);
  }
  switch (reply.problem) {
    case OpMsgReply::Problem::none:
      return true;
    case OpMsgReply::Problem::not_mongodb:
      r.access = Access::not_service;
      r.detail = "not MongoDB: " + reply.error;
      return false;
    case OpMsgReply::Problem::malformed:
      r.access = Access::unknown;
      r.detail = std::string("malformed ") + command + " reply: " + reply.error;
      return false;
  }
  return false;
}

Reply on_list_databases(std::string_view received, bool closed, ServiceResult& r) {
  OpMsgReply reply;
  Reply verdict = Reply::done;
  if (!read_reply(received, closed, kListDatabasesId, "listDatabases", r, reply, verdict)) {
    return verdict;
  }
  const json& body = reply.body;
  const auto databases = body.find("databases");
  if (truthy(body, "ok") && databases != body.end() && databases->is_array()) {
    r.access = Access::open;
    r.detail = "lists its databases without authentication";
    json names = json::array();
    for (const auto& db : *databases) {
      if (names.size() >= kMaxDatabaseNames) break;
      if (db.is_object()) {
        const std::string name = text(db, "name", 120);
        if (!name.empty()) names.push_back(name);
      }
    }
    r.facts["databases"] = std::move(names);
    r.facts["database_count"] = databases->size();
    return Reply::done;
  }
  const std::string errmsg = text(body, "errmsg", 160);
  const auto code = body.find("code");
  const bool unauthorized = code != body.end() && code->is_number() && code->get<double>() == 13;
  if (!truthy(body, "ok") &&
      (unauthorized || errmsg.find("requires authentication") != std::string::npos)) {
    r.access = Access::auth_required;
    r.detail = "listDatabases requires authentication: " + errmsg;
  } else {
    r.access = Access::unknown;
    r.detail =
        "listDatabases gave no list: " +
        (errmsg.empty() ? abridge(body.dump(-1, ' ', false, json::error_handler_t::replace), 160)
                        : errmsg);
  }
  return Reply::done;
}

Reply on_hello(std::string_view received, bool closed, ServiceResult& r, std::vector<Step>& next) {
  OpMsgReply reply;
  Reply verdict = Reply::done;
  if (!read_reply(received, closed, kHelloId, "hello", r, reply, verdict)) return verdict;
  const json& body = reply.body;
  if (const auto it = body.find("maxWireVersion"); it != body.end() && it->is_number_integer()) {
    const int64_t wire = it->get<int64_t>();
    r.facts["max_wire_version"] = wire;
    r.version = mongodb_release_for_wire_version(wire);
  }
  if (const auto it = body.find("isWritablePrimary"); it != body.end() && it->is_boolean()) {
    r.facts["writable_primary"] = it->get<bool>();
  }
  if (const std::string set = text(body, "setName", 120); !set.empty())
    r.facts["replica_set"] = set;
  if (text(body, "msg", 20) == "isdbgrid") r.facts["mongos"] = true;
  r.access = Access::unknown;
  r.detail = "answers hello; listDatabases did not answer";
  next.push_back(Step{op_msg(kListDatabasesId, BsonWriter()
                                                   .add_int32("listDatabases", 1)
                                                   .add_bool("nameOnly", true)
                                                   .add_string("$db", "admin")
                                                   .document()),
                      [](std::string_view in, bool c, ServiceResult& res, std::vector<Step>&) {
                        return on_list_databases(in, c, res);
                      }});
  return Reply::done;
}

}  // namespace

std::string op_msg(int32_t request_id, std::string_view bson) {
  std::string out;
  wire::append_le(out, static_cast<uint32_t>(kHeaderSize + 4 + 1 + bson.size()), 4);
  wire::append_le(out, static_cast<uint32_t>(request_id), 4);
  wire::append_le(out, 0, 4);  // responseTo
  wire::append_le(out, static_cast<uint32_t>(kOpMsg), 4);
  wire::append_le(out, 0, 4);  // flagBits
  out.push_back('\0');         // section kind 0: the body
  out.append(bson);
  return out;
}

std::optional<OpMsgReply> parse_op_msg_reply(std::string_view bytes) {
  using P = OpMsgReply::Problem;
  if (bytes.size() < 4) return std::nullopt;
  const int32_t length = wire::le_int32(bytes, 0);
  if (length < static_cast<int32_t>(kSmallestMessage) ||
      static_cast<size_t>(length) > kMongoMaxMessage) {
    return problem(P::not_mongodb, "message length " + std::to_string(length));
  }
  if (bytes.size() < kHeaderSize) return std::nullopt;
  const int32_t opcode = wire::le_int32(bytes, 12);
  if (opcode != kOpMsg) return problem(P::not_mongodb, "opcode " + std::to_string(opcode));
  if (bytes.size() < static_cast<size_t>(length)) return std::nullopt;

  const std::string_view msg = bytes.substr(0, static_cast<size_t>(length));
  OpMsgReply out;
  out.response_to = wire::le_int32(msg, 8);
  const uint32_t flags = wire::le_uint(msg, 16, 4);
  if (flags & kRequiredBits & ~(kChecksumPresent | kMoreToCome)) {
    return problem(P::malformed, "unknown required flag bits");
  }
  size_t end = msg.size();
  if (flags & kChecksumPresent) {
    if (end < kSmallestMessage + 4) return problem(P::malformed, "no room for the checksum");
    end -= 4;  // CRC-32C; TCP already guards the bytes, so it is not verified
  }
  bool have_body = false;
  size_t pos = kHeaderSize + 4;
  while (pos < end) {
    const char kind = msg[pos++];
    if (end - pos < 4) return problem(P::malformed, "section cut short");
    const int32_t size = wire::le_int32(msg, pos);
    if (size < 4 || static_cast<size_t>(size) > end - pos) {
      return problem(P::malformed, "section size " + std::to_string(size));
    }
    if (kind == 0) {
      if (have_body) return problem(P::malformed, "two body sections");
      auto doc = parse_bson(msg.substr(pos, static_cast<size_t>(size)));
      if (!doc) return problem(P::malformed, "body is not valid BSON");
      out.body = std::move(*doc);
      have_body = true;
    } else if (kind != 1) {  // kind 1, a document sequence, is skipped whole
      return problem(P::malformed, "section kind " + std::to_string(kind));
    }
    pos += static_cast<size_t>(size);
  }
  if (!have_body) return problem(P::malformed, "no body section");
  return out;
}

std::string mongodb_release_for_wire_version(int64_t wire_version) {
  // Wire version N is first spoken by release kReleases[N] (MongoDB drivers' tables).
  static constexpr std::array<const char*, 31> kReleases = {
      "",    "",    "2.6", "3.0", "3.2", "3.4", "3.6", "4.0", "4.2", "4.4", "4.7",
      "4.8", "4.9", "5.0", "5.1", "5.2", "5.3", "6.0", "6.1", "6.2", "6.3", "7.0",
      "7.1", "7.2", "7.3", "8.0", "8.1", "8.2", "8.3", "9.0", "9.1"};
  if (wire_version < 0 || wire_version >= static_cast<int64_t>(kReleases.size())) return "";
  return kReleases[static_cast<size_t>(wire_version)];
}

std::vector<Step> mongodb_steps(const ProtocolOptions&) {
  return {Step{
      op_msg(kHelloId, BsonWriter().add_int32("hello", 1).add_string("$db", "admin").document()),
      on_hello}};
}

}  // namespace hostward::probe

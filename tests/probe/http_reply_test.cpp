#include "probe/protocols/http_reply.h"

#include <gtest/gtest.h>

namespace hostward::probe {
namespace {

TEST(HttpReply, ContentLengthBody) {
  const std::string whole =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
  for (size_t n = 0; n < whole.size(); ++n) {
    const auto r = parse_http_response(whole.substr(0, n));
    ASSERT_TRUE(r) << n;
    EXPECT_FALSE(r->complete) << n;
  }
  const auto r = parse_http_response(whole);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->reason, "OK");
  EXPECT_EQ(r->headers.at("content-type"), "application/json");
  EXPECT_EQ(r->body, "{\"a\":1}");
  // Bytes after the body (a pipelined reply) are not part of it.
  EXPECT_EQ(parse_http_response(whole + "HTTP/1.1")->body, "{\"a\":1}");
}

TEST(HttpReply, ChunkedBodyIsDecoded) {
  const std::string whole =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n";
  for (size_t n = 0; n < whole.size(); ++n) {
    const auto r = parse_http_response(whole.substr(0, n));
    ASSERT_TRUE(r) << n;
    EXPECT_FALSE(r->complete) << n;
  }
  const auto r = parse_http_response(whole);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->body, "Wikipedia in \r\n\r\nchunks.");
}

TEST(HttpReply, BodyUntilCloseAndBodylessStatuses) {
  const std::string no_length = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nhello";
  EXPECT_FALSE(parse_http_response(no_length)->complete);
  const auto closed = parse_http_response(no_length, true);
  EXPECT_TRUE(closed->complete);
  EXPECT_EQ(closed->body, "hello");
  EXPECT_TRUE(parse_http_response("HTTP/1.1 204 No Content\r\n\r\n")->complete);
  EXPECT_TRUE(parse_http_response("HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n")->complete);
  const auto gzip = parse_http_response(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 1\r\n\r\nab", true);
  EXPECT_EQ(gzip->body, "ab");  // not chunked last: read to the close
}

TEST(HttpReply, RepeatedHeadersAreJoinedAndNamesLowercased) {
  const auto r = parse_http_response(
      "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"security\" "
      "charset=\"UTF-8\"\r\n"
      "www-authenticate: ApiKey\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->headers.at("www-authenticate"),
            "Basic realm=\"security\" charset=\"UTF-8\", ApiKey");
}

TEST(HttpReply, StatusLineVariants) {
  EXPECT_EQ(parse_http_response("HTTP/1.1 404\r\n\r\n")->status, 404);
  EXPECT_EQ(parse_http_response("HTTP/1.1 200 OK\n\n")->status, 200);  // bare LF
  const auto partial = parse_http_response("HTTP/1.1 20");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->status, 0);
}

TEST(HttpReply, RejectsWhatIsNotHttp) {
  for (const std::string s :
       {"SSH-2.0-OpenSSH_9.2p1\r\n", "-ERR wrong\r\n", "HTTP/2 200\r\n\r\n", "HTTP/1.1 20x OK\r\n",
        "HTTP/1.1 099 Low\r\n", "HTTP/1.1 200OK\r\n", "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 16777217\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffff\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000001\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY\r\n"}) {
    EXPECT_FALSE(parse_http_response(s)) << s;
  }
  EXPECT_FALSE(parse_http_response(std::string("H\0", 2)));
}

TEST(HttpReply, CapsHeaders) {
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (size_t i = 0; i <= kHttpMaxHeaders; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
  EXPECT_FALSE(parse_http_response(many + "\r\n"));
  const std::string long_header = "HTTP/1.1 200 OK\r\nX: " + std::string(kHttpMaxHeaderBytes, 'a');
  EXPECT_FALSE(parse_http_response(long_header));
  EXPECT_FALSE(parse_http_response("HTTP/1.1 " + std::string(kHttpMaxHeaderBytes, '2')));
  const std::string long_chunk_line =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + std::string(2000, 'e');
  EXPECT_FALSE(parse_http_response(long_chunk_line));
}

TEST(HttpRequest, GetWithHostHeader) {
  EXPECT_EQ(http_get_request("/", "10.0.0.5"),
            "GET / HTTP/1.1\r\nHost: 10.0.0.5\r\nUser-Agent: hostward-probe\r\n"
            "Accept: application/json\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_NE(http_get_request("/", "::1").find("Host: [::1]\r\n"), std::string::npos);
  EXPECT_NE(http_get_request("/", "").find("Host: localhost\r\n"), std::string::npos);
  EXPECT_EQ(http_get_request("/", "a\r\nX-Injected: y").find("\r\nX-Injected"), std::string::npos);
}

}  // namespace
}  // namespace hostward::probe

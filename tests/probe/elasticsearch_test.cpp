#include "probe/protocols/elasticsearch.h"

#include <gtest/gtest.h>

#include "probe/steps_driver.h"

namespace hostward::probe {
namespace {

std::string response(const std::string& status_line, const std::string& headers,
                     const std::string& body) {
  return status_line + "\r\n" + headers + "content-length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

// GET / from elasticsearch:8.12.2 in Docker with xpack.security.enabled=false.
const std::string kEs8Banner = R"({
  "name" : "es01",
  "cluster_name" : "docker-cluster",
  "cluster_uuid" : "x2bAB3ZbQmOZ8Q1uVvUa2g",
  "version" : {
    "number" : "8.12.2",
    "build_flavor" : "default",
    "build_type" : "docker",
    "build_hash" : "48a287ab9497e852de30327444b0809e55d46466",
    "build_date" : "2024-02-19T10:04:32.774273190Z",
    "build_snapshot" : false,
    "lucene_version" : "9.9.2",
    "minimum_wire_compatibility_version" : "7.17.0",
    "minimum_index_compatibility_version" : "7.0.0"
  },
  "tagline" : "You Know, for Search"
}
)";

const std::string kEsHeaders =
    "X-elastic-product: Elasticsearch\r\ncontent-type: application/json\r\n";

// GET / from opensearchproject/opensearch:2.11.1 with the security plugin disabled.
const std::string kOpenSearchBanner = R"({
  "name" : "opensearch-node1",
  "cluster_name" : "opensearch-cluster",
  "cluster_uuid" : "kLrX0D3NQ1eM4Zr3m4mFzw",
  "version" : {
    "distribution" : "opensearch",
    "number" : "2.11.1",
    "build_type" : "tar",
    "build_hash" : "6b1986e964d440be9137eba1413015c31c5a7752",
    "build_date" : "2023-11-29T21:43:10.135035992Z",
    "build_snapshot" : false,
    "lucene_version" : "9.7.0",
    "minimum_wire_compatibility_version" : "7.10.0",
    "minimum_index_compatibility_version" : "7.0.0"
  },
  "tagline" : "The OpenSearch Project: https://opensearch.org/"
}
)";

// GET / from Elasticsearch 8 with security on (HTTP without TLS enabled).
const std::string kEs8Unauthorized = response(
    "HTTP/1.1 401 Unauthorized",
    "WWW-Authenticate: Basic realm=\"security\" charset=\"UTF-8\"\r\n"
    "WWW-Authenticate: Bearer realm=\"security\"\r\nWWW-Authenticate: ApiKey\r\n" +
        kEsHeaders,
    R"({"error":{"root_cause":[{"type":"security_exception","reason":"missing authentication credentials for REST request [/]","header":{"WWW-Authenticate":["Basic realm=\"security\" charset=\"UTF-8\"","Bearer realm=\"security\"","ApiKey"]}}],"type":"security_exception","reason":"missing authentication credentials for REST request [/]","header":{"WWW-Authenticate":["Basic realm=\"security\" charset=\"UTF-8\"","Bearer realm=\"security\"","ApiKey"]}},"status":401})");

// _cat/indices?format=json&h=index, chunked as Elasticsearch sends larger lists.
const std::string kIndices =
    "HTTP/1.1 200 OK\r\nX-elastic-product: Elasticsearch\r\ncontent-type: application/json\r\n"
    "Transfer-Encoding: chunked\r\n\r\n"
    "21\r\n[{\"index\":\"customers\"},{\"index\":\"\r\n"
    "11\r\norders-2024.03\"}]\r\n"
    "0\r\n\r\n";

ProtocolOptions at(std::string host) {
  ProtocolOptions o;
  o.host = std::move(host);
  return o;
}

TEST(Elasticsearch, OpenBannerThenIndexNames) {
  for (const size_t chunk : {size_t{1}, size_t{4096}}) {
    const std::string banner = response("HTTP/1.1 200 OK", kEsHeaders, kEs8Banner);
    auto c = run_conversation(elasticsearch_steps(at("192.0.2.7")), {{banner}, {kIndices}}, chunk);
    EXPECT_EQ(c.done_at, (std::vector<size_t>{banner.size(), kIndices.size()}));
    ASSERT_EQ(c.sent.size(), 2u);
    EXPECT_EQ(c.sent[0],
              "GET / HTTP/1.1\r\nHost: 192.0.2.7\r\nUser-Agent: hostward-probe\r\n"
              "Accept: application/json\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(
        c.sent[1].rfind("GET /_cat/indices?format=json&h=index HTTP/1.1\r\nHost: 192.0.2.7\r\n", 0),
        0u);
    EXPECT_EQ(c.result.service, "elasticsearch");
    EXPECT_EQ(c.result.access, Access::open);
    EXPECT_EQ(c.result.version, "8.12.2");
    EXPECT_EQ(c.result.facts["cluster_name"], "docker-cluster");
    EXPECT_EQ(c.result.facts["distribution"], "elasticsearch");
    EXPECT_EQ(c.result.facts["indices"], nlohmann::json::array({"customers", "orders-2024.03"}));
    EXPECT_EQ(c.result.facts["index_count"], 2);
  }
}

TEST(Elasticsearch, OpenSearchIsRecognised) {
  auto c = run_conversation(
      elasticsearch_steps({}),
      {{response("HTTP/1.1 200 OK", "content-type: application/json; charset=UTF-8\r\n",
                 kOpenSearchBanner)}});
  EXPECT_EQ(c.result.access, Access::open);
  EXPECT_EQ(c.result.version, "2.11.1");
  EXPECT_EQ(c.result.facts["distribution"], "opensearch");
  EXPECT_EQ(c.steps_left, 1u);
}

TEST(Elasticsearch, UnauthorizedIsAuthRequired) {
  auto c = run_conversation(elasticsearch_steps({}), {{kEs8Unauthorized}});
  EXPECT_EQ(c.done_at, std::vector<size_t>{kEs8Unauthorized.size()});
  EXPECT_EQ(c.result.access, Access::auth_required);
  EXPECT_EQ(c.steps_left, 0u);
  auto anonymous = run_conversation(
      elasticsearch_steps({}),
      {{response(
          "HTTP/1.1 403 Forbidden", kEsHeaders,
          R"({"error":{"type":"security_exception","reason":"action [cluster:monitor/main] is unauthorized for user [_anonymous]"},"status":403})")}});
  EXPECT_EQ(anonymous.result.access, Access::auth_required);
}

TEST(Elasticsearch, OtherHttpIsNotElasticsearch) {
  auto nginx = run_conversation(
      elasticsearch_steps({}),
      {{response("HTTP/1.1 404 Not Found", "Server: nginx/1.22.1\r\nContent-Type: text/html\r\n",
                 "<html><body>404</body></html>")}});
  EXPECT_EQ(nginx.result.access, Access::not_service);
  auto other_json = run_conversation(
      elasticsearch_steps({}),
      {{response("HTTP/1.1 200 OK", "", R"({"version":{"number":"1.0"},"tagline":"hi"})")}});
  EXPECT_EQ(other_json.result.access, Access::not_service);
  auto not_json = run_conversation(elasticsearch_steps({}),
                                   {{response("HTTP/1.1 200 OK", "", "{\"version\":")}});
  EXPECT_EQ(not_json.result.access, Access::not_service);
}

TEST(Elasticsearch, NonHttpIsNotServiceAtOnce) {
  auto c = run_conversation(elasticsearch_steps({}), {{"SSH-2.0-OpenSSH_9.2p1\r\n"}});
  EXPECT_EQ(c.done_at, std::vector<size_t>{1});
  EXPECT_EQ(c.result.access, Access::not_service);
}

TEST(Elasticsearch, CutShortOrMalformedIsUnknown) {
  const std::string banner = response("HTTP/1.1 200 OK", kEsHeaders, kEs8Banner);
  auto cut =
      run_conversation(elasticsearch_steps({}), {{banner.substr(0, banner.size() - 10), true}});
  EXPECT_EQ(cut.result.access, Access::unknown);
  auto silent = run_conversation(elasticsearch_steps({}), {{"", true}});
  EXPECT_EQ(silent.result.access, Access::unknown);
  auto huge = run_conversation(elasticsearch_steps({}),
                               {{"HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n"}});
  EXPECT_EQ(huge.result.access, Access::unknown);
}

TEST(Elasticsearch, IndexListProblemsKeepOpen) {
  const std::string banner = response("HTTP/1.1 200 OK", kEsHeaders, kEs8Banner);
  for (const CannedReply& second :
       {CannedReply{"", true}, CannedReply{response("HTTP/1.1 403 Forbidden", "", "{}")},
        CannedReply{response("HTTP/1.1 200 OK", "", "[1, {\"index\": 5}, {}]")},
        CannedReply{"garbage", true}}) {
    auto c = run_conversation(elasticsearch_steps({}), {{banner}, second});
    EXPECT_EQ(c.result.access, Access::open);
    EXPECT_EQ(c.done_at.size(), 2u);
    EXPECT_NE(c.done_at.back(), std::string::npos);
  }
}

TEST(ElasticsearchIndexNames, CapsTheList) {
  nlohmann::json cat = nlohmann::json::array();
  for (int i = 0; i < 80; ++i) cat.push_back({{"index", "i" + std::to_string(i)}});
  size_t total = 0;
  const auto names = elasticsearch_index_names(cat, total);
  EXPECT_EQ(names.size(), kElasticsearchMaxIndices);
  EXPECT_EQ(total, 80u);
}

}  // namespace
}  // namespace hostward::probe

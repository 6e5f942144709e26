#include "probe/protocols/elasticsearch.h"

#include "probe/protocols/http_reply.h"

namespace hostward::probe {

namespace {

using nlohmann::json;

std::string text(const json& j, const char* key, size_t max = 120) {
  if (!j.is_object()) return "";
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? abridge(it->get<std::string>(), max) : "";
}

const json& version_object(const json& root) {
  static const json kEmpty = json::object();
  if (!root.is_object()) return kEmpty;
  const auto it = root.find("version");
  return it != root.end() && it->is_object() ? *it : kEmpty;
}

// The response, or the result says why there is none; `verdict` is what to return then.
std::optional<HttpResponse> read_response(std::string_view received, bool closed, ServiceResult& r,
                                          Reply& verdict) {
  verdict = Reply::done;
  auto response = parse_http_response(received, closed);
  if (!response) {
    const bool http = received.rfind("HTTP/", 0) == 0;
    r.access = http ? Access::unknown : Access::not_service;
    r.detail = http ? "malformed HTTP response" : "not HTTP: " + abridge(received, 40);
    return std::nullopt;
  }
  if (!response->complete) {
    if (!closed) {
      verdict = Reply::need_more;
      return std::nullopt;
    }
    r.access = Access::unknown;
    r.detail = received.empty() ? "closed the connection without answering GET / (HTTPS only?)"
                                : "closed the connection in the middle of the response";
    return std::nullopt;
  }
  return response;
}

Reply on_indices(std::string_view received, bool closed, ServiceResult& r) {
  auto response = parse_http_response(received, closed);
  if (response && !response->complete && !closed) return Reply::need_more;
  // Access was settled by GET /; the index list only adds to it.
  if (!response || !response->complete) {
    r.detail += "; no readable answer to GET /_cat/indices";
    return Reply::done;
  }
  if (response->status != 200) {
    r.detail += "; GET /_cat/indices gave HTTP " + std::to_string(response->status);
    return Reply::done;
  }
  const json cat = json::parse(response->body, nullptr, false);
  size_t total = 0;
  const auto names = elasticsearch_index_names(cat, total);
  r.facts["indices"] = names;
  r.facts["index_count"] = total;
  return Reply::done;
}

Reply on_root(std::string_view received, bool closed, ServiceResult& r, std::vector<Step>& next,
              const std::string& host) {
  r.service = "elasticsearch";
  Reply verdict = Reply::done;
  const auto response = read_response(received, closed, r, verdict);
  if (!response) return verdict;
  const auto product = response->headers.find("x-elastic-product");
  if (product != response->headers.end()) r.facts["product"] = abridge(product->second, 40);
  const json root = json::parse(response->body, nullptr, false);
  const bool challenged = response->headers.count("www-authenticate") > 0;
  const bool security_exception = root.is_object() && root.contains("error") &&
                                  text(root.at("error"), "type") == "security_exception";
  if (response->status == 401 || challenged ||
      (response->status == 403 && (product != response->headers.end() || security_exception))) {
    r.access = Access::auth_required;
    r.detail = "asks for credentials (HTTP " + std::to_string(response->status) + ")";
    return Reply::done;
  }
  if (response->status != 200 || !is_elasticsearch_banner(root)) {
    r.access = Access::not_service;
    r.detail = "HTTP " + std::to_string(response->status) + ", not Elasticsearch";
    return Reply::done;
  }
  const json& version = version_object(root);
  r.access = Access::open;
  r.version = text(version, "number", 40);
  r.detail = "answers GET / without credentials";
  const std::string distribution = text(version, "distribution", 40);
  r.facts["distribution"] = distribution.empty() ? "elasticsearch" : distribution;
  if (const auto cluster = text(root, "cluster_name"); !cluster.empty()) {
    r.facts["cluster_name"] = cluster;
  }
  if (const auto node = text(root, "name"); !node.empty()) r.facts["node_name"] = node;
  next.push_back(Step{http_get_request("/_cat/indices?format=json&h=index", host),
                      [](std::string_view in, bool c, ServiceResult& res, std::vector<Step>&) {
                        return on_indices(in, c, res);
                      }});
  return Reply::done;
}

}  // namespace

bool is_elasticsearch_banner(const json& root) {
  const json& version = version_object(root);
  if (text(version, "number").empty()) return false;
  return text(root, "tagline") == "You Know, for Search" ||
         text(version, "distribution") == "opensearch";
}

std::vector<std::string> elasticsearch_index_names(const json& cat, size_t& total) {
  std::vector<std::string> names;
  total = 0;
  if (!cat.is_array()) return names;
  for (const auto& row : cat) {
    const std::string name = text(row, "index", 200);
    if (name.empty()) continue;
    ++total;
    if (names.size() < kElasticsearchMaxIndices) names.push_back(name);
  }
  return names;
}

std::vector<Step> elasticsearch_steps(const ProtocolOptions& o) {
  const std::string host = o.host;
  return {Step{http_get_request("/", host),
               [host](std::string_view in, bool c, ServiceResult& r, std::vector<Step>& next) {
                 return on_root(in, c, r, next, host);
               }}};
}

}  // namespace hostward::probe

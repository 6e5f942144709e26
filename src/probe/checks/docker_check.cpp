#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <mutex>

#include "probe/checks.h"

namespace hostward::probe {

namespace {

constexpr size_t kMaxBody = 256 * 1024;

size_t on_data(char* ptr, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (body->size() + n > kMaxBody) return 0;
  body->append(ptr, n);
  return n;
}

}  // namespace

// GET /version, plain on 2375 and TLS on 2376 with no client certificate and
// no server verification: we ask whether anyone may talk to it, not who it is.
namespace {

struct HttpAnswer {
  CURLcode rc = CURLE_OK;
  long status = 0;
  std::string body;
};

HttpAnswer get_version(const Host& host, int port, bool tls, int timeout_ms) {
  HttpAnswer a;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    a.rc = CURLE_FAILED_INIT;
    return a;
  }
  const std::string addr =
      host.address.family == 6 ? "[" + host.address.str() + "]" : host.address.str();
  const std::string url =
      (tls ? "https://" : "http://") + addr + ":" + std::to_string(port) + "/version";
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_PROXY, "");  // straight to the target, never a proxy
  curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "hostward-probe");
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &a.body);
  a.rc = curl_easy_perform(curl.get());
  if (a.rc == CURLE_OK) curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &a.status);
  return a;
}

bool is_docker_version(const HttpAnswer& a, nlohmann::json& j) {
  if (a.rc != CURLE_OK || a.status != 200) return false;
  j = nlohmann::json::parse(a.body, nullptr, false);
  return j.is_object() && j.contains("ApiVersion") && j["ApiVersion"].is_string();
}

}  // namespace

// GET /version, TLS on 2376 (plain elsewhere) with no client certificate and
// no server verification: we ask whether anyone may talk to it, not who it
// is. A daemon on the other scheme than its port suggests is tried too.
ServiceResult check_docker(const Host& host, int port, const ProbeOptions& o) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  ServiceResult result;
  result.service = "docker";
  const bool tls_first = port == 2376;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(o.check_timeout_ms);
  HttpAnswer first = get_version(host, port, tls_first, o.check_timeout_ms);
  HttpAnswer answer = first;
  bool tls = tls_first;
  nlohmann::json j;
  if (!is_docker_version(first, j)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    const bool worth_other = first.rc == CURLE_SSL_CONNECT_ERROR || first.status == 400 ||
                             first.rc == CURLE_GOT_NOTHING || first.rc == CURLE_RECV_ERROR;
    if (worth_other && left > 100) {
      HttpAnswer other = get_version(host, port, !tls_first, static_cast<int>(left));
      if (is_docker_version(other, j) || other.rc == CURLE_OK) {
        answer = other;
        tls = !tls_first;
      }
    }
  }
  result.sent = "GET /version HTTP/1.1" + std::string(tls ? " (TLS, no client certificate)" : "");
  result.received = abridge(answer.body);
  if (is_docker_version(answer, j)) {
    result.access = Access::open;
    result.command_execution = true;
    if (auto v = j.find("Version"); v != j.end() && v->is_string())
      result.version = v->get<std::string>().substr(0, 64);
    result.facts["api_version"] = j["ApiVersion"];
    result.facts["tls"] = tls;
    result.detail = "the Docker Engine API answers without credentials (API " +
                    j["ApiVersion"].get<std::string>().substr(0, 16) +
                    "): anyone can start a privileged container, root on the host";
    return result;
  }
  if (answer.rc != CURLE_OK) {
    result.detail = std::string("no HTTP answer: ") + curl_easy_strerror(answer.rc);
    // TLS that fails after the server spoke TLS, plain HTTP failing too: the
    // daemon wants a client certificate (tlsverify).
    if (tls_first && first.rc == CURLE_SSL_CONNECT_ERROR) {
      result.access = Access::auth_required;
      result.detail = "TLS handshake refused without a client certificate (tlsverify)";
    }
    return result;
  }
  result.access =
      (answer.status == 401 || answer.status == 403) ? Access::auth_required : Access::not_service;
  result.detail = "HTTP " + std::to_string(answer.status) + ", not the Docker API";
  return result;
}

}  // namespace hostward::probe

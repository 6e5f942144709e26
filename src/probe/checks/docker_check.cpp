#include <curl/curl.h>

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
ServiceResult check_docker(const Host& host, int port, const ProbeOptions& o) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  ServiceResult result;
  result.service = "docker";
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    result.detail = "curl_easy_init failed";
    return result;
  }
  const bool tls = port == 2376;
  const std::string addr =
      host.address.family == 6 ? "[" + host.address.str() + "]" : host.address.str();
  const std::string url =
      (tls ? "https://" : "http://") + addr + ":" + std::to_string(port) + "/version";
  std::string body;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(o.check_timeout_ms));
  curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "hostward-probe");
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  result.sent = "GET /version HTTP/1.1" + std::string(tls ? " (TLS, no client certificate)" : "");
  const CURLcode rc = curl_easy_perform(curl.get());
  result.received = abridge(body);
  if (rc != CURLE_OK) {
    result.detail = std::string("no HTTP answer: ") + curl_easy_strerror(rc);
    // A TLS server demanding a client certificate fails the handshake: that is verification.
    if (tls && (rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_RECV_ERROR)) {
      result.access = Access::auth_required;
      result.detail = "TLS handshake refused without a client certificate (tlsverify)";
    }
    return result;
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (status == 200 && j.is_object() && j.contains("ApiVersion") && j["ApiVersion"].is_string()) {
    result.access = Access::open;
    result.command_execution = true;
    if (auto v = j.find("Version"); v != j.end() && v->is_string())
      result.version = v->get<std::string>().substr(0, 64);
    result.facts["api_version"] = j["ApiVersion"];
    result.detail = "the Docker Engine API answers without credentials (API " +
                    j["ApiVersion"].get<std::string>().substr(0, 16) +
                    "): anyone can start a privileged container, root on the host";
    return result;
  }
  result.access = (status == 401 || status == 403) ? Access::auth_required : Access::not_service;
  result.detail = "HTTP " + std::to_string(status) + ", not the Docker API";
  return result;
}

}  // namespace hostward::probe

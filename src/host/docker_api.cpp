#include <curl/curl.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include "host/docker.h"

namespace hostward::host {

namespace {

constexpr size_t kMaxBody = 8u << 20;
constexpr size_t kMaxContainers = 1000;

struct Body {
  std::string data;
  bool too_big = false;
};

size_t on_data(char* ptr, size_t size, size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const size_t n = size * count;
  if (body->data.size() + n > kMaxBody) {
    body->too_big = true;
    return 0;  // aborts the transfer
  }
  body->data.append(ptr, n);
  return n;
}

class DockerClient {
 public:
  explicit DockerClient(const std::string& socket) : socket_(socket) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
    if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
  }
  ~DockerClient() { curl_easy_cleanup(curl_); }
  DockerClient(const DockerClient&) = delete;
  DockerClient& operator=(const DockerClient&) = delete;

  std::string get(const std::string& path) {
    Body body;
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_UNIX_SOCKET_PATH, socket_.c_str());
    curl_easy_setopt(curl_, CURLOPT_URL, ("http://docker" + path).c_str());
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body);
    const CURLcode rc = curl_easy_perform(curl_);
    if (body.too_big) throw std::runtime_error(path + ": reply larger than 8 MiB");
    if (rc != CURLE_OK) throw std::runtime_error(path + ": " + curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) throw std::runtime_error(path + ": HTTP " + std::to_string(status));
    return std::move(body.data);
  }

 private:
  std::string socket_;
  CURL* curl_ = nullptr;
};

}  // namespace

DockerFacts collect_docker(const std::string& socket_path, const std::string& daemon_json,
                           std::vector<CollectorError>& errors) {
  DockerFacts facts;
  facts.socket = socket_path;
  if (std::ifstream in(daemon_json); in) {
    std::string body(1u << 20, '\0');
    in.read(body.data(), static_cast<std::streamsize>(body.size()));
    body.resize(static_cast<size_t>(in.gcount()));
    try {
      read_daemon_config(body, facts);
    } catch (const std::exception& e) {
      errors.push_back({"docker", daemon_json + ": " + e.what()});
    }
  }
  struct stat st {};
  const bool found = ::stat(socket_path.c_str(), &st) == 0;
  if (!found || !S_ISSOCK(st.st_mode)) {
    const std::string why = !found ? std::strerror(errno) : "not a socket";
    errors.push_back({"docker", "no Docker engine at " + socket_path + " (" + why + ")"});
    return facts;
  }
  try {
    DockerClient client(socket_path);
    read_version(client.get("/version"), facts);
    facts.reachable = true;
    auto ids = read_container_ids(client.get("/containers/json"));
    if (ids.size() > kMaxContainers) {
      errors.push_back({"docker", std::to_string(ids.size()) + " containers: only the first " +
                                      std::to_string(kMaxContainers) + " are read"});
      ids.resize(kMaxContainers);
    }
    // A daemon that answers slowly must not hold the scan: 20 s for all of it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (const auto& id : ids) {
      if (std::chrono::steady_clock::now() > deadline) {
        errors.push_back(
            {"docker", "stopped after 20 s: " + std::to_string(facts.containers.size()) + " of " +
                           std::to_string(ids.size()) + " containers read"});
        break;
      }
      try {
        facts.containers.push_back(read_container(client.get("/containers/" + id + "/json")));
      } catch (const std::exception& e) {
        // Gone between the list and the inspect, or a bad reply: the rest still count.
        errors.push_back({"docker", e.what()});
      }
    }
  } catch (const std::exception& e) {
    errors.push_back(
        {"docker", std::string(e.what()) +
                       (facts.reachable ? "" : " (no Docker engine at " + socket_path + ")")});
  }
  return facts;
}

}  // namespace hostward::host

#include "watch/sinks.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "core/time_format.h"

namespace hostward::watch {

namespace fs = std::filesystem;

namespace {

std::string line_of(const nlohmann::json& alert) {
  return alert.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

bool write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

void fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

void StdoutSink::emit(const nlohmann::json& alert, Severity) {
  const std::string line = line_of(alert);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

FileSink::FileSink(std::string path, size_t max_bytes)
    : path_(std::move(path)), max_bytes_(max_bytes) {
  open_file();
  if (fd_ < 0) throw std::invalid_argument(path_ + ": " + std::strerror(errno));
}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

void FileSink::open_file() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

void FileSink::emit(const nlohmann::json& alert, Severity) {
  if (fd_ < 0) open_file();
  if (fd_ < 0) return;
  write_all(fd_, line_of(alert));
  ::fsync(fd_);
  struct stat st {};
  if (max_bytes_ > 0 && ::fstat(fd_, &st) == 0 && static_cast<size_t>(st.st_size) >= max_bytes_) {
    ::close(fd_);
    fd_ = -1;
    ::rename(path_.c_str(), (path_ + ".1").c_str());
    open_file();
  }
}

SyslogSink::SyslogSink(std::string socket_path) : path_(std::move(socket_path)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  hostname_ = host[0] ? host : "-";
}

SyslogSink::~SyslogSink() {
  if (fd_ >= 0) ::close(fd_);
}

void SyslogSink::emit(const nlohmann::json& alert, Severity severity) {
  if (fd_ < 0) return;
  // RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG; authpriv (10)
  int level = 6;  // info
  if (severity == Severity::critical)
    level = 2;
  else if (severity == Severity::high)
    level = 3;
  else if (severity == Severity::medium)
    level = 4;
  else if (severity == Severity::low)
    level = 5;
  const std::string msg = "<" + std::to_string(10 * 8 + level) + ">1 " +
                          alert.value("time", std::string("-")) + " " + hostname_ + " hostward " +
                          std::to_string(::getpid()) + " " +
                          alert.value("type", std::string("alert")) + " - " +
                          alert.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
  ::sendto(fd_, msg.data(), msg.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr),
           sizeof addr);
}

WebhookSink::WebhookSink(std::string url, std::string spool_dir, bool slack)
    : url_(std::move(url)), spool_(std::move(spool_dir)), slack_(slack) {
  std::error_code ec;
  fs::create_directories(spool_, ec);
  ::chmod(spool_.c_str(), 0700);
  for (const auto& e : fs::directory_iterator(spool_, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() == 25 && name.ends_with(".json"))
      next_ = std::max(next_, std::stoull(name.substr(0, 20)) + 1);
  }
  sender_ = std::thread([this] { run(); });
}

WebhookSink::~WebhookSink() {
  stop_ = true;
  cv_.notify_all();
  if (sender_.joinable()) sender_.join();
}

void WebhookSink::emit(const nlohmann::json& alert, Severity) {
  std::string body;
  if (slack_) {
    std::string text = "hostward on " + alert.value("host", std::string("?")) + ": ";
    if (alert.contains("finding"))
      text += "[" + alert["finding"].value("severity", std::string()) + "] " +
              alert["finding"].value("rule", std::string()) + ": " +
              alert["finding"].value("title", std::string());
    else
      text += alert.value("type", std::string("event"));
    body = nlohmann::json{{"text", text}}.dump(-1, ' ', false,
                                               nlohmann::json::error_handler_t::replace);
  } else {
    body = line_of(alert);
  }
  std::lock_guard<std::mutex> lock(mu_);
  char name[32];
  std::snprintf(name, sizeof name, "%020llu.json", next_++);
  const std::string path = spool_ + "/" + name;
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return;
  const bool ok = write_all(fd, body) && ::fsync(fd) == 0;
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) == 0) fsync_dir(spool_);
  cv_.notify_all();
}

size_t WebhookSink::pending() const {
  std::error_code ec;
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(spool_, ec))
    if (e.path().extension() == ".json") ++n;
  return n;
}

namespace {

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

}  // namespace

bool WebhookSink::post(const std::string& body) {
  CURL* curl = curl_easy_init();
  if (!curl) return false;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never through a proxy from the environment
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return rc == CURLE_OK && status >= 200 && status < 300;
}

void WebhookSink::run() {
  int backoff_ms = 250;
  while (!stop_) {
    std::vector<std::string> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(spool_, ec)) {
      const std::string name = e.path().filename().string();
      if (name.size() == 25 && name.ends_with(".json")) files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1));
      continue;
    }
    std::ifstream in(files.front(), std::ios::binary);
    std::stringstream body;
    body << in.rdbuf();
    if (post(body.str())) {
      ::unlink(files.front().c_str());
      fsync_dir(spool_);
      backoff_ms = 250;
      continue;
    }
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(backoff_ms), [this] { return stop_.load(); });
    backoff_ms = std::min(backoff_ms * 2, 30000);
  }
}

std::unique_ptr<Sink> make_sink(const std::string& spec, const std::string& spool_dir) {
  if (spec == "stdout") return std::make_unique<StdoutSink>();
  if (spec == "syslog") return std::make_unique<SyslogSink>();
  if (spec.rfind("file:", 0) == 0) return std::make_unique<FileSink>(spec.substr(5), 64u << 20);
  for (const char* scheme : {"webhook:", "slack:"}) {
    const std::string s = scheme;
    if (spec.rfind(s, 0) != 0) continue;
    const std::string url = spec.substr(s.size());
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      throw std::invalid_argument(spec + ": the URL must start with http:// or https://");
    return std::make_unique<WebhookSink>(url, spool_dir, s == "slack:");
  }
  throw std::invalid_argument(spec +
                              ": a sink is stdout, file:PATH, syslog, webhook:URL or slack:URL");
}

}  // namespace hostward::watch

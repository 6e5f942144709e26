#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "core/severity.h"

namespace hostward::watch {

// Where alerts go. Each gets every alert, one JSON object a line.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void emit(const nlohmann::json& alert, Severity severity) = 0;
  virtual std::string name() const = 0;
};

// NDJSON on standard output, flushed per alert.
class StdoutSink : public Sink {
 public:
  void emit(const nlohmann::json& alert, Severity severity) override;
  std::string name() const override { return "stdout"; }
};

// An append-only file: fsync per alert; at `max_bytes` it becomes PATH.1
// (the older PATH.1 is dropped) and a new PATH is started. Opened with
// O_NOFOLLOW, mode 0600.
class FileSink : public Sink {
 public:
  FileSink(std::string path, size_t max_bytes);
  ~FileSink() override;
  void emit(const nlohmann::json& alert, Severity severity) override;
  std::string name() const override { return "file:" + path_; }

 private:
  void open_file();
  std::string path_;
  size_t max_bytes_;
  int fd_ = -1;
};

// RFC 5424 messages to the local syslog socket (/dev/log), facility authpriv.
class SyslogSink : public Sink {
 public:
  explicit SyslogSink(std::string socket_path = "/dev/log");
  ~SyslogSink() override;
  void emit(const nlohmann::json& alert, Severity severity) override;
  std::string name() const override { return "syslog"; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string hostname_;
};

// A webhook (libcurl POST of the alert, or a Slack-compatible {"text": …})
// behind an on-disk spool: each alert is written to SPOOL/NNNNNNNNNNNNNNNNNNNN.json
// (fsynced) before anything is sent, and a sender thread posts the oldest
// file until the endpoint answers 2xx, then removes it. Alerts kept while the
// endpoint is down, or while watch was stopped or killed, go out in order
// once it answers.
class WebhookSink : public Sink {
 public:
  WebhookSink(std::string url, std::string spool_dir, bool slack);
  ~WebhookSink() override;
  void emit(const nlohmann::json& alert, Severity severity) override;
  std::string name() const override { return (slack_ ? "slack:" : "webhook:") + url_; }
  size_t pending() const;

 private:
  void run();
  bool post(const std::string& body);

  std::string url_;
  std::string spool_;
  bool slack_;
  unsigned long long next_ = 1;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  std::thread sender_;
};

// "webhook:URL", "slack:URL", "file:PATH", "syslog", "stdout"; throws
// std::invalid_argument with a message for people.
std::unique_ptr<Sink> make_sink(const std::string& spec, const std::string& spool_dir);

}  // namespace hostward::watch

#include "watch/sinks.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/support.h"

namespace hostward::watch {
namespace {

using itest::TempDir;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FileSink, AppendsOneLineAnAlertAndRotates) {
  TempDir dir;
  const std::string path = dir.path() + "/alerts.ndjson";
  {
    FileSink sink(path, 40);
    sink.emit({{"type", "finding"}, {"n", 1}}, Severity::high);
    EXPECT_EQ(slurp(path), "{\"n\":1,\"type\":\"finding\"}\n");
    for (int i = 2; i <= 6; ++i) sink.emit({{"n", i}}, Severity::info);
  }
  EXPECT_TRUE(std::filesystem::exists(path + ".1"));
  EXPECT_NE(slurp(path + ".1").find("{\"n\":1,"), std::string::npos);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);
}

TEST(FileSink, RefusesASymlink) {
  TempDir dir;
  const std::string path = dir.path() + "/alerts.ndjson";
  ASSERT_EQ(::symlink("/etc/passwd", path.c_str()), 0);
  EXPECT_THROW(FileSink(path, 0), std::invalid_argument);
}

TEST(SyslogSink, WritesRfc5424ToTheSocket) {
  TempDir dir;
  const std::string path = dir.path() + "/log";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  SyslogSink sink(path);
  sink.emit({{"type", "finding"}, {"time", "2026-11-29T01:00:00Z"}}, Severity::critical);
  char buf[4096];
  const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  ::close(fd);
  ASSERT_GT(n, 0);
  const std::string msg(buf, static_cast<size_t>(n));
  // authpriv (10) * 8 + crit (2) = 82
  EXPECT_EQ(msg.rfind("<82>1 2026-11-29T01:00:00Z ", 0), 0u) << msg;
  EXPECT_NE(msg.find(" hostward " + std::to_string(::getpid()) + " finding - {"), std::string::npos)
      << msg;
}

TEST(MakeSink, NamesWhatIsWrong) {
  EXPECT_THROW(make_sink("webhook:ftp://x", "/tmp"), std::invalid_argument);
  EXPECT_THROW(make_sink("kafka:x", "/tmp"), std::invalid_argument);
}

}  // namespace
}  // namespace hostward::watch

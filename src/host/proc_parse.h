#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Pure parsers for /proc text. Everything here takes attacker-influenced bytes
// (a comm may hold ")", spaces, newlines, escapes) and must never crash.
namespace hostward::host {

struct StatFields {
  int pid = 0;
  std::string comm;
  char state = '?';
  int ppid = 0, pgrp = 0, session = 0;
  unsigned long flags = 0;
  unsigned long long utime = 0, stime = 0;
  int num_threads = 0;
  unsigned long long starttime = 0;
  long long rss_pages = 0;
};
std::optional<StatFields> parse_stat(std::string_view text);

struct StatusFields {
  std::string name;
  int tgid = 0;
  int ppid = 0;
  uint32_t uid[4] = {0, 0, 0, 0};  // real, effective, saved, fs
  uint32_t gid[4] = {0, 0, 0, 0};
  int threads = 0;
  bool has_uid = false;
};
std::optional<StatusFields> parse_status(std::string_view text);

// argv from /proc/PID/cmdline: NUL-separated, maybe without a final NUL. A
// process that rewrote its argv area may leave one string with spaces; that is kept as is.
std::vector<std::string> split_cmdline(std::string_view text);

struct CgroupInfo {
  std::string path;
  std::string container_id;
  std::string runtime;
};
CgroupInfo parse_cgroup(std::string_view text);

// "pid:[4026531836]" -> 4026531836
std::optional<uint64_t> parse_ns_link(std::string_view link);

// btime line of /proc/stat.
std::optional<long long> parse_boot_time(std::string_view proc_stat);

// uid -> name from /etc/passwd text; bad lines are skipped.
std::map<uint32_t, std::string> parse_passwd(std::string_view text);

constexpr unsigned long kPfKthread = 0x00200000;

}  // namespace hostward::host

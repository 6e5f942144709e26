#include "authlog/utmp_file.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utmp.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "authlog/log_file.h"

namespace hostward::authlog {

namespace {

// The layout we read must be glibc's on this platform.
static_assert(sizeof(struct utmp) == kUtmpRecordSize);
static_assert(offsetof(struct utmp, ut_line) == 8 && offsetof(struct utmp, ut_id) == 40);
static_assert(offsetof(struct utmp, ut_user) == 44 && offsetof(struct utmp, ut_host) == 76);
static_assert(offsetof(struct utmp, ut_tv) == 340 && offsetof(struct utmp, ut_addr_v6) == 348);
static_assert(sizeof(struct lastlog) == kLastlogRecordSize);

int32_t read_i32(const unsigned char* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::string fixed_string(const unsigned char* p, size_t size) {
  const size_t n = strnlen(reinterpret_cast<const char*>(p), size);
  return std::string(reinterpret_cast<const char*>(p), n);
}

std::string address_text(const unsigned char* p) {
  static const unsigned char zero[16] = {};
  if (std::memcmp(p, zero, 16) == 0) return "";
  char buf[INET6_ADDRSTRLEN] = {};
  // IPv4 is stored in the first word, the rest zero.
  const bool v4 = std::memcmp(p + 4, zero, 12) == 0;
  if (!inet_ntop(v4 ? AF_INET : AF_INET6, p, buf, sizeof buf)) return "";
  return buf;
}

}  // namespace

std::optional<UtmpRecord> parse_utmp_record(const unsigned char* b) {
  UtmpRecord r;
  int16_t type;
  std::memcpy(&type, b, sizeof type);
  if (type < 0 || type > 9) return std::nullopt;
  r.type = type;
  r.all_zero = std::all_of(b, b + kUtmpRecordSize, [](unsigned char c) { return c == 0; });
  r.pid = read_i32(b + 4);
  r.line = fixed_string(b + 8, 32);
  r.id = fixed_string(b + 40, 4);
  r.user = fixed_string(b + 44, 32);
  r.host = fixed_string(b + 76, 256);
  r.time = read_i32(b + 340);
  r.address = address_text(b + 348);
  return r;
}

UtmpStats read_utmp_file(const std::string& path,
                         const std::function<void(const UtmpRecord&, uint64_t)>& on_record,
                         std::vector<std::string>& errors, bool named_by_user) {
  UtmpStats stats;
  const int fd = open_log(path, named_by_user, errors);
  if (fd < 0) return stats;
  constexpr size_t kBatch = 1024;
  std::vector<unsigned char> buf(kBatch * kUtmpRecordSize);
  size_t have = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data() + have, buf.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      errors.push_back(path + ": " + std::strerror(errno));
      break;
    }
    have += static_cast<size_t>(n);
    const size_t whole = have / kUtmpRecordSize;
    for (size_t i = 0; i < whole; ++i) {
      ++stats.records;
      const auto rec = parse_utmp_record(buf.data() + i * kUtmpRecordSize);
      if (!rec) {
        ++stats.bad_records;
        continue;
      }
      if (rec->all_zero) ++stats.zeroed_records;
      on_record(*rec, stats.records);
    }
    std::memmove(buf.data(), buf.data() + whole * kUtmpRecordSize, have - whole * kUtmpRecordSize);
    have -= whole * kUtmpRecordSize;
    if (n == 0) break;
  }
  ::close(fd);
  if (have > 0)
    errors.push_back(path + ": ends in a partial record (" + std::to_string(have) +
                     " bytes): truncated or not a utmp file");
  if (stats.bad_records > 0)
    errors.push_back(path + ": " + std::to_string(stats.bad_records) + " of " +
                     std::to_string(stats.records) + " records are not utmp records");
  return stats;
}

std::optional<LastlogEntry> parse_lastlog_record(const unsigned char* b, uint32_t uid) {
  const int32_t t = read_i32(b);
  if (t == 0) return std::nullopt;
  LastlogEntry e;
  e.uid = uid;
  e.time = t;
  e.line = fixed_string(b + 4, 32);
  e.host = fixed_string(b + 36, 256);
  return e;
}

void read_lastlog_file(const std::string& path,
                       const std::function<void(const LastlogEntry&)>& on_entry,
                       std::vector<std::string>& errors, bool named_by_user) {
  struct stat st {};
  const int fd = open_log(path, named_by_user, errors, &st);
  if (fd < 0) return;
  if (!S_ISREG(st.st_mode)) {  // indexed by uid: read with pread and SEEK_DATA only
    errors.push_back(path + ": not a regular file");
    ::close(fd);
    return;
  }
  unsigned char rec[kLastlogRecordSize];
  off_t pos = 0;
  uint64_t read_records = 0;
  while (pos < st.st_size && read_records < 10'000'000) {
    const off_t data = ::lseek(fd, pos, SEEK_DATA);
    if (data < 0) break;  // only a hole is left
    // Start at the record the data segment begins in.
    off_t index = data / static_cast<off_t>(kLastlogRecordSize);
    const off_t hole = ::lseek(fd, data, SEEK_HOLE);
    const off_t end = hole < 0 ? st.st_size : hole;
    for (; index * static_cast<off_t>(kLastlogRecordSize) < end; ++index) {
      const off_t at = index * static_cast<off_t>(kLastlogRecordSize);
      if (::pread(fd, rec, sizeof rec, at) != static_cast<ssize_t>(sizeof rec)) break;
      ++read_records;
      if (const auto e = parse_lastlog_record(rec, static_cast<uint32_t>(index))) on_entry(*e);
    }
    pos = std::max<off_t>(end, (index) * static_cast<off_t>(kLastlogRecordSize));
  }
  ::close(fd);
}

bool looks_like_utmp(const std::string& path) {
  std::vector<std::string> ignored;
  struct stat st {};
  const int fd = open_log(path, true, ignored, &st);
  if (fd < 0) return false;
  unsigned char rec[kUtmpRecordSize];
  const bool whole = st.st_size > 0 && st.st_size % static_cast<off_t>(kUtmpRecordSize) == 0 &&
                     ::pread(fd, rec, sizeof rec, 0) == static_cast<ssize_t>(sizeof rec);
  ::close(fd);
  if (!whole) return false;
  const auto r = parse_utmp_record(rec);
  return r && r->type != 0 && std::memchr(rec, 0, sizeof rec) != nullptr;
}

}  // namespace hostward::authlog

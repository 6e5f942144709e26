#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hostward::authlog {

// The on-disk record of wtmp, btmp and utmp on Linux (glibc, 64-bit and
// 32-bit alike): 384 bytes, times as 32-bit seconds.
constexpr size_t kUtmpRecordSize = 384;
constexpr size_t kLastlogRecordSize = 292;

struct UtmpRecord {
  int type = 0;  // EMPTY 0, RUN_LVL 1, BOOT_TIME 2, ..., USER_PROCESS 7, DEAD_PROCESS 8
  int pid = 0;
  std::string line, id, user, host;
  std::string address;  // ut_addr_v6 as text, empty when zero
  int64_t time = 0;
  bool all_zero = false;  // every byte zero: what log cleaners leave behind
};

// One record from exactly kUtmpRecordSize bytes; nullopt when its type is
// outside 0..9 (not a utmp record).
std::optional<UtmpRecord> parse_utmp_record(const unsigned char* bytes);

struct UtmpStats {
  uint64_t records = 0;
  uint64_t bad_records = 0;
  uint64_t zeroed_records = 0;
};

// Reads every record of a wtmp/btmp/utmp file; a trailing partial record and
// records that are not utmp are counted and reported in `errors`.
UtmpStats read_utmp_file(const std::string& path,
                         const std::function<void(const UtmpRecord&, uint64_t index)>& on_record,
                         std::vector<std::string>& errors, bool named_by_user = false);

struct LastlogEntry {
  uint32_t uid = 0;
  int64_t time = 0;
  std::string line, host;
};

std::optional<LastlogEntry> parse_lastlog_record(const unsigned char* bytes, uint32_t uid);

// lastlog is indexed by uid and sparse (a uid near 2^32 makes it terabytes
// long): only the data segments are read.
void read_lastlog_file(const std::string& path,
                       const std::function<void(const LastlogEntry&)>& on_entry,
                       std::vector<std::string>& errors, bool named_by_user = false);

// Whether the file looks like utmp records (size a multiple of the record and
// the first record valid), for --file without a telling name.
bool looks_like_utmp(const std::string& path);

}  // namespace hostward::authlog

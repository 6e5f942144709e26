#include "authlog/journal_source.h"

#include <fcntl.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

#include "authlog/log_file.h"
#include "core/number.h"

namespace hostward::authlog {

namespace {

std::string_view field(sd_journal* j, const char* name) {
  const void* data = nullptr;
  size_t size = 0;
  if (sd_journal_get_data(j, name, &data, &size) < 0) return {};
  std::string_view v(static_cast<const char*>(data), size);
  const size_t eq = v.find('=');
  return eq == std::string_view::npos ? std::string_view() : v.substr(eq + 1);
}

int to_pid(std::string_view s) { return parse_decimal<unsigned>(s, 0x7fffffff).value_or(0); }

}  // namespace

bool is_journal_file(const std::string& path) {
  std::vector<std::string> ignored;
  const int fd = open_log(path, true, ignored);
  if (fd < 0) return false;
  char magic[8] = {};
  const bool ok =
      ::pread(fd, magic, sizeof magic, 0) == 8 && std::memcmp(magic, "LPKSHHRH", 8) == 0;
  ::close(fd);
  return ok;
}

uint64_t read_journal(const std::vector<std::string>& files,
                      const std::function<void(const SyslogLine&, uint64_t)>& on_entry,
                      std::vector<std::string>& errors) {
  sd_journal* j = nullptr;
  int r;
  const std::string where = files.empty() ? "journal" : files.front();
  if (files.empty()) {
    r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
  } else {
    std::vector<const char*> paths;
    for (const auto& f : files) paths.push_back(f.c_str());
    paths.push_back(nullptr);
    r = sd_journal_open_files(&j, paths.data(), 0);
  }
  if (r < 0) {
    errors.push_back(where + ": cannot open the journal: " + std::strerror(-r));
    return 0;
  }
  sd_journal_set_data_threshold(j, 64 * 1024);
  for (const char* m : {"SYSLOG_IDENTIFIER=sshd", "SYSLOG_IDENTIFIER=sshd-session", "_COMM=sshd",
                        "_COMM=sshd-session"}) {
    sd_journal_add_match(j, m, 0);
    sd_journal_add_disjunction(j);
  }
  uint64_t count = 0;
  std::string message, host, program;
  uint64_t untrusted = 0;
  while ((r = sd_journal_next(j)) > 0) {
    // SYSLOG_IDENTIFIER is whatever the sender says (logger -t sshd); the
    // journal's own _UID is not. sshd logs as root.
    if (field(j, "_UID") != "0") {
      ++untrusted;
      continue;
    }
    SyslogLine line;
    uint64_t usec = 0;
    if (sd_journal_get_realtime_usec(j, &usec) >= 0)
      line.time = static_cast<int64_t>(usec / 1000000);
    // Each sd_journal_get_data() may reuse the memory of the last one.
    message.assign(field(j, "MESSAGE"));
    host.assign(field(j, "_HOSTNAME"));
    program.assign(field(j, "SYSLOG_IDENTIFIER"));
    if (program.empty()) program.assign(field(j, "_COMM"));
    line.message = message;
    line.host = host;
    line.program = program;
    line.pid = to_pid(field(j, "SYSLOG_PID"));
    if (line.pid == 0) line.pid = to_pid(field(j, "_PID"));
    on_entry(line, ++count);
  }
  if (r < 0) errors.push_back(where + ": journal read stopped: " + std::strerror(-r));
  if (untrusted > 0)
    errors.push_back(where + ": " + std::to_string(untrusted) +
                     " entries calling themselves sshd were not logged by root: skipped "
                     "(forged with logger?)");
  sd_journal_close(j);
  return count;
}

}  // namespace hostward::authlog

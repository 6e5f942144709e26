#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "authlog/syslog_line.h"

namespace hostward::authlog {

// sshd's entries (SYSLOG_IDENTIFIER or _COMM sshd / sshd-session) from the
// local system journal when `files` is empty, else from those journal files,
// oldest first, through libsystemd's sd-journal. Returns the entries read.
uint64_t read_journal(const std::vector<std::string>& files,
                      const std::function<void(const SyslogLine&, uint64_t index)>& on_entry,
                      std::vector<std::string>& errors);

// Whether the file starts with the journal file signature.
bool is_journal_file(const std::string& path);

}  // namespace hostward::authlog

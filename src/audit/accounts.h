#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/config_files.h"

namespace hostward::audit {

// One line of /etc/passwd.
struct Account {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;
  std::string shell;
};

// One line of /etc/group.
struct Group {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

// Lines that do not have the file's seven (passwd) or four (group) fields,
// or whose ids are not numbers, are skipped; at most 100,000 entries.
std::vector<Account> parse_passwd_accounts(std::string_view text);
std::vector<Group> parse_group_file(std::string_view text);

// /etc/passwd and /etc/group of `files`; empty when absent.
std::vector<Account> read_accounts(const ConfigFiles& files);
std::vector<Group> read_groups(const ConfigFiles& files);

}  // namespace hostward::audit

#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "audit/config_files.h"

// systemd unit files as systemd loads them (systemd.unit(5)): the first file
// of that name on the search path, then its drop-ins.
namespace hostward::audit {

// systemd's system unit search path, highest priority first.
extern const std::vector<std::string> kSystemdUnitDirs;

// One assignment of a unit file, continuation lines joined.
struct UnitSetting {
  std::string section;
  std::string key;
  std::string value;
  std::string path;
  int line = 0;  // where the (first line of the) assignment is
};

// [Section] headers, Key=Value lines, `#` and `;` comments (also inside a
// continuation), an odd number of trailing backslashes joining the next
// line. Only `section`'s assignments, or every section's when it is empty.
std::vector<UnitSetting> parse_unit_file(std::string_view text, const std::string& path = "",
                                         std::string_view section = {});

struct SystemdUnit {
  std::string path;  // empty when there is no such unit
  bool masked = false;
  std::vector<std::string> drop_ins;
  std::vector<UnitSetting> settings;  // the unit's, then each drop-in's
  std::vector<std::string> problems;
};

// Drop-in directory names of a unit: NAME.d, the dash-prefix ones
// (foo-.service.d for foo-bar.service) and the type's (service.d).
std::vector<std::string> dropin_dir_names(const std::string& name);

// The unit with its drop-ins from every directory of the search path, in
// file-name order (a name in a higher directory hides the same name below).
// A link to /dev/null or an empty file masks the unit.
SystemdUnit read_systemd_unit(const ConfigFiles& files, const std::string& name,
                              std::string_view section = {});

// A unit some target wants or requires (a link in a *.wants or *.requires
// directory under /etc, /lib or /usr/lib).
bool unit_enabled(const ConfigFiles& files, const std::string& unit);

}  // namespace hostward::audit

#pragma once
#include <map>
#include <string>
#include <vector>

#include "audit/config_files.h"

// fail2ban's jail configuration, read as fail2ban-client reads it
// (client/configreader.py, configparserinc.py): jail.conf, jail.d/*.conf,
// jail.local, jail.d/*.local in that order, each file's [INCLUDES]
// before/after files (with their .local companions) around it, later values
// winning, `;` inline comments, indented continuation lines, keys without
// case, and %(name)s interpolation from the section, then [DEFAULT];
// %(default/x)s is [DEFAULT]'s x, %(known/x)s the value x had in the section
// before the file that overrode it (else [DEFAULT]'s).
namespace hostward::audit {

// One entry of a jail's `action`: NAME[key=value, ...], with what it bans.
struct Fail2banAction {
  std::string name;
  std::map<std::string, std::string> params;
  // The ports it bans: its port= parameter, else action.d/NAME.conf's [Init]
  // port (fail2ban passes an action no jail option it was not given); "" for none.
  std::string port;
  bool all_ports = false;  // type allports (iptables-allports, nftables[type=allports], ...)
};

struct Fail2banJail {
  std::string name;
  bool enabled = false;
  std::string enabled_origin;  // file:line of the value that decided, "default" when none
  std::string filter;          // interpolated
  std::string backend;         // interpolated; "auto" when unset
  std::vector<std::string> logpaths;
  // Read for enabled jails only.
  std::string port;                     // the jail's own port option, interpolated
  std::vector<Fail2banAction> actions;  // the first 16
};

struct Fail2banConfig {
  bool found = false;  // jail.conf or jail.local exists in the directory
  std::vector<Fail2banJail> jails;
  std::vector<std::string> problems;  // fail2ban refuses to start with these
  std::vector<std::string> warnings;  // fail2ban warns and goes on
  std::vector<std::string> files_read;

  // The enabled jail that watches sshd (named sshd or ssh, or with the sshd filter).
  const Fail2banJail* sshd_jail() const;
};

Fail2banConfig read_fail2ban(const ConfigFiles& files, const std::string& dir = "/etc/fail2ban");

}  // namespace hostward::audit

#pragma once
// An offline tree for `hostward scan --root DIR --only config`: files
// written under a fresh temporary directory, then scanned as JSON.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "integration/support.h"

namespace hostward::itest {

struct Tree {
  TempDir dir{"/tmp/hwtest-root."};
  std::string at(const std::string& path) const { return dir.path() + path; }
  // The mode is set whatever the umask, so a file is never group- or
  // world-writable by accident (the cron and history rules would see it).
  void write(const std::string& path, const std::string& text, int mode = 0644) {
    const std::filesystem::path p = std::filesystem::path(dir.path()) / path.substr(1);
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    ::chmod(p.c_str(), static_cast<mode_t>(mode));
  }
  void mkdir(const std::string& path, int mode) {
    const std::filesystem::path p = std::filesystem::path(dir.path()) / path.substr(1);
    std::filesystem::create_directories(p);
    ::chmod(p.c_str(), static_cast<mode_t>(mode));
  }
  void symlink(const std::string& target, const std::string& path) {
    const std::filesystem::path p = std::filesystem::path(dir.path()) / path.substr(1);
    std::filesystem::create_directories(p.parent_path());
    std::filesystem::create_symlink(target, p);
  }
  nlohmann::json scan() {
    const auto r = run_hostward({"scan", "--root", dir.path(), "--only", "config", "--format",
                                 "json", "--fail-on", "critical"});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    return nlohmann::json::parse(r.out);
  }
};

// A unit in /lib/systemd/system, enabled for multi-user.target.
inline void enable_unit(Tree& t, const std::string& unit, const std::string& exec) {
  t.write("/lib/systemd/system/" + unit, "[Service]\nExecStart=" + exec + "\n");
  t.symlink("/lib/systemd/system/" + unit, "/etc/systemd/system/multi-user.target.wants/" + unit);
}

// Debian's fail2ban paths files and its jail.d default, as the package ships
// them: [sshd] enabled, its log and backend taken from paths-common.conf.
inline void write_debian_fail2ban_paths(Tree& t) {
  t.write("/etc/fail2ban/paths-common.conf",
          "[DEFAULT]\ndefault_backend = %(default/backend)s\n"
          "syslog_authpriv = /var/log/auth.log\nsshd_log = %(syslog_authpriv)s\n"
          "sshd_backend = %(default_backend)s\n");
  t.write("/etc/fail2ban/paths-debian.conf", "[INCLUDES]\nbefore = paths-common.conf\n");
  t.write("/etc/fail2ban/jail.d/defaults-debian.conf", "[sshd]\nenabled = true\n");
}

// The status of `rule` in the report's hardening summary.
inline std::string check_status(const nlohmann::json& report, const std::string& rule) {
  for (const auto& c : report["hardening"]["checks"])
    if (c["rule"] == rule) return c["status"];
  return "absent";
}

}  // namespace hostward::itest

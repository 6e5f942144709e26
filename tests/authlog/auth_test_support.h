#pragma once
#include <fcntl.h>
#include <ftw.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "authlog/authlog.h"

namespace hostward::authlog::testing {

// A private directory removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/hwauth.XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~ScratchDir() {
    ::nftw(
        path_.c_str(),
        [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); }, 16,
        FTW_DEPTH | FTW_PHYS);
  }
  const std::string& path() const { return path_; }
  // Written with a fixed mtime (the year of traditional syslog times is
  // inferred from it): 2026-11-28T23:00:00Z unless told.
  std::string write(const std::string& name, const std::string& content,
                    int64_t mtime = 1795906800) const {
    const std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << content;
    const struct timespec times[2] = {{mtime, 0}, {mtime, 0}};
    ::utimensat(AT_FDCWD, p.c_str(), times, 0);
    return p;
  }

 private:
  std::string path_;
};

struct Judged {
  AuthRun run;
  std::vector<Finding> findings;
  std::vector<const Finding*> of(const std::string& rule) const {
    std::vector<const Finding*> out;
    for (const auto& f : findings)
      if (f.rule == rule) out.push_back(&f);
    return out;
  }
};

// Reads `files` (classified as with --file) and runs the auth rules as of `now`.
inline Judged judge(const std::vector<std::string>& files, int64_t now,
                    const AuthConfig& config = {}) {
  Judged j;
  j.run = read_auth(classify_files(files), config);
  j.findings = run_rules({j.run.summary, config, "testhost", now});
  return j;
}

// Local time in the traditional format is read as UTC here.
inline void use_utc() {
  setenv("TZ", "UTC", 1);
  tzset();
}

}  // namespace hostward::authlog::testing

// config.cron-world-writable: crontabs, run-parts directories, anacrontab and
// systemd timers on in-memory hosts, each reason with a case that must fire
// and a near miss that must not; then the parsers against cron's and
// systemd's own rules.
#include "audit/scheduled_jobs.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace hostward::audit {
namespace {

using nlohmann::json;

constexpr const char* kRule = "config.cron-world-writable";

struct Host {
  AuditInput in;

  Host() {
    in.hostname = "test-host";
    file("/etc/passwd",
         "root:x:0:0:root:/root:/bin/bash\n"
         "backup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n"
         "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n");
    program("/bin/sh");
    program("/usr/bin/python3");
    program("/usr/bin/run-parts");
  }
  Host& file(const std::string& path, const std::string& text, mode_t mode = 0644, uid_t uid = 0) {
    in.files.memory[path] = text;
    in.files.memory_facts[path] = FileFacts{S_IFREG | mode, uid, 0};
    return *this;
  }
  Host& program(const std::string& path, mode_t mode = 0755, uid_t uid = 0) {
    return file(path, "#!/bin/sh\n", mode, uid);
  }
  // In memory a link's target is the content stored for it.
  Host& link(const std::string& path, const std::string& target) {
    in.files.memory[path] = target;
    in.files.memory_facts[path] = FileFacts{S_IFLNK | 0777, 0, 0};
    return *this;
  }
  // Its parents exist too, as 0755 root directories unless set already.
  Host& dir(const std::string& path, mode_t mode, uid_t uid = 0) {
    in.files.memory_facts[path] = FileFacts{S_IFDIR | mode, uid, 0};
    for (size_t slash = path.rfind('/'); slash != 0 && slash != std::string::npos;
         slash = path.rfind('/', slash - 1))
      in.files.memory_facts.emplace(path.substr(0, slash), FileFacts{S_IFDIR | 0755, 0, 0});
    return *this;
  }
  AuditResult run() const {
    AuditResult out;
    scheduled_jobs_rules(in, out);
    return out;
  }
};

std::string status_of(const AuditResult& r) {
  const auto it = r.checks.find(kRule);
  return it == r.checks.end() ? "" : it->second.status;
}

std::string errors_of(const AuditResult& r) {
  std::string all;
  for (const auto& e : r.errors) all += e.message + "\n";
  return all;
}

void expect_subject(const Finding& f, const std::string& path, int line,
                    const std::string& setting = "cron job") {
  EXPECT_EQ(f.rule, kRule);
  EXPECT_EQ(f.subject["kind"], "config");
  EXPECT_EQ(f.subject["path"], path);
  EXPECT_EQ(f.subject["setting"], setting);
  if (line > 0)
    EXPECT_EQ(f.subject["line"], line);
  else
    EXPECT_FALSE(f.subject.contains("line"));
}

// ---- cron: the program ----

TEST(CronWorldWritable, ScriptInStickyTmpFires) {
  Host h;
  h.dir("/tmp", 01777).program("/tmp/backup.sh");
  h.file("/etc/cron.d/backup", "# nightly\n30 2 * * * root /tmp/backup.sh --all\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u) << errors_of(r);
  const Finding& f = r.findings[0];
  expect_subject(f, "/etc/cron.d/backup", 2);
  // root's own file in sticky /tmp: no one else can replace it until it is gone.
  EXPECT_EQ(f.severity, Severity::low);
  EXPECT_EQ(f.evidence["plantable"],
            "only after a tmp cleanup or a reboot removes /tmp/backup.sh: /tmp is sticky and "
            "/tmp/backup.sh belongs to root");
  EXPECT_EQ(f.title,
            "root's cron job in /etc/cron.d/backup runs /tmp/backup.sh from /tmp, a directory any "
            "user can write");
  EXPECT_EQ(f.evidence["runs_as"], "root");
  EXPECT_EQ(f.evidence["program"], "/tmp/backup.sh");
  EXPECT_EQ(f.evidence["writable_path"], "/tmp");
  EXPECT_EQ(f.evidence["mode"], "1777");
  EXPECT_EQ(f.evidence["sticky"], true);
  EXPECT_EQ(f.evidence["owner"], "root");
  EXPECT_EQ(f.evidence["program_exists"], true);
  EXPECT_EQ(f.evidence["program_owner"], "root");
  EXPECT_EQ(f.evidence["schedule"], "30 2 * * *");
  EXPECT_EQ(f.attack, (std::vector<std::string>{"T1053.003", "T1053.006"}));
  EXPECT_EQ(status_of(r), "passed");  // judged; the summary marks it failed by its finding
}

TEST(CronWorldWritable, WorldWritableScriptFiresWithTheFileAsWritablePath) {
  Host h;
  h.program("/usr/local/bin/backup.sh", 0666);
  h.file("/etc/cron.d/backup", "30 2 * * * root /usr/local/bin/backup.sh\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  expect_subject(f, "/etc/cron.d/backup", 1);
  EXPECT_EQ(f.title,
            "root's cron job in /etc/cron.d/backup runs /usr/local/bin/backup.sh, which any user "
            "can change");
  EXPECT_EQ(f.evidence["writable_path"], "/usr/local/bin/backup.sh");
  EXPECT_EQ(f.evidence["mode"], "0666");
  EXPECT_EQ(f.evidence["sticky"], false);
  EXPECT_FALSE(f.evidence.contains("program_exists"));
}

TEST(CronWorldWritable, OpenDirectoryFiresEvenWhenTheScriptIsRootsAndSafe) {
  Host h;
  h.dir("/opt/ci", 0777, 1000).program("/opt/ci/deploy");
  h.file("/etc/crontab", "SHELL=/bin/sh\n*/5 * * * * root /opt/ci/deploy\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_subject(r.findings[0], "/etc/crontab", 2);
  EXPECT_EQ(r.findings[0].evidence["writable_path"], "/opt/ci");
  EXPECT_EQ(r.findings[0].evidence["mode"], "0777");
  EXPECT_EQ(r.findings[0].evidence["sticky"], false);
  EXPECT_EQ(r.findings[0].evidence["owner"], "alice");
  EXPECT_EQ(r.findings[0].evidence["schedule"], "*/5 * * * *");
}

TEST(CronWorldWritable, DeepestOpenDirectoryIsTheOneReported) {
  Host h;
  h.dir("/var/tmp", 01777).dir("/var/tmp/job", 0777).program("/var/tmp/job/run");
  h.file("/etc/cron.d/job", "@hourly root /var/tmp/job/run\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].evidence["writable_path"], "/var/tmp/job");
  EXPECT_EQ(r.findings[0].evidence["schedule"], "@hourly");
}

TEST(CronWorldWritable, MissingScriptUnderOpenDirectoryCanBePlanted) {
  Host h;
  h.dir("/tmp", 01777).file("/tmp/other", "");
  h.file("/etc/cron.d/cleanup", "0 3 * * * root /tmp/cleanup/run.sh\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].evidence["writable_path"], "/tmp");
  EXPECT_EQ(r.findings[0].evidence["program_exists"], false);
  EXPECT_FALSE(r.findings[0].evidence.contains("program_owner"));
}

TEST(CronWorldWritable, RootOwnedScriptInRootOwnedDirectoryIsQuiet) {
  Host h;
  h.dir("/tmp", 01777).program("/usr/local/bin/backup");
  h.file("/etc/cron.d/backup", "30 2 * * * root /usr/local/bin/backup > /tmp/backup.log 2>&1\n");
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty()) << r.findings[0].title;  // a log in /tmp is not a program
  EXPECT_EQ(status_of(r), "passed");
  EXPECT_TRUE(r.errors.empty()) << errors_of(r);
}

TEST(CronWorldWritable, LeadingAssignmentsAndWrappersAreSeenThrough) {
  Host h;
  h.dir("/tmp", 01777).program("/tmp/a").program("/tmp/b").program("/usr/bin/nice");
  h.program("/usr/bin/flock").program("/usr/bin/timeout");
  h.file("/etc/cron.d/jobs",
         "0 * * * * root LANG=C nice -n 10 /tmp/a\n"
         "1 * * * * root timeout -s KILL 60 flock -n /run/lock/x -c '/tmp/b'\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].evidence["program"], "/tmp/a");
  EXPECT_EQ(r.findings[0].subject["line"], 1);
  EXPECT_EQ(r.findings[1].evidence["program"], "/tmp/b");
  EXPECT_EQ(r.findings[1].subject["line"], 2);
}

TEST(CronWorldWritable, InterpreterScriptsAreJudged) {
  Host h;
  h.dir("/tmp", 01777).dir("/home/ci", 0777);
  h.program("/usr/bin/bash").program("/usr/bin/perl");
  h.file("/etc/cron.d/scripts",
         "0 1 * * * root bash -e /home/ci/build.sh\n"
         "0 2 * * * root python3 -u -W ignore /tmp/report.py\n"
         "0 3 * * * root sh -c 'cd / && /tmp/nested.sh'\n"
         "0 5 * * * root python3 -m http.server\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 3u);
  EXPECT_EQ(r.findings[0].evidence["program"], "/home/ci/build.sh");
  EXPECT_EQ(r.findings[1].evidence["program"], "/tmp/report.py");
  EXPECT_EQ(r.findings[2].evidence["program"], "/tmp/nested.sh");
  EXPECT_EQ(r.findings[2].subject["line"], 3);
}

TEST(CronWorldWritable, RelativeScriptStartsInTheUsersHome) {
  Host h;
  h.dir("/home/alice", 0777, 1000).program("/usr/bin/bash");
  h.file("/var/spool/cron/crontabs/alice", "15 * * * * bash bin/sync.sh\n", 0600, 1000);
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_subject(r.findings[0], "/var/spool/cron/crontabs/alice", 1);
  EXPECT_EQ(r.findings[0].severity, Severity::medium);  // runs as alice, not root
  EXPECT_EQ(r.findings[0].evidence["runs_as"], "alice");
  EXPECT_EQ(r.findings[0].evidence["program"], "/home/alice/bin/sync.sh");
  EXPECT_EQ(r.findings[0].title,
            "alice's cron job in /var/spool/cron/crontabs/alice runs /home/alice/bin/sync.sh "
            "from /home/alice, a directory any user can write");
}

TEST(CronWorldWritable, RootsUserCrontabIsHigh) {
  Host h;
  h.dir("/tmp", 01777);
  h.file("/var/spool/cron/crontabs/root", "# DO NOT EDIT\n@reboot /tmp/start.sh\n", 0600);
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_subject(r.findings[0], "/var/spool/cron/crontabs/root", 2);
  EXPECT_EQ(r.findings[0].severity, Severity::high);
  EXPECT_EQ(r.findings[0].evidence["schedule"], "@reboot");
}

TEST(CronWorldWritable, ShellFromTheCrontabIsJudged) {
  Host h;
  h.dir("/tmp", 01777).program("/tmp/sh").program("/usr/local/bin/ok");
  h.file("/etc/cron.d/shell", "SHELL=/tmp/sh\n0 0 * * * root /usr/local/bin/ok\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].evidence["program"], "/tmp/sh");
  EXPECT_EQ(r.findings[0].subject["line"], 2);
}

// ---- cron: PATH ----

TEST(CronWorldWritable, OpenPathEntryBeforeTheProgramFires) {
  Host h;
  h.dir("/tmp", 01777).dir("/tmp/bin", 0777).program("/usr/bin/backup");
  h.file("/etc/crontab", "PATH=/tmp/bin:/usr/bin:/bin\n17 * * * * root backup --quiet\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  expect_subject(f, "/etc/crontab", 2);
  EXPECT_EQ(f.evidence["program"], "backup");
  EXPECT_EQ(f.evidence["path_entry"], "/tmp/bin");
  EXPECT_EQ(f.evidence["writable_path"], "/tmp/bin");
  EXPECT_EQ(f.title,
            "root's cron job in /etc/crontab looks backup up through PATH, and /tmp/bin on it is a "
            "directory any user can write");
}

TEST(CronWorldWritable, OpenPathEntryAfterTheProgramIsQuiet) {
  Host h;
  h.dir("/tmp", 01777).dir("/tmp/bin", 0777).program("/usr/bin/backup");
  h.file("/etc/crontab", "PATH=/usr/bin:/tmp/bin\n17 * * * * root backup\n");
  EXPECT_TRUE(h.run().findings.empty());
}

TEST(CronWorldWritable, DefaultPathIsUsrBinBin) {
  Host h;
  h.dir("/usr/local/bin", 0777).program("/usr/local/bin/backup").program("/bin/backup");
  h.file("/etc/cron.d/backup", "17 * * * * root backup\n");  // cron's PATH: /usr/bin:/bin
  EXPECT_TRUE(h.run().findings.empty());
}

TEST(CronWorldWritable, PathSetAfterTheJobDoesNotApplyToIt) {
  Host h;
  h.dir("/tmp", 01777).dir("/tmp/bin", 0777).program("/usr/bin/backup");
  h.file("/etc/crontab",
         "17 * * * * root backup\nPATH=/tmp/bin:/usr/bin\n18 * * * * root backup\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].subject["line"], 3);
}

TEST(CronWorldWritable, ShellStateCarriesToLaterCommands) {
  Host h;
  h.dir("/home/ci", 0777, 1000).dir("/tmp/bin", 0777).program("/usr/bin/backup");
  h.program("/usr/bin/sync");
  h.file("/etc/cron.d/state",
         "0 1 * * * root cd /home/ci && ./build.sh\n"
         "0 2 * * * root PATH=/tmp/bin:$PATH; backup\n"
         "0 3 * * * root export PATH=/tmp/bin:/usr/bin && sync\n"
         "0 4 * * * root cd \"$UNKNOWN\" && ./x.sh; /usr/bin/backup\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 3u);
  EXPECT_EQ(r.findings[0].evidence["program"], "/home/ci/build.sh");
  EXPECT_EQ(r.findings[1].evidence["path_entry"], "/tmp/bin");
  EXPECT_EQ(r.findings[1].evidence["program"], "backup");
  EXPECT_EQ(r.findings[2].evidence["program"], "sync");
  EXPECT_EQ(r.findings[2].subject["line"], 3);
}

// ---- cron: the crontab itself, and what cron refuses ----

TEST(CronWorldWritable, WorldWritableCronDFileFiresAndItsJobsAreNotRun) {
  Host h;
  h.dir("/tmp", 01777);
  h.file("/etc/cron.d/backup", "30 2 * * * root /tmp/backup.sh\n", 0666);
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);  // cron ignores the file: its /tmp job does not run
  const Finding& f = r.findings[0];
  expect_subject(f, "/etc/cron.d/backup", 0);
  EXPECT_EQ(f.severity, Severity::high);
  EXPECT_EQ(f.title,
            "/etc/cron.d/backup is world-writable: any user can add cron jobs to it (cron ignores "
            "it until its mode is fixed)");
  EXPECT_EQ(f.evidence["writable_path"], "/etc/cron.d/backup");
  EXPECT_EQ(f.evidence["mode"], "0666");
  EXPECT_EQ(f.evidence["cron_ignores_it"], true);
}

TEST(CronWorldWritable, GroupWritableCronDFileIsRefusedAsAnError) {
  Host h;
  h.dir("/tmp", 01777);
  h.file("/etc/cron.d/backup", "30 2 * * * root /tmp/backup.sh\n", 0664);
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].collector, "config");
  EXPECT_EQ(r.errors[0].message,
            "/etc/cron.d/backup: cron ignores this file: INSECURE MODE (group/other writable)");
}

TEST(CronWorldWritable, CronDFileNotOwnedByRootIsRefusedOnTheLiveHost) {
  Host h;
  h.dir("/tmp", 01777);
  h.file("/etc/cron.d/backup", "30 2 * * * root /tmp/backup.sh\n", 0644, 1000);
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "/etc/cron.d/backup: cron ignores this file: WRONG FILE OWNER");
}

TEST(CronWorldWritable, CronDNamesWithADotAreSkipped) {
  Host h;
  h.dir("/tmp", 01777);
  h.file("/etc/cron.d/backup.dpkg-old", "30 2 * * * root /tmp/backup.sh\n");
  h.file("/etc/cron.d/x.bak", "30 2 * * * root /tmp/backup.sh\n");
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(status_of(r), "passed");
}

TEST(CronWorldWritable, CommentedJobIsIgnored) {
  Host h;
  h.dir("/tmp", 01777);
  h.file("/etc/cron.d/backup", "#30 2 * * * root /tmp/backup.sh\n  # 0 * * * * root /tmp/x\n");
  EXPECT_TRUE(h.run().findings.empty());
}

TEST(CronWorldWritable, PercentStartsStdinSoWhatFollowsIsNotRun) {
  Host h;
  h.dir("/tmp", 01777).program("/usr/bin/mail").program("/usr/bin/date");
  h.file("/etc/cron.d/mail",
         "0 1 * * * root /usr/bin/mail -s report admin%/tmp/not-a-command.sh%\n"
         "0 2 * * * root /usr/bin/date +\\%F > /dev/null; /tmp/after-escaped-percent.sh\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].subject["line"], 2);
  EXPECT_EQ(r.findings[0].evidence["program"], "/tmp/after-escaped-percent.sh");
}

TEST(CronWorldWritable, SyntaxErrorMakesCronIgnoreTheWholeFile) {
  Host h;
  h.dir("/tmp", 01777);
  h.file("/etc/cron.d/backup", "30 2 * * * root /tmp/backup.sh\n61 * * * * root /bin/true\n");
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "/etc/cron.d/backup:2: bad minute: Debian's cron ignores this whole file");
}

TEST(CronWorldWritable, MissingNewlineAtTheEndMakesCronIgnoreTheFile) {
  Host h;
  h.dir("/tmp", 01777);
  h.file("/etc/cron.d/backup", "30 2 * * * root /tmp/backup.sh");
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "/etc/cron.d/backup:1: missing newline before EOF: Debian's cron ignores this whole "
            "file");
}

TEST(CronWorldWritable, UnknownUserMakesCronIgnoreTheWholeFile) {
  Host h;
  h.dir("/tmp", 01777);
  h.file("/etc/cron.d/backup", "30 2 * * * root /tmp/a.sh\n0 3 * * * nobody-here /bin/true\n");
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "/etc/cron.d/backup:2: bad username: Debian's cron ignores this whole file");
}

TEST(CronWorldWritable, UserCrontabMustBeMode0600) {
  Host h;
  h.dir("/tmp", 01777);
  h.file("/var/spool/cron/crontabs/alice", "@reboot /tmp/start.sh\n", 0644, 1000);
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "/var/spool/cron/crontabs/alice: cron ignores this file: INSECURE MODE (mode 0600 "
            "expected)");
}

TEST(CronWorldWritable, WorldWritableUserCrontabFiresForItsUser) {
  Host h;
  h.file("/var/spool/cron/crontabs/alice", "@reboot /usr/bin/true\n", 0666, 1000);
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_subject(r.findings[0], "/var/spool/cron/crontabs/alice", 0);
  EXPECT_EQ(r.findings[0].severity, Severity::medium);
  EXPECT_EQ(r.findings[0].evidence["runs_as"], "alice");
}

// ---- run-parts directories ----

TEST(CronWorldWritable, WorldWritableRunPartsScriptFires) {
  Host h;
  h.dir("/etc/cron.daily", 0755);
  h.program("/etc/cron.daily/logrotate").program("/etc/cron.daily/backup", 0777);
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  expect_subject(f, "/etc/cron.daily/backup", 0);
  EXPECT_EQ(f.severity, Severity::high);
  EXPECT_EQ(f.evidence["schedule"], "daily");
  EXPECT_EQ(f.title,
            "root's cron.daily job runs /etc/cron.daily/backup, which any user can change");
}

TEST(CronWorldWritable, RunPartsSkipsDottedAndNonExecutableNames) {
  Host h;
  h.program("/etc/cron.daily/backup.sh", 0777);  // a dot: run-parts never runs it
  h.file("/etc/cron.daily/notes", "", 0666);     // not executable
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(status_of(r), "passed");
}

TEST(CronWorldWritable, OpenRunPartsDirectoryFiresOnceEvenWhenCrontabRunsIt) {
  Host h;
  h.dir("/etc/cron.hourly", 0777).program("/etc/cron.hourly/ok");
  h.file("/etc/crontab", "17 * * * * root cd / && run-parts --report /etc/cron.hourly\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_subject(r.findings[0], "/etc/cron.hourly", 0);
  EXPECT_EQ(r.findings[0].evidence["reason"], "the run-parts directory is world-writable");
  EXPECT_EQ(r.findings[0].title,
            "root's cron.hourly job runs every script in /etc/cron.hourly, a directory any user "
            "can write");
}

TEST(CronWorldWritable, RunPartsOfAnotherDirectoryFromACrontabLine) {
  Host h;
  h.dir("/srv/jobs", 0777).program("/srv/jobs/a");
  h.file("/etc/cron.d/jobs", "0 4 * * * root run-parts /srv/jobs\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_subject(r.findings[0], "/etc/cron.d/jobs", 1);
  EXPECT_EQ(r.findings[0].evidence["writable_path"], "/srv/jobs");
}

// ---- anacron ----

TEST(CronWorldWritable, AnacronJobFromVarTmpFires) {
  Host h;
  h.dir("/var/tmp", 01777);
  h.file("/etc/anacrontab",
         "SHELL=/bin/sh\nPATH=/sbin:/bin:/usr/sbin:/usr/bin\n"
         "1\t5\tcron.daily\trun-parts --report /etc/cron.daily\n"
         "@weekly 10 weekly.job /var/tmp/weekly.sh\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_subject(r.findings[0], "/etc/anacrontab", 4);
  EXPECT_EQ(r.findings[0].evidence["schedule"], "@weekly");
  EXPECT_EQ(r.findings[0].evidence["runs_as"], "root");
}

TEST(CronWorldWritable, WorldWritableAnacrontabFires) {
  Host h;
  h.file("/etc/anacrontab", "1 5 cron.daily run-parts --report /etc/cron.daily\n", 0666);
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_subject(r.findings[0], "/etc/anacrontab", 0);
  EXPECT_EQ(r.findings[0].title,
            "/etc/anacrontab is world-writable: any user can add jobs that root runs");
}

// ---- systemd timers ----

Host& timer_host(Host& h, const std::string& exec, const std::string& extra_service = "") {
  h.file("/etc/systemd/system/backup.timer",
         "[Unit]\nDescription=nightly\n\n[Timer]\nOnCalendar=daily\nPersistent=true\n\n"
         "[Install]\nWantedBy=timers.target\n");
  h.file("/etc/systemd/system/backup.service",
         "[Unit]\nDescription=backup\n\n[Service]\nType=oneshot\n" + extra_service +
             "ExecStart=" + exec + "\n");
  return h;
}

TEST(TimerWorldWritable, ServiceExecStartInVarTmpFires) {
  Host h;
  // alice's directory: she can swap the script whenever she likes.
  h.dir("/var/tmp", 01777).dir("/var/tmp/backup", 0755, 1000).program("/var/tmp/backup/run.sh");
  timer_host(h, "/var/tmp/backup/run.sh --full");
  h.file("/etc/systemd/system/timers.target.wants/backup.timer", "");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  expect_subject(f, "/etc/systemd/system/backup.service", 6, "systemd timer");
  EXPECT_EQ(f.severity, Severity::high);
  EXPECT_EQ(f.title,
            "root's systemd timer backup.timer runs /var/tmp/backup/run.sh from /var/tmp, a "
            "directory any user can write");
  EXPECT_EQ(f.evidence["timer"], "/etc/systemd/system/backup.timer");
  EXPECT_EQ(f.evidence["service"], "/etc/systemd/system/backup.service");
  EXPECT_EQ(f.evidence["enabled"], true);
  EXPECT_EQ(f.evidence["schedule"], "OnCalendar=daily");
  EXPECT_EQ(f.evidence["writable_path"], "/var/tmp");
  EXPECT_EQ(status_of(r), "passed");
}

TEST(TimerWorldWritable, PrefixesAreStrippedAndUserDecidesSeverity) {
  Host h;
  h.dir("/tmp", 01777);
  timer_host(h, "-!/tmp/job", "User=backup\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].severity, Severity::medium);
  EXPECT_EQ(r.findings[0].evidence["runs_as"], "backup");
  EXPECT_EQ(r.findings[0].evidence["program"], "/tmp/job");
  EXPECT_EQ(r.findings[0].evidence["enabled"], false);
}

TEST(TimerWorldWritable, DropInResettingExecStartReplacesTheUnsafeCommand) {
  Host h;
  h.dir("/tmp", 01777).program("/usr/local/sbin/backup");
  timer_host(h, "/tmp/job");
  h.file("/etc/systemd/system/backup.service.d/override.conf",
         "[Service]\nExecStart=\nExecStart=/usr/local/sbin/backup\n");
  EXPECT_TRUE(h.run().findings.empty());
}

TEST(TimerWorldWritable, DropInAddingAnUnsafeCommandIsTheSubject) {
  Host h;
  h.dir("/tmp", 01777).program("/usr/local/sbin/backup");
  timer_host(h, "/usr/local/sbin/backup");
  h.file("/usr/lib/systemd/system/backup.service.d/10-pre.conf",
         "# added by a package\n[Service]\nExecStartPre=/bin/sh -c '/tmp/pre.sh'\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_subject(r.findings[0], "/usr/lib/systemd/system/backup.service.d/10-pre.conf", 3,
                 "systemd timer");
  EXPECT_EQ(r.findings[0].evidence["program"], "/tmp/pre.sh");
}

TEST(TimerWorldWritable, TimerUnitNamesTheService) {
  Host h;
  h.dir("/tmp", 01777);
  h.file("/lib/systemd/system/nightly.timer",
         "[Timer]\nOnCalendar=*-*-* 03:00\nUnit=job.service\n");
  h.file("/lib/systemd/system/job.service", "[Service]\nExecStart=@/tmp/job job --now\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_subject(r.findings[0], "/lib/systemd/system/job.service", 2, "systemd timer");
  EXPECT_EQ(r.findings[0].evidence["schedule"], "OnCalendar=*-*-* 03:00");
}

TEST(TimerWorldWritable, EtcUnitShadowsTheVendorOne) {
  Host h;
  h.dir("/tmp", 01777).program("/usr/bin/safe");
  h.file("/usr/lib/systemd/system/backup.timer", "[Timer]\nOnCalendar=daily\n");
  h.file("/usr/lib/systemd/system/backup.service", "[Service]\nExecStart=/tmp/vendor\n");
  h.file("/etc/systemd/system/backup.service", "[Service]\nExecStart=/usr/bin/safe\n");
  EXPECT_TRUE(h.run().findings.empty());
}

TEST(TimerWorldWritable, WorldWritableServiceFileFires) {
  Host h;
  h.program("/usr/local/sbin/backup");
  timer_host(h, "/usr/local/sbin/backup");
  h.in.files.memory_facts["/etc/systemd/system/backup.service"] = FileFacts{S_IFREG | 0666, 0, 0};
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_subject(r.findings[0], "/etc/systemd/system/backup.service", 0, "systemd timer");
  EXPECT_EQ(r.findings[0].evidence["reason"], "the unit file is world-writable");
  EXPECT_EQ(r.findings[0].title,
            "/etc/systemd/system/backup.service is world-writable: any user can change what "
            "root's systemd timer backup.timer runs");
}

TEST(TimerWorldWritable, OpenUnitDirectoryFiresOnce) {
  Host h;
  h.dir("/etc/systemd/system", 0777).program("/usr/local/sbin/backup");
  timer_host(h, "/usr/local/sbin/backup");
  h.file("/etc/systemd/system/other.timer", "[Timer]\nOnCalendar=weekly\n");
  h.file("/etc/systemd/system/other.service", "[Service]\nExecStart=/usr/local/sbin/backup\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  expect_subject(r.findings[0], "/etc/systemd/system", 0, "systemd timer");
  EXPECT_EQ(r.findings[0].evidence["reason"], "a unit directory is world-writable");
}

TEST(TimerWorldWritable, TemplateTimersAreNotJudged) {
  Host h;
  h.dir("/tmp", 01777);
  h.file("/etc/systemd/system/job@.timer", "[Timer]\nOnCalendar=daily\n");
  h.file("/etc/systemd/system/job@.service", "[Service]\nExecStart=/tmp/%i\n");
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(status_of(r), "not_applicable");
}

// ---- applicability ----

TEST(CronWorldWritable, NothingScheduledIsNotApplicable) {
  Host h;
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(status_of(r), "not_applicable");
}

TEST(CronWorldWritable, RegisteredWithItsCatalogEntry) {
  RuleCatalog catalog;
  scheduled_jobs_register(catalog);
  const RuleInfo* info = catalog.find(kRule);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->severity, Severity::high);
  EXPECT_EQ(info->attack, (std::vector<std::string>{"T1053.003", "T1053.006"}));
}

// ---- symlinks: judged by every path they lead through ----

TEST(CronWorldWritable, ProgramLinkingIntoTmpIsJudgedByItsTarget) {
  Host h;
  h.dir("/tmp", 01777).program("/tmp/backup.sh", 0755, 1000);
  h.link("/usr/local/bin/backup", "/tmp/backup.sh");
  h.file("/etc/cron.d/backup", "30 2 * * * root /usr/local/bin/backup\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u) << errors_of(r);
  const Finding& f = r.findings[0];
  expect_subject(f, "/etc/cron.d/backup", 1);
  EXPECT_EQ(f.severity, Severity::high);  // alice's file: she can swap it whenever she likes
  EXPECT_EQ(f.title,
            "root's cron job in /etc/cron.d/backup runs /usr/local/bin/backup, a symlink that "
            "leads through /tmp, a directory any user can write");
  EXPECT_EQ(f.evidence["program"], "/usr/local/bin/backup");
  EXPECT_EQ(f.evidence["writable_path"], "/tmp");
  EXPECT_EQ(f.evidence["link_step"], "/tmp/backup.sh");
  EXPECT_EQ(f.evidence["resolves_to"], "/tmp/backup.sh");
  EXPECT_EQ(f.evidence["target_exists"], true);
  EXPECT_EQ(f.evidence["reason"], "a directory on the path its symlink leads to is world-writable");
  EXPECT_FALSE(f.evidence.contains("plantable"));
}

TEST(CronWorldWritable, LinkToAWorldWritableFileAndRelativeAndDanglingLinksFire) {
  Host h;
  h.dir("/tmp", 01777).program("/opt/tool", 0666);
  h.dir("/usr/local/lib/app", 0777).program("/usr/local/lib/app/run");
  h.link("/usr/local/bin/tool", "/opt/tool");
  h.link("/usr/local/bin/app", "../lib/app/run");
  h.link("/usr/local/bin/gone", "/tmp/app");
  h.file("/etc/cron.d/links",
         "0 1 * * * root /usr/local/bin/tool\n"
         "0 2 * * * root /usr/local/bin/app\n"
         "0 3 * * * root /usr/local/bin/gone\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 3u) << errors_of(r);
  EXPECT_EQ(r.findings[0].title,
            "root's cron job in /etc/cron.d/links runs /usr/local/bin/tool, a symlink to "
            "/opt/tool, which any user can change");
  EXPECT_EQ(r.findings[0].evidence["reason"], "the file its symlink leads to is world-writable");
  EXPECT_EQ(r.findings[0].evidence["writable_path"], "/opt/tool");
  EXPECT_EQ(r.findings[1].evidence["writable_path"], "/usr/local/lib/app");
  EXPECT_EQ(r.findings[1].evidence["resolves_to"], "/usr/local/lib/app/run");
  EXPECT_EQ(r.findings[2].subject["line"], 3);
  EXPECT_EQ(r.findings[2].severity, Severity::high);  // /tmp/app is missing: anyone can plant it
  EXPECT_EQ(r.findings[2].evidence["writable_path"], "/tmp");
  EXPECT_EQ(r.findings[2].evidence["target_exists"], false);
}

TEST(CronWorldWritable, LinksWithinRootOwnedDirectoriesAndLoopsAreQuiet) {
  Host h;
  h.dir("/tmp", 01777).program("/usr/bin/python3.11");
  h.link("/usr/local/bin/py", "/usr/bin/python3.11");
  h.link("/usr/local/bin/loop-a", "loop-b").link("/usr/local/bin/loop-b", "loop-a");
  h.file("/etc/cron.d/links",
         "0 1 * * * root /usr/local/bin/py /usr/local/lib/report.py\n"
         "0 2 * * * root /usr/local/bin/loop-a\n");
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty()) << r.findings[0].title;
  EXPECT_TRUE(r.errors.empty()) << errors_of(r);
}

TEST(CronWorldWritable, RunPartsFollowsLinksOutOfItsDirectory) {
  Host h;
  h.dir("/etc/cron.daily", 0755).dir("/opt/ci", 0777).program("/opt/ci/cleanup.sh");
  h.link("/etc/cron.daily/cleanup", "/opt/ci/cleanup.sh");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u) << errors_of(r);
  const Finding& f = r.findings[0];
  expect_subject(f, "/etc/cron.daily/cleanup", 0);
  EXPECT_EQ(f.severity, Severity::high);
  EXPECT_EQ(f.title,
            "root's cron.daily job runs /etc/cron.daily/cleanup, a symlink that leads through "
            "/opt/ci, a directory any user can write");
  EXPECT_EQ(f.evidence["writable_path"], "/opt/ci");
}

TEST(CronWorldWritable, RunPartsLinksToSafeOrNonExecutableFilesAreQuiet) {
  Host h;
  h.dir("/etc/cron.daily", 0755).dir("/opt/ci", 0777).program("/usr/local/sbin/cleanup");
  h.file("/opt/ci/notes", "", 0644);
  h.link("/etc/cron.daily/cleanup", "/usr/local/sbin/cleanup");
  h.link("/etc/cron.daily/notes", "/opt/ci/notes");  // run-parts skips it: not executable
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty()) << r.findings[0].title;
}

// ---- su and runuser ----

Host& with_postgres(Host& h) {
  h.file("/etc/passwd",
         "root:x:0:0:root:/root:/bin/bash\n"
         "backup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n"
         "postgres:x:110:118::/var/lib/postgresql:/bin/bash\n");
  return h;
}

TEST(CronWorldWritable, SuAndRunuserRunTheirCommandAsTheTargetUser) {
  Host h;
  with_postgres(h).dir("/var/tmp", 01777).program("/usr/bin/su").program("/usr/sbin/runuser");
  h.file("/etc/cron.d/db",
         "0 1 * * * root su - postgres -c \"/var/tmp/pg_dump.sh\"\n"
         "0 2 * * * root runuser -u backup -- /var/tmp/backup.sh --all\n"
         "0 3 * * * root runuser -l postgres -c '/var/tmp/vacuum.sh'\n"
         "0 4 * * * root su -c /var/tmp/as-root.sh\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 4u) << errors_of(r);
  EXPECT_EQ(r.findings[0].evidence["program"], "/var/tmp/pg_dump.sh");
  EXPECT_EQ(r.findings[0].evidence["runs_as"], "postgres");
  EXPECT_EQ(r.findings[0].severity, Severity::medium);
  EXPECT_EQ(r.findings[0].title,
            "postgres's cron job in /etc/cron.d/db runs /var/tmp/pg_dump.sh from /var/tmp, a "
            "directory any user can write");
  EXPECT_EQ(r.findings[1].evidence["program"], "/var/tmp/backup.sh");
  EXPECT_EQ(r.findings[1].evidence["runs_as"], "backup");
  EXPECT_EQ(r.findings[2].evidence["program"], "/var/tmp/vacuum.sh");
  EXPECT_EQ(r.findings[2].subject["line"], 3);
  EXPECT_EQ(r.findings[3].evidence["program"], "/var/tmp/as-root.sh");
  EXPECT_EQ(r.findings[3].evidence["runs_as"], "root");
  EXPECT_EQ(r.findings[3].severity, Severity::high);
}

TEST(CronWorldWritable, SuArgumentsThatAreDataAreQuiet) {
  Host h;
  with_postgres(h).dir("/var/tmp", 01777).program("/usr/bin/su").program("/usr/bin/pg_dump");
  h.file("/etc/cron.d/db",
         "0 1 * * * root su - postgres -c \"/usr/bin/pg_dump --file=/var/tmp/dump.sql\"\n"
         "0 2 * * * root su -s /bin/sh backup -c 'echo /var/tmp/x > /var/tmp/log'\n"
         "0 3 * * * root su postgres\n");
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty()) << r.findings[0].title;
}

// ---- inline code of interpreters other than the shell ----

TEST(CronWorldWritable, PathsInsidePythonPerlRubyPhpNodeCodeAreData) {
  Host h;
  h.dir("/tmp", 01777).program("/usr/bin/perl").program("/usr/bin/ruby").program("/usr/bin/php");
  h.program("/usr/bin/node");
  h.file("/etc/cron.d/code",
         "0 1 * * * root python3 -c \"import shutil; shutil.rmtree('/tmp/build-cache')\"\n"
         "0 2 * * * root perl -e 'unlink \"/tmp/old.lock\"'\n"
         "0 3 * * * root ruby -e 'File.delete(\"/tmp/x\")'\n"
         "0 4 * * * root php -r 'unlink(\"/tmp/y\");'\n"
         "0 5 * * * root node -e 'require(\"fs\").rmSync(\"/tmp/z\")'\n");
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty()) << r.findings[0].title;
}

TEST(CronWorldWritable, InterpreterScriptFileAndShellCodeStillFire) {
  Host h;
  h.dir("/tmp", 01777).program("/usr/bin/perl").program("/usr/bin/bash");
  h.file("/etc/cron.d/code",
         "0 1 * * * root perl -w /tmp/report.pl\n"
         "0 2 * * * root bash -c '/tmp/step.sh'\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].evidence["program"], "/tmp/report.pl");
  EXPECT_EQ(r.findings[1].evidence["program"], "/tmp/step.sh");
}

// ---- sticky directories ----

TEST(CronWorldWritable, OwnDirectoryUnderStickyVarTmpIsLow) {
  Host h;
  h.dir("/var/tmp", 01777).dir("/var/tmp/ci", 0755, 1000).program("/var/tmp/ci/run", 0755, 1000);
  h.file("/var/spool/cron/crontabs/alice", "*/5 * * * * /var/tmp/ci/run\n", 0600, 1000);
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u) << errors_of(r);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.severity, Severity::low);
  EXPECT_EQ(f.evidence["writable_path"], "/var/tmp");
  EXPECT_EQ(f.evidence["plantable"],
            "only after a tmp cleanup or a reboot removes /var/tmp/ci: /var/tmp is sticky and "
            "/var/tmp/ci belongs to alice");
}

TEST(CronWorldWritable, StickyDirectoryKeepsItsSeverityWhenTheComponentIsMissingOrAnothers) {
  Host h;
  h.dir("/var/tmp", 01777).dir("/var/tmp/ci", 0755, 34).program("/var/tmp/ci/run", 0755, 34);
  h.file("/var/spool/cron/crontabs/alice",
         "*/5 * * * * /var/tmp/ci/run\n*/6 * * * * /var/tmp/gone/run\n", 0600, 1000);
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 2u) << errors_of(r);
  EXPECT_EQ(r.findings[0].severity, Severity::medium);  // backup's directory: backup swaps it
  EXPECT_FALSE(r.findings[0].evidence.contains("plantable"));
  EXPECT_EQ(r.findings[1].severity, Severity::medium);  // missing: anyone plants it
  EXPECT_EQ(r.findings[1].evidence["program_exists"], false);
}

TEST(CronWorldWritable, StickyDirectoryUnderAnOpenOneIsNoProtection) {
  Host h;
  h.dir("/srv", 0777).dir("/srv/tmp", 01777).program("/srv/tmp/run");
  h.file("/etc/cron.d/srv", "0 1 * * * root /srv/tmp/run\n");
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].severity, Severity::high);  // /srv/tmp itself can be renamed away
  EXPECT_EQ(r.findings[0].evidence["writable_path"], "/srv/tmp");
}

// ---- hostile crontabs: cron's own limits ----

TEST(CronWorldWritable, CommandIsCutAtCronsLimit) {
  Host h;
  h.dir("/tmp", 01777);
  const std::string head = "* * * * * /usr/bin/true ";
  const std::string filler(kCronMaxCommand - 1 - std::string("/usr/bin/true ").size(), ' ');
  h.file("/var/spool/cron/crontabs/root",
         head + filler + "; /tmp/past-the-limit\n" + head + "; /tmp/within\n", 0600);
  const auto r = h.run();
  ASSERT_EQ(r.findings.size(), 1u) << errors_of(r);
  EXPECT_EQ(r.findings[0].evidence["program"], "/tmp/within");
  EXPECT_EQ(r.findings[0].subject["line"], 2);
}

TEST(CronWorldWritable, HugeAssignmentAndManyJobsStaySmall) {
  Host h;
  h.dir("/tmp", 01777);
  std::string tab = "X=" + std::string(2000000, 'a') + "\n";
  for (int i = 0; i < 10000; ++i) tab += "* * * * * $X/run; /usr/bin/true\n";
  tab += "Y=/tmp\n* * * * * $Y/short\n";
  const Crontab parsed = parse_crontab(tab, false);
  ASSERT_FALSE(parsed.refused()) << parsed.error;
  ASSERT_EQ(parsed.jobs.size(), 10000u);
  EXPECT_EQ(parsed.jobs[0].env->count("X"), 0u);  // too long for cron: dropped
  EXPECT_EQ(parsed.jobs[0].env, parsed.jobs[9999].env);
  h.file("/var/spool/cron/crontabs/alice", tab, 0600, 1000);
  const auto r = h.run();
  EXPECT_TRUE(r.findings.empty()) << r.findings[0].title;  // $X is unset; job 10001 is past the cap
}

TEST(CrontabParser, AssignmentsFollowCronsLengthLimit) {
  auto env_of = [](const std::string& value) {
    const Crontab t = parse_crontab("X=" + value + "\n* * * * * /x\n", false);
    return t.jobs.empty() ? std::string("no job") : t.jobs[0].env->count("X") ? "set" : "unset";
  };
  EXPECT_EQ(env_of(std::string(996, 'a')), "set");  // X=VALUE fits in 998 bytes
  EXPECT_EQ(env_of(std::string(997, 'a')), "unset");
  // load_env() does not rewind after a too-long assignment: load_entry()
  // reads the next line, and an assignment there is a bad entry.
  const Crontab t =
      parse_crontab("X=" + std::string(997, 'a') + "\nPATH=/tmp\n* * * * * /x\n", false);
  EXPECT_EQ(t.error, "bad minute");
  EXPECT_EQ(t.error_line, 2);
}

TEST(CrontabParser, EnvironmentBeyondItsCapStopsTheFile) {
  std::string tab;
  for (int i = 0; i < 70; ++i) tab += "V" + std::to_string(i) + "=" + std::string(990, 'v') + "\n";
  tab += "* * * * * /x\n";
  const Crontab t = parse_crontab(tab, false);
  EXPECT_TRUE(t.jobs.empty());
  EXPECT_EQ(t.unread_from_line, 67);  // the 67th assignment of ~993 bytes passes 64 KiB
  EXPECT_EQ(t.unread_reason,
            "its variable assignments add up to more than is followed (64 KiB at a time, 16 MiB in "
            "all)");
  std::string small;
  for (int i = 0; i < 60; ++i)
    small += "V" + std::to_string(i) + "=" + std::string(990, 'v') + "\n";
  const Crontab ok = parse_crontab(small + "* * * * * /x\n", false);
  EXPECT_EQ(ok.unread_from_line, 0);
  EXPECT_EQ(ok.jobs.size(), 1u);
}

TEST(CrontabParser, SnapshotsBeyondTheirBudgetStopTheFile) {
  // 60 KiB of environment, then each job after a change takes a snapshot.
  std::string tab;
  for (int i = 0; i < 60; ++i) tab += "V" + std::to_string(i) + "=" + std::string(990, 'v') + "\n";
  for (int i = 0; i < 400; ++i) tab += "V0=" + std::to_string(i) + "\n* * * * * /x\n";
  const Crontab t = parse_crontab(tab, false);
  EXPECT_GT(t.unread_from_line, 0);
  EXPECT_LT(t.jobs.size(), 400u);
  EXPECT_GT(t.jobs.size(), 200u);
}

TEST(CronShellSplit, ExpandedWordsAreCappedAndThenNotExact) {
  const JobEnvironment env = {{"X", std::string(3000, 'x')}};
  const auto one = split_job_commands("$X/run", env);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_TRUE(one[0][0].exact);
  EXPECT_EQ(one[0][0].text.size(), 3004u);
  const auto two = split_job_commands("$X$X$X$X/run", env);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_FALSE(two[0][0].exact);
  EXPECT_LE(two[0][0].text.size(), kMaxWordBytes);
}

// ---- parsers ----

TEST(CrontabParser, AssignmentsEntriesAndSpecials) {
  const Crontab t = parse_crontab(
      "SHELL=/bin/bash\nPATH = \"/usr/local/bin:/usr/bin\" # trailing\n"
      "  # comment\n\n"
      "0 22 * * 1-5 root /x\n@reboot alice /y %stdin\nMAILTO=ops\n",
      true);
  ASSERT_FALSE(t.refused()) << t.error;
  ASSERT_EQ(t.jobs.size(), 2u);
  EXPECT_EQ(t.jobs[0].line, 5);
  EXPECT_EQ(t.jobs[0].schedule, "0 22 * * 1-5");
  EXPECT_EQ(t.jobs[0].user, "root");
  EXPECT_EQ(t.jobs[0].command, "/x");
  EXPECT_EQ(t.jobs[0].env->at("PATH"), "/usr/local/bin:/usr/bin");
  EXPECT_EQ(t.jobs[0].env->at("SHELL"), "/bin/bash");
  EXPECT_EQ(t.jobs[1].schedule, "@reboot");
  EXPECT_EQ(t.jobs[1].user, "alice");
  EXPECT_EQ(t.jobs[1].command, "/y ");
  EXPECT_EQ(t.jobs[1].env->count("MAILTO"), 0u);  // set below the job
  EXPECT_EQ(t.jobs[0].env, t.jobs[1].env);        // one snapshot, shared
}

TEST(CrontabParser, EmptyAssignmentIsAnAssignment) {
  const Crontab t = parse_crontab("MAILTO=\nMAILFROM = \"\"\n0 0 * * * /x\n", false);
  ASSERT_FALSE(t.refused()) << t.error;
  ASSERT_EQ(t.jobs.size(), 1u);
  EXPECT_EQ(t.jobs[0].env->at("MAILTO"), "");
  EXPECT_EQ(t.jobs[0].env->at("MAILFROM"), "");
}

TEST(CrontabParser, UserCrontabHasNoUserField) {
  const Crontab t = parse_crontab("*/10 * * * * /usr/bin/backup --now\n", false);
  ASSERT_EQ(t.jobs.size(), 1u);
  EXPECT_EQ(t.jobs[0].user, "");
  EXPECT_EQ(t.jobs[0].command, "/usr/bin/backup --now");
}

TEST(CrontabParser, TimeFieldsFollowCronsRules) {
  auto error = [](const std::string& line) { return parse_crontab(line + "\n", false).error; };
  EXPECT_EQ(error("0-59/15 0,12 1-31 jan-dec sun-sat /x"), "");
  EXPECT_EQ(error("0 0 * JAN,Feb 7 /x"), "");
  EXPECT_EQ(error("5/2 * * * * /x"), "");  // a step on one number is skipped, as cron does
  EXPECT_EQ(error("60 * * * * /x"), "bad minute");
  EXPECT_EQ(error("* 24 * * * /x"), "bad hour");
  EXPECT_EQ(error("* * 0 * * /x"), "bad day-of-month");
  EXPECT_EQ(error("* * * 13 * /x"), "bad month");
  EXPECT_EQ(error("* * * * 8 /x"), "bad day-of-week");
  EXPECT_EQ(error("* * * * mon-funday /x"), "bad day-of-week");
  EXPECT_EQ(error("*/0 * * * * /x"), "bad minute");
  EXPECT_EQ(error("@fortnightly /x"), "bad time specifier");
  EXPECT_EQ(error("* * * * *"), "bad command");
  EXPECT_EQ(error("1 2"), "bad day-of-month");
  EXPECT_EQ(error("99999999999999999999 * * * * /x"), "bad minute");
  EXPECT_EQ(parse_crontab("* * * * * root\n", true).error, "bad command");
}

TEST(CrontabParser, CrLfLinesAreNotBlank) {
  // cron's blanks are space and tab: a "\r" line is a broken entry.
  EXPECT_EQ(parse_crontab("\r\n* * * * * /x\r\n", false).error, "bad day-of-month");
}

TEST(CrontabParser, PercentHandling) {
  EXPECT_EQ(cron_command_before_stdin("date +\\%F%to stdin%more"), "date +%F");
  EXPECT_EQ(cron_command_before_stdin("a\\b \\\\% c"), "a\\b \\\\");
  EXPECT_EQ(cron_command_before_stdin("tail\\"), "tail\\");
}

TEST(CrontabParser, TrailingCommentWithoutNewlineIsFine) {
  const Crontab t = parse_crontab("0 0 * * * /x\n# last", false);
  EXPECT_FALSE(t.refused());
  EXPECT_EQ(t.jobs.size(), 1u);
}

TEST(AnacrontabParser, JobsAssignmentsAndBadLines) {
  const auto jobs = parse_anacrontab(
      "PATH=/sbin:/bin\n# comment\n1\t5\tcron.daily\tnice run-parts /etc/cron.daily\n"
      "@monthly 15 cron.monthly run-parts /etc/cron.monthly\nbad line here\n"
      "7 x bad.delay /x\n3 1 bad/id /x\n");
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].line, 3);
  EXPECT_EQ(jobs[0].period, "1");
  EXPECT_EQ(jobs[0].identifier, "cron.daily");
  EXPECT_EQ(jobs[0].command, "nice run-parts /etc/cron.daily");
  EXPECT_EQ(jobs[0].env->at("PATH"), "/sbin:/bin");
  EXPECT_EQ(jobs[1].period, "@monthly");
}

std::vector<std::string> first_words(const std::vector<SimpleCommand>& cmds) {
  std::vector<std::string> out;
  for (const auto& c : cmds) out.push_back(c.empty() ? "" : c[0].text);
  return out;
}

TEST(CronShellSplit, OperatorsRedirectionsQuotesAndSubstitutions) {
  const JobEnvironment env = {{"HOME", "/root"}, {"DIR", "/opt/x"}};
  const auto cmds = split_job_commands(
      "test -x /a && { cd / ; run-parts /b; } || echo \"$(date)\" 2>&1 >/tmp/log | tee `id -u`"
      " # /not/a/command",
      env);
  EXPECT_EQ(first_words(cmds),
            (std::vector<std::string>{"test", "{", "run-parts", "}", "date", "echo", "id", "tee"}));
  const auto quoted = split_job_commands("'/opt/my dir/run' \"$DIR/go\" ~/bin/x $UNSET", env);
  ASSERT_EQ(quoted.size(), 1u);
  ASSERT_EQ(quoted[0].size(), 4u);
  EXPECT_EQ(quoted[0][0].text, "/opt/my dir/run");
  EXPECT_EQ(quoted[0][1].text, "/opt/x/go");
  EXPECT_EQ(quoted[0][2].text, "/root/bin/x");
  EXPECT_FALSE(quoted[0][3].exact);
  EXPECT_TRUE(split_job_commands("echo $((1+2))", env)[0][1].exact == false);
  EXPECT_EQ(split_job_commands("echo $((1+2))", env).size(), 1u);
}

TEST(TimerUnitParser, SectionsCommentsAndContinuations) {
  const auto s = parse_unit_file(
      "# c\n[Service]\n; c\nExecStart=/bin/a \\\n  --flag \\\n# inside\n  --other\nUser = backup\n"
      "NoSection\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].line, 4);
  EXPECT_EQ(s[0].section, "Service");
  EXPECT_EQ(s[0].key, "ExecStart");
  // As systemd joins them: the backslash becomes a space, the next line
  // follows as it is.
  EXPECT_EQ(s[0].value, "/bin/a    --flag    --other");
  EXPECT_EQ(s[1].key, "User");
  EXPECT_EQ(s[1].value, "backup");
}

TEST(TimerUnitParser, ExecValues) {
  const auto c = parse_exec_value("-/usr/bin/a 'x y' ; @/bin/b argv0 --opt ; +:!!/bin/c %h/x $V");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0][0].text, "/usr/bin/a");
  EXPECT_EQ(c[0][1].text, "x y");
  EXPECT_EQ(c[1][0].text, "/bin/b");
  EXPECT_EQ(c[1][1].text, "--opt");  // argv0 dropped
  EXPECT_EQ(c[2][0].text, "/bin/c");
  EXPECT_FALSE(c[2][1].exact);
  EXPECT_FALSE(c[2][2].exact);
}

// systemd refuses a command with a quote left open ("Unbalanced quoting")
// and what follows it; the commands before it still run.
TEST(TimerUnitParser, ExecValueWithAnOpenQuoteEndsBeforeThatCommand) {
  const auto c = parse_exec_value("/bin/a x ; /home/ci/'run ; /usr/bin/b -c 'op(\"/tmp/x\")' y");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0][0].text, "/bin/a");
  EXPECT_TRUE(parse_exec_value("/bin/sh -c 'echo").empty());
  ASSERT_EQ(parse_exec_value("/bin/sh -c 'echo ; x' \"\"").size(), 1u);
  // An escaped quote does not end the quoted word.
  const auto e = parse_exec_value("/bin/sh -c \"echo \\\"$X\\\" > /tmp/f\" ; /bin/b 'it\\'s'");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0][2].text, "echo \"$X\" > /tmp/f");
  EXPECT_EQ(e[1][1].text, "it's");
}

TEST(CronRunPartsNames, DebianRules) {
  EXPECT_TRUE(run_parts_name_ok("logrotate"));
  EXPECT_TRUE(run_parts_name_ok("0anacron"));
  EXPECT_TRUE(run_parts_name_ok("apt-compat"));
  EXPECT_TRUE(run_parts_name_ok("My_Job"));
  EXPECT_FALSE(run_parts_name_ok("backup.sh"));
  EXPECT_FALSE(run_parts_name_ok("x.dpkg-old"));
  EXPECT_FALSE(run_parts_name_ok("old~"));
  EXPECT_FALSE(run_parts_name_ok(""));
  EXPECT_TRUE(run_parts_name_ok("50-cloud.init-x", true));  // LSB hierarchical
  EXPECT_FALSE(run_parts_name_ok("a.dpkg-old", true));
  EXPECT_FALSE(run_parts_name_ok("My_Job", true));  // LSB names are lowercase
  EXPECT_TRUE(run_parts_name_ok("job-2", true));
}

TEST(CronWorldWritable, BinaryAndHugeInputDoNotCrash) {
  Host h;
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += static_cast<char>((i * 131) % 256);
  h.file("/etc/cron.d/junk", junk + "\n");
  h.file("/etc/systemd/system/j.timer", junk);
  h.file("/etc/systemd/system/j.service", "[Service]\nExecStart=" + junk + "\n");
  h.file("/etc/anacrontab", junk);
  std::string deep = "0 0 * * * root ";
  for (int i = 0; i < 300; ++i) deep += "$(";
  h.file("/etc/cron.d/deep", deep + "\n");
  const auto r = h.run();
  EXPECT_EQ(status_of(r), "passed");
}

TEST(CronWorldWritable, HostileUserCrontabHitsTheBudgetNotTheClock) {
  Host h;
  std::string path = "PATH=";
  for (int i = 0; i < 64; ++i) path += "/p" + std::to_string(i) + ":";
  std::string tab = path + "\n";
  for (int line = 0; line < 2000; ++line) {
    tab += "* * * * *";
    for (int k = 0; k < 100; ++k) tab += " n" + std::to_string(line * 100 + k) + ";";
    tab += "\n";
  }
  h.file("/var/spool/cron/crontabs/alice", tab, 0600, 1000);
  // Judged before alice's, whatever the names' order: root's own jobs.
  h.dir("/tmp", 01777);
  h.file("/var/spool/cron/crontabs/root", "@reboot /tmp/root-job\n", 0600);
  const auto start = std::chrono::steady_clock::now();
  const auto r = h.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].evidence["program"], "/tmp/root-job");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message.rfind("/var/spool/cron/crontabs/alice:", 0), 0u)
      << r.errors[0].message;
  EXPECT_NE(r.errors[0].message.find("judging of scheduled jobs stopped here"), std::string::npos);
}

// Real files under a --root directory, judged in-process: real lstat modes,
// symlinked directories followed through "dir/.", reads confined to the root.
class CronWorldWritableOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hw-cron-root.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& path, const std::string& text, mode_t mode = 0644) {
    const std::filesystem::path p = root_ + path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    ASSERT_EQ(::chmod(p.c_str(), mode), 0);
  }
  void mkdir(const std::string& path, mode_t mode) {
    std::filesystem::create_directories(root_ + path);
    ASSERT_EQ(::chmod((root_ + path).c_str(), mode), 0);
  }
  AuditResult run() {
    AuditInput in;
    in.files.root = root_;
    in.hostname = "disk";
    AuditResult out;
    scheduled_jobs_rules(in, out);
    return out;
  }
  std::string root_;
};

TEST_F(CronWorldWritableOnDisk, SymlinkedDirectoryIsJudgedByItsTarget) {
  mkdir("/var/tmp", 01777);
  mkdir("/var/tmp/ci", 0777);
  write("/var/tmp/ci/run", "#!/bin/sh\n", 0755);
  mkdir("/opt", 0755);
  std::filesystem::create_directory_symlink("/var/tmp/ci", root_ + "/opt/ci");
  write("/etc/cron.d/ci", "*/5 * * * * root /opt/ci/run\n");
  const auto r = run();
  ASSERT_EQ(r.findings.size(), 1u) << errors_of(r);
  EXPECT_EQ(r.findings[0].subject["path"], "/etc/cron.d/ci");
  EXPECT_EQ(r.findings[0].evidence["program"], "/opt/ci/run");
  EXPECT_EQ(r.findings[0].evidence["writable_path"], "/var/tmp/ci");
  EXPECT_EQ(r.findings[0].evidence["link_step"], "/var/tmp/ci/run");
  EXPECT_EQ(r.findings[0].evidence["mode"], "0777");
}

// An absolute link in the tree resolves inside the tree (read_link, not the host's).
TEST_F(CronWorldWritableOnDisk, ProgramLinkIsFollowedInsideTheRoot) {
  mkdir("/tmp", 01777);
  mkdir("/usr/local/bin", 0755);
  std::filesystem::create_symlink("/tmp/backup.sh", root_ + "/usr/local/bin/backup");
  std::filesystem::create_symlink("/usr/local/sbin/safe", root_ + "/usr/local/bin/safe");
  write("/usr/local/sbin/safe", "#!/bin/sh\n", 0755);
  write("/etc/cron.d/backup",
        "0 1 * * * root /usr/local/bin/backup\n0 2 * * * root /usr/local/bin/safe\n");
  const auto r = run();
  ASSERT_EQ(r.findings.size(), 1u) << errors_of(r);
  EXPECT_EQ(r.findings[0].subject["line"], 1);
  EXPECT_EQ(r.findings[0].evidence["writable_path"], "/tmp");
  EXPECT_EQ(r.findings[0].evidence["resolves_to"], "/tmp/backup.sh");
  EXPECT_EQ(r.findings[0].evidence["target_exists"], false);
}

TEST_F(CronWorldWritableOnDisk, CrontabCutAtTheReadLimitIsTruncatedNotMissingANewline) {
  mkdir("/tmp", 01777);
  std::string tab = "@reboot /tmp/boot.sh\n";
  const std::string pad = "0 0 * * * /usr/bin/true #" + std::string(1000, 'x') + "\n";
  while (tab.size() < (5u << 20)) tab += pad;
  write("/var/spool/cron/crontabs/root", tab, 0600);
  const auto r = run();
  ASSERT_EQ(r.findings.size(), 1u) << errors_of(r);
  EXPECT_EQ(r.findings[0].evidence["program"], "/tmp/boot.sh");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "/var/spool/cron/crontabs/root: larger than the 4 MiB read limit: only the lines "
            "before it are judged");
}

TEST_F(CronWorldWritableOnDisk, ModesComeFromTheDisk) {
  mkdir("/tmp", 01777);
  write("/usr/local/bin/job", "#!/bin/sh\n", 0777);
  write("/usr/local/bin/safe", "#!/bin/sh\n", 0755);
  write("/etc/crontab", "0 * * * * root /usr/local/bin/job\n1 * * * * root /usr/local/bin/safe\n");
  write("/etc/cron.d/grp", "0 * * * * root /tmp/x\n", 0664);
  write("/var/spool/cron/crontabs/root", "@reboot /tmp/boot.sh\n", 0600);
  const auto r = run();
  ASSERT_EQ(r.findings.size(), 2u) << errors_of(r);
  EXPECT_EQ(r.findings[0].subject["path"], "/etc/crontab");
  EXPECT_EQ(r.findings[0].subject["line"], 1);
  EXPECT_EQ(r.findings[0].evidence["mode"], "0777");
  EXPECT_EQ(r.findings[1].subject["path"], "/var/spool/cron/crontabs/root");
  EXPECT_EQ(r.findings[1].evidence["writable_path"], "/tmp");
  EXPECT_EQ(r.findings[1].evidence["sticky"], true);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "/etc/cron.d/grp: cron ignores this file: INSECURE MODE (group/other writable)");
}

}  // namespace
}  // namespace hostward::audit

#ifdef HOSTWARD_BIN
// The same rule through `hostward scan --root DIR`, on real files and modes.
#include <map>

#include "audit/fixture_tree.h"

namespace hostward::itest {
namespace {

using nlohmann::json;

constexpr const char* kRule = "config.cron-world-writable";

TEST(CronWorldWritableTree, CronDJobRunningFromTmpFires) {
  Tree t;
  t.write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
  t.mkdir("/tmp", 01777);
  t.write("/tmp/backup.sh", "#!/bin/sh\n", 0755);
  t.write("/etc/cron.d/backup", "# nightly\n30 2 * * * root /tmp/backup.sh\n");
  t.write("/etc/cron.d/backup.dpkg-old", "30 2 * * * root /tmp/old.sh\n");
  const json r = t.scan();
  const auto f = findings_with_rule(r, kRule);
  ASSERT_EQ(f.size(), 1u) << r.dump(2);
  EXPECT_EQ(f[0]["severity"], "high");
  EXPECT_EQ(f[0]["subject"]["path"], "/etc/cron.d/backup");
  EXPECT_EQ(f[0]["subject"]["line"], 2);
  EXPECT_EQ(f[0]["evidence"]["writable_path"], "/tmp");
  EXPECT_EQ(f[0]["evidence"]["sticky"], true);
}

TEST(CronWorldWritableTree, WorldWritableScriptAndCrontabFire) {
  Tree t;
  t.write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
  t.write("/usr/local/bin/job", "#!/bin/sh\n", 0777);
  t.write("/etc/crontab", "0 * * * * root /usr/local/bin/job\n");
  t.write("/etc/cron.d/open", "0 * * * * root /bin/true\n", 0666);
  const json r = t.scan();
  std::map<std::string, json> by_path;
  for (const auto& f : findings_with_rule(r, kRule)) by_path[f["subject"]["path"]] = f;
  ASSERT_EQ(by_path.size(), 2u) << r.dump(2);
  const json& crontab = by_path["/etc/crontab"];
  EXPECT_EQ(crontab["subject"]["line"], 1);
  EXPECT_EQ(crontab["evidence"]["writable_path"], "/usr/local/bin/job");
  EXPECT_EQ(crontab["severity"], "high");
  const json& open = by_path["/etc/cron.d/open"];
  EXPECT_FALSE(open["subject"].contains("line"));
  EXPECT_EQ(open["evidence"]["mode"], "0666");
  EXPECT_EQ(open["evidence"]["cron_ignores_it"], true);
}

TEST(CronWorldWritableTree, TimerServiceInVarTmpFires) {
  Tree t;
  t.mkdir("/var/tmp", 01777);
  t.write("/etc/systemd/system/backup.timer", "[Timer]\nOnCalendar=daily\n");
  t.write("/etc/systemd/system/backup.service", "[Service]\nExecStart=/var/tmp/backup\n");
  const json r = t.scan();
  const auto f = findings_with_rule(r, kRule);
  ASSERT_EQ(f.size(), 1u) << r.dump(2);
  EXPECT_EQ(f[0]["subject"]["path"], "/etc/systemd/system/backup.service");
  EXPECT_EQ(f[0]["subject"]["line"], 2);
  EXPECT_EQ(f[0]["subject"]["setting"], "systemd timer");
}

TEST(CronWorldWritableTree, HardenedTreeIsQuietAndJudged) {
  Tree t;
  t.write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
  t.mkdir("/tmp", 01777);
  t.write("/usr/local/sbin/backup", "#!/bin/sh\n", 0755);
  t.write("/etc/crontab",
          "SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n"
          "17 * * * * root cd / && run-parts --report /etc/cron.hourly\n"
          "30 2 * * * root /usr/local/sbin/backup > /tmp/backup.log 2>&1\n");
  t.write("/etc/cron.daily/logrotate", "#!/bin/sh\n", 0755);
  t.write("/var/spool/cron/crontabs/root", "@reboot /usr/local/sbin/backup\n", 0600);
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, kRule).empty()) << r.dump(2);
  bool judged = false;
  for (const auto& c : r["hardening"]["checks"])
    if (c["rule"] == kRule) judged = c["status"] == "passed";
  EXPECT_TRUE(judged) << r["hardening"].dump(2);
}

}  // namespace
}  // namespace hostward::itest
#endif

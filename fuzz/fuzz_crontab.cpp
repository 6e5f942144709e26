// Cron, anacron and systemd files as config.cron-world-writable reads them.
// The input is split at NUL bytes into a /etc/cron.d file, root's user
// crontab, /etc/anacrontab and a timer's service unit. Properties: every job
// and setting sits on a line of its file, in order; a refused crontab names
// one of its lines; commands stop at the first newline; shell splitting and
// ExecStart= parsing give no empty command; every job shares one environment
// snapshot with the job above it unless an assignment lies between; commands
// stay within cron's MAX_COMMAND. The rule itself only reports its own id,
// low only with the sticky evidence, and with a writable path the fixture
// made world-writable; the program it names occurs in the input up to its
// first blank (quotes and backslashes removed) unless the input holds an
// expansion ($, ~, `).
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "audit/scheduled_jobs.h"

namespace {

using namespace hostward::audit;

std::vector<std::string> split_at_nul(const std::string& input, size_t parts) {
  std::vector<std::string> out;
  size_t start = 0;
  while (out.size() + 1 < parts) {
    const size_t nul = input.find('\0', start);
    if (nul == std::string::npos) break;
    out.push_back(input.substr(start, nul - start));
    start = nul + 1;
  }
  out.push_back(start <= input.size() ? input.substr(start) : "");
  out.resize(parts);
  return out;
}

int line_count(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
}

// Adjacent jobs share one environment snapshot: only an assignment between
// two jobs can give the second one a new one.
bool shares_snapshot_when_adjacent(const CronJob& a, const CronJob& b) {
  return a.env == b.env || b.line > a.line + 1;
}

void check_crontab(const std::string& text, bool system_crontab) {
  const Crontab tab = parse_crontab(text, system_crontab);
  const int lines = line_count(text);
  if (tab.refused() && (tab.error_line < 1 || tab.error_line > lines)) abort();
  int previous = 0;
  for (size_t k = 0; k < tab.jobs.size(); ++k) {
    const CronJob& job = tab.jobs[k];
    if (job.line <= previous || job.line > lines) abort();
    previous = job.line;
    if (job.schedule.empty() || job.command.find('\n') != std::string::npos) abort();
    if (job.command.size() >= kCronMaxCommand) abort();
    if (system_crontab == job.user.empty()) abort();
    if (!job.env) abort();
    if (k > 0 && !shares_snapshot_when_adjacent(tab.jobs[k - 1], job)) abort();
  }
}

void check_anacrontab(const std::string& text) {
  const int lines = line_count(text);
  for (const auto& job : parse_anacrontab(text)) {
    if (job.line < 1 || job.line > lines || job.command.empty() || job.identifier.empty() ||
        job.identifier.find('/') != std::string::npos)
      abort();
  }
}

void check_unit(const std::string& text) {
  const int lines = line_count(text);
  for (const auto& s : parse_unit_file(text)) {
    if (s.line < 1 || s.line > lines || s.section.empty()) abort();
    if (s.key.rfind("Exec", 0) != 0) continue;
    for (const auto& cmd : parse_exec_value(s.value))
      if (cmd.empty() || cmd.front().text.empty()) abort();
  }
}

void check_shell(const std::string& text) {
  const JobEnvironment env = {{"HOME", "/root"}, {"PATH", "/usr/bin:/bin"}};
  const auto commands = split_job_commands(text, env);
  if (commands.size() > 256) abort();
  for (const auto& c : commands)
    if (c.empty()) abort();
}

// Quotes, backslashes and white space dropped: systemd joins a continued
// line with a space, and a quote may open in the middle of a word.
std::string without_quoting(const std::string& s) {
  std::string out;
  for (const char c : s)
    if (c != '\'' && c != '"' && c != '\\' && c != ' ' && c != '\t' && c != '\n' && c != '\r')
      out += c;
  return out;
}

// The program's name up to its first blank: a quoted name may span a
// continued line, and systemd drops the comment lines between the parts.
std::string name_of(const std::string& path) {
  const std::string base = path.substr(path.rfind('/') + 1);
  return base.substr(0, base.find_first_of(" \t\n\r"));
}

void check_rule(const std::vector<std::string>& parts, const std::string& input) {
  AuditInput in;
  in.hostname = "fuzz";
  auto& files = in.files;
  files.memory["/etc/passwd"] = "root:x:0:0:root:/root:/bin/sh\nci:x:1000:1000::/home/ci:/bin/sh\n";
  files.memory["/etc/cron.d/fuzz"] = parts[0];
  files.memory["/var/spool/cron/crontabs/root"] = parts[1];
  files.memory_facts["/var/spool/cron/crontabs/root"] = FileFacts{S_IFREG | 0600, 0, 0};
  files.memory["/etc/anacrontab"] = parts[2];
  files.memory["/etc/systemd/system/fuzz.timer"] = "[Timer]\nOnCalendar=daily\n";
  files.memory["/etc/systemd/system/fuzz.service"] = parts[3];
  files.memory["/tmp/job.sh"] = "#!/bin/sh\n";
  files.memory_facts["/tmp"] = FileFacts{S_IFDIR | 01777, 0, 0};
  files.memory["/home/ci/run"] = "#!/bin/sh\n";
  files.memory_facts["/home/ci"] = FileFacts{S_IFDIR | 0777, 1000, 1000};
  // Links in and out of open directories, and ci's own directory in sticky /var/tmp.
  files.memory["/usr/local/bin/backup"] = "/tmp/backup.sh";
  files.memory_facts["/usr/local/bin/backup"] = FileFacts{S_IFLNK | 0777, 0, 0};
  files.memory["/usr/local/bin/tool"] = "../../../opt/open/tool";
  files.memory_facts["/usr/local/bin/tool"] = FileFacts{S_IFLNK | 0777, 0, 0};
  files.memory["/opt/open/tool"] = "#!/bin/sh\n";
  files.memory_facts["/opt/open"] = FileFacts{S_IFDIR | 0777, 0, 0};
  files.memory_facts["/opt/open/tool"] = FileFacts{S_IFREG | 0777, 0, 0};
  files.memory["/var/tmp/ci/run"] = "#!/bin/sh\n";
  files.memory_facts["/var/tmp"] = FileFacts{S_IFDIR | 01777, 0, 0};
  files.memory_facts["/var/tmp/ci"] = FileFacts{S_IFDIR | 0755, 1000, 1000};
  static const std::set<std::string> kWorldWritable = {"/tmp", "/home/ci", "/opt/open",
                                                       "/opt/open/tool", "/var/tmp"};
  AuditResult out;
  scheduled_jobs_rules(in, out);
  if (out.checks.count("config.cron-world-writable") == 0) abort();
  const bool expansions = input.find_first_of("$~`") != std::string::npos;
  const std::string plain_input = without_quoting(input);
  for (const auto& f : out.findings) {
    if (f.rule != "config.cron-world-writable") abort();
    if (f.severity == hostward::Severity::low && !f.evidence.contains("plantable")) abort();
    if (f.severity != hostward::Severity::high && f.severity != hostward::Severity::medium &&
        f.severity != hostward::Severity::low)
      abort();
    if (kWorldWritable.count(f.evidence.value("writable_path", "")) == 0) abort();
    if (f.subject.value("kind", "") != "config") abort();
    const std::string program = f.evidence.value("program", "");
    if (!expansions && plain_input.find(without_quoting(name_of(program))) == std::string::npos)
      abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto parts = split_at_nul(input, 4);
  check_crontab(parts[0], true);
  check_crontab(parts[1], false);
  check_anacrontab(parts[2]);
  check_unit(parts[3]);
  check_shell(parts[0]);
  check_rule(parts, input);
  return 0;
}

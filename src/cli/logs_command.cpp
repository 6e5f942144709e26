#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "authlog/auth_output.h"
#include "authlog/authlog.h"
#include "authlog/syslog_line.h"
#include "cli/host_run.h"
#include "core/time_format.h"
#include "core/writers.h"
#include "host/collect.h"

namespace hostward::cli {

namespace {

struct LogsOptions {
  HostOptions host;
  std::vector<std::string> files;
  bool journal = false;
  bool timeline = false;
  std::string now;
};

// Large outputs (an event per log line) go out in blocks, not per event.
class BufferedOut {
 public:
  ~BufferedOut() { flush(); }
  void write(std::string_view s) {
    buf_.append(s);
    if (buf_.size() > (1 << 16)) flush();
  }
  void flush() {
    std::fwrite(buf_.data(), 1, buf_.size(), stdout);
    buf_.clear();
  }

 private:
  std::string buf_;
};

}  // namespace

void add_logs_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<LogsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "logs", "Who logged in and who is knocking: sshd logs, the journal, wtmp, btmp, lastlog");
  cmd->add_option("--file", opts->files,
                  "Read these instead of the host's own records: auth logs (also .gz), journal "
                  "files, wtmp/btmp/lastlog; - for stdin")
      ->allow_extra_args(false);
  cmd->add_flag("--journal", opts->journal, "Also read the system journal's sshd entries");
  cmd->add_flag("--timeline", opts->timeline,
                "Print logins, failures per address and reboots in time order");
  cmd->add_option("--now", opts->now,
                  "Judge \"ongoing\" as of this time (RFC 3339), for logs from another time");
  cmd->add_option("--format", opts->host.format, "Output: text (for people) or json (hostward/v1)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--fail-on", opts->host.fail_on,
                  "Exit 1 when a finding is at or above this severity (info..critical)")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  cmd->add_option("--config", opts->host.config_path,
                  "YAML config (default /etc/hostward/config.yaml if present)");
  cmd->add_option("--color", opts->host.color, "Colour: auto (only on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->callback([opts, &exit_code] {
    const auto t0 = std::chrono::steady_clock::now();
    const Config config = load_config_for(opts->host);
    int64_t now = std::time(nullptr);
    if (!opts->now.empty()) {
      const auto t = authlog::parse_iso8601(opts->now);
      if (!t)
        throw UsageError("--now " + opts->now + ": not an RFC 3339 time (2026-11-28T20:43:31Z)");
      now = *t;
    }
    authlog::AuthSources sources =
        opts->files.empty() ? authlog::default_sources() : authlog::classify_files(opts->files);
    if (opts->journal) sources.system_journal = true;
    host::Snapshot snap;
    host::fill_host_facts(snap);

    const bool json = opts->host.format == "json";
    BufferedOut out;
    bool first = true;
    std::function<void(const authlog::AuthEvent&)> on_event;
    if (json) {
      out.write("{\n\"events\": [\n");
      on_event = [&](const authlog::AuthEvent& e) {
        if (!first) out.write(",\n");
        first = false;
        out.write(authlog::event_to_json(e).dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace));
      };
    }
    auto run = authlog::read_auth(sources, config.auth, on_event);
    Report report;
    report.host.command = "logs";
    report.host.hostname = snap.hostname;
    report.host.kernel = snap.kernel;
    report.host.started_at = rfc3339_utc(snap.taken_at);
    for (auto& e : run.errors) report.errors.push_back({"logs", std::move(e)});
    report.findings = authlog::run_rules({run.summary, config.auth, snap.hostname, now});
    report.host.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    if (json) {
      nlohmann::json j = nlohmann::json::parse(write_json(report));
      j["auth"] = authlog::summary_to_json(run.summary);
      const std::string rest = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
      out.write("\n],\n");
      out.write(std::string_view(rest).substr(rest.find('{') + 1));
      out.write("\n");
    } else {
      const Style style{use_color(opts->host)};
      if (opts->timeline) out.write(authlog::render_timeline(run.summary, style) + "\n");
      out.write(authlog::summary_text(run.summary) + "\n");
      out.write(write_text(report, style));
    }
    out.flush();
    std::fflush(stdout);
    const auto worst = worst_severity(report);
    exit_code = (worst && *worst >= *parse_severity(opts->host.fail_on)) ? 1 : 0;
  });
}

}  // namespace hostward::cli

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/host_run.h"
#include "core/time_format.h"
#include "core/writers.h"
#include "host/collect.h"
#include "lint/fix.h"
#include "lint/lint.h"
#include "lint/lint_output.h"

namespace hostward::cli {

namespace {

struct LintCliOptions {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string fail_on = "high";
  std::string color = "auto";
  bool fix = false;
  bool diff = false;
  size_t max_file_bytes = 8u << 20;
};

std::vector<RuleInfo> ci_rules() {
  std::vector<RuleInfo> out;
  for (const auto& r : catalog().all())
    if (rule_area(r.id) == "ci") out.push_back(r);
  return out;
}

// Prints the diff of every fix; 1 when there is one, as `git diff --exit-code`.
int show_diff(const lint::LintRun& run) {
  const auto fixes = lint::plan_fixes(run.diag.findings());
  std::string out;
  for (const auto& f : fixes) out += lint::unified_diff(f);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return fixes.empty() ? 0 : 1;
}

void apply_fixes(const lint::LintRun& run) {
  size_t edits = 0, files = 0;
  for (const auto& f : lint::plan_fixes(run.diag.findings())) {
    std::string error;
    if (!lint::write_fix(f, error)) {
      std::cerr << "hostward: " << f.file->path() << ": not fixed: " << error << "\n";
      continue;
    }
    edits += f.edits.size();
    ++files;
  }
  std::cerr << "hostward: bound " << edits << " publish" << (edits == 1 ? "" : "es")
            << " to 127.0.0.1 in " << files << " file" << (files == 1 ? "" : "s") << "\n";
}

}  // namespace

void add_lint_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<LintCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "lint",
      "CI pipelines, compose files and Dockerfiles: the mistakes that exposed the database");
  cmd->add_option("paths", opts->paths, "Folders or files to lint (default: .)");
  cmd->add_option("--format", opts->format,
                  "Output: text (like a compiler), json (hostward/v1) or sarif (2.1.0)")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  cmd->add_option("--fail-on", opts->fail_on,
                  "Exit 1 when a finding is at or above this severity (info..critical)")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  cmd->add_option("--color", opts->color, "Colour: auto (only on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--fix", opts->fix,
                "Bind all-interfaces publishes to 127.0.0.1 in place, then report what is left");
  cmd->add_flag("--diff", opts->diff,
                "Print the changes --fix would make as a unified diff; exit 1 when there are any");
  cmd->add_option("--max-file-bytes", opts->max_file_bytes,
                  "Files larger than this are reported and not read (default 8 MiB)");
  cmd->callback([opts, &exit_code] {
    if (opts->fix && opts->diff) throw UsageError("--fix and --diff: choose one");
    for (const auto& p : opts->paths) {
      struct stat st {};
      if (::stat(p.c_str(), &st) != 0) throw UsageError(p + ": no such file or folder");
    }
    const auto t0 = std::chrono::steady_clock::now();
    lint::LintOptions lo;
    lo.paths = opts->paths;
    lo.limits.max_bytes = opts->max_file_bytes;
    auto run = lint::run_lint(lo);
    if (opts->diff) {
      exit_code = show_diff(*run);
      return;
    }
    if (opts->fix) {
      apply_fixes(*run);
      run = lint::run_lint(lo);
    }
    lint::sort_findings(*run);
    host::Snapshot snap;
    host::fill_host_facts(snap);
    HostInfo info;
    info.command = "lint";
    info.hostname = snap.hostname;
    info.kernel = snap.kernel;
    info.started_at = rfc3339_utc(snap.taken_at);
    info.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    const Report report = lint::lint_report(*run, catalog(), info);
    std::string out;
    if (opts->format == "json") {
      nlohmann::json j = nlohmann::json::parse(write_json(report));
      j["lint"] = {{"files", run->files}, {"bytes", run->bytes}};
      out = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    } else if (opts->format == "sarif") {
      out = write_sarif(report, ci_rules());
    } else {
      HostOptions ho;
      ho.color = opts->color;
      out = lint::lint_text(*run, Style{use_color(ho)});
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    const auto worst = worst_severity(report);
    exit_code = (worst && *worst >= *parse_severity(opts->fail_on)) ? 1 : 0;
  });
}

}  // namespace hostward::cli

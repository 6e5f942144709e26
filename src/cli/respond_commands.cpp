#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <iostream>

#include "cli/commands.h"
#include "cli/host_run.h"
#include "core/terminal.h"
#include "host/collect.h"
#include "host/proc_fs.h"
#include "respond/contain.h"
#include "respond/drill.h"
#include "respond/evidence.h"
#include "respond/freezer.h"

namespace hostward::cli {

namespace {

uint64_t parse_size(const std::string& text) {
  size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &used);
  } catch (const std::exception&) {
    throw UsageError("--max-bytes: not a size: " + text);
  }
  const std::string unit = text.substr(used);
  if (unit.empty() || unit == "B") return v;
  if (unit == "K" || unit == "KiB") return v << 10;
  if (unit == "M" || unit == "MiB") return v << 20;
  if (unit == "G" || unit == "GiB") return v << 30;
  throw UsageError("--max-bytes: unknown unit " + unit + " (use K, M or G)");
}

std::string default_evidence_dir() {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", std::gmtime(&now));
  ::mkdir("/var/lib/hostward", 0700);
  ::mkdir("/var/lib/hostward/evidence", 0700);
  return std::string("/var/lib/hostward/evidence/contain-") + stamp + "-" +
         std::to_string(::getpid());
}

void require_format(const std::string& f) {
  if (f != "text" && f != "json") throw UsageError("--format must be text or json");
}

}  // namespace

void add_evidence_command(CLI::App& app, int& exit_code) {
  struct Opts {
    std::vector<int> pids;
    bool tree = false;
    std::string out;
    bool memory = false;
    std::string max_bytes = "256M";
    std::string format = "text";
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "evidence",
      "Record processes into a new 0700 directory: identity, files, sockets, the "
      "executable (deleted ones too) with SHA-256, one archive");
  cmd->add_option("pid", o->pids, "Processes to record")->required();
  cmd->add_flag("--tree", o->tree, "Also the processes contain --tree would act on");
  cmd->add_option("--out", o->out, "Directory to create (must not exist)")->required();
  cmd->add_flag("--memory", o->memory, "Also the writable anonymous memory of each process");
  cmd->add_option("--max-bytes", o->max_bytes, "Cap for all memory together (256M)");
  cmd->add_option("--format", o->format, "text or json");
  cmd->callback([o, &exit_code] {
    require_format(o->format);
    respond::EvidenceOptions eo;
    eo.out_dir = o->out;
    eo.memory = o->memory;
    eo.max_bytes = parse_size(o->max_bytes);
    host::ProcessReader reader(host::read_clock_facts(), {});
    const auto table = host::collect_processes(reader, host::list_pids());
    respond::PlanInput in;
    in.named = o->pids;
    in.tree = o->tree;
    in.self_pid = ::getpid();
    auto plan = respond::plan_targets(table, in);
    std::vector<respond::ProcKey> keys;
    for (const auto& t : plan.targets) {
      // Without --tree, exactly the named processes.
      if (o->tree || t.role == respond::TargetRole::named) keys.push_back({t.pid, t.start_ticks});
    }
    for (const auto& r : plan.refused)
      std::cerr << "hostward: evidence: " << r.pid << ": " << r.reason << "\n";
    if (keys.empty()) throw UsageError("no process to record");
    const auto r = respond::capture_evidence(keys, eo);
    if (!r.ok) throw UsageError("evidence: " + r.error);
    if (o->format == "json") {
      std::cout << r.manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      for (const auto& p : r.manifest["processes"]) {
        std::cout << "  " << p["pid"].get<int>() << " " << p.value("comm", std::string("?"));
        if (p.contains("executable") && p["executable"].contains("sha256"))
          std::cout << "  exe sha256 " << p["executable"]["sha256"].get<std::string>();
        std::cout << "\n";
        for (const auto& e : p["errors"]) std::cout << "      " << e.get<std::string>() << "\n";
      }
      std::cout << "evidence: " << r.manifest_path << " (" << r.manifest["files"].size()
                << " files)\n";
      if (!r.archive_path.empty()) std::cout << "archive:  " << r.archive_path << "\n";
    }
    exit_code = 0;
  });
}

void add_contain_command(CLI::App& app, int& exit_code) {
  struct Opts {
    respond::ContainOptions contain;
    bool no_evidence = false;
    bool no_cgroups = false;
    std::string freezer = "auto";
    std::string evidence_dir;
    std::string format = "text";
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "contain",
      "Freeze a process and its descendants, take evidence, kill them so nothing "
      "respawns, and watch that nothing comes back");
  cmd->add_option("pid", o->contain.pids, "Processes to contain")->required();
  cmd->add_flag("--tree", o->contain.tree,
                "Also ancestors up to the first process outside the intrusion, and processes that "
                "escaped the tree (same session, process group, cgroup or payload)");
  cmd->add_flag("--dry-run", o->contain.dry_run, "Print the plan; touch nothing");
  cmd->add_option("--watch-s", o->contain.watch_s,
                  "Seconds to watch for anything coming back (default 10)");
  cmd->add_flag("--no-evidence", o->no_evidence, "Skip evidence capture");
  cmd->add_option(
      "--evidence-dir", o->evidence_dir,
      "Evidence directory to create (default /var/lib/hostward/evidence/contain-TIME-PID)");
  cmd->add_flag("--memory", o->contain.evidence_options.memory,
                "Evidence includes writable anonymous memory");
  cmd->add_flag("--no-cgroups", o->no_cgroups, "Freeze with SIGSTOP instead of a cgroup");
  cmd->add_option("--freezer", o->freezer, "auto (default), cgroup-v2, cgroup-v1 or sigstop");
  cmd->add_option("--evidence-timeout-s", o->contain.evidence_timeout_s,
                  "Stop evidence capture after this long and go on (120)");
  cmd->add_option("--expect-start", o->contain.expect_start,
                  "Start time (clock ticks since boot, /proc/PID/stat field 22) the PID must "
                  "still have, else it is refused")
      ->group("");
  cmd->add_option("--format", o->format, "text or json");
  cmd->callback([o, &exit_code] {
    require_format(o->format);
    if (o->contain.watch_s < 0) throw UsageError("--watch-s must be 0 or more");
    o->contain.evidence = !o->no_evidence;
    const auto choice = respond::parse_freezer_choice(o->no_cgroups ? "sigstop" : o->freezer);
    if (!choice) throw UsageError("--freezer takes auto, cgroup-v2, cgroup-v1 or sigstop");
    o->contain.freezer = *choice;
    if (o->contain.evidence && !o->contain.dry_run)
      o->contain.evidence_options.out_dir =
          o->evidence_dir.empty() ? default_evidence_dir() : o->evidence_dir;
    const auto r = respond::run_contain(o->contain);
    if (o->format == "json")
      std::cout << r.report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    else
      std::cout << respond::contain_text(r.report, want_color(1));
    exit_code = r.exit_code;
  });
}

void add_drill_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<respond::DrillOptions>();
  CLI::App* cmd = app.add_subcommand(
      "drill",
      "Replay the seed's attack safely on this host (throwaway PostgreSQL, COPY ... TO "
      "PROGRAM, a respawning CPU burner) and, with --verify, check that scan and contain "
      "catch and stop it");
  cmd->add_flag("--verify", o->verify,
                "Scan, check every expected finding, contain, check that nothing respawned and "
                "the database is still up");
  cmd->add_option("--duration", o->duration_s, "Seconds the payload may run at most (60)");
  cmd->add_flag("--keep", o->keep, "Keep the work directory (server log, evidence)");
  cmd->add_option("--format", o->format, "text or json");
  cmd->callback([o, &exit_code] {
    require_format(o->format);
    if (o->duration_s <= 0 || o->duration_s > 600)
      throw UsageError("--duration must be between 0 and 600 seconds");
    const auto r = respond::run_drill(*o);
    if (o->format == "json")
      std::cout << r.report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    else
      std::cout << respond::drill_text(r.report, want_color(1));
    exit_code = r.exit_code;
  });
}

}  // namespace hostward::cli

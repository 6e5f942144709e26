#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "cli/host_run.h"
#include "core/writers.h"

namespace hostward::cli {

void add_scan_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<HostOptions>();
  CLI::App* cmd = app.add_subcommand("scan", "Look at this host now: processes, miners, intruders");
  add_common_options(*cmd, *opts);
  cmd->add_option("--docker-socket", opts->docker_socket, "The Docker Engine API's unix socket");
  cmd->add_flag("--probe-self", opts->probe_self,
                "Also run hostward probe's read-only checks against this host's own "
                "non-loopback listeners");
  cmd->add_option("--fail-on", opts->fail_on,
                  "Exit 1 when anything is at or above this severity (info..critical)")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  cmd->add_option("--only", opts->only,
                  "Run only these areas (process, network, config, auth, secrets, ci)")
      ->delimiter(',')
      ->check(CLI::IsMember({"process", "network", "config", "auth", "secrets", "ci"}));
  cmd->add_option("--root", opts->root_dir,
                  "Judge the configuration of an offline tree (a mounted disk, an image) instead "
                  "of this host; reads nothing live");
  cmd->callback([opts, &exit_code] {
    if (!opts->root_dir.empty()) {
      if (!opts->from.empty()) throw UsageError("--root and --from cannot be combined");
      for (const auto& a : opts->only)
        if (a != "config" && a != "secrets" && a != "ci")
          throw UsageError("--root reads configuration only: --only " + a + " needs the live host");
      struct stat st {};
      if (::stat(opts->root_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw UsageError("--root " + opts->root_dir + ": not a directory");
      while (opts->root_dir.size() > 1 && opts->root_dir.back() == '/') opts->root_dir.pop_back();
      if (opts->root_dir == "/") opts->root_dir.clear();
    }
    const auto t0 = std::chrono::steady_clock::now();
    const Config config = load_config_for(*opts);
    // Collect only what the selected areas look at.
    const auto snap = obtain_snapshot(*opts, config, selected_areas(*opts));
    Report report = evaluate(snap, *opts, config);
    report.host.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    if (opts->format == "json") {
      std::cout << write_json(report);
    } else {
      std::cout << write_text(report, Style{use_color(*opts)});
    }
    std::cout.flush();
    const auto worst = worst_severity(report);
    exit_code = (worst && *worst >= *parse_severity(opts->fail_on)) ? 1 : 0;
  });
}

}  // namespace hostward::cli

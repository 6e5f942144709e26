#include <chrono>
#include <iostream>

#include "cli/host_run.h"
#include "core/text_sanitize.h"
#include "core/writers.h"
#include "exposure/exposure_output.h"
#include "exposure/network_rules.h"

namespace hostward::cli {

void add_exposure_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<HostOptions>();
  opts->sample_ms = 0;
  opts->only = {"network"};
  CLI::App* cmd = app.add_subcommand(
      "exposure",
      "Every listening socket and Docker publish as the internet sees it: owner, firewall verdict");
  add_common_options(*cmd, *opts);
  cmd->add_option("--docker-socket", opts->docker_socket, "The Docker Engine API's unix socket");
  cmd->add_option("--fail-on", opts->fail_on,
                  "Exit 1 when a finding is at or above this severity (info..critical)")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  cmd->callback([opts, &exit_code] {
    const auto t0 = std::chrono::steady_clock::now();
    const Config config = load_config_for(*opts);
    const auto snap = obtain_snapshot(*opts, config, Areas{false, true});
    std::vector<exposure::ExposureRow> rows;
    Report report = evaluate(snap, *opts, config, &rows);
    report.host.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    if (opts->format == "json") {
      nlohmann::json j = nlohmann::json::parse(write_json(report));
      nlohmann::json list = nlohmann::json::array();
      for (const auto& r : rows) list.push_back(exposure::row_to_json(r));
      j["exposure"] = list;
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      const Style style{use_color(*opts)};
      std::cout << exposure::render_exposure(rows, style) << "\n";
      if (!report.findings.empty() || !report.errors.empty())
        std::cout << write_text(report, style);
    }
    std::cout.flush();
    const auto worst = worst_severity(report);
    exit_code = (worst && *worst >= *parse_severity(opts->fail_on)) ? 1 : 0;
  });
}

}  // namespace hostward::cli

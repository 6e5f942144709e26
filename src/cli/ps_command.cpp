#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>

#include "cli/host_run.h"
#include "core/text_sanitize.h"
#include "host/snapshot.h"
#include "hunt/hunt.h"

namespace hostward::cli {

namespace {
size_t terminal_width() {
  struct winsize ws {};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    return ws.ws_col;
  }
  return 0;
}
}  // namespace

void add_ps_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<HostOptions>();
  opts->sample_ms = 0;
  CLI::App* cmd =
      app.add_subcommand("ps", "The whole process tree, each process with its findings");
  add_common_options(*cmd, *opts);
  cmd->add_flag("--wide,-w", opts->wide, "Do not cut lines to the terminal's width");
  cmd->callback([opts, &exit_code] {
    const Config config = load_config_for(*opts);
    const auto snap = obtain_snapshot(*opts, config, Areas{true, false});
    Report report = evaluate(snap, *opts, config);
    if (opts->format == "json") {
      nlohmann::json j = host::snapshot_to_json(snap);
      nlohmann::json flags = nlohmann::json::object();
      for (const auto& f : report.findings) {
        if (f.subject.contains("pid"))
          flags[std::to_string(f.subject["pid"].get<int>())].push_back(f.rule);
      }
      j["findings_by_pid"] = flags;
      std::cout << j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      hunt::TreeOptions t;
      t.color = use_color(*opts);
      t.width = opts->wide ? 0 : terminal_width();
      std::cout << hunt::render_process_tree(snap, report.findings, t);
      for (const auto& e : report.errors) {
        std::cerr << "hostward: " << sanitize_for_terminal(e.collector + ": " + e.message) << "\n";
      }
    }
    exit_code = 0;
  });
}

}  // namespace hostward::cli

#include <hostward/version.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "cli/host_run.h"
#include "respond/drill.h"

namespace {

// Client libraries read credentials, proxies and targets from these (libpq's
// PG*, Kerberos' cache, libcurl's proxies): a probe of another host must only
// ever try none, and talk to it directly. Cleared before any thread starts.
void forget_client_environment() {
  for (const char* v :
       {"PGPASSWORD",    "PGPASSFILE", "PGSERVICE",     "PGSERVICEFILE", "PGUSER",
        "PGSSLCERT",     "PGSSLKEY",   "PGSSLROOTCERT", "PGHOST",        "PGHOSTADDR",
        "PGPORT",        "PGDATABASE", "PGOPTIONS",     "PGSSLMODE",     "PGGSSENCMODE",
        "PGREQUIREAUTH", "KRB5CCNAME", "http_proxy",    "https_proxy",   "HTTP_PROXY",
        "HTTPS_PROXY",   "ALL_PROXY",  "all_proxy",     "NO_PROXY",      "no_proxy"})
    ::unsetenv(v);
}

}  // namespace

int main(int argc, char** argv) {
  // The drill's payload runs as a dropped copy of this binary, before anything else.
  if (argc >= 2 && std::string(argv[1]) == "__drill-role")
    return hostward::respond::run_drill_role(argc, argv);
  forget_client_environment();
  CLI::App app{"hostward: is this host under attack, could it be, and what to do about it"};
  app.set_version_flag("--version", std::string("hostward ") + hostward::kVersion);
  app.require_subcommand(1);
  int exit_code = 0;
  hostward::cli::add_scan_command(app, exit_code);
  hostward::cli::add_ps_command(app, exit_code);
  hostward::cli::add_rules_command(app, exit_code);
  hostward::cli::add_exposure_command(app, exit_code);
  hostward::cli::add_probe_command(app, exit_code);
  hostward::cli::add_logs_command(app, exit_code);
  hostward::cli::add_lint_command(app, exit_code);
  hostward::cli::add_watch_command(app, exit_code);
  hostward::cli::add_evidence_command(app, exit_code);
  hostward::cli::add_contain_command(app, exit_code);
  hostward::cli::add_drill_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "hostward: " << e.what() << " (see hostward --help)\n";
    return 2;
  } catch (const hostward::cli::UsageError& e) {
    std::cerr << "hostward: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "hostward: internal error: " << e.what() << "\n";
    return 2;
  }
  return exit_code;
}

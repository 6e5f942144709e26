#include <hostward/version.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/host_run.h"

int main(int argc, char** argv) {
  CLI::App app{"hostward: is this host under attack, could it be, and what to do about it"};
  app.set_version_flag("--version", std::string("hostward ") + hostward::kVersion);
  app.require_subcommand(1);
  int exit_code = 0;
  hostward::cli::add_scan_command(app, exit_code);
  hostward::cli::add_ps_command(app, exit_code);
  hostward::cli::add_rules_command(app, exit_code);
  hostward::cli::add_exposure_command(app, exit_code);
  hostward::cli::add_probe_command(app, exit_code);
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

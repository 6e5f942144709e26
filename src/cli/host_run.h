#pragma once
#include <stdexcept>

#include "cli/commands.h"
#include "core/config.h"
#include "core/finding.h"
#include "core/rule_catalog.h"
#include "exposure/exposure.h"
#include "host/snapshot.h"

namespace hostward::cli {

// A failure the user can fix: printed as one line, exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const RuleCatalog& catalog();
Config load_config_for(const HostOptions& o);

// Takes the snapshot live, or reads it from --from; writes it to --save-snapshot.
host::Snapshot obtain_snapshot(const HostOptions& o, const Config& config, const Areas& areas);

// The areas --only selects (all when it is empty).
Areas selected_areas(const HostOptions& o);

// Runs the rules of the selected areas and groups incidents; `rows`, when
// given, receives the exposure rows the network rules were run on.
Report evaluate(const host::Snapshot& snap, const HostOptions& o, const Config& config,
                std::vector<exposure::ExposureRow>* rows = nullptr);

bool use_color(const HostOptions& o);
void write_private_file(const std::string& path, const std::string& content);
void add_common_options(CLI::App& cmd, HostOptions& o);

}  // namespace hostward::cli

#pragma once
#include <optional>
#include <string>

#include "probe/probe_options.h"
#include "probe/service_result.h"
#include "probe/targets.h"

namespace hostward::probe {

// The service hostward checks on a port, by number ("" when none).
std::string service_for_port(int port);

// Runs the read-only check for `service` against host:port.
ServiceResult run_check(const std::string& service, const Host& host, int port,
                        const ProbeOptions& options);

ServiceResult check_postgres(const Host& host, int port, const ProbeOptions& options);
ServiceResult check_docker(const Host& host, int port, const ProbeOptions& options);
ServiceResult check_ssh(const Host& host, int port, const ProbeOptions& options);

}  // namespace hostward::probe

#pragma once
#include <vector>

#include "probe/protocols/step.h"
#include "probe/targets.h"

namespace hostward::probe {

// Runs a check's steps over one TCP connection, all within `timeout_ms`, with
// at most 64 KiB received per step; fills the evidence (sent, received).
ServiceResult run_steps(const Host& host, int port, const std::string& service,
                        std::vector<Step> steps, int timeout_ms);

}  // namespace hostward::probe

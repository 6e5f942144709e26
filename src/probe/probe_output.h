#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/terminal.h"
#include "probe/probe.h"

namespace hostward::probe {

nlohmann::json hosts_to_json(const std::vector<HostReport>& hosts);

// Per host: its open ports, each with what the check proved; readable at `width`.
std::string render_probe(const std::vector<HostReport>& hosts, const Style& style,
                         size_t width = 80);

}  // namespace hostward::probe

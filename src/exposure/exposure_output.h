#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/terminal.h"
#include "exposure/exposure.h"

namespace hostward::exposure {

nlohmann::json row_to_json(const ExposureRow& row);

// One block per listener, most exposed first, readable at `width` columns:
// where it listens, who answers, and the rule that decides.
std::string render_exposure(const std::vector<ExposureRow>& rows, const Style& style,
                            size_t width = 80);

}  // namespace hostward::exposure

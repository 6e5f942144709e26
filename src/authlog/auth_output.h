#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "authlog/auth_event.h"
#include "authlog/auth_summary.h"
#include "core/terminal.h"

namespace hostward::authlog {

// One event of `hostward logs --format json` (docs/json-report.md); empty
// fields are left out.
nlohmann::json event_to_json(const AuthEvent& e);

// The "auth" object: counts per kind, lines read, addresses, logins.
nlohmann::json summary_to_json(const AuthSummary& s);

// One line for people: what was read and what it held.
std::string summary_text(const AuthSummary& s);

// Logins, wtmp sessions, reboots and failures per address, merged in time
// order, for 80 columns.
std::string render_timeline(const AuthSummary& s, const Style& style);

}  // namespace hostward::authlog

#include <fmt/format.h>

#include <iostream>

#include "cli/host_run.h"
#include "core/writers.h"

namespace hostward::cli {

void add_rules_command(CLI::App& app, int& exit_code) {
  auto format = std::make_shared<std::string>("text");
  CLI::App* cmd =
      app.add_subcommand("rules", "List the rule catalog: ids, severities, ATT&CK ids, rationale");
  cmd->add_option("--format", *format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([format, &exit_code] {
    if (*format == "json") {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const auto& r : catalog().all()) {
        arr.push_back({{"id", r.id},
                       {"severity", std::string(to_string(r.severity))},
                       {"attack", r.attack},
                       {"title", r.title},
                       {"rationale", r.rationale},
                       {"remediation", r.remediation}});
      }
      std::cout << arr.dump(2) << "\n";
    } else {
      for (const auto& r : catalog().all()) {
        std::string attack;
        for (const auto& a : r.attack) attack += (attack.empty() ? "" : ",") + a;
        std::cout << fmt::format("{:<36} {:<9} {}\n", r.id, to_string(r.severity), attack);
        std::cout << "    " << wrap(r.title + ". " + r.rationale, 80, 4, 4) << "\n\n";
      }
    }
    exit_code = 0;
  });
}

}  // namespace hostward::cli

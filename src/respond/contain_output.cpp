#include <fmt/format.h>

#include "core/terminal.h"
#include "core/text_sanitize.h"
#include "respond/contain.h"

namespace hostward::respond {

using nlohmann::json;

std::string contain_text(const json& r, bool color) {
  const Style style{color};
  std::string out;
  const bool dry = r.value("dry_run", false);
  out += style.bold(dry ? "Containment plan (dry run)" : "Containment") + "\n";
  if (r.contains("freezer"))
    out += fmt::format("  frozen with {}\n", r["freezer"].get<std::string>());
  if (r.contains("freezer_notes"))
    out += fmt::format("  {}\n", style.dim(r["freezer_notes"].get<std::string>()));
  for (const auto& t : r.value("targets", json::array())) {
    std::string line = fmt::format("  {:>7}  {:<16} {:<10}", t["pid"].get<int>(),
                                   sanitize_for_terminal(t["comm"].get<std::string>()),
                                   t["role"].get<std::string>());
    line += " " + t.value("action", std::string());
    if (t.contains("result")) {
      const bool dead = t["result"] == "dead";
      line += " -> " + style.paint(t["result"].get<std::string>(), dead ? "32" : "31;1");
    }
    out += line + "\n";
    if (t.contains("why"))
      out += "           " + style.dim(sanitize_for_terminal(t["why"].get<std::string>())) + "\n";
    if (t.contains("anchor") && t.value("quiet_exit", false))
      out += "           " +
             style.dim(fmt::format("child of database server {} ({}): ends by exit(1)",
                                   t["anchor"]["pid"].get<int>(),
                                   sanitize_for_terminal(t["anchor"]["comm"].get<std::string>()))) +
             "\n";
    if (t.contains("error"))
      out += "           " +
             style.paint(sanitize_for_terminal(t["error"].get<std::string>()), "33") + "\n";
  }
  for (const auto& f : r.value("refused", json::array()))
    out += fmt::format("  refused {}: {}\n", f["pid"].get<int>(), f["reason"].get<std::string>());
  if (r.contains("evidence")) {
    const auto& e = r["evidence"];
    if (e.contains("error"))
      out += "  evidence: " + style.paint(e["error"].get<std::string>(), "33") + "\n";
    else
      out += fmt::format("  evidence: {}\n", e["dir"].get<std::string>());
  }
  for (const auto& s : r.value("respawns", json::array())) {
    out += style.paint(fmt::format("  came back: {} {} ({}), {}\n", s["pid"].get<int>(),
                                   sanitize_for_terminal(s["comm"].get<std::string>()),
                                   s["why"].get<std::string>(), s["action"].get<std::string>()),
                       "31;1");
    out += fmt::format("    started by {} ({}): contain that one too\n", s["ppid"].get<int>(),
                       sanitize_for_terminal(s.value("parent_comm", std::string("?"))));
  }
  if (r.contains("timing_ms") && r["timing_ms"].contains("start_to_dead"))
    out += fmt::format("  all dead {:.1f} ms after start\n",
                       r["timing_ms"]["start_to_dead"].get<double>());
  out += style.bold("  result: " + r.value("result", std::string())) + "\n";
  return out;
}

}  // namespace hostward::respond

#include "probe/probe_output.h"

#include <fmt/format.h>

#include "core/text_sanitize.h"
#include "core/writers.h"

namespace hostward::probe {

nlohmann::json hosts_to_json(const std::vector<HostReport>& hosts) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hosts) {
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& p : h.ports) {
      nlohmann::json j = {{"port", p.port}, {"state", port_state_name(p.state)}};
      if (p.service) {
        const ServiceResult& r = *p.service;
        j["service"] = r.service;
        j["access"] = access_name(r.access);
        j["detail"] = r.detail;
        if (!r.version.empty()) j["version"] = r.version;
        j["sent"] = r.sent;
        j["received"] = r.received;
        if (!r.facts.empty()) j["facts"] = r.facts;
        j["command_execution"] = r.command_execution;
      }
      ports.push_back(j);
    }
    out.push_back({{"host", h.host.name},
                   {"address", h.host.address.str()},
                   {"open", ports},
                   {"closed", h.closed},
                   {"filtered", h.filtered}});
  }
  return out;
}

std::string render_probe(const std::vector<HostReport>& hosts, const Style& style, size_t width) {
  std::string out;
  for (const auto& h : hosts) {
    const std::string name = sanitize_for_terminal(h.host.name);
    const std::string addr = h.host.address.str();
    out += style.bold(name == addr ? name : name + " (" + addr + ")") +
           fmt::format(": {} open, {} closed, {} filtered\n", h.ports.size(), h.closed, h.filtered);
    for (const auto& p : h.ports) {
      if (!p.service) {
        out += fmt::format("  {:>5}/tcp  open\n", p.port);
        continue;
      }
      const ServiceResult& r = *p.service;
      std::string access = access_name(r.access);
      if (r.access == Access::open) access = style.paint(access, "1;31");
      out += fmt::format("  {:>5}/tcp  open  {:<13} {}\n", p.port, r.service, access);
      std::string line = sanitize_for_terminal(r.detail);
      if (!r.version.empty()) line += " [" + sanitize_for_terminal(r.version) + "]";
      out += "              " + wrap(line, width, 16, 14) + "\n";
    }
  }
  return out;
}

}  // namespace hostward::probe

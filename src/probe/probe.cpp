#include "probe/probe.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "probe/checks.h"

namespace hostward::probe {

namespace {

struct Job {
  size_t host;
  size_t index;
  std::string service;
};

std::string service_of(int port, const ProbeOptions& options) {
  const auto forced = options.services.find(port);
  return forced != options.services.end() ? forced->second : service_for_port(port);
}

// Checks wait on the network: a few in parallel, each with its own deadline.
void run_jobs(std::vector<HostReport>& out, const std::vector<Job>& jobs,
              const ProbeOptions& options) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t j; (j = next.fetch_add(1)) < jobs.size();) {
      const Job& job = jobs[j];
      PortReport& p = out[job.host].ports[job.index];
      p.service = run_check(job.service, out[job.host].host, p.port, options);
    }
  };
  std::vector<std::thread> threads;
  const size_t n = std::min<size_t>(8, jobs.size());
  for (size_t i = 1; i < n; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
}

}  // namespace

std::vector<HostReport> run_probe(const std::vector<Host>& hosts, const std::vector<int>& ports,
                                  const ScanOptions& scan, const ProbeOptions& options) {
  std::vector<HostReport> out(hosts.size());
  for (size_t i = 0; i < hosts.size(); ++i) out[i].host = hosts[i];
  std::vector<Job> jobs;
  for (const auto& r : scan_ports(hosts, ports, scan)) {
    HostReport& h = out[r.host];
    if (r.state == PortState::closed) {
      ++h.closed;
      continue;
    }
    if (r.state == PortState::filtered) {
      ++h.filtered;
      continue;
    }
    h.ports.push_back({r.port, r.state, r.why, std::nullopt});
    if (const std::string s = service_of(r.port, options); !s.empty())
      jobs.push_back({r.host, h.ports.size() - 1, s});
  }
  if (options.run_checks) run_jobs(out, jobs, options);
  return out;
}

std::vector<HostReport> check_open_ports(const std::vector<std::pair<Host, int>>& endpoints,
                                         const ProbeOptions& options) {
  std::vector<HostReport> out;
  std::vector<Job> jobs;
  for (const auto& endpoint : endpoints) {
    const Host& host = endpoint.first;
    const int port = endpoint.second;
    const std::string s = service_of(port, options);
    if (s.empty()) continue;
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const HostReport& h) { return h.host.address == host.address; });
    if (it == out.end()) {
      out.push_back({host, {}, 0, 0});
      it = out.end() - 1;
    }
    it->ports.push_back({port, PortState::open, "", std::nullopt});
    jobs.push_back({static_cast<size_t>(it - out.begin()), it->ports.size() - 1, s});
  }
  run_jobs(out, jobs, options);
  return out;
}

}  // namespace hostward::probe

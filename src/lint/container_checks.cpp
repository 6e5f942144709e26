#include <fmt/format.h>

#include <algorithm>

#include "lint/container_spec.h"
#include "lint/images.h"
#include "lint/port_spec.h"
#include "lint/secrets.h"

namespace hostward::lint {

namespace {

std::string describe(const ContainerSpec& spec) {
  std::string out = spec.kind;
  if (!spec.name.empty()) out += " " + spec.name;
  if (!spec.image.value.empty()) out += " (" + spec.image.value + ")";
  return out;
}

struct OpenPort {
  const PortPublish* publish;
  PortSpec parsed;
};

std::vector<OpenPort> open_ports(const ContainerSpec& spec) {
  std::vector<OpenPort> out;
  for (const auto& p : spec.ports) {
    PortSpec parsed;
    if (p.long_form) {
      parsed.container_port = p.spec.value;
      parsed.parts = 1;
      if (p.host_ip) parsed.host_ip = p.host_ip->value;
    } else {
      parsed = parse_port_spec(p.spec.value);
      // "${DB_PORTS}", "$PUBLISH": the whole publish comes from a variable,
      // its address too: unknown, as a variable address is
      if (parsed.parts == 1 && parsed.container_port.find('$') != std::string::npos) continue;
    }
    if (binding_of(parsed.host_ip) == Binding::all_interfaces) out.push_back({&p, parsed});
  }
  return out;
}

// What listens on the port, by its number; the image decides when the
// number says nothing (postgres published as 8080 is still a database).
struct PortService {
  std::string name;  // from the port number only, "" when unknown
  ServiceClass cls = ServiceClass::unknown;
};

PortService port_service(const ContainerSpec& spec, const PortSpec& port) {
  const Service by_image = classify_image(spec.image.value);
  const auto n = first_port(port.container_port);
  const Service by_port = n ? classify_service("", *n, port.protocol) : Service{};
  if (is_sensitive(by_port.cls)) return {by_port.name, by_port.cls};
  if (is_sensitive(by_image.cls)) return {by_port.name, by_image.cls};
  return {by_port.name, by_port.cls};
}

std::optional<TextEdit> publish_fix(const PortPublish& p, const PortSpec& parsed) {
  if (p.long_form) {
    if (p.host_ip) {
      if (!p.host_ip->exact) return std::nullopt;
      return TextEdit{p.host_ip->loc.file, p.host_ip->loc.offset, p.host_ip->value.size(),
                      "127.0.0.1"};
    }
    return p.fix;
  }
  if (!p.spec.exact) return std::nullopt;
  const SpecEdit e = loopback_edit(parsed, p.spec.loc.offset);
  return TextEdit{p.spec.loc.file, e.offset, e.length, e.replacement};
}

void check_ports(const ContainerSpec& spec, const std::vector<OpenPort>& open, Diagnostics& out) {
  if (!spec.publishes_to_host) return;
  for (const auto& o : open) {
    const PortService svc = port_service(spec, o.parsed);
    LintFinding f;
    f.rule = "ci.port-published-all-interfaces";
    f.severity = spec.hosted_runner      ? Severity::low
                 : is_sensitive(svc.cls) ? Severity::high
                                         : Severity::medium;
    f.loc =
        o.publish->long_form && o.publish->host_ip ? o.publish->host_ip->loc : o.publish->spec.loc;
    const std::string what = svc.name.empty() ? "port " + o.parsed.container_port
                                              : svc.name + " port " + o.parsed.container_port;
    const std::string written = o.publish->long_form ? "target " + o.publish->spec.value
                                                     : "\"" + o.publish->spec.value + "\"";
    f.message = fmt::format("{} of {} is published on all interfaces ({}); bind it to 127.0.0.1",
                            what, describe(spec), written);
    f.evidence = {{"publish", o.publish->spec.value},
                  {"container_port", o.parsed.container_port},
                  {"host_port", o.parsed.host_port},
                  {"host_ip", o.parsed.host_ip},
                  {"service", svc.name},
                  {"service_class", class_name(svc.cls)},
                  {"image", spec.image.value},
                  {"container", describe(spec)}};
    if (spec.hosted_runner)
      f.evidence["runner"] = "GitHub-hosted (a throwaway VM without inbound access)";
    f.fix = publish_fix(*o.publish, o.parsed);
    out.add(std::move(f));
  }
  if (spec.publish_all) {
    const Service svc = classify_image(spec.image.value);
    LintFinding f;
    f.rule = "ci.port-published-all-interfaces";
    f.severity = spec.hosted_runner      ? Severity::low
                 : is_sensitive(svc.cls) ? Severity::high
                                         : Severity::medium;
    f.loc = *spec.publish_all;
    f.message = fmt::format(
        "-P publishes every port {} exposes on all interfaces; publish each with -p 127.0.0.1:…",
        describe(spec));
    f.evidence = {{"publish", "-P"}, {"image", spec.image.value}, {"service", svc.name}};
    out.add(std::move(f));
  }
}

bool has_word(const std::vector<Located>& words, std::string_view w) {
  return std::any_of(words.begin(), words.end(), [&](const Located& l) {
    return l.value == w || l.value.rfind(std::string(w) + "=", 0) == 0;
  });
}

// Redis without a password: "--protected-mode no" on its command line, or
// the official image (which builds protected mode off) published openly.
std::optional<std::pair<std::string, Loc>> redis_no_auth(const ContainerSpec& spec,
                                                         bool published) {
  const Service svc = classify_image(spec.image.value);
  const bool runs_redis =
      svc.name == "redis" || svc.name == "valkey" || svc.name == "keydb" ||
      std::any_of(spec.command.begin(), spec.command.end(), [](const Located& l) {
        return l.value == "redis-server" || l.value == "valkey-server";
      });
  if (!runs_redis) return std::nullopt;
  if (has_word(spec.command, "--requirepass")) return std::nullopt;
  for (const auto& e : spec.env) {
    const std::string& k = e.key;
    if (k == "REDIS_PASSWORD" || k == "REDIS_ARGS" || k == "VALKEY_PASSWORD") return std::nullopt;
  }
  for (size_t i = 0; i < spec.command.size(); ++i) {
    const auto& w = spec.command[i].value;
    const bool off = (w == "--protected-mode" && i + 1 < spec.command.size() &&
                      spec.command[i + 1].value == "no") ||
                     w == "--protected-mode=no";
    if (off)
      return std::make_pair(std::string("redis runs with --protected-mode no and no --requirepass: "
                                        "anyone who reaches it runs commands"),
                            spec.command[i].loc);
  }
  if (published && image_repository(spec.image.value) == "redis")
    return std::make_pair(std::string("the official redis image turns protected mode off and "
                                      "sets no password"),
                          spec.image.loc);
  return std::nullopt;
}

void check_no_auth(const ContainerSpec& spec, bool open, Diagnostics& out) {
  std::vector<std::pair<std::string, Loc>> reasons;
  const bool root_password = std::any_of(spec.env.begin(), spec.env.end(), [](const EnvVar& e) {
    return sets_root_password(e.key) && (!e.value || !e.value->empty());
  });
  for (const auto& e : spec.env) {
    std::optional<std::string> value = e.value;
    if (!value) {
      if (auto it = spec.inherited_env.find(e.key); it != spec.inherited_env.end())
        value = it->second;
    }
    if (!value) continue;
    if (auto r = no_auth_reason(e.key, *value, root_password)) reasons.emplace_back(*r, e.loc);
  }
  if (auto r = redis_no_auth(spec, open)) reasons.push_back(*r);
  for (const auto& [reason, loc] : reasons) {
    LintFinding f;
    f.rule = "ci.database-no-auth";
    f.severity = open ? Severity::critical : Severity::high;
    f.loc = loc;
    f.message = reason + " — " + describe(spec) +
                (open ? ", and it is published on all interfaces: anyone can log in" : "");
    f.evidence = {
        {"container", describe(spec)}, {"reason", reason}, {"published_on_all_interfaces", open}};
    out.add(std::move(f));
  }
}

void check_privileged(const ContainerSpec& spec, Diagnostics& out) {
  if (spec.privileged) {
    LintFinding f;
    f.rule = "ci.privileged-container";
    f.severity = Severity::high;
    f.loc = *spec.privileged;
    f.message = describe(spec) + " runs privileged: whoever controls it is root on the host";
    f.evidence = {{"container", describe(spec)}, {"privileged", true}};
    out.add(std::move(f));
  }
  for (const auto& cap : spec.cap_add) {
    std::string c = cap.value;
    std::transform(c.begin(), c.end(), c.begin(),
                   [](unsigned char ch) { return std::toupper(ch); });
    if (c.rfind("CAP_", 0) == 0) c = c.substr(4);
    if (c != "ALL" && c != "SYS_ADMIN") continue;
    LintFinding f;
    f.rule = "ci.privileged-container";
    f.severity = Severity::high;
    f.loc = cap.loc;
    f.message = describe(spec) + " adds capability " + c + ", as good as privileged";
    f.evidence = {{"container", describe(spec)}, {"cap_add", c}};
    out.add(std::move(f));
  }
}

bool is_docker_socket(std::string source) {
  while (source.size() > 1 && source.back() == '/') source.pop_back();
  static const std::array<std::string_view, 8> kSockets = {"/var/run/docker.sock",
                                                           "/run/docker.sock",
                                                           "/var/run",
                                                           "/run",
                                                           "/var/run/docker",
                                                           "/run/podman/podman.sock",
                                                           "/run/containerd/containerd.sock",
                                                           "/var/run/containerd/containerd.sock"};
  return std::find(kSockets.begin(), kSockets.end(), source) != kSockets.end();
}

void check_mounts(const ContainerSpec& spec, Diagnostics& out) {
  for (const auto& m : spec.mount_sources) {
    if (!is_docker_socket(m.value)) continue;
    LintFinding f;
    f.rule = "ci.docker-socket-mount";
    f.severity = Severity::high;
    f.loc = m.loc;
    f.message = describe(spec) + " mounts " + m.value +
                ": it can start a privileged container and is root on the host";
    f.evidence = {{"container", describe(spec)}, {"mount", m.value}};
    out.add(std::move(f));
  }
}

void check_network(const ContainerSpec& spec, Diagnostics& out) {
  if (!spec.network || spec.network->value != "host") return;
  const Service svc = classify_image(spec.image.value);
  LintFinding f;
  f.rule = "ci.host-network";
  f.severity = is_sensitive(svc.cls) && !spec.hosted_runner ? Severity::high : Severity::medium;
  f.loc = spec.network->loc;
  f.message =
      describe(spec) + " shares the host's network: every port it listens on is a port of the host";
  f.evidence = {{"container", describe(spec)}, {"network", "host"}, {"service", svc.name}};
  out.add(std::move(f));
}

}  // namespace

void check_container(const ContainerSpec& spec, Diagnostics& out) {
  const auto open = open_ports(spec);
  check_ports(spec, open, out);
  const bool reachable = spec.publishes_to_host && !spec.hosted_runner &&
                         (!open.empty() || spec.publish_all.has_value() ||
                          (spec.network && spec.network->value == "host"));
  check_no_auth(spec, reachable, out);
  check_privileged(spec, out);
  check_mounts(spec, out);
  check_network(spec, out);
  // A password given to a throwaway test database is a fixture, not a leak:
  // still reported, at low (a known token format stays high).
  const Severity literal =
      is_sensitive(classify_image(spec.image.value).cls) ? Severity::low : Severity::medium;
  for (const auto& e : spec.env)
    if (e.value)
      check_secret(e.key, *e.value, e.loc, e.value_span, spec.kind + " environment", out, literal);
}

}  // namespace hostward::lint

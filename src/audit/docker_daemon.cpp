#include "audit/docker_daemon.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <set>

#include "audit/accounts.h"
#include "audit/docker_text.h"

namespace hostward::audit {

namespace {

using namespace docker_text;

constexpr const char* kDaemonJson = "/etc/docker/daemon.json";

const RuleInfo& tcp_socket_info() {
  static const RuleInfo i{
      "config.docker-tcp-socket",
      Severity::critical,
      {"T1133", "T1610"},
      "dockerd listens on TCP without verifying client certificates",
      "The Docker API is root on the host: whoever reaches the port starts a privileged "
      "container with / mounted. The seed's siblings had 2375 open to the internet.",
      "Remove the tcp:// hosts (-H in the unit or /etc/default/docker, \"hosts\" in "
      "/etc/docker/daemon.json, ListenStream= in docker.socket) and use the unix socket, or "
      "`docker -H ssh://user@host` from elsewhere; if TCP is needed, set tlsverify with "
      "tlscacert/tlscert/tlskey and give clients certificates. Note that dockerd refuses to start "
      "when hosts is set both as -H (the packaged unit's -H fd://) and in daemon.json: remove "
      "-H from ExecStart= with a drop-in (an empty ExecStart= first) when moving hosts to "
      "daemon.json. Then `systemctl daemon-reload && systemctl restart docker`."};
  return i;
}

const RuleInfo& group_members_info() {
  static const RuleInfo i{
      "config.docker-group-members",
      Severity::high,
      {"T1078.003", "T1611"},
      "Accounts in the docker group, or a Docker socket others can write, are root",
      "Whoever can write to /run/docker.sock runs `docker run -v /:/host --privileged` and is "
      "root without a password; the seed's miner ran as lxd, the socket's group.",
      "Remove accounts that must not be root from the group (`gpasswd -d USER docker`; a primary "
      "group needs `usermod -g`), give CI agents rootless Docker or a socket proxy that allows "
      "only what they need, and keep the socket root:docker 0660 (SocketMode=/SocketGroup= in "
      "docker.socket, \"group\" in daemon.json)."};
  return i;
}

std::string basename_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// One way dockerd is (or would be) started, with the flags it gets.
struct Invocation {
  std::string source;  // "systemd", "sysvinit", "daemon.json", "process"
  std::string label;   // for messages
  DockerdFlags flags;
  std::optional<EnvValue> env_tls_verify;  // DOCKER_TLS_VERIFY in the service's environment
  bool reads_daemon_json = true;
  const host::ProcessInfo* process = nullptr;
  Origin exec;  // the ExecStart= line, when from a unit
};

struct Candidate {
  Finding finding;
  std::string identity;
};

struct Context {
  const AuditInput& in;
  AuditResult& out;
  std::map<std::string, std::optional<DaemonJson>> jsons;  // path -> parsed; nullopt when absent
  std::optional<SystemdUnit> docker_socket;
  std::map<std::string, Candidate> candidates;  // by identity: the worst one is kept
  // A TCP address a unit, /etc/default/docker or daemon.json opens -> the
  // identity of its finding; the running dockerd that opens it confirms it.
  std::map<std::string, std::string> configured_listeners;
  std::set<std::string> errors_seen;

  void error(std::string message) {
    if (errors_seen.insert(message).second) out.errors.push_back({"config", std::move(message)});
  }

  const DaemonJson* daemon_json(const std::string& path) {
    auto it = jsons.find(path);
    if (it == jsons.end()) {
      std::optional<DaemonJson> parsed;
      if (const auto text = in.files.read(path)) parsed = parse_daemon_json(*text, path);
      it = jsons.emplace(path, std::move(parsed)).first;
      if (it->second)
        for (const auto& p : it->second->problems)
          error(it->second->refused ? p + " (dockerd refuses to start with this file)" : p);
    }
    return it->second ? &*it->second : nullptr;
  }

  void add(Candidate c) {
    auto [it, inserted] = candidates.emplace(c.identity, c);
    if (!inserted && c.finding.severity > it->second.finding.severity) it->second = std::move(c);
  }
};

// Whether clients must present a certificate signed by the daemon's CA.
struct ClientAuth {
  enum Level { required, version_dependent, none } level = none;
  bool tls_on = false;  // TLS is served at all (the default port of an empty host is 2376)
  std::string why;
  nlohmann::json evidence;
};

ClientAuth decide_client_auth(const DockerdFlags& f, const DaemonJson* j,
                              const std::optional<EnvValue>& env) {
  ClientAuth a;
  std::optional<bool> verify = f.tlsverify;
  if (!verify && j) verify = j->tlsverify;
  if (f.tlsverify && j && j->tlsverify && *f.tlsverify != *j->tlsverify) verify = false;
  // cmd/dockerd: DOCKER_TLS_VERIFY (any value but empty) is --tlsverify's default.
  if (!verify && env) verify = true;
  std::optional<bool> tls = f.tls;
  if (!tls && j) tls = j->tls;
  a.evidence = {{"tls", tls ? nlohmann::json(*tls) : nlohmann::json()},
                {"tlsverify", verify ? nlohmann::json(*verify) : nlohmann::json()}};
  if (env) a.evidence["DOCKER_TLS_VERIFY"] = where(env->origin);
  a.tls_on = tls == true || verify.has_value();
  if (verify == true) {
    a.level = ClientAuth::required;
  } else if (verify == false) {
    a.why = "TLS without client certificates (tlsverify=false): anyone can connect";
  } else if (tls == true) {
    // cmd/dockerd setDefaultOptions: recent dockerd turn tlsverify on with
    // tls unless it is set to false; releases before that did not.
    a.level = ClientAuth::version_dependent;
    a.why = "tls without tlsverify: only recent dockerd releases then require client certificates";
  } else {
    a.why = "no TLS: plain HTTP, no authentication";
  }
  return a;
}

// A dockerd in a container (Docker-in-Docker in a CI job) listens in the
// container's network: other containers reach it, the internet only through
// a publish, which the network rules judge.
Severity severity_for(Bind bind, ClientAuth::Level level, bool in_container) {
  const bool local = bind == Bind::loopback;
  if (level == ClientAuth::version_dependent) return local ? Severity::low : Severity::medium;
  if (in_container) return local ? Severity::medium : Severity::high;
  return local ? Severity::high : Severity::critical;
}

std::string bind_phrase(Bind b) {
  switch (b) {
    case Bind::loopback:
      return "loopback only";
    case Bind::all_interfaces:
      return "every interface";
    case Bind::address:
      return "one address";
    case Bind::name:
      return "a host name";
  }
  return "";
}

nlohmann::json source_subject(const Invocation& inv, const Origin& origin,
                              const std::string& setting) {
  if (inv.process != nullptr && origin.path.empty()) {
    return {{"kind", "process"},
            {"pid", inv.process->pid},
            {"comm", inv.process->comm},
            {"exe", inv.process->exe_path},
            {"setting", setting}};
  }
  nlohmann::json s = {{"kind", "config"}, {"path", origin.path}, {"setting", setting}};
  if (origin.line > 0) s["line"] = origin.line;
  return s;
}

// A container's dockerd is named by its program, not the container's id: a
// CI job's Docker-in-Docker is the same finding job after job.
std::string source_identity(const Invocation& inv, const Origin& origin) {
  if (inv.process != nullptr && origin.path.empty())
    return std::string("process\n") + (inv.process->container_id.empty() ? "" : "container") +
           "\n" + basename_of(inv.process->exe_path);
  return where(origin);
}

// The running dockerd opens what its configuration says: one finding, at the
// line to change, that says it is live.
bool confirm_configured(Context& ctx, const host::ProcessInfo& p, const std::string& address) {
  const auto it = ctx.configured_listeners.find(address);
  if (it == ctx.configured_listeners.end()) return false;
  const auto c = ctx.candidates.find(it->second);
  if (c == ctx.candidates.end()) return false;
  c->second.finding.evidence["running_pid"] = p.pid;
  return true;
}

// One TCP listener dockerd opens: a finding unless clients must present certificates.
void judge_tcp_listener(Context& ctx, const Invocation& inv, const ClientAuth& auth,
                        const std::string& address, const std::string& host,
                        const std::string& written, const Origin& origin,
                        const std::string& setting, nlohmann::json extra) {
  if (auth.level == ClientAuth::required) return;
  const bool in_container = inv.process != nullptr && !inv.process->container_id.empty();
  if (inv.process != nullptr && !in_container && confirm_configured(ctx, *inv.process, address))
    return;
  const Bind bind = classify_bind(host);
  const Severity sev = severity_for(bind, auth.level, in_container);
  nlohmann::json evidence = {{"host", printable(written)},
                             {"address", address},
                             {"bind", to_string(bind)},
                             {"client_auth", auth.why},
                             {"source", inv.source}};
  evidence.update(auth.evidence);
  if (extra.is_object()) evidence.update(extra);
  if (!origin.via.empty()) evidence["via"] = origin.via;
  if (!inv.exec.path.empty()) evidence["exec_start"] = where(inv.exec);
  if (in_container) {
    evidence["container_id"] = inv.process->container_id;
    evidence["network"] = "the container's own network namespace";
  }
  const std::string title =
      in_container
          ? fmt::format(
                "dockerd in container {} listens on {} ({}) {}: every container that reaches "
                "it is root in that (usually privileged) container; Docker-in-Docker without "
                "TLS (set DOCKER_TLS_CERTDIR)",
                printable(inv.process->container_id.substr(0, 12)), address, bind_phrase(bind),
                auth.level == ClientAuth::none ? "without TLS client verification"
                                               : "and may not verify client certificates")
          : fmt::format("dockerd listens on {} ({}) {}{}", address, bind_phrase(bind),
                        auth.level == ClientAuth::none ? "without TLS client verification"
                                                       : "and may not verify client certificates",
                        bind == Bind::loopback
                            ? ": every local user and host-network container is root"
                            : "");
  Candidate c;
  c.identity = source_identity(inv, origin) + "\n" + address;
  c.finding = make_finding(tcp_socket_info(), sev, title, source_subject(inv, origin, setting),
                           std::move(evidence), ctx.in.hostname, c.identity);
  if (inv.process == nullptr) ctx.configured_listeners[address] = c.identity;
  ctx.add(std::move(c));
}

// A ListenStream= of docker.socket (systemd.socket(5)): a path or '@' is a
// unix socket, "vsock:" a VM socket, a bare port every interface, else ADDRESS:PORT.
std::optional<std::string> listen_stream_host(std::string_view v) {
  if (v.empty() || v[0] == '/' || v[0] == '@' || v.substr(0, 6) == "vsock:") return std::nullopt;
  if (all_digits(v)) return std::string("::");
  if (v[0] == '[') {
    const size_t close = v.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string host(v.substr(1, close - 1));
    return host.substr(0, host.find('%'));
  }
  const size_t colon = v.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return std::string(v.substr(0, colon));
}

// fd:// takes the sockets systemd passes: docker.socket's ListenStream=.
void judge_socket_activation(Context& ctx, const Invocation& inv, const ClientAuth& auth,
                             const std::string& written) {
  if (!ctx.docker_socket)
    ctx.docker_socket = read_systemd_unit(ctx.in.files, "docker.socket", "Socket");
  if (ctx.docker_socket->masked) return;
  std::vector<const UnitSetting*> listens;
  for (const auto& s : ctx.docker_socket->settings) {
    if (s.key != "ListenStream") continue;
    if (s.value.empty())
      listens.clear();
    else
      listens.push_back(&s);
  }
  for (const UnitSetting* s : listens) {
    const auto host = listen_stream_host(s->value);
    if (!host) continue;
    const std::string shown = host->find(':') != std::string::npos ? "[" + *host + "]" : *host;
    const std::string port =
        s->value.substr(s->value.rfind(':') == std::string::npos ? 0 : s->value.rfind(':') + 1);
    judge_tcp_listener(ctx, inv, auth, fmt::format("tcp://{}:{}", shown, port), *host, written,
                       Origin{s->path, s->line, ""}, "ListenStream",
                       {{"listen_stream", printable(s->value)}, {"dockerd_host", written}});
  }
}

void report_conflicts(Context& ctx, const Invocation& inv, const DaemonJson& j,
                      const std::string& json_path) {
  std::vector<std::string> both;
  if (!inv.flags.hosts.empty() && j.keys.count("hosts")) both.push_back("hosts");
  if (inv.flags.tls && j.keys.count("tls")) both.push_back("tls");
  if (inv.flags.tlsverify && j.keys.count("tlsverify")) both.push_back("tlsverify");
  if (inv.flags.group && j.keys.count("group")) both.push_back("group");
  if (both.empty()) return;
  std::string names;
  for (const auto& b : both) names += (names.empty() ? "" : ", ") + b;
  ctx.error(fmt::format(
      "{} and {}: dockerd refuses to start: the following directives are specified both as a "
      "flag and in the configuration file: {}",
      inv.label, json_path, names));
}

void judge_invocation(Context& ctx, const Invocation& inv) {
  for (const auto& r : inv.flags.refusals)
    ctx.error(fmt::format("{}: dockerd refuses to start: {}", inv.label, r));
  const DaemonJson* json = nullptr;
  std::string json_path;
  if (inv.reads_daemon_json) {
    json_path = inv.flags.config_file.value_or(kDaemonJson);
    json = ctx.daemon_json(json_path);
    if (json == nullptr && inv.flags.config_file)
      ctx.error(fmt::format("{}: dockerd refuses to start: --config-file {} does not exist",
                            inv.label, printable(json_path)));
    if (json != nullptr) report_conflicts(ctx, inv, *json, json_path);
  }
  const ClientAuth auth = decide_client_auth(inv.flags, json, inv.env_tls_verify);
  std::vector<std::pair<Word, std::string>> hosts;  // value, setting
  for (const auto& h : inv.flags.hosts) hosts.push_back({h, "-H"});
  if (json != nullptr)
    for (const auto& h : json->hosts) hosts.push_back({h, "hosts"});
  for (const auto& [word, setting] : hosts) {
    const DaemonHost h = parse_daemon_host(word.text, auth.tls_on);
    if (!h.error.empty()) {
      ctx.error(fmt::format("{}: dockerd refuses to start: host {}: {}",
                            word.origin.path.empty() ? inv.label : where(word.origin),
                            printable(word.text), h.error));
    } else if (h.proto == "tcp") {
      judge_tcp_listener(ctx, inv, auth, h.address, h.host, word.text, word.origin, setting, {});
    } else if (h.proto == "fd") {
      judge_socket_activation(ctx, inv, auth, word.text);
    }
  }
}

// ---------------------------------------------------------------- where dockerd comes from

std::optional<size_t> dockerd_arguments_start(const std::vector<std::string>& argv) {
  if (argv.empty()) return std::nullopt;
  const std::string program = basename_of(argv[0]);
  if (program == "dockerd") return 1;
  if (program == "docker" && argv.size() >= 2 && argv[1] == "daemon") return 2;  // Docker < 1.12
  return std::nullopt;
}

void read_env_files(Context& ctx, const UnitSetting& s, std::map<std::string, EnvValue>& env,
                    const std::string& unit_label) {
  std::string_view v = s.value;
  const bool optional = !v.empty() && v[0] == '-';
  if (optional) v.remove_prefix(1);
  const std::string pattern(v);
  std::vector<std::string> paths;
  if (pattern.find_first_of("*?[") != std::string::npos)
    paths = ctx.in.files.glob(pattern);
  else
    paths.push_back(pattern);
  for (const auto& p : paths) {
    const auto text = ctx.in.files.read(p);
    if (!text) {
      if (!optional)
        ctx.error(fmt::format("{}:{}: systemd refuses to start {}: EnvironmentFile {} is missing",
                              s.path, s.line, unit_label, printable(p)));
      continue;
    }
    for (const auto& a : parse_environment_file(*text, false))
      env[a.name] = EnvValue{a.value, Origin{p, a.line, ""}};
  }
}

// Environment= first, then EnvironmentFile= in order, each overriding (systemd.exec(5)).
std::map<std::string, EnvValue> service_environment(Context& ctx, const SystemdUnit& unit) {
  std::vector<const UnitSetting*> assignments, env_files;
  for (const auto& s : unit.settings) {
    auto& list = s.key == "Environment" ? assignments : env_files;
    if (s.key != "Environment" && s.key != "EnvironmentFile") continue;
    if (s.value.empty())
      list.clear();
    else
      list.push_back(&s);
  }
  std::map<std::string, EnvValue> env;
  for (const UnitSetting* s : assignments) {
    for (const auto& word : split_words(s->value, true)) {
      const size_t eq = word.find('=');
      if (eq != std::string::npos && is_env_name(word.substr(0, eq)))
        env[word.substr(0, eq)] = EnvValue{word.substr(eq + 1), Origin{s->path, s->line, ""}};
    }
  }
  for (const UnitSetting* s : env_files) read_env_files(ctx, *s, env, basename_of(unit.path));
  return env;
}

// The ExecStart= commands left after every reset, as systemd applies them.
std::vector<std::pair<Command, Origin>> exec_start_commands(Context& ctx, const SystemdUnit& unit) {
  std::vector<std::pair<Command, Origin>> commands;
  std::string type;
  for (const auto& s : unit.settings) {
    if (s.key == "Type") type = s.value;
    if (s.key != "ExecStart") continue;
    if (s.value.empty()) {
      commands.clear();  // an empty ExecStart= resets the list
      continue;
    }
    std::string why;
    const auto parsed = split_exec_commands(s.value, &why);
    if (!parsed) {
      ctx.error(fmt::format("{}:{}: systemd ignores this ExecStart=: {}", s.path, s.line, why));
      continue;
    }
    for (const auto& c : *parsed) commands.push_back({c, Origin{s.path, s.line, ""}});
  }
  if (commands.size() > 1 && type != "oneshot")
    ctx.error(fmt::format(
        "{}: systemd refuses to load docker.service: more than one ExecStart= (only "
        "Type=oneshot may have several; a drop-in must reset the list with an empty ExecStart=)",
        commands.back().second.path));
  return commands;
}

std::vector<Invocation> systemd_invocations(Context& ctx, const SystemdUnit& unit) {
  std::vector<Invocation> out;
  for (const auto& p : unit.problems) ctx.error(p);
  if (unit.path.empty() || unit.masked) return out;
  const auto commands = exec_start_commands(ctx, unit);
  const auto env = service_environment(ctx, unit);
  std::optional<EnvValue> tls_env;
  if (const auto it = env.find("DOCKER_TLS_VERIFY"); it != env.end() && !it->second.value.empty())
    tls_env = it->second;
  for (const auto& [command, origin] : commands) {
    const auto start = dockerd_arguments_start(command);
    if (!start) {
      ctx.error(fmt::format("{}: docker.service runs {}, not dockerd; its flags are not judged",
                            where(origin), printable(basename_of(command[0]))));
      continue;
    }
    Invocation inv;
    inv.source = "systemd";
    inv.label = fmt::format("docker.service ExecStart= ({})", where(origin));
    inv.exec = origin;
    inv.env_tls_verify = tls_env;
    inv.flags = parse_dockerd_flags(expand_exec_words(
        Command(command.begin() + static_cast<long>(*start), command.end()), env, origin));
    out.push_back(std::move(inv));
  }
  return out;
}

// The sysvinit and upstart scripts run `dockerd $DOCKER_OPTS`: the shell splits
// the unquoted value at whitespace and removes no quotes.
std::optional<Invocation> sysvinit_invocation(Context& ctx) {
  const std::string path = "/etc/default/docker";
  const auto text = ctx.in.files.read(path);
  if (!text) return std::nullopt;
  Invocation inv;
  inv.source = "sysvinit";
  inv.label = path;
  std::vector<Word> words;
  for (const auto& a : parse_environment_file(*text, true)) {
    if (a.name != "DOCKER_OPTS") continue;
    words.clear();
    std::string_view v = a.value;
    while (!v.empty() && words.size() < kMaxWords) {
      v = trim(v);
      size_t end = 0;
      while (end < v.size() && !is_space(v[end])) ++end;
      if (end > 0) words.push_back({std::string(v.substr(0, end)), Origin{path, a.line, ""}});
      v.remove_prefix(end);
    }
  }
  inv.flags = parse_dockerd_flags(words);
  return inv;
}

std::vector<Invocation> live_invocations(const AuditInput& in) {
  std::vector<Invocation> out;
  if (in.live == nullptr) return out;
  for (const auto& p : in.live->processes) {
    if (p.kernel_thread || (p.comm != "dockerd" && basename_of(p.exe_path) != "dockerd")) continue;
    if (!trusted_daemon(p)) continue;  // a user's process named dockerd proves nothing
    Invocation inv;
    inv.source = "process";
    inv.label = fmt::format("dockerd (pid {})", p.pid);
    inv.process = &p;
    // A dockerd in a container reads the container's daemon.json, not the host's.
    inv.reads_daemon_json = p.container_id.empty();
    std::vector<Word> args;
    for (size_t i = 1; i < p.argv.size() && i <= kMaxWords; ++i) args.push_back({p.argv[i], {}});
    inv.flags = parse_dockerd_flags(args);
    out.push_back(std::move(inv));
  }
  return out;
}

// ---------------------------------------------------------------- the docker group

int line_of_entry(const std::optional<std::string>& text, const std::string& name) {
  if (!text) return 0;
  int line = 1;
  size_t start = 0;
  while (start < text->size()) {
    if (text->compare(start, name.size() + 1, name + ":") == 0) return line;
    const size_t nl = text->find('\n', start);
    if (nl == std::string::npos) break;
    start = nl + 1;
    ++line;
  }
  return 0;
}

// A real docker group has a handful of members; a hostile image's may have a
// million, each a finding and a search of /etc/passwd.
constexpr size_t kMaxMembersReported = 200;

void report_group_members(Context& ctx, const Group& group) {
  const auto accounts = read_accounts(ctx.in.files);
  const auto group_text = ctx.in.files.read("/etc/group");
  const auto passwd_text = ctx.in.files.read("/etc/passwd");
  std::map<std::string_view, const Account*> by_name;
  for (const auto& a : accounts) by_name.emplace(a.name, &a);
  const int group_line = line_of_entry(group_text, group.name);
  std::set<std::string> reported;
  size_t left_out = 0;
  auto report = [&](const std::string& user, bool primary) {
    const auto it = by_name.find(user);
    const Account* a = it == by_name.end() ? nullptr : it->second;
    if (user == "root" || (a != nullptr && a->uid == 0) || reported.count(user)) return;
    if (reported.size() >= kMaxMembersReported) {
      ++left_out;
      return;
    }
    reported.insert(user);
    nlohmann::json subject = {{"kind", "config"},
                              {"path", primary ? "/etc/passwd" : "/etc/group"},
                              {"setting", primary ? "primary group" : "group members"},
                              {"user", user}};
    const int line = primary ? line_of_entry(passwd_text, user) : group_line;
    if (line > 0) subject["line"] = line;
    nlohmann::json evidence = {{"group", group.name},
                               {"gid", group.gid},
                               {"membership", primary ? "primary" : "supplementary"},
                               {"account_exists", a != nullptr}};
    if (a != nullptr) evidence["uid"] = a->uid;
    const std::string identity = "member\n" + group.name + "\n" + user;
    ctx.add(
        {make_finding(group_members_info(), Severity::high,
                      fmt::format("{} is in the {} group, which owns the Docker socket: root on "
                                  "this host without a password",
                                  printable(user), printable(group.name)),
                      subject, evidence, ctx.in.hostname, identity),
         identity});
  };
  for (const auto& m : group.members) report(m, false);
  for (const auto& a : accounts)
    if (a.gid == group.gid) report(a.name, true);
  if (left_out > 0)
    ctx.error(
        fmt::format("the {} group has {} more members than the {} named; they are not "
                    "listed",
                    printable(group.name), left_out, kMaxMembersReported));
}

void report_socket(Context& ctx, const std::string& path, const FileFacts& facts,
                   const Group* group, const std::string& group_name) {
  const std::string mode = fmt::format("{:04o}", facts.mode & 07777);
  auto add = [&](Severity sev, const std::string& problem, const std::string& title) {
    const std::string identity = "socket\n" + path + "\n" + problem;
    nlohmann::json evidence = {{"mode", mode},
                               {"uid", facts.uid},
                               {"gid", facts.gid},
                               {"problem", problem},
                               {"expected_group", group_name}};
    if (group != nullptr) evidence["expected_gid"] = group->gid;
    ctx.add({make_finding(group_members_info(), sev, title,
                          {{"kind", "file"}, {"path", path}, {"setting", "mode"}}, evidence,
                          ctx.in.hostname, identity),
             identity});
  };
  if (facts.world_writable())
    add(Severity::critical, "world-writable",
        fmt::format("{} is writable by every user ({}): any local account is root", path, mode));
  // gid 0 is dockerd's fallback when the group does not exist: root's group.
  if ((facts.mode & S_IWGRP) && facts.gid != 0 && (group == nullptr || facts.gid != group->gid))
    add(Severity::high, "group-writable by another group",
        fmt::format("{} is writable by group {} ({}), not the {} group", path, facts.gid, mode,
                    printable(group_name)));
  if (facts.uid != 0)
    add(Severity::high, "not owned by root",
        fmt::format("{} is owned by uid {}, not root: that account is root", path, facts.uid));
}

// The sockets dockerd serves: /run/docker.sock (/var/run is a link to /run)
// and any other unix:// host it is given.
std::vector<std::string> socket_paths(const std::vector<Invocation>& invocations, Context& ctx) {
  std::set<std::string> paths = {"/run/docker.sock"};
  for (const auto& inv : invocations) {
    std::vector<Word> hosts = inv.flags.hosts;
    if (inv.reads_daemon_json)
      if (const DaemonJson* j = ctx.daemon_json(inv.flags.config_file.value_or(kDaemonJson)))
        hosts.insert(hosts.end(), j->hosts.begin(), j->hosts.end());
    for (const auto& h : hosts) {
      const DaemonHost d = parse_daemon_host(h.text, false);
      if (d.proto != "unix") continue;
      std::string p = d.address.substr(7);
      if (p.compare(0, 9, "/var/run/") == 0) p = p.substr(4);
      if (!p.empty() && p[0] == '/') paths.insert(p);
    }
  }
  return {paths.begin(), paths.end()};
}

std::optional<FileFacts> stat_socket(const ConfigFiles& files, const std::string& path) {
  auto facts = files.stat(path);
  if (!facts && path.compare(0, 5, "/run/") == 0) facts = files.stat("/var" + path);
  if (!facts || !S_ISSOCK(facts->mode)) return std::nullopt;
  return facts;
}

bool group_rules(Context& ctx, const std::vector<Invocation>& invocations) {
  std::set<std::string> names;
  for (const auto& inv : invocations) {
    if (inv.process != nullptr && !inv.process->container_id.empty()) continue;
    const DaemonJson* j = inv.reads_daemon_json
                              ? ctx.daemon_json(inv.flags.config_file.value_or(kDaemonJson))
                              : nullptr;
    if (inv.flags.group)
      names.insert(inv.flags.group->text);
    else if (j != nullptr && j->group)
      names.insert(j->group->text);
    else
      names.insert("docker");
  }
  if (names.empty()) names.insert("docker");
  const auto groups = read_groups(ctx.in.files);
  const Group* socket_group = nullptr;
  bool any = false;
  for (const auto& name : names) {
    for (const auto& g : groups) {
      if (g.name != name) continue;
      any = true;
      if (socket_group == nullptr) socket_group = &g;
      report_group_members(ctx, g);
    }
  }
  for (const auto& path : socket_paths(invocations, ctx)) {
    const auto facts = stat_socket(ctx.in.files, path);
    if (!facts) continue;
    any = true;
    report_socket(ctx, path, *facts, socket_group, *names.begin());
  }
  return any;
}

}  // namespace

void docker_daemon_register(RuleCatalog& catalog) {
  catalog.add(tcp_socket_info());
  catalog.add(group_members_info());
}

void docker_daemon_rules(const AuditInput& in, AuditResult& out) {
  Context ctx{in, out, {}, {}, {}, {}, {}};
  const SystemdUnit unit = read_systemd_unit(in.files, "docker.service", "Service");
  std::vector<Invocation> invocations = systemd_invocations(ctx, unit);
  if (unit.path.empty()) {
    if (auto sysv = sysvinit_invocation(ctx)) invocations.push_back(std::move(*sysv));
  }
  if (invocations.empty() && in.files.read(kDaemonJson)) {
    Invocation alone;  // dockerd started by hand or by a unit hostward does not know
    alone.source = "daemon.json";
    alone.label = kDaemonJson;
    invocations.push_back(std::move(alone));
  }
  for (auto& inv : live_invocations(in)) {
    // Started by docker.service, it has the unit's environment (which /proc
    // would show only to a read of environ, with its secrets).
    if (inv.process->container_id.empty() && inv.process->cgroup.ends_with("/docker.service"))
      for (const auto& unit_inv : invocations)
        if (unit_inv.source == "systemd") inv.env_tls_verify = unit_inv.env_tls_verify;
    invocations.push_back(std::move(inv));
  }
  for (const auto& inv : invocations) judge_invocation(ctx, inv);

  const bool installed = !unit.path.empty() || !invocations.empty();
  const bool group_judged = group_rules(ctx, invocations);
  for (auto& [identity, c] : ctx.candidates) out.findings.push_back(std::move(c.finding));

  if (installed)
    out.judged(tcp_socket_info().id);
  else
    out.not_applicable(tcp_socket_info().id,
                       "Docker is not installed (no docker.service, "
                       "daemon.json or running dockerd)");
  if (installed || group_judged)
    out.judged(group_members_info().id);
  else
    out.not_applicable(group_members_info().id,
                       "Docker is not installed (no docker group, "
                       "docker.service, daemon.json or dockerd)");
}

}  // namespace hostward::audit

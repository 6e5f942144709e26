#include "lint/docker_cli.h"

#include <algorithm>
#include <array>

namespace hostward::lint {

namespace {

// docker run's options that take a value (docker 24-28), long and short.
bool takes_value(std::string_view opt) {
  static constexpr std::array<std::string_view, 93> kLong = {"add-host",
                                                             "annotation",
                                                             "attach",
                                                             "blkio-weight",
                                                             "blkio-weight-device",
                                                             "cap-add",
                                                             "cap-drop",
                                                             "cgroup-parent",
                                                             "cgroupns",
                                                             "cidfile",
                                                             "cpu-count",
                                                             "cpu-percent",
                                                             "cpu-period",
                                                             "cpu-quota",
                                                             "cpu-rt-period",
                                                             "cpu-rt-runtime",
                                                             "cpu-shares",
                                                             "cpus",
                                                             "cpuset-cpus",
                                                             "cpuset-mems",
                                                             "detach-keys",
                                                             "device",
                                                             "device-cgroup-rule",
                                                             "device-read-bps",
                                                             "device-read-iops",
                                                             "device-write-bps",
                                                             "device-write-iops",
                                                             "dns",
                                                             "dns-option",
                                                             "dns-opt",
                                                             "dns-search",
                                                             "domainname",
                                                             "entrypoint",
                                                             "env",
                                                             "env-file",
                                                             "expose",
                                                             "gpus",
                                                             "group-add",
                                                             "health-cmd",
                                                             "health-interval",
                                                             "health-retries",
                                                             "health-start-interval",
                                                             "health-start-period",
                                                             "health-timeout",
                                                             "hostname",
                                                             "ip",
                                                             "ip6",
                                                             "ipc",
                                                             "isolation",
                                                             "kernel-memory",
                                                             "label",
                                                             "label-file",
                                                             "link",
                                                             "link-local-ip",
                                                             "log-driver",
                                                             "log-opt",
                                                             "mac-address",
                                                             "memory",
                                                             "memory-reservation",
                                                             "memory-swap",
                                                             "memory-swappiness",
                                                             "mount",
                                                             "name",
                                                             "network",
                                                             "net",
                                                             "network-alias",
                                                             "net-alias",
                                                             "oom-score-adj",
                                                             "pid",
                                                             "pids-limit",
                                                             "platform",
                                                             "publish",
                                                             "pull",
                                                             "restart",
                                                             "runtime",
                                                             "security-opt",
                                                             "shm-size",
                                                             "stop-signal",
                                                             "stop-timeout",
                                                             "storage-opt",
                                                             "sysctl",
                                                             "tmpfs",
                                                             "ulimit",
                                                             "user",
                                                             "userns",
                                                             "uts",
                                                             "volume",
                                                             "volume-driver",
                                                             "volumes-from",
                                                             "workdir",
                                                             "io-maxbandwidth",
                                                             "io-maxiops"};
  if (opt.size() == 1)
    return std::string_view("aceghlmpuvw").find(opt[0]) != std::string_view::npos;
  return std::find(kLong.begin(), kLong.end(), opt) != kLong.end();
}

std::string canonical(std::string_view opt) {
  if (opt == "p") return "publish";
  if (opt == "e") return "env";
  if (opt == "v") return "volume";
  if (opt == "P") return "publish-all";
  if (opt == "net") return "network";
  return std::string(opt);
}

// A bind mount's host side: "/var/run/docker.sock:/x:ro" -> "/var/run/docker.sock".
std::string volume_source(std::string_view v) {
  const size_t colon = v.find(':');
  return std::string(colon == std::string_view::npos ? std::string_view() : v.substr(0, colon));
}

// --mount type=bind,source=/var/run/docker.sock,target=/x -> the source.
std::string mount_source(std::string_view v) {
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    if (comma == std::string_view::npos) comma = v.size();
    const std::string_view kv = v.substr(start, comma - start);
    for (std::string_view key : {"source=", "src="})
      if (kv.substr(0, key.size()) == key) return std::string(kv.substr(key.size()));
    start = comma + 1;
  }
  return {};
}

class OptionReader {
 public:
  OptionReader(std::string_view script, const ScriptLocator& where, ContainerSpec& spec)
      : script_(script), where_(where), spec_(spec) {}

  // Applies one option; `skip` is how many bytes of the word precede the value.
  void apply(const std::string& name, const ShellWord* w, size_t skip) {
    if (name == "publish-all") {
      spec_.publish_all = where_.loc(*w);
      return;
    }
    if (name == "privileged") {
      if (w->text.find("=false") == std::string::npos) spec_.privileged = where_.loc(*w);
      return;
    }
    if (w == nullptr) return;
    Located v = where_.word(script_, *w, skip);
    if (name == "publish") {
      spec_.ports.push_back({v, false, std::nullopt, std::nullopt});
    } else if (name == "env") {
      const size_t eq = v.value.find('=');
      if (eq == std::string::npos) {
        spec_.env.push_back({v.value, std::nullopt, v.loc, {}});
      } else {
        // hide the value's bytes: after the "=" when written as read, else the word
        const Loc word = where_.loc(*w);
        const size_t raw = w->end - w->begin;
        const Span span = v.exact ? Span{v.loc.offset + eq + 1, v.loc.offset + v.value.size(), {}}
                          : where_.located(*w) ? Span{word.offset, word.offset + raw, {}}
                                               : Span{};
        spec_.env.push_back({v.value.substr(0, eq), v.value.substr(eq + 1), v.loc, span});
      }
    } else if (name == "volume") {
      v.value = volume_source(v.value);
      if (!v.value.empty()) spec_.mount_sources.push_back(v);
    } else if (name == "mount") {
      v.value = mount_source(v.value);
      if (!v.value.empty()) spec_.mount_sources.push_back(v);
    } else if (name == "network") {
      spec_.network = v;
    } else if (name == "cap-add") {
      spec_.cap_add.push_back(v);
    }
  }

  // Reads words[i] (an option) and maybe its value; returns the next index,
  // or i when words[i] is not an option.
  size_t read(const std::vector<const ShellWord*>& words, size_t i) {
    const ShellWord* w = words[i];
    const std::string_view a = w->text;
    if (a.size() < 2 || a[0] != '-' || a == "--") return i;
    if (a[1] == '-') {
      const std::string_view body = a.substr(2);
      const size_t eq = body.find('=');
      const std::string name = canonical(body.substr(0, eq));
      if (eq != std::string_view::npos) {
        apply(name, w, 2 + eq + 1);
        return i + 1;
      }
      if (takes_value(name)) {
        if (i + 1 < words.size()) apply(name, words[i + 1], 0);
        return i + 2;
      }
      apply(name, w, 0);
      return i + 1;
    }
    // a cluster of short flags: -dit, -p8080:80, -dp 80:80
    for (size_t k = 1; k < a.size(); ++k) {
      const std::string_view opt = a.substr(k, 1);
      if (!takes_value(opt)) {
        const std::string name = canonical(opt);
        if (name == "publish-all") apply(name, w, 0);
        continue;
      }
      const std::string name = canonical(opt);
      if (k + 1 < a.size()) {
        const size_t at = k + 1 + (a[k + 1] == '=' ? 1 : 0);
        apply(name, w, at);
        return i + 1;
      }
      if (i + 1 < words.size()) apply(name, words[i + 1], 0);
      return i + 2;
    }
    return i + 1;
  }

 private:
  std::string_view script_;
  const ScriptLocator& where_;
  ContainerSpec& spec_;
};

bool is_container_cli(std::string_view name) {
  return name == "docker" || name == "podman" || name == "nerdctl";
}

// Global options of the docker CLI that take a value: docker -H x run …
bool global_takes_value(std::string_view a) {
  return a == "-H" || a == "--host" || a == "-c" || a == "--context" || a == "--config" ||
         a == "-l" || a == "--log-level" || a == "--tlscacert" || a == "--tlscert" ||
         a == "--tlskey" || a == "--url" || a == "--connection";
}

}  // namespace

std::optional<ContainerSpec> parse_docker_run(std::string_view script, const SimpleCommand& cmd,
                                              size_t program, const ScriptLocator& where) {
  const auto& words = cmd.words;
  if (program >= words.size() || !is_container_cli(base_name(words[program]->text)))
    return std::nullopt;
  size_t i = program + 1;
  while (i < words.size() && words[i]->text.size() > 1 && words[i]->text[0] == '-')
    i +=
        global_takes_value(words[i]->text) && words[i]->text.find('=') == std::string::npos ? 2 : 1;
  if (i < words.size() && words[i]->text == "container") ++i;
  if (i >= words.size() || (words[i]->text != "run" && words[i]->text != "create"))
    return std::nullopt;
  ContainerSpec spec;
  spec.kind = base_name(words[program]->text) == "docker"
                  ? "docker run"
                  : std::string(base_name(words[program]->text)) + " run";
  spec.anchor = where.loc(*words[program]);
  OptionReader reader(script, where, spec);
  ++i;
  while (i < words.size()) {
    if (words[i]->text == "--") {
      ++i;
      break;
    }
    const size_t next = reader.read(words, i);
    if (next == i) break;
    i = next;
  }
  if (i < words.size()) {
    spec.image = where.word(script, *words[i]);
    ++i;
  }
  for (; i < words.size(); ++i) spec.command.push_back(where.word(script, *words[i]));
  return spec;
}

void read_docker_options(std::string_view script, const ShellTokens& tokens,
                         const ScriptLocator& where, ContainerSpec& spec) {
  std::vector<const ShellWord*> words;
  for (const auto& t : tokens.tokens)
    if (t.kind == ShellToken::Kind::word) words.push_back(&t.word);
  OptionReader reader(script, where, spec);
  for (size_t i = 0; i < words.size();) {
    const size_t next = reader.read(words, i);
    i = next == i ? i + 1 : next;
  }
}

}  // namespace hostward::lint

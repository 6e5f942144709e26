#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lint/diagnostics.h"

namespace hostward::lint {

// A value read from a file, and where it is written.
struct Located {
  std::string value;
  Loc loc;
  // Set when the bytes at `loc` are `value` verbatim, so an edit there is safe.
  bool exact = false;
};

struct PortPublish {
  Located spec;                    // short form "8080:80", or the long form's target
  bool long_form = false;          // compose {target, published, host_ip}
  std::optional<Located> host_ip;  // long form only
  std::optional<TextEdit> fix;     // long form without host_ip: the line to insert
};

struct EnvVar {
  std::string key;
  std::optional<std::string> value;  // none for "-e NAME" (taken from the environment)
  Loc loc;
  Span value_span;  // the value's bytes in the file, when known
};

// A container as a CI file starts it, whatever the syntax: a compose service,
// `docker run`, a GitHub Actions service or job container, an Azure container
// resource, a GitLab service. The container rules judge only this.
struct ContainerSpec {
  std::string kind;  // "compose service", "docker run", ...
  std::string name;
  Located image;
  Loc anchor;  // where findings about the container as a whole point
  std::vector<PortPublish> ports;
  std::optional<Loc> publish_all;  // docker run -P
  std::vector<EnvVar> env;
  std::map<std::string, std::string> inherited_env;  // pipeline variables in scope
  std::optional<Loc> privileged;
  std::vector<Located> cap_add;
  std::vector<Located> mount_sources;  // host side of bind mounts
  std::optional<Located> network;      // --network / network_mode
  std::vector<Located> command;        // the command and its arguments
  bool hosted_runner = false;          // GitHub-hosted: a throwaway VM without inbound access
  bool publishes_to_host = true;       // GitLab services are reachable only from the job
};

void check_container(const ContainerSpec& spec, Diagnostics& out);

}  // namespace hostward::lint

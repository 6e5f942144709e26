#pragma once
#include <optional>
#include <string_view>

#include "lint/container_spec.h"
#include "lint/script_locator.h"
#include "lint/shell_script.h"

namespace hostward::lint {

// The container that `docker run` / `docker container run` / `docker create`
// (also podman and nerdctl) starts, its options read the way the docker CLI
// reads them (clustered short flags, --opt=value, attached -p8080:80);
// nullopt for any other command. `program` indexes the docker word.
std::optional<ContainerSpec> parse_docker_run(std::string_view script, const SimpleCommand& cmd,
                                              size_t program, const ScriptLocator& where);

// Reads docker-create options from a string (GitHub Actions `options:`)
// into `spec`: --privileged, --network, -v, --cap-add, -p, -e.
void read_docker_options(std::string_view script, const ShellTokens& tokens,
                         const ScriptLocator& where, ContainerSpec& spec);

}  // namespace hostward::lint

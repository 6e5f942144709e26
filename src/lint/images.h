#pragma once
#include <string>
#include <string_view>

#include "core/service_class.h"

namespace hostward::lint {

// The repository of an image reference without registry, tag or digest:
// "postgres" for "docker.io/library/postgres:16@sha256:…".
std::string image_repository(std::string_view image);

// What an image runs, by its repository: postgres is a database, docker:dind
// a Docker API. Unknown images give ServiceClass::unknown.
Service classify_image(std::string_view image);

// A service class that must never face the internet: databases, caches,
// queues, admin interfaces, the Docker API.
bool is_sensitive(ServiceClass c);

}  // namespace hostward::lint

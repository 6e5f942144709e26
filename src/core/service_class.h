#pragma once
#include <string>

namespace hostward {

// What a listener is, by its program and then its port: decides how bad it is
// to have it reachable from the internet.
enum class ServiceClass {
  database,
  cache,
  queue,
  admin,
  docker_api,
  remote_access,
  web,
  infra,
  unknown
};

struct Service {
  std::string name;  // "postgresql", "redis", ... or "" when unknown
  ServiceClass cls = ServiceClass::unknown;
};

Service classify_service(const std::string& program, int port, const std::string& proto);
const char* class_name(ServiceClass c);

}  // namespace hostward

#include "lint/images.h"

#include <algorithm>
#include <map>

namespace hostward::lint {

std::string image_repository(std::string_view image) {
  if (const size_t at = image.find('@'); at != std::string_view::npos) image = image.substr(0, at);
  const size_t slash = image.rfind('/');
  const size_t colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
    image = image.substr(0, colon);
  // A first component with a dot, a colon or "localhost" is a registry.
  if (const size_t first = image.find('/'); first != std::string_view::npos) {
    const std::string_view head = image.substr(0, first);
    if (head.find('.') != std::string_view::npos || head.find(':') != std::string_view::npos ||
        head == "localhost")
      image = image.substr(first + 1);
  }
  if (image.substr(0, 8) == "library/") image = image.substr(8);
  std::string out(image);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Service classify_image(std::string_view image) {
  using C = ServiceClass;
  static const std::map<std::string, Service, std::less<>> kByName = {
      {"postgres", {"postgresql", C::database}},
      {"postgresql", {"postgresql", C::database}},
      {"postgis", {"postgresql", C::database}},
      {"timescaledb", {"postgresql", C::database}},
      {"timescaledb-ha", {"postgresql", C::database}},
      {"mysql", {"mysql", C::database}},
      {"mysql-server", {"mysql", C::database}},
      {"mariadb", {"mariadb", C::database}},
      {"percona", {"mysql", C::database}},
      {"percona-server", {"mysql", C::database}},
      {"mongo", {"mongodb", C::database}},
      {"mongodb", {"mongodb", C::database}},
      {"mongodb-community-server", {"mongodb", C::database}},
      {"elasticsearch", {"elasticsearch", C::database}},
      {"opensearch", {"opensearch", C::database}},
      {"cassandra", {"cassandra", C::database}},
      {"couchdb", {"couchdb", C::database}},
      {"couchbase", {"couchbase", C::database}},
      {"influxdb", {"influxdb", C::database}},
      {"clickhouse-server", {"clickhouse", C::database}},
      {"neo4j", {"neo4j", C::database}},
      {"cockroach", {"cockroachdb", C::database}},
      {"mssql/server", {"mssql", C::database}},
      {"mssql-server-linux", {"mssql", C::database}},
      {"oracle-free", {"oracle", C::database}},
      {"oracle-xe", {"oracle", C::database}},
      {"redis", {"redis", C::cache}},
      {"redis-stack", {"redis", C::cache}},
      {"redis-stack-server", {"redis", C::cache}},
      {"valkey", {"valkey", C::cache}},
      {"keydb", {"keydb", C::cache}},
      {"memcached", {"memcached", C::cache}},
      {"rabbitmq", {"rabbitmq", C::queue}},
      {"kafka", {"kafka", C::queue}},
      {"zookeeper", {"zookeeper", C::queue}},
      {"nats", {"nats", C::queue}},
      {"activemq", {"activemq", C::queue}},
      {"activemq-artemis", {"activemq", C::queue}},
      {"docker", {"docker", C::docker_api}},
      {"dind", {"docker", C::docker_api}},
      {"minio", {"minio", C::admin}},
      {"etcd", {"etcd", C::admin}},
      {"consul", {"consul", C::admin}},
      {"vault", {"vault", C::admin}},
      {"adminer", {"adminer", C::admin}},
      {"pgadmin4", {"pgadmin", C::admin}},
      {"phpmyadmin", {"phpmyadmin", C::admin}},
      {"portainer", {"portainer", C::admin}},
      {"portainer-ce", {"portainer", C::admin}},
      {"jenkins", {"jenkins", C::admin}},
      {"grafana", {"grafana", C::admin}},
      {"kibana", {"kibana", C::admin}},
      {"prometheus", {"prometheus", C::admin}}};
  const std::string repo = image_repository(image);
  if (auto it = kByName.find(repo); it != kByName.end()) return it->second;
  const size_t slash = repo.rfind('/');
  if (slash != std::string::npos) {
    if (auto it = kByName.find(std::string_view(repo).substr(slash + 1)); it != kByName.end())
      return it->second;
  }
  return {};
}

bool is_sensitive(ServiceClass c) {
  return c == ServiceClass::database || c == ServiceClass::cache || c == ServiceClass::queue ||
         c == ServiceClass::admin || c == ServiceClass::docker_api;
}

}  // namespace hostward::lint

#include "core/service_class.h"

#include <map>

namespace hostward {

namespace {

using C = ServiceClass;

const std::map<std::string, Service, std::less<>>& by_program() {
  static const std::map<std::string, Service, std::less<>> m = {
      {"postgres", {"postgresql", C::database}},
      {"postmaster", {"postgresql", C::database}},
      {"mysqld", {"mysql", C::database}},
      {"mariadbd", {"mariadb", C::database}},
      {"mongod", {"mongodb", C::database}},
      {"mongos", {"mongodb", C::database}},
      {"clickhouse-server", {"clickhouse", C::database}},
      {"influxd", {"influxdb", C::database}},
      {"couchdb", {"couchdb", C::database}},
      {"cockroach", {"cockroachdb", C::database}},
      {"etcd", {"etcd", C::admin}},
      {"redis-server", {"redis", C::cache}},
      {"valkey-server", {"valkey", C::cache}},
      {"memcached", {"memcached", C::cache}},
      {"beam.smp", {"rabbitmq", C::queue}},
      {"nats-server", {"nats", C::queue}},
      {"mosquitto", {"mqtt", C::queue}},
      {"dockerd", {"docker", C::docker_api}},
      {"sshd", {"ssh", C::remote_access}},
      {"nginx", {"http", C::web}},
      {"apache2", {"http", C::web}},
      {"httpd", {"http", C::web}},
      {"caddy", {"http", C::web}},
      {"haproxy", {"http", C::web}},
      {"named", {"dns", C::infra}},
      {"unbound", {"dns", C::infra}},
      {"dnsmasq", {"dns", C::infra}},
      {"chronyd", {"ntp", C::infra}},
      {"ntpd", {"ntp", C::infra}},
      {"prometheus", {"prometheus", C::admin}},
      {"node_exporter", {"node-exporter", C::admin}},
      {"grafana", {"grafana", C::admin}},
      {"grafana-server", {"grafana", C::admin}},
      {"kubelet", {"kubelet", C::admin}},
      {"consul", {"consul", C::admin}},
      {"vault", {"vault", C::admin}},
      {"minio", {"minio", C::admin}},
      {"rpcbind", {"rpcbind", C::admin}},
      {"smbd", {"smb", C::admin}},
      {"Xorg", {"x11", C::admin}},
      {"Xvfb", {"x11", C::admin}},
      {"x11vnc", {"vnc", C::admin}},
      {"Xvnc", {"vnc", C::admin}},
      {"xrdp", {"rdp", C::admin}},
      {"jupyter-lab", {"jupyter", C::admin}},
      {"jupyter-notebook", {"jupyter", C::admin}},
      {"containerd", {"containerd", C::admin}}};
  return m;
}

const std::map<int, Service>& by_tcp_port() {
  static const std::map<int, Service> m = {{22, {"ssh", C::remote_access}},
                                           {23, {"telnet", C::admin}},
                                           {80, {"http", C::web}},
                                           {443, {"https", C::web}},
                                           {8443, {"https", C::web}},
                                           {111, {"rpcbind", C::admin}},
                                           {139, {"netbios", C::admin}},
                                           {445, {"smb", C::admin}},
                                           {873, {"rsync", C::admin}},
                                           {1433, {"mssql", C::database}},
                                           {1521, {"oracle", C::database}},
                                           {2049, {"nfs", C::admin}},
                                           {2181, {"zookeeper", C::queue}},
                                           {2375, {"docker", C::docker_api}},
                                           {2376, {"docker", C::docker_api}},
                                           {2379, {"etcd", C::admin}},
                                           {3000, {"grafana", C::admin}},
                                           {3306, {"mysql", C::database}},
                                           {3389, {"rdp", C::admin}},
                                           {4222, {"nats", C::queue}},
                                           {4646, {"nomad", C::admin}},
                                           {5000, {"registry", C::admin}},
                                           {5432, {"postgresql", C::database}},
                                           {5601, {"kibana", C::admin}},
                                           {5672, {"amqp", C::queue}},
                                           {5900, {"vnc", C::admin}},
                                           {5984, {"couchdb", C::database}},
                                           {6000, {"x11", C::admin}},
                                           {6379, {"redis", C::cache}},
                                           {6443, {"kubernetes-api", C::admin}},
                                           {7474, {"neo4j", C::database}},
                                           {7687, {"neo4j", C::database}},
                                           {8086, {"influxdb", C::database}},
                                           {8123, {"clickhouse", C::database}},
                                           {8200, {"vault", C::admin}},
                                           {8500, {"consul", C::admin}},
                                           {8888, {"jupyter", C::admin}},
                                           {9000, {"admin-ui", C::admin}},
                                           {9042, {"cassandra", C::database}},
                                           {9090, {"prometheus", C::admin}},
                                           {9092, {"kafka", C::queue}},
                                           {9093, {"alertmanager", C::admin}},
                                           {9100, {"node-exporter", C::admin}},
                                           {9200, {"elasticsearch", C::database}},
                                           {9300, {"elasticsearch", C::database}},
                                           {10250, {"kubelet", C::admin}},
                                           {11211, {"memcached", C::cache}},
                                           {11300, {"beanstalkd", C::queue}},
                                           {15672, {"rabbitmq-admin", C::admin}},
                                           {26257, {"cockroachdb", C::database}},
                                           {27017, {"mongodb", C::database}},
                                           {61616, {"activemq", C::queue}}};
  return m;
}

const std::map<int, Service>& by_udp_port() {
  static const std::map<int, Service> m = {
      {53, {"dns", C::infra}},    {69, {"tftp", C::admin}},        {111, {"rpcbind", C::admin}},
      {123, {"ntp", C::infra}},   {137, {"netbios", C::admin}},    {161, {"snmp", C::admin}},
      {623, {"ipmi", C::admin}},  {1900, {"ssdp", C::infra}},      {2049, {"nfs", C::admin}},
      {5353, {"mdns", C::infra}}, {11211, {"memcached", C::cache}}};
  return m;
}

}  // namespace

Service classify_service(const std::string& program, int port, const std::string& proto) {
  if (auto it = by_program().find(program); it != by_program().end()) return it->second;
  const auto& ports = proto == "udp" ? by_udp_port() : by_tcp_port();
  if (auto it = ports.find(port); it != ports.end()) return it->second;
  return {};
}

const char* class_name(ServiceClass c) {
  switch (c) {
    case C::database:
      return "database";
    case C::cache:
      return "cache";
    case C::queue:
      return "queue";
    case C::admin:
      return "admin";
    case C::docker_api:
      return "docker-api";
    case C::remote_access:
      return "remote-access";
    case C::web:
      return "web";
    case C::infra:
      return "infrastructure";
    case C::unknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace hostward

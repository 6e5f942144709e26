#include "probe/checks.h"

#include <map>

#include "probe/protocols/elasticsearch.h"
#include "probe/protocols/memcached.h"
#include "probe/protocols/mongodb.h"
#include "probe/protocols/mysql.h"
#include "probe/protocols/redis.h"
#include "probe/step_runner.h"

namespace hostward::probe {

std::string service_for_port(int port) {
  static const std::map<int, std::string> m = {
      {22, "ssh"},          {2375, "docker"},     {2376, "docker"},  {4243, "docker"},
      {3306, "mysql"},      {5432, "postgresql"}, {6379, "redis"},   {9200, "elasticsearch"},
      {11211, "memcached"}, {27017, "mongodb"},   {27018, "mongodb"}};
  const auto it = m.find(port);
  return it == m.end() ? "" : it->second;
}

ServiceResult run_check(const std::string& service, const Host& host, int port,
                        const ProbeOptions& o) {
  ProtocolOptions po;
  po.host = host.address.family == 6 ? "[" + host.address.str() + "]" : host.address.str();
  po.try_default_logins = o.try_default_logins;
  if (service == "postgresql") return check_postgres(host, port, o);
  if (service == "docker") return check_docker(host, port, o);
  if (service == "ssh") return check_ssh(host, port, o);
  if (service == "redis")
    return run_steps(host, port, service, redis_steps(po), o.check_timeout_ms);
  if (service == "memcached")
    return run_steps(host, port, service, memcached_steps(po), o.check_timeout_ms);
  if (service == "mongodb")
    return run_steps(host, port, service, mongodb_steps(po), o.check_timeout_ms);
  if (service == "mysql")
    return run_steps(host, port, service, mysql_steps(po), o.check_timeout_ms);
  if (service == "elasticsearch")
    return run_steps(host, port, service, elasticsearch_steps(po), o.check_timeout_ms);
  ServiceResult r;
  r.service = service;
  r.detail = "no check for this service";
  return r;
}

}  // namespace hostward::probe

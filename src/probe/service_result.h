#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace hostward::probe {

// What a read-only check learned about one open port.
enum class Access {
  open,           // anyone gets in without credentials (logged in, PONG, stats, /version)
  auth_required,  // the service asked for credentials (NOAUTH, 401, md5/SCRAM, ...)
  refused,        // the service refused us outright (pg_hba, protected mode, host not allowed)
  not_service,    // something else answers on this port
  unknown,        // no answer in time, a reply too long or malformed
};
const char* access_name(Access a);

struct ServiceResult {
  std::string service;  // "postgresql", "redis", "memcached", "mongodb", "mysql", "elasticsearch",
                        // "docker", "ssh"
  Access access = Access::unknown;
  std::string version;   // as the service states it, "" when not known
  std::string detail;    // one line for people: what we saw
  std::string sent;      // what we sent, abridged (see abridge)
  std::string received;  // what came back, abridged
  // Unauthenticated access that amounts to running commands on the host (a
  // PostgreSQL superuser: COPY ... TO PROGRAM; the Docker API).
  bool command_execution = false;
  nlohmann::json facts = nlohmann::json::object();  // service specific: roles, databases, methods
};

// Printable, at most `max` characters: bytes outside 0x20..0x7e become \xNN,
// CR/LF become \r \n; "…" marks a cut.
std::string abridge(std::string_view bytes, size_t max = 200);

}  // namespace hostward::probe

#pragma once
#include <map>
#include <string>
#include <vector>

#include "audit/pg_hba.h"
#include "audit/sshd_config.h"

// postgresql.conf as the server reads it (guc-file.l): `name = value` or
// `name value`, single quotes with '' for a quote, `#` comments, include,
// include_if_exists and include_dir where they stand, the LAST value wins;
// postgresql.auto.conf (ALTER SYSTEM) is read after it.
namespace hostward::audit {

struct PgSettings {
  std::map<std::string, std::string> values;  // lowercased name -> value
  std::map<std::string, std::string> origin;  // name -> "file:line"
  std::vector<std::string> problems;
};

PgSettings read_postgresql_conf(const ConfigFiles& files, const std::string& path);

// One PostgreSQL cluster found on the host or in a tree.
struct PgCluster {
  std::string name;         // "15/main", or "pid 4711" for a running postmaster
  ConfigFiles files;        // where its files are read (a container's root for a containerised one)
  std::string config_file;  // postgresql.conf
  std::string hba_file;
  std::string listen_addresses = "localhost";
  std::string listen_origin = "default";
  PgSettings settings;
};

// Debian's /etc/postgresql/VERSION/NAME layout under `files`; with `live`,
// also every running postmaster (its data directory and config_file from its
// command line, read through /proc/PID/root so a container's own files count).
std::vector<PgCluster> find_postgres_clusters(const ConfigFiles& files, bool live);

// listen_addresses names only loopback ("localhost", 127.x, ::1) or nothing.
bool loopback_only(const std::string& listen_addresses);

}  // namespace hostward::audit

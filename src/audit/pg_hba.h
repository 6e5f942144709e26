#pragma once
#include <string>
#include <vector>

#include "audit/sshd_config.h"

// pg_hba.conf as PostgreSQL's hba.c reads it: records of whitespace-separated
// fields, double quotes, comma lists, `#` comments; the first record that
// matches a connection decides it. PostgreSQL 16's include, include_if_exists
// and include_dir are followed.
namespace hostward::audit {

struct HbaRecord {
  std::string file;
  int line = 0;
  std::string type;                    // local, host, hostssl, hostnossl, hostgssenc, hostnogssenc
  std::vector<std::string> databases;  // tokens; a quoted one keeps its quotes: "\"all\""
  std::vector<std::string> users;
  std::string address;  // "" for local; CIDR, all, samehost, samenet or a host name
  std::string method;
};

struct HbaProblem {
  std::string file;
  int line = 0;
  std::string message;
};

struct HbaFile {
  std::vector<HbaRecord> records;
  std::vector<HbaProblem> problems;  // PostgreSQL refuses to load a file with any of these
};

// A hostssl line on a server with ssl off is loaded (PostgreSQL only warns)
// and never matches: ask `decide` with ssl = false.
HbaFile read_pg_hba(const ConfigFiles& files, const std::string& path);

// The connection a verdict is asked for.
struct HbaConnection {
  std::string address;       // the client's
  bool replication = false;  // a replication connection: only "replication" matches its database
  std::string user = "postgres";
  std::string database = "postgres";
  bool ssl = false;
  bool gss = false;
  // The server's own addresses with prefix lengths ("198.51.100.2/24"), for samehost and samenet.
  std::vector<std::string> server_addresses;
};

enum class HbaVerdict { trust, password, other_auth, reject };
const char* to_string(HbaVerdict v);

struct HbaDecision {
  HbaVerdict verdict = HbaVerdict::reject;
  const HbaRecord* record = nullptr;  // null: no record matched
};

HbaDecision decide(const HbaFile& hba, const HbaConnection& connection);

}  // namespace hostward::audit

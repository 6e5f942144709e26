#include "audit/postgres_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "audit/mounts.h"
#include "host/proc_fs.h"
#include "host/proc_parse.h"

namespace hostward::audit {

namespace {

std::string dir_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

// One `name = value` line; false when it is not one (blank or a comment).
bool parse_line(const std::string& line, std::string& name, std::string& value, bool& bad) {
  bad = false;
  size_t i = 0;
  const auto skip = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
  };
  skip();
  if (i >= line.size() || line[i] == '#') return false;
  const size_t start = i;
  while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_' ||
                             line[i] == '.' || line[i] == '-'))
    ++i;
  name = lowercase(line.substr(start, i - start));
  if (name.empty()) {
    bad = true;
    return false;
  }
  skip();
  if (i < line.size() && line[i] == '=') ++i;
  skip();
  value.clear();
  if (i < line.size() && line[i] == '\'') {
    ++i;
    bool closed = false;
    while (i < line.size()) {
      if (line[i] == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
        value += '\'';
        i += 2;
      } else if (line[i] == '\'') {
        closed = true;
        ++i;
        break;
      } else if (line[i] == '\\' && i + 1 < line.size()) {
        value += line[i + 1];
        i += 2;
      } else {
        value += line[i++];
      }
    }
    if (!closed) bad = true;
  } else {
    const size_t vs = i;
    while (i < line.size() && line[i] != '#' && line[i] != ' ' && line[i] != '\t' &&
           line[i] != '\r')
      ++i;
    value = line.substr(vs, i - vs);
  }
  skip();
  if (i < line.size() && line[i] != '#') bad = true;  // "syntax error near token"
  if (value.empty() && !bad) bad = true;
  return !bad;
}

class ConfReader {
 public:
  ConfReader(const ConfigFiles& files, PgSettings& out) : files_(files), out_(out) {}

  void file(const std::string& path, int depth, bool must_exist) {
    if (depth > 10 || ++reads_ > 256) {
      out_.problems.push_back(path + ": includes nested too deep or too many");
      return;
    }
    const auto text = files_.read(path);
    if (!text) {
      if (must_exist) out_.problems.push_back(path + ": could not open file");
      return;
    }
    std::istringstream in(*text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      std::string name, value;
      bool bad = false;
      if (!parse_line(line, name, value, bad)) {
        if (bad) out_.problems.push_back(path + ":" + std::to_string(number) + ": syntax error");
        continue;
      }
      if (name == "include" || name == "include_if_exists") {
        file(relative_to(path, value), depth + 1, name == "include");
        continue;
      }
      if (name == "include_dir") {
        for (const auto& p : files_.glob(relative_to(path, value) + "/*.conf"))
          file(p, depth + 1, true);
        continue;
      }
      out_.values[name] = value;  // the last value wins
      out_.origin[name] = path + ":" + std::to_string(number);
    }
  }

 private:
  const ConfigFiles& files_;
  PgSettings& out_;
  int reads_ = 0;
};

PgCluster cluster_from(const ConfigFiles& files, const std::string& name,
                       const std::string& config_file, const std::string& data_dir) {
  PgCluster c;
  c.name = name;
  c.files = files;
  c.config_file = config_file;
  c.settings = read_postgresql_conf(files, config_file);
  std::string data = data_dir;
  if (auto it = c.settings.values.find("data_directory"); it != c.settings.values.end())
    data = it->second;
  if (!data.empty()) {
    // ALTER SYSTEM's file overrides the rest.
    PgSettings autoconf = read_postgresql_conf(files, data + "/postgresql.auto.conf");
    for (const auto& [k, v] : autoconf.values) {
      c.settings.values[k] = v;
      c.settings.origin[k] = autoconf.origin[k];
    }
  }
  if (auto it = c.settings.values.find("hba_file"); it != c.settings.values.end())
    c.hba_file = it->second;
  else
    c.hba_file = data.empty() ? dir_of(config_file) + "/pg_hba.conf" : data + "/pg_hba.conf";
  if (auto it = c.settings.values.find("listen_addresses"); it != c.settings.values.end()) {
    c.listen_addresses = it->second;
    c.listen_origin = c.settings.origin["listen_addresses"];
  }
  return c;
}

}  // namespace

PgSettings read_postgresql_conf(const ConfigFiles& files, const std::string& path) {
  PgSettings s;
  ConfReader(files, s).file(path, 0, false);
  return s;
}

bool loopback_only(const std::string& listen_addresses) {
  std::stringstream in(listen_addresses);
  std::string a;
  while (std::getline(in, a, ',')) {
    a.erase(0, a.find_first_not_of(" \t"));
    a.erase(a.find_last_not_of(" \t") + 1);
    if (a.empty()) continue;
    if (a == "localhost" || a == "::1" || a.rfind("127.", 0) == 0) continue;
    return false;
  }
  return true;
}

std::vector<PgCluster> find_postgres_clusters(const ConfigFiles& files, bool live) {
  std::vector<PgCluster> out;
  for (const auto& conf : files.glob("/etc/postgresql/*/*/postgresql.conf")) {
    // /etc/postgresql/15/main/postgresql.conf -> "15/main"
    const std::string dir = dir_of(conf);
    const std::string name = dir.substr(std::string("/etc/postgresql/").size());
    out.push_back(cluster_from(files, name, conf, ""));
  }
  if (!live) return out;
  struct stat host_root {};
  ::stat("/", &host_root);
  for (int pid : host::list_pids()) {
    const std::string proc = "/proc/" + std::to_string(pid);
    host::Fd dir(::open(proc.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) continue;
    const auto exe = host::read_link_at(dir.get(), "exe");
    const auto cmdline = host::read_file_at(dir.get(), "cmdline", 65536);
    const auto stat_text = host::read_file_at(dir.get(), "stat", 4096);
    const auto status_text = host::read_file_at(dir.get(), "status", 16384);
    if (!exe || !cmdline || !stat_text || !status_text) continue;
    const auto base = [](const std::string& path) { return path.substr(path.rfind('/') + 1); };
    if (base(*exe) != "postgres" && base(*exe) != "postmaster") continue;
    const auto st = host::parse_stat(*stat_text);
    const auto status = host::parse_status(*status_text);
    // PostgreSQL never runs as root: a "postmaster" that does is something else.
    if (!st || !status || status->uid[1] == 0) continue;
    {  // a postmaster: its parent is not a postgres process
      char link[4096] = {};
      const std::string parent = "/proc/" + std::to_string(st->ppid) + "/exe";
      const ssize_t n = ::readlink(parent.c_str(), link, sizeof link - 1);
      if (n > 0 && (base(link) == "postgres" || base(link) == "postmaster")) continue;
    }
    // -D, or PGDATA: a postmaster works in its data directory.
    std::string data;
    std::map<std::string, std::string> overrides;  // -c name=value: above every file
    const auto argv = host::split_cmdline(*cmdline);
    for (size_t i = 1; i < argv.size(); ++i) {
      const std::string& a = argv[i];
      const bool next = i + 1 < argv.size();
      if (a == "-D" && next)
        data = argv[++i];
      else if (a.rfind("-D", 0) == 0 && a.size() > 2)
        data = a.substr(2);
      else if (a == "-c" && next) {
        const std::string kv = argv[++i];
        const size_t eq = kv.find('=');
        if (eq != std::string::npos) overrides[lowercase(kv.substr(0, eq))] = kv.substr(eq + 1);
      } else if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
        const size_t eq = a.find('=');
        std::string name = lowercase(a.substr(2, eq - 2));
        std::replace(name.begin(), name.end(), '-', '_');
        overrides[name] = a.substr(eq + 1);
      } else if (a == "-h" && next) {
        overrides["listen_addresses"] = argv[++i];
      } else if (a == "-i") {
        overrides["listen_addresses"] = "*";
      }
    }
    if (data.empty() || data[0] != '/') {
      const auto cwd = host::read_link_at(dir.get(), "cwd");
      if (!cwd) continue;
      data = *cwd;
    }
    const std::string config_file =
        overrides.count("config_file") ? overrides["config_file"] : data + "/postgresql.conf";
    // Its own root: a container's files; the host's own clusters were found above.
    struct stat root {};
    const bool own_root = ::stat((proc + "/root/").c_str(), &root) == 0 &&
                          (root.st_dev != host_root.st_dev || root.st_ino != host_root.st_ino);
    const bool known = std::any_of(out.begin(), out.end(), [&](const PgCluster& c) {
      return !own_root && c.files.root.empty() && c.config_file == config_file;
    });
    if (known) continue;
    ConfigFiles theirs;
    theirs.root = proc + "/root";
    theirs.owner = status->uid[1];  // only what the server's own user wrote
    // Its data directory may lie on an NFS or automount path of its mount
    // namespace: those are never touched.
    if (const auto mountinfo = host::read_file_at(dir.get(), "mountinfo", 1 << 20))
      theirs.skipped_mounts = unsafe_mount_points(parse_mountinfo(*mountinfo), "", false);
    PgCluster c = cluster_from(theirs, "pid " + std::to_string(pid), config_file, data);
    for (const auto& [k, v] : overrides) {
      c.settings.values[k] = v;
      c.settings.origin[k] = "command line of pid " + std::to_string(pid);
    }
    if (overrides.count("hba_file")) c.hba_file = overrides["hba_file"];
    if (overrides.count("listen_addresses")) {
      c.listen_addresses = overrides["listen_addresses"];
      c.listen_origin = c.settings.origin["listen_addresses"];
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace hostward::audit

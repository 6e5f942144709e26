#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>

#include "probe/checks.h"
#include "probe/protocols/postgres_startup.h"
#include "probe/step_runner.h"

namespace hostward::probe {

namespace {

struct PgUser {
  std::string user;
  std::string method;  // trust, md5, scram-sha-256, password, refused, ...
  bool logged_in = false;
  bool superuser = false;
  bool execute_server_program = false;
  std::string version;
  std::string error;
};

// What the server asks of `user`, from its first answer to a StartupMessage.
ServiceResult ask_auth_method(const Host& host, int port, const std::string& user,
                              const ProbeOptions& o, PgAuthReply& reply) {
  Step step;
  step.send = pg_startup_message(user, "postgres");
  step.on_reply = [&reply](std::string_view data, bool closed, ServiceResult& r,
                           std::vector<Step>&) {
    auto parsed = parse_pg_auth_reply(data);
    if (!parsed) {
      if (closed) r.access = Access::not_service;
      return closed ? Reply::done : Reply::need_more;
    }
    reply = *parsed;
    r.access = parsed->kind == PgAuthReply::not_postgres ? Access::not_service : Access::unknown;
    return Reply::done;
  };
  return run_steps(host, port, "postgresql", {step}, o.check_timeout_ms);
}

using Conn = std::unique_ptr<PGconn, decltype(&PQfinish)>;

// One read-only query, bounded by the check's deadline whatever the server does.
std::string scalar(PGconn* c, const char* sql, std::chrono::steady_clock::time_point deadline,
                   bool& ok) {
  ok = false;
  if (!PQsendQuery(c, sql)) return "";
  while (true) {
    if (!PQconsumeInput(c)) return "";
    if (!PQisBusy(c)) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return "";
    pollfd p{PQsocket(c), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60000))) < 0 && errno != EINTR)
      return "";
  }
  std::string value;
  while (PGresult* r = PQgetResult(c)) {
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQnfields(r) >= 1) {
      ok = true;
      value = std::string(PQgetvalue(r, 0, 0)).substr(0, 256);
    }
    PQclear(r);
  }
  return value;
}

// Logs in without a password (the server said trust) and asks, read-only,
// what the role may do.
void inspect_role(const Host& host, int port, const ProbeOptions& o, PgUser& u) {
  const std::string port_text = std::to_string(port);
  const std::string timeout = std::to_string(std::max(2, o.check_timeout_ms / 1000));
  for (const char* db : {"postgres", "template1"}) {
    const char* keys[] = {
        "host",    "port",    "user", "dbname", "connect_timeout", "passfile", "application_name",
        "options", "sslmode", nullptr};
    const char* values[13] = {};
    const std::string addr = host.address.str();
    values[0] = addr.c_str();
    values[1] = port_text.c_str();
    values[2] = u.user.c_str();
    values[3] = db;
    values[4] = timeout.c_str();
    values[5] = "/dev/null";
    values[6] = "hostward-probe";
    values[7] = "-c default_transaction_read_only=on -c statement_timeout=2000";
    values[8] = "prefer";
    values[9] = "/nonexistent/hostward-no-client-cert";
    values[10] = "/nonexistent/hostward-no-client-key";
    values[11] = "disable";
    Conn c(PQconnectdbParams(keys, values, 0), PQfinish);
    if (PQstatus(c.get()) != CONNECTION_OK) {
      u.error = std::string(PQerrorMessage(c.get())).substr(0, 300);
      while (!u.error.empty() && (u.error.back() == '\n' || u.error.back() == ' '))
        u.error.pop_back();
      if (u.error.find("does not exist") != std::string::npos) continue;  // try template1
      return;
    }
    u.logged_in = true;
    u.error.clear();
    bool ok = false;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(o.check_timeout_ms);
    u.version = scalar(c.get(), "SHOW server_version", deadline, ok);
    u.superuser = scalar(c.get(), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
                         deadline, ok) == "t";
    const std::string member = scalar(c.get(),
                                      "SELECT pg_has_role(current_user, oid, 'USAGE') FROM "
                                      "pg_roles WHERE rolname = 'pg_execute_server_program'",
                                      deadline, ok);
    u.execute_server_program = member == "t";
    return;
  }
}

std::string method_name(const PgAuthReply& r) {
  switch (r.kind) {
    case PgAuthReply::ok:
      return "trust";
    case PgAuthReply::cleartext:
      return "password";
    case PgAuthReply::md5:
      return "md5";
    case PgAuthReply::sasl: {
      const bool scram = std::find(r.mechanisms.begin(), r.mechanisms.end(), "SCRAM-SHA-256") !=
                         r.mechanisms.end();
      return scram ? "scram-sha-256" : "sasl";
    }
    case PgAuthReply::other_auth:
      return "auth code " + std::to_string(r.code);
    case PgAuthReply::error:
      return "refused";
    case PgAuthReply::not_postgres:
      return "not postgresql";
  }
  return "unknown";
}

}  // namespace

ServiceResult check_postgres(const Host& host, int port, const ProbeOptions& o) {
  ServiceResult result;
  result.service = "postgresql";
  nlohmann::json users = nlohmann::json::array();
  bool any_open = false, any_auth = false, any_refused = false, not_pg = false;
  std::string refusal;
  for (const auto& user : o.pg_users) {
    PgAuthReply reply;
    ServiceResult first = ask_auth_method(host, port, user, o, reply);
    if (result.sent.empty()) {
      result.sent = first.sent;
      result.received = first.received;
    }
    if (first.access == Access::not_service) {
      not_pg = true;
      break;
    }
    if (first.received.empty() && first.access == Access::unknown) {
      result.detail = first.detail;
      continue;
    }
    PgUser u;
    u.user = user;
    u.method = method_name(reply);
    if (reply.kind == PgAuthReply::ok) inspect_role(host, port, o, u);
    if (reply.kind == PgAuthReply::error) {
      any_refused = true;
      refusal = reply.message;
    }
    if (reply.kind == PgAuthReply::cleartext || reply.kind == PgAuthReply::md5 ||
        reply.kind == PgAuthReply::sasl || reply.kind == PgAuthReply::other_auth)
      any_auth = true;
    any_open |= u.logged_in;
    if (!u.version.empty()) result.version = u.version;
    result.command_execution |= u.logged_in && (u.superuser || u.execute_server_program);
    nlohmann::json j = {{"user", u.user}, {"method", u.method}, {"logged_in", u.logged_in}};
    if (u.logged_in) {
      j["superuser"] = u.superuser;
      j["pg_execute_server_program"] = u.execute_server_program;
    }
    if (!u.error.empty()) j["error"] = u.error;
    if (reply.kind == PgAuthReply::error) j["message"] = reply.message;
    users.push_back(j);
  }
  result.facts["users"] = users;
  if (not_pg) {
    result.access = Access::not_service;
    result.detail = "not PostgreSQL: the answer to a StartupMessage was not R or E";
  } else if (any_open) {
    result.access = Access::open;
    std::string who;
    for (const auto& u : users)
      if (u.value("logged_in", false))
        who += (who.empty() ? "" : ", ") + u["user"].get<std::string>();
    result.detail = "logged in without a password as " + who + " (trust)";
    if (result.command_execution)
      result.detail +=
          "; the role is superuser or in pg_execute_server_program: COPY ... TO "
          "PROGRAM runs shell commands on the server";
  } else if (any_auth) {
    result.access = Access::auth_required;
    std::string methods;
    for (const auto& u : users)
      methods += (methods.empty() ? "" : ", ") + u["method"].get<std::string>();
    result.detail = "asks for a password (" + methods + ")";
  } else if (any_refused) {
    result.access = Access::refused;
    result.detail = "refused by pg_hba.conf: " + refusal;
  } else if (result.detail.empty()) {
    result.detail = "no answer to a StartupMessage";
  }
  return result;
}

}  // namespace hostward::probe

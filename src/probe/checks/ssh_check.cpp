#include <libssh/libssh.h>

#include <memory>

#include "probe/checks.h"

namespace hostward::probe {

// Connects, reads the banner, and asks which authentication methods the
// server offers (the "none" request every client sends first). No credential
// is ever sent.
ServiceResult check_ssh(const Host& host, int port, const ProbeOptions& o) {
  ServiceResult result;
  result.service = "ssh";
  std::unique_ptr<ssh_session_struct, decltype(&ssh_free)> s(ssh_new(), ssh_free);
  if (!s) {
    result.detail = "ssh_new failed";
    return result;
  }
  const std::string addr = host.address.str();
  const unsigned int p = static_cast<unsigned int>(port);
  const long timeout = std::max(1, o.check_timeout_ms / 1000);
  const int no = 0;
  ssh_options_set(s.get(), SSH_OPTIONS_HOST, addr.c_str());
  ssh_options_set(s.get(), SSH_OPTIONS_PORT, &p);
  ssh_options_set(s.get(), SSH_OPTIONS_TIMEOUT, &timeout);
  ssh_options_set(s.get(), SSH_OPTIONS_USER, "root");
  ssh_options_set(s.get(), SSH_OPTIONS_PROCESS_CONFIG, &no);
  ssh_options_set(s.get(), SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
  ssh_options_set(s.get(), SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
  result.sent = "SSH-2.0 key exchange; userauth \"none\" for root";
  if (ssh_connect(s.get()) != SSH_OK) {
    const std::string err = ssh_get_error(s.get());
    result.detail = "no SSH session: " + err.substr(0, 200);
    result.access =
        err.find("banner") != std::string::npos || err.find("protocol") != std::string::npos
            ? Access::not_service
            : Access::unknown;
    return result;
  }
  if (const char* banner = ssh_get_serverbanner(s.get())) {
    result.version = std::string(banner).substr(0, 128);
    result.received = abridge(result.version);
  }
  const int rc = ssh_userauth_none(s.get(), nullptr);
  if (rc == SSH_AUTH_SUCCESS) {
    result.access = Access::open;
    result.command_execution = true;
    result.detail = "accepted the \"none\" method: a shell without any credential";
    ssh_disconnect(s.get());
    return result;
  }
  if (rc != SSH_AUTH_DENIED && rc != SSH_AUTH_PARTIAL) {
    result.access = Access::unknown;
    result.detail = "the server did not answer the \"none\" request: " +
                    std::string(ssh_get_error(s.get())).substr(0, 200);
    ssh_disconnect(s.get());
    return result;
  }
  const int methods = ssh_userauth_list(s.get(), nullptr);
  ssh_disconnect(s.get());
  nlohmann::json list = nlohmann::json::array();
  if (methods & SSH_AUTH_METHOD_PUBLICKEY) list.push_back("publickey");
  if (methods & SSH_AUTH_METHOD_PASSWORD) list.push_back("password");
  if (methods & SSH_AUTH_METHOD_INTERACTIVE) list.push_back("keyboard-interactive");
  if (methods & SSH_AUTH_METHOD_HOSTBASED) list.push_back("hostbased");
  if (methods & SSH_AUTH_METHOD_GSSAPI_MIC) list.push_back("gssapi-with-mic");
  result.facts["methods"] = list;
  result.facts["password"] =
      (methods & (SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_INTERACTIVE)) != 0;
  result.access = Access::auth_required;
  std::string text;
  for (const auto& m : list) text += (text.empty() ? "" : ", ") + m.get<std::string>();
  result.detail = "offers " + (text.empty() ? std::string("no method") : text);
  return result;
}

}  // namespace hostward::probe

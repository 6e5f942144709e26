#include "authlog/sshd_message.h"

#include <gtest/gtest.h>

namespace hostward::authlog {
namespace {

struct Case {
  const char* message;
  EventKind kind;
  const char* user;
  const char* address;
  int port;
  const char* method = "";
  bool invalid = false;
  const char* key = "";
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.message; }

class SshdMessageTest : public ::testing::TestWithParam<Case> {};

TEST_P(SshdMessageTest, Parses) {
  const Case& c = GetParam();
  const auto m = parse_sshd_message(c.message);
  ASSERT_TRUE(m) << c.message;
  EXPECT_EQ(kind_name(m->kind), kind_name(c.kind)) << c.message;
  EXPECT_EQ(m->user, c.user) << c.message;
  EXPECT_EQ(m->address, c.address) << c.message;
  EXPECT_EQ(m->port, c.port) << c.message;
  EXPECT_EQ(m->method, c.method) << c.message;
  EXPECT_EQ(m->invalid_user, c.invalid) << c.message;
  EXPECT_EQ(m->key, c.key) << c.message;
}

using K = EventKind;

INSTANTIATE_TEST_SUITE_P(
    Kinds, SshdMessageTest,
    ::testing::Values(
        // Accepted, 6.x (ssh2 + MD5 key) to 9.x
        Case{"Accepted password for alice from 203.0.113.5 port 50022 ssh2", K::accepted, "alice",
             "203.0.113.5", 50022, "password"},
        Case{"Accepted publickey for alice from 203.0.113.5 port 50022 ssh2: ED25519 "
             "SHA256:Zm9vYmFy",
             K::accepted, "alice", "203.0.113.5", 50022, "publickey", false,
             "ED25519 SHA256:Zm9vYmFy"},
        Case{"Accepted publickey for git from 192.0.2.7 port 2200 ssh2: RSA "
             "8c:e3:aa:0f:64:51:02:f7:14:79:89:3f:65:84:7c:30",
             K::accepted, "git", "192.0.2.7", 2200, "publickey", false,
             "RSA 8c:e3:aa:0f:64:51:02:f7:14:79:89:3f:65:84:7c:30"},
        Case{"Accepted keyboard-interactive/pam for bob from 2001:db8::5 port 1022 ssh2",
             K::accepted, "bob", "2001:db8::5", 1022, "keyboard-interactive/pam"},
        Case{"Accepted gssapi-with-mic for carol from 198.51.100.4 port 999 ssh2", K::accepted,
             "carol", "198.51.100.4", 999, "gssapi-with-mic"},
        // Failed, valid and invalid users; IPv4-mapped unwrapped
        Case{"Failed password for root from ::ffff:203.0.113.9 port 4 ssh2", K::failed_auth, "root",
             "203.0.113.9", 4, "password"},
        Case{"Failed password for invalid user admin from 2001:db8::5 port 50022 ssh2",
             K::failed_auth, "admin", "2001:db8::5", 50022, "password", true},
        Case{"Failed none for invalid user  from 192.0.2.1 port 5 ssh2", K::failed_auth, "",
             "192.0.2.1", 5, "none", true},
        Case{"Failed publickey for invalid user git from 203.0.113.5 port 6 ssh2: RSA SHA256:AAA",
             K::failed_auth, "git", "203.0.113.5", 6, "publickey", true, "RSA SHA256:AAA"},
        // A user name that carries its own "from ... port ... ssh2"
        Case{"Failed password for invalid user x from 10.0.0.1 port 22 ssh2 from 198.51.100.9 port "
             "4444 ssh2",
             K::failed_auth, "x from 10.0.0.1 port 22 ssh2", "198.51.100.9", 4444, "password",
             true},
        // A certificate's key id after the address may hold " from "
        Case{"Accepted publickey for bob from 203.0.113.81 port 4444 ssh2: ED25519-CERT "
             "SHA256:abc ID bob from vpn (serial 7) CA ED25519 SHA256:def",
             K::accepted, "bob", "203.0.113.81", 4444, "publickey", false,
             "ED25519-CERT SHA256:abc ID bob from vpn (serial 7) CA ED25519 SHA256:def"},
        Case{"Partial publickey for bob from 2001:db8::8 port 7 ssh2: ED25519 SHA256:k",
             K::partial_auth, "bob", "2001:db8::8", 7, "publickey", false, "ED25519 SHA256:k"},
        // Invalid user: 6.x without port, 7.4+ with
        Case{"Invalid user admin from 203.0.113.5", K::invalid_user, "admin", "203.0.113.5", 0, "",
             true},
        Case{"Invalid user oracle from 203.0.113.5 port 40400", K::invalid_user, "oracle",
             "203.0.113.5", 40400, "", true},
        Case{"Invalid user a from 10.0.0.1 from 192.0.2.3 port 1", K::invalid_user,
             "a from 10.0.0.1", "192.0.2.3", 1, "", true},
        Case{"User alice from 203.0.113.5 not allowed because not listed in AllowUsers",
             K::user_not_allowed, "alice", "203.0.113.5", 0},
        Case{"ROOT LOGIN REFUSED FROM 203.0.113.5 port 7 [preauth]", K::user_not_allowed, "root",
             "203.0.113.5", 7},
        // PAM
        Case{"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
             "rhost=203.0.113.5  user=root",
             K::pam_failure, "root", "203.0.113.5", 0},
        Case{"PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
             "rhost=198.51.100.2  user=root",
             K::pam_failure, "root", "198.51.100.2", 0},
        Case{"error: PAM: Authentication failure for illegal user admin from 192.0.2.8",
             K::pam_failure, "admin", "192.0.2.8", 0, "", true},
        // MaxAuthTries
        Case{"error: maximum authentication attempts exceeded for invalid user admin from "
             "203.0.113.5 port 50022 ssh2 [preauth]",
             K::max_attempts, "admin", "203.0.113.5", 50022, "", true},
        Case{"Disconnecting authenticating user root 203.0.113.5 port 50022: Too many "
             "authentication failures [preauth]",
             K::too_many_failures, "root", "203.0.113.5", 50022},
        Case{"Disconnecting: Too many authentication failures for root [preauth]",
             K::too_many_failures, "root", "", 0},
        // Closed before authenticating: 6.x, 7.x, 7.6+
        Case{"Connection closed by 203.0.113.5 [preauth]", K::preauth_closed, "", "203.0.113.5", 0},
        Case{"Connection closed by 203.0.113.5 port 50022 [preauth]", K::preauth_closed, "",
             "203.0.113.5", 50022},
        Case{"Connection closed by authenticating user root 203.0.113.5 port 50022 [preauth]",
             K::preauth_closed, "root", "203.0.113.5", 50022},
        Case{"Connection reset by invalid user test 127.0.0.1 port 12345 2001:db8::9 port 3 "
             "[preauth]",
             K::preauth_closed, "test 127.0.0.1 port 12345", "2001:db8::9", 3, "", true},
        // Scanners
        Case{"Did not receive identification string from 203.0.113.5", K::no_identification, "",
             "203.0.113.5", 0},
        Case{"Did not receive identification string from 203.0.113.5 port 50022",
             K::no_identification, "", "203.0.113.5", 50022},
        Case{"banner exchange: Connection from 203.0.113.5 port 50022: invalid format",
             K::bad_banner, "", "203.0.113.5", 50022},
        Case{"Bad protocol version identification 'GET / HTTP/1.1 from 10.0.0.1' from 192.0.2.5 "
             "port 80",
             K::bad_banner, "", "192.0.2.5", 80},
        Case{"Unable to negotiate with 203.0.113.5 port 50022: no matching key exchange method "
             "found. Their offer: diffie-hellman-group1-sha1 [preauth]",
             K::kex_failed, "", "203.0.113.5", 50022},
        Case{"fatal: Unable to negotiate with 192.0.2.1 port 1: no matching cipher found",
             K::kex_failed, "", "192.0.2.1", 1},
        Case{"ssh_dispatch_run_fatal: Connection from 203.0.113.5 port 50022: message "
             "authentication code incorrect [preauth]",
             K::kex_failed, "", "203.0.113.5", 50022},
        Case{"ssh_dispatch_run_fatal: Connection from authenticating user root 203.0.113.8 port "
             "22: message authentication code incorrect [preauth]",
             K::kex_failed, "root", "203.0.113.8", 22},
        Case{"fatal: Timeout before authentication for 203.0.113.5", K::auth_timeout, "",
             "203.0.113.5", 0},
        Case{"Timeout before authentication for connection from 203.0.113.5 to 192.0.2.10, pid = "
             "12345",
             K::auth_timeout, "", "203.0.113.5", 0},
        // Disconnects: the client's text after the code is ignored
        Case{"Received disconnect from 203.0.113.5 port 50022:11: from 10.0.0.1 port 1 [preauth]",
             K::disconnect, "", "203.0.113.5", 50022},
        Case{"Received disconnect from 203.0.113.5: 11: Bye Bye [preauth]", K::disconnect, "",
             "203.0.113.5", 0},
        Case{"Disconnected from user alice 203.0.113.5 port 50022", K::disconnect, "alice",
             "203.0.113.5", 50022},
        Case{"Disconnected from invalid user admin 2001:db8::5 port 9 [preauth]", K::disconnect,
             "admin", "2001:db8::5", 9, "", true}));

TEST(SshdMessage, OtherMessagesAreNotEvents) {
  for (const char* m :
       {"", "Server listening on 0.0.0.0 port 22.",
        "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
        "error: kex_exchange_identification: Connection closed by remote host",
        "input_userauth_request: invalid user admin [preauth]",
        "Accepted password for alice from 203.0.113.5 port notaport ssh2",
        "Accepted password for alice from 203.0.113.5 port 70000 ssh2",
        "Failed password for root from 203.0.113.5 port 22 ssh2 trailing",
        "Failed password for root from bad$address port 22 ssh2", "Invalid user admin",
        "User alice not allowed because account is locked"}) {
    EXPECT_FALSE(parse_sshd_message(m)) << m;
  }
}

TEST(SshdMessage, UnmapAddress) {
  EXPECT_EQ(unmap_address("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(unmap_address("::ffff:1"), "::ffff:1");
  EXPECT_EQ(unmap_address("2001:db8::1"), "2001:db8::1");
}

}  // namespace
}  // namespace hostward::authlog

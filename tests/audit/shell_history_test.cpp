// secrets.shell-history: each history format parsed with the right line
// numbers, each detector on a realistic line and on its near miss, and the
// rule on in-memory hosts with exact findings. The secret itself must never
// appear in anything the rule reports.
#include "audit/shell_history.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <random>

namespace hostward::audit {
namespace {

using nlohmann::json;

constexpr const char* kRule = "secrets.shell-history";

std::vector<SecretHit> secrets_in(std::string_view line, HistoryFormat f = HistoryFormat::sh) {
  return find_secrets(f, line);
}

// The one hit of `line`, or a failure naming what was found instead.
SecretHit one_hit(std::string_view line, HistoryFormat f = HistoryFormat::sh) {
  const auto hits = secrets_in(line, f);
  EXPECT_EQ(hits.size(), 1u) << line;
  return hits.empty() ? SecretHit{} : hits[0];
}

std::vector<std::string> kinds_in(std::string_view line, HistoryFormat f = HistoryFormat::sh) {
  std::vector<std::string> kinds;
  for (const auto& h : secrets_in(line, f)) kinds.push_back(h.kind);
  return kinds;
}

// ---------------------------------------------------------------------------
// Formats

TEST(ShellHistoryFormat, BashSkipsTimestampsAndKeepsLineNumbers) {
  const auto e = parse_history(HistoryFormat::sh, "#1700000000\nls -la\n#1700000001\n\npwd\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].line, 2u);
  EXPECT_EQ(e[0].text, "ls -la");
  EXPECT_EQ(e[1].line, 5u);
  EXPECT_EQ(e[1].text, "pwd");
}

TEST(ShellHistoryFormat, BashContinuationIsOneEntryAtItsFirstLine) {
  const auto e =
      parse_history(HistoryFormat::sh, "docker login \\\n  -p s3cr3t-pw\nls\necho a\\\\\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].line, 1u);
  EXPECT_EQ(e[0].text, "docker login \\\n  -p s3cr3t-pw");
  EXPECT_EQ(e[1].line, 3u);
  EXPECT_EQ(e[2].text, "echo a\\\\");  // an escaped backslash does not continue
}

TEST(ShellHistoryFormat, ZshExtendedHistoryAndMultiLineCommands) {
  // zsh writes a newline inside a command as backslash-newline; a typed
  // continuation (backslash, newline) therefore ends in two backslashes.
  const auto e = parse_history(HistoryFormat::zsh,
                               ": 1700000000:0;ls\n"
                               ": 1700000001:3;docker login \\\\\n"
                               "-p s3cr3t-pw\n"
                               ": 1700000002:0;for x in a b; do\\\n"
                               "echo $x\\\n"
                               "done\n"
                               "plain command\n");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].line, 1u);
  EXPECT_EQ(e[0].text, "ls");
  EXPECT_EQ(e[1].line, 2u);
  EXPECT_EQ(e[1].text, "docker login \\\n-p s3cr3t-pw");
  EXPECT_EQ(e[2].line, 4u);
  EXPECT_EQ(e[2].text, "for x in a b; do\necho $x\ndone");
  EXPECT_EQ(e[3].line, 7u);
  EXPECT_EQ(e[3].text, "plain command");
}

TEST(ShellHistoryFormat, ZshMetafiedBytesAreDecoded) {
  // 0x83 (Meta) then the byte xor 32: "\x83\xa3" is 0x83, "\x83\x20" is NUL.
  const auto e = parse_history(HistoryFormat::zsh, ": 1:0;echo \x83\xa3\x83\x20!\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].text, std::string("echo \x83\0!", 8));
}

TEST(ShellHistoryFormat, FishCommandsWithEscapes) {
  const auto e = parse_history(HistoryFormat::fish,
                               "- cmd: echo a\\nb\\\\c\n"
                               "  when: 1700000000\n"
                               "  paths:\n"
                               "    - /tmp\n"
                               "- cmd: ls\n"
                               "  when: 1700000001\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].line, 1u);
  EXPECT_EQ(e[0].text, "echo a\nb\\c");
  EXPECT_EQ(e[1].line, 5u);
  EXPECT_EQ(e[1].text, "ls");
}

TEST(ShellHistoryFormat, LibeditPsqlHistory) {
  const auto e = parse_history(HistoryFormat::psql,
                               "_HiStOrY_V2_\n"
                               "select\\0401;\n"
                               "ALTER\\040USER\\040app\\^APASSWORD\\040'a\\\\b';\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].line, 2u);
  EXPECT_EQ(e[0].text, "select 1;");
  EXPECT_EQ(e[1].line, 3u);
  EXPECT_EQ(e[1].text, "ALTER USER app\nPASSWORD 'a\\b';");  // psql's 0x01 is a newline
}

TEST(ShellHistoryFormat, ReadlinePsqlAndMysqlHistories) {
  const auto p = parse_history(HistoryFormat::psql,
                               "select 1;\nselect\x01"
                               "2;\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[1].line, 2u);
  EXPECT_EQ(p[1].text, "select\n2;");
  const auto m = parse_history(HistoryFormat::mysql, "_HiStOrY_V2_\nshow\\040databases;\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].line, 2u);
  EXPECT_EQ(m[0].text, "show databases;");
}

TEST(ShellHistoryFormat, OverlongEntriesAreSkippedAndCounted) {
  const std::string text = "ls\n" + std::string(kMaxHistoryEntry + 1, 'a') + "\npwd\n";
  std::vector<HistoryEntry> seen;
  const size_t skipped = for_each_history_entry(HistoryFormat::sh, text,
                                                [&](const HistoryEntry& e) { seen.push_back(e); });
  EXPECT_EQ(skipped, 1u);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].line, 3u);
}

// ---------------------------------------------------------------------------
// Shell words

TEST(ShellWords, QuotesEscapesAndExpansions) {
  const auto c = split_shell_commands(
      R"sh(docker login -p 'pa ss$X' -u "a $B" x\ y $'a\x41\n' "$(cat f)" `id` ${Z})sh",
      ShellDialect::posix);
  ASSERT_EQ(c.size(), 1u);
  const auto& w = c[0].words;
  ASSERT_EQ(w.size(), 11u);
  EXPECT_EQ(w[3].text, "pa ss$X");
  EXPECT_FALSE(w[3].dynamic);  // single quotes: literal
  EXPECT_EQ(w[5].text, "a $B");
  EXPECT_TRUE(w[5].dynamic);
  EXPECT_EQ(w[6].text, "x y");
  EXPECT_EQ(w[7].text, "aA\n");
  EXPECT_TRUE(w[8].dynamic);
  EXPECT_TRUE(w[9].dynamic);
  EXPECT_TRUE(w[10].dynamic);
}

TEST(ShellWords, PipesRedirectionsAndComments) {
  const auto c = split_shell_commands(
      "echo x | docker login --password-stdin < f 2>/dev/null && ls # -p secret\nid",
      ShellDialect::posix);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_FALSE(c[0].piped);
  EXPECT_TRUE(c[1].piped);
  ASSERT_EQ(c[1].words.size(), 3u);
  ASSERT_EQ(c[1].redirections.size(), 2u);
  EXPECT_EQ(c[1].redirections[0].op, "<");
  EXPECT_EQ(c[1].redirections[0].target.text, "f");
  EXPECT_EQ(c[1].redirections[1].op, ">");
  ASSERT_EQ(c[2].words.size(), 1u);  // the comment is gone
  EXPECT_EQ(c[3].words[0].text, "id");
}

TEST(ShellWords, OnlyUnquotedNamesAreAssignments) {
  EXPECT_EQ(kinds_in("PGPASSWORD=pgpw1234 psql"), std::vector<std::string>{"pgpassword"});
  EXPECT_TRUE(kinds_in("echo \"PGPASSWORD=pgpw1234\"").empty());
}

TEST(ShellWords, FishQuotesAndSubstitutions) {
  const auto c = split_shell_commands(R"sh(set -x A 'it\'s' (cat f) "$B")sh", ShellDialect::fish);
  ASSERT_EQ(c.size(), 1u);
  ASSERT_EQ(c[0].words.size(), 6u);
  EXPECT_EQ(c[0].words[3].text, "it's");
  EXPECT_TRUE(c[0].words[4].dynamic);
  EXPECT_TRUE(c[0].words[5].dynamic);
}

// ---------------------------------------------------------------------------
// Detectors: each fires on a realistic line and not on its near miss

TEST(ShellHistoryDetect, DockerLoginPassword) {
  auto h = one_hit("docker login -u ci -p hunter2hunter2 registry.example.com");
  EXPECT_EQ(h.kind, "docker-login-password");
  EXPECT_EQ(h.command, "docker login");
  EXPECT_EQ(h.secret, "hunter2hunter2");
  EXPECT_EQ(one_hit("docker login --password=hunter2 r.io").secret, "hunter2");
  EXPECT_EQ(one_hit("docker login -phunter2 r.io").secret, "hunter2");
  EXPECT_EQ(one_hit("sudo -u ci docker --config /x login --password hunter2 r.io").secret,
            "hunter2");
  EXPECT_EQ(one_hit("podman login -p hunter2 quay.io").command, "podman login");
  EXPECT_EQ(one_hit("skopeo login --password hunter2 quay.io").command, "skopeo login");
  EXPECT_EQ(one_hit("helm registry login r.io -u a -p hunter2").command, "helm registry login");
  EXPECT_TRUE(secrets_in("docker login -u ci -p \"$CI_REGISTRY_PASSWORD\" r.io").empty());
  EXPECT_TRUE(secrets_in("docker login -u ci --password-stdin < ~/.regpass").empty());
  EXPECT_TRUE(secrets_in("docker login r.io").empty());
  EXPECT_TRUE(secrets_in("docker run -p 8080:80 nginx").empty());
  EXPECT_TRUE(secrets_in("docker login -p '<password>' r.io").empty());
}

TEST(ShellHistoryDetect, DockerLoginPasswordStdinFromALiteral) {
  auto h = one_hit("echo 'tok3n-value-123' | docker login -u ci --password-stdin ghcr.io");
  EXPECT_EQ(h.kind, "docker-login-password");
  EXPECT_EQ(h.secret, "tok3n-value-123");
  EXPECT_EQ(one_hit("printf '%s' s3cr3tpw | docker login --password-stdin r.io").secret,
            "s3cr3tpw");
  EXPECT_EQ(one_hit("docker login --password-stdin r.io <<< 's3cr3tpw'").secret, "s3cr3tpw");
  EXPECT_TRUE(secrets_in("cat ~/pw.txt | docker login -u ci --password-stdin r.io").empty());
  EXPECT_TRUE(secrets_in("echo $CR_PAT | docker login -u ci --password-stdin ghcr.io").empty());
  EXPECT_TRUE(secrets_in("echo \"$CR_PAT\" | docker login --password-stdin ghcr.io").empty());
  EXPECT_TRUE(secrets_in("aws ecr get-login-password | docker login --password-stdin x").empty());
  EXPECT_TRUE(secrets_in("echo done; docker login --password-stdin r.io < f").empty());
}

TEST(ShellHistoryDetect, PostgresAndMysqlPasswordVariables) {
  auto h = one_hit("PGPASSWORD=s3cretpg psql -h db -U app");
  EXPECT_EQ(h.kind, "pgpassword");
  EXPECT_EQ(h.command, "psql");
  EXPECT_EQ(h.variable, "PGPASSWORD");
  EXPECT_EQ(one_hit("export PGPASSWORD='s3cret pg'").secret, "s3cret pg");
  EXPECT_EQ(one_hit("sudo env MYSQL_PWD=myS3cret mysql -u root").kind, "mysql-pwd");
  EXPECT_TRUE(secrets_in("PGPASSWORD=$(cat ~/.pgpw) psql -h db").empty());
  EXPECT_TRUE(secrets_in("PGPASSWORD= psql -h db").empty());
  EXPECT_TRUE(secrets_in("export PGPASSWORD").empty());
}

TEST(ShellHistoryDetect, ExportedSecretVariables) {
  auto h = one_hit("export GITHUB_TOKEN=abcdef123456");
  EXPECT_EQ(h.kind, "env-secret");
  EXPECT_EQ(h.variable, "GITHUB_TOKEN");
  EXPECT_EQ(h.command, "export");
  EXPECT_EQ(one_hit("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENG").kind, "env-secret");
  EXPECT_EQ(one_hit("DB_PASSWORD='p@ss word'").secret, "p@ss word");
  EXPECT_EQ(one_hit("declare -x STRIPE_API_KEY=abc123xyz").variable, "STRIPE_API_KEY");
  EXPECT_EQ(one_hit("set -gx NPM_TOKEN abc123def", HistoryFormat::fish).variable, "NPM_TOKEN");
  EXPECT_TRUE(secrets_in("export TOKEN_FILE=/run/secrets/token").empty());
  EXPECT_TRUE(secrets_in("export SKIP_SECRET=true").empty());
  EXPECT_TRUE(secrets_in("export API_TOKEN=\"${API_TOKEN:-}\"").empty());
  EXPECT_TRUE(secrets_in("export GITHUB_TOKEN=your_token_here").empty());
  EXPECT_TRUE(secrets_in("set -e NPM_TOKEN", HistoryFormat::fish).empty());
  EXPECT_TRUE(secrets_in("export HISTFILE=/dev/null").empty());
}

TEST(ShellHistoryDetect, MysqlPasswordOptions) {
  auto h = one_hit("mysql -u root -pS3cret! shop");
  EXPECT_EQ(h.kind, "mysql-password");
  EXPECT_EQ(h.command, "mysql");
  EXPECT_EQ(h.secret, "S3cret!");
  EXPECT_EQ(one_hit("mysqldump --password=S3cret! shop").command, "mysqldump");
  EXPECT_EQ(one_hit("mariadb --pass=S3cret! shop").secret, "S3cret!");
  EXPECT_TRUE(secrets_in("mysql -u root -p").empty());
  EXPECT_TRUE(secrets_in("mysql -u root -p shop").empty());  // prompts; shop is the database
  EXPECT_TRUE(secrets_in("mysql --password shop").empty());
  EXPECT_TRUE(secrets_in("mysql -u root -P 3306 -h db").empty());
  EXPECT_TRUE(secrets_in("mysql -p\"$DB_PW\" shop").empty());
}

TEST(ShellHistoryDetect, CurlUserPassword) {
  auto h = one_hit("curl -u admin:Adm1nPass https://jenkins.local/api");
  EXPECT_EQ(h.kind, "curl-password");
  EXPECT_EQ(h.secret, "Adm1nPass");
  EXPECT_EQ(one_hit("curl -sSu admin:Adm1nPass https://x").secret, "Adm1nPass");
  EXPECT_EQ(one_hit("curl --user 'admin:Adm1n Pass' https://x").secret, "Adm1n Pass");
  EXPECT_TRUE(secrets_in("curl -u admin https://x").empty());   // prompts
  EXPECT_TRUE(secrets_in("curl -u admin: https://x").empty());  // no password
  EXPECT_TRUE(secrets_in("curl -u \"$USER:$PASS\" https://x").empty());
  EXPECT_TRUE(secrets_in("curl -sS https://x/a:b").empty());
}

TEST(ShellHistoryDetect, SshpassAndHtpasswd) {
  auto h = one_hit("sshpass -p 'Sup3r$ecret' ssh root@10.0.0.5");
  EXPECT_EQ(h.kind, "sshpass-password");
  EXPECT_EQ(h.secret, "Sup3r$ecret");
  EXPECT_TRUE(secrets_in("sshpass -f ~/.sshpw ssh root@h").empty());
  EXPECT_TRUE(secrets_in("sshpass -e ssh root@h").empty());
  auto w = one_hit("htpasswd -bc /etc/nginx/.htpasswd admin W3bPass");
  EXPECT_EQ(w.kind, "htpasswd-password");
  EXPECT_EQ(w.secret, "W3bPass");
  EXPECT_EQ(one_hit("htpasswd -nbB admin W3bPass").secret, "W3bPass");
  EXPECT_EQ(one_hit("htpasswd -b -C 10 f admin W3bPass").secret, "W3bPass");
  EXPECT_TRUE(secrets_in("htpasswd -c /etc/nginx/.htpasswd admin").empty());
}

TEST(ShellHistoryDetect, RedisPasswords) {
  auto h = one_hit("redis-cli -h cache -a R3disPass ping");
  EXPECT_EQ(h.kind, "redis-password");
  EXPECT_EQ(h.secret, "R3disPass");
  EXPECT_EQ(one_hit("redis-cli -h cache AUTH R3disPass").secret, "R3disPass");
  EXPECT_TRUE(secrets_in("redis-cli --askpass -h cache").empty());
  EXPECT_TRUE(secrets_in("redis-cli -h cache -p 6379 ping").empty());
  const auto r = HistoryFormat::redis;
  EXPECT_EQ(one_hit("AUTH R3disPass", r).secret, "R3disPass");
  EXPECT_EQ(one_hit("auth default R3disPass", r).secret, "R3disPass");
  EXPECT_EQ(one_hit("CONFIG SET requirepass \"n3w;pass\"", r).secret, "n3w;pass");
  EXPECT_EQ(one_hit("ACL SETUSER app on >apppass ~* +@all", r).secret, "apppass");
  EXPECT_EQ(one_hit("auth default R3disPass", r).command, "redis-cli");
  EXPECT_TRUE(secrets_in("GET password", r).empty());
  EXPECT_TRUE(secrets_in("AUTH \"unterminated", r).empty());  // redis-cli never sent it
}

TEST(ShellHistoryDetect, UrlPasswords) {
  auto h = one_hit("git clone https://deploy:Depl0yPw@gitlab.example.com/x.git");
  EXPECT_EQ(h.kind, "url-password");
  EXPECT_EQ(h.scheme, "https");
  EXPECT_EQ(h.command, "git");
  EXPECT_EQ(h.secret, "Depl0yPw");
  EXPECT_EQ(one_hit("psql 'postgres://app:apppw@db:5432/app'").command, "psql");
  EXPECT_EQ(one_hit("redis-cli -u redis://:R3dis@cache:6379").scheme, "redis");
  EXPECT_TRUE(secrets_in("git clone https://deploy@gitlab.example.com/x.git").empty());
  EXPECT_TRUE(secrets_in("git clone https://u:$TOKEN@gitlab.example.com/x.git").empty());
  EXPECT_TRUE(secrets_in("curl https://u:<password>@host/").empty());
  EXPECT_TRUE(secrets_in("curl https://host/a:b@c").empty());
}

TEST(ShellHistoryDetect, SqlPasswords) {
  const auto p = HistoryFormat::psql, m = HistoryFormat::mysql;
  auto h = one_hit("ALTER USER postgres WITH PASSWORD 'Pg$ecret1';", p);
  EXPECT_EQ(h.kind, "sql-password");
  EXPECT_EQ(h.command, "psql");
  EXPECT_EQ(h.secret, "Pg$ecret1");
  EXPECT_EQ(one_hit("create role app login\npassword 'it''s';", p).secret, "it's");
  EXPECT_EQ(one_hit("CREATE USER 'app'@'%' IDENTIFIED BY 'My$ecret1';", m).secret, "My$ecret1");
  EXPECT_EQ(one_hit("ALTER USER app IDENTIFIED WITH caching_sha2_password BY 'x1y2';", m).secret,
            "x1y2");
  EXPECT_EQ(one_hit("SET PASSWORD FOR 'app'@'%' = 'n3wpw';", m).secret, "n3wpw");
  auto s = one_hit("psql -c \"ALTER ROLE app PASSWORD 'abc123'\"");
  EXPECT_EQ(s.kind, "sql-password");
  EXPECT_EQ(s.command, "psql");
  EXPECT_TRUE(secrets_in("\\password postgres", p).empty());
  EXPECT_TRUE(secrets_in("ALTER USER x PASSWORD 'SCRAM-SHA-256$4096:abc=$def=:ghi='", p).empty());
  EXPECT_TRUE(secrets_in("SELECT password FROM users WHERE name = 'x';", p).empty());
  EXPECT_TRUE(secrets_in("CREATE USER u IDENTIFIED BY RANDOM PASSWORD;", m).empty());
  EXPECT_TRUE(secrets_in("mysql --password 'shop'").empty());
}

TEST(ShellHistoryDetect, WellKnownTokenFormats) {
  const std::string gh = "ghp_" + std::string("aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5");
  auto h = one_hit("git remote set-url origin https://" + gh + "@github.com/o/r.git");
  EXPECT_EQ(h.kind, "github-token");
  EXPECT_EQ(h.secret, gh);
  EXPECT_EQ(h.command, "git");
  EXPECT_EQ(one_hit("aws configure set aws_access_key_id AKIA2E0A8F3B244C9986").kind,
            "aws-access-key-id");
  EXPECT_EQ(one_hit("curl -H 'Authorization: Bearer glpat-Ab3De5Gh7Jk9Mn1Pq3St' x").kind,
            "gitlab-token");
  EXPECT_EQ(one_hit("echo xoxb-1234567890-abcdefghij").kind, "slack-token");
  EXPECT_EQ(one_hit("echo sk_live_4eC39HqLyjWDarjtT1zdp7dc").kind, "stripe-live-key");
  EXPECT_EQ(one_hit("echo AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q").kind, "google-api-key");
  EXPECT_EQ(one_hit("echo npm_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5").kind, "npm-token");
  EXPECT_EQ(one_hit("twine upload -u __token__ -p pypi-AgEIcHlwaS5vcmcCJDk4ZjE2YzM2LWE0ZGEtNDY3Yi1h"
                    "YjQxLTc3NzJmMmE4OWI1MQACKlsz dist/*")
                .kind,
            "pypi-token");
  EXPECT_TRUE(secrets_in("echo ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z").empty());  // 35
  EXPECT_TRUE(secrets_in("echo AKIAIOSFODNN7EXAMPLE").empty());  // AWS's documentation key
  EXPECT_TRUE(secrets_in("echo ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").empty());
  EXPECT_TRUE(secrets_in("echo XAKIA2E0A8F3B244C9986").empty());
}

TEST(ShellHistoryDetect, DockerHubAndGitlabRunnerTokenFormats) {
  auto d =
      one_hit("echo dckr_pat_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9 | docker login -u ci --password-stdin");
  EXPECT_EQ(d.kind, "docker-login-password");  // the login detector names it first
  EXPECT_EQ(d.secret, "dckr_pat_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9");
  auto t = one_hit("export DOCKER_HUB_CI=dckr_pat_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9");
  EXPECT_EQ(t.kind, "docker-hub-token");
  EXPECT_EQ(t.command, "export");
  EXPECT_EQ(t.secret, "dckr_pat_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9");
  EXPECT_EQ(one_hit("echo glrt-Ab3De5Gh7Jk9Mn1Pq3St").kind, "gitlab-token");
  EXPECT_EQ(one_hit("echo glrt-t1_Ab3De5Gh7Jk9Mn1Pq3StUvWx5yZ7aB9.01abcdefg").secret,
            "glrt-t1_Ab3De5Gh7Jk9Mn1Pq3StUvWx5yZ7aB9.01abcdefg");
  EXPECT_EQ(one_hit("echo gldt-Ab3De5Gh7Jk9Mn1Pq3St").kind, "gitlab-token");
  EXPECT_EQ(one_hit("echo glcbt-64_Ab3De5Gh7Jk9Mn1Pq3St").secret, "glcbt-64_Ab3De5Gh7Jk9Mn1Pq3St");
  EXPECT_EQ(one_hit("echo GR1348941Ab3De5Gh7Jk9Mn1Pq3St").kind, "gitlab-token");
  EXPECT_TRUE(secrets_in("echo dckr_pat_aB3dE5fG7hJ9kL1mN3pQ5rS7tU").empty());    // 26
  EXPECT_TRUE(secrets_in("echo dckr_pat_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9x").empty());  // 28
  EXPECT_TRUE(secrets_in("echo glrt-Ab3De5Gh7Jk9Mn1").empty());
  EXPECT_TRUE(secrets_in("echo xglrt-Ab3De5Gh7Jk9Mn1Pq3St").empty());
  EXPECT_TRUE(secrets_in("echo gldt-xxxxxxxxxxxxxxxxxxxxxxxx").empty());
}

TEST(ShellHistoryDetect, CiAgentRegistrationTokens) {
  const std::string pat = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst";  // 52
  auto a = one_hit("./config.sh --unattended --url https://dev.azure.com/acme --auth pat --token " +
                   pat + " --pool Default --agent build-01");
  EXPECT_EQ(a.kind, "azure-pipelines-token");
  EXPECT_EQ(a.command, "config.sh");
  EXPECT_EQ(a.secret, pat);
  EXPECT_EQ(
      one_hit("sudo -u azdo ./config.sh --auth=negotiate --username ci --password Ag3ntPw1").secret,
      "Ag3ntPw1");
  EXPECT_TRUE(secrets_in("./config.sh --unattended --auth pat --token \"$AZP_TOKEN\"").empty());
  EXPECT_TRUE(secrets_in("./config.sh remove --auth pat").empty());
  EXPECT_TRUE(secrets_in("./config.sh --prefix=/usr --token-file f").empty());

  auto g = one_hit(
      "sudo gitlab-runner register --non-interactive --url https://gitlab.com "
      "--token glrt-Ab3De5Gh7Jk9Mn1Pq3St --executor docker");
  EXPECT_EQ(g.kind, "gitlab-runner-token");
  EXPECT_EQ(g.command, "gitlab-runner register");
  EXPECT_EQ(g.secret, "glrt-Ab3De5Gh7Jk9Mn1Pq3St");
  EXPECT_EQ(one_hit("gitlab-runner register --registration-token=Regtok3nX1 --url u").secret,
            "Regtok3nX1");
  EXPECT_EQ(one_hit("gitlab-runner register -r Regtok3nX1").secret, "Regtok3nX1");
  EXPECT_TRUE(secrets_in("gitlab-runner register --token \"$RUNNER_TOKEN\"").empty());
  EXPECT_TRUE(secrets_in("gitlab-runner list").empty());
  EXPECT_TRUE(secrets_in("gitlab-runner register -tag-list docker,linux").empty());
}

TEST(ShellHistoryDetect, LibpqConnectionStrings) {
  auto h = one_hit("psql \"host=db user=app password=S3cretPg dbname=app\"");
  EXPECT_EQ(h.kind, "pg-conninfo-password");
  EXPECT_EQ(h.command, "psql");
  EXPECT_EQ(h.secret, "S3cretPg");
  EXPECT_EQ(one_hit(R"(pg_dump -d "host=db password='it\'s pw'" app)").secret, "it's pw");
  EXPECT_EQ(one_hit("pg_dumpall --dbname='host = db password = Pw0rd99'").secret, "Pw0rd99");
  auto u = one_hit("psql 'postgresql://app@db/app?sslmode=require&password=Url%21pw9'");
  EXPECT_EQ(u.kind, "pg-conninfo-password");
  EXPECT_EQ(u.secret, "Url!pw9");
  EXPECT_TRUE(secrets_in("psql \"host=db password=$PGPW\"").empty());
  EXPECT_TRUE(secrets_in("psql \"host=db password=\"").empty());
  EXPECT_TRUE(secrets_in("psql 'host=db password=<password>'").empty());
  EXPECT_TRUE(secrets_in("psql -c \"select 1 where password = 'x'\"").empty());
  EXPECT_TRUE(secrets_in("psql \"host=db password='unterminated\"").empty());
  EXPECT_TRUE(secrets_in("grep password=S3cretPg notes.txt").empty());
}

TEST(ShellHistoryDetect, RegistryCredsAndWget) {
  auto s = one_hit("skopeo copy --src-creds ci:Src3cretPw docker://a/b docker://c/d");
  EXPECT_EQ(s.kind, "registry-creds-password");
  EXPECT_EQ(s.command, "skopeo copy");
  EXPECT_EQ(s.secret, "Src3cretPw");
  EXPECT_EQ(one_hit("skopeo copy --dest-creds=ci:Dst3cretPw docker://a docker://b").secret,
            "Dst3cretPw");
  EXPECT_EQ(one_hit("podman pull --creds ci:P0dmanPw quay.io/x").command, "podman pull");
  const auto both = secrets_in("skopeo sync --src-creds a:SrcPw111 --dest-creds b:DstPw222 x y");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].secret, "SrcPw111");
  EXPECT_EQ(both[1].secret, "DstPw222");
  EXPECT_TRUE(secrets_in("skopeo copy --src-creds ci docker://a docker://b").empty());
  EXPECT_TRUE(secrets_in("skopeo copy --src-creds \"ci:$PW\" docker://a docker://b").empty());
  EXPECT_TRUE(secrets_in("skopeo inspect --no-creds docker://x").empty());

  auto w = one_hit("wget --user=ci --password=WgetPw99 https://x/f");
  EXPECT_EQ(w.kind, "wget-password");
  EXPECT_EQ(w.command, "wget");
  EXPECT_EQ(w.secret, "WgetPw99");
  EXPECT_EQ(one_hit("wget --http-password WgetPw77 https://x").secret, "WgetPw77");
  EXPECT_TRUE(secrets_in("wget --ask-password --user ci https://x").empty());
  EXPECT_TRUE(secrets_in("wget --password=\"$PW\" https://x").empty());
}

TEST(ShellHistoryNested, ShellSuAndSshRunLiteralCode) {
  auto h = one_hit("sudo bash -c 'docker login -u ci -p Hunter2Hunter2 r.io'");
  EXPECT_EQ(h.kind, "docker-login-password");
  EXPECT_EQ(h.command, "docker login");
  EXPECT_EQ(h.secret, "Hunter2Hunter2");
  EXPECT_EQ(one_hit("sh -xc 'echo Piped9pw | docker login --password-stdin r.io'").secret,
            "Piped9pw");
  auto s = one_hit("su - root -c 'mysql -uroot -pRootPw99'");
  EXPECT_EQ(s.kind, "mysql-password");
  EXPECT_EQ(s.secret, "RootPw99");
  auto r = one_hit("ssh -p 2222 -i ~/.ssh/id db.local \"PGPASSWORD=PgPass77 psql\"");
  EXPECT_EQ(r.kind, "pgpassword");
  EXPECT_EQ(r.variable, "PGPASSWORD");
  EXPECT_EQ(r.command, "psql");
  EXPECT_EQ(r.secret, "PgPass77");
  EXPECT_EQ(one_hit("sudo bash -c \"ssh db 'mysql -pDeepPw42'\"").secret, "DeepPw42");
  // Two levels at most.
  EXPECT_TRUE(secrets_in(R"(sh -c "sh -c 'sh -c \"mysql -pTooDeep1\"'")").empty());
  EXPECT_TRUE(secrets_in("bash -c \"docker login -p $PW r.io\"").empty());  // expanded first
  EXPECT_TRUE(secrets_in("bash deploy.sh -p Hunter2Hunter2").empty());
  EXPECT_TRUE(secrets_in("ssh -p 2222 host uptime").empty());
  EXPECT_TRUE(secrets_in("ssh host \"mysql -p'$PW'\"").empty());
  EXPECT_TRUE(secrets_in("su -c \"$CMD\" root").empty());
}

TEST(ShellHistoryNested, ContainerAndKubectlExec) {
  auto d = one_hit("docker exec -it db mysql -uroot -pS3cretRoot");
  EXPECT_EQ(d.kind, "mysql-password");
  EXPECT_EQ(d.command, "mysql");
  EXPECT_EQ(d.secret, "S3cretRoot");
  EXPECT_EQ(one_hit("kubectl exec -n prod pod-1 -it -- mysql -pKubePw11").secret, "KubePw11");
  EXPECT_EQ(one_hit("podman exec -u 0 web sh -c 'redis-cli -a R3disPw9 ping'").kind,
            "redis-password");
  EXPECT_EQ(one_hit("docker run --rm --network host mysql:8 mysql -h db -pImgPw123").secret,
            "ImgPw123");
  auto e = one_hit("docker run -d --name pg -e POSTGRES_PASSWORD=S3cretPg99 postgres:16");
  EXPECT_EQ(e.kind, "env-secret");
  EXPECT_EQ(e.command, "docker run");
  EXPECT_EQ(e.variable, "POSTGRES_PASSWORD");
  EXPECT_EQ(e.secret, "S3cretPg99");
  EXPECT_EQ(one_hit("docker container create --env=MYSQL_ROOT_PASSWORD=Root99pw mysql").command,
            "docker create");
  EXPECT_EQ(one_hit("podman run -itd -eAPI_TOKEN=tok3nValue9 img").variable, "API_TOKEN");
  EXPECT_EQ(one_hit("docker exec -e REDISCLI_AUTH=R3disPw9 cache redis-cli").command,
            "docker exec");
  EXPECT_TRUE(secrets_in("docker run -e POSTGRES_PASSWORD postgres").empty());
  EXPECT_TRUE(secrets_in("docker run -e POSTGRES_PASSWORD=\"$PG_PW\" postgres").empty());
  EXPECT_TRUE(secrets_in("docker run --env-file prod.env -e POSTGRES_DB=app postgres").empty());
  EXPECT_TRUE(secrets_in("docker exec -it db mysql -u root -p").empty());
  EXPECT_TRUE(secrets_in("kubectl exec pod -- mysql -p").empty());
  EXPECT_TRUE(secrets_in("kubectl logs pod -- mysql -pNotRun1").empty());
  EXPECT_TRUE(secrets_in("docker run -p 5432:5432 postgres -c password_encryption=md5").empty());
  EXPECT_TRUE(secrets_in("docker run img echo -e FOO_TOKEN=abc123").empty());
}

TEST(ShellHistoryNested, ComposeExecAndRun) {
  auto d = one_hit("docker compose -f ci.yml exec -T db mysql -uroot -pC0mposePw");
  EXPECT_EQ(d.kind, "mysql-password");
  EXPECT_EQ(d.command, "mysql");
  EXPECT_EQ(d.secret, "C0mposePw");
  EXPECT_EQ(one_hit("docker-compose exec --index 2 -u postgres db psql password=PgC0mp9").secret,
            "PgC0mp9");
  auto e = one_hit("podman compose run --rm -e API_TOKEN=tok3nValue9 -p 80:80 web ./migrate");
  EXPECT_EQ(e.command, "podman compose run");
  EXPECT_EQ(e.variable, "API_TOKEN");
  EXPECT_EQ(one_hit("docker-compose -p ci run -eDB_PASSWORD=Dbpw12345 app").command,
            "docker-compose run");
  EXPECT_EQ(one_hit("docker-compose -H tcp://192.0.2.4:2376 --workdir /srv exec db mysql -pC0mp1x")
                .secret,
            "C0mp1x");
  EXPECT_EQ(one_hit("docker compose run --env-from-file x.env -e PGPASSWORD=Pgpw1234 app").variable,
            "PGPASSWORD");
  EXPECT_TRUE(secrets_in("docker compose exec db mysql -u root -p").empty());
  EXPECT_TRUE(secrets_in("docker compose logs db mysql -pNotRun1").empty());
  EXPECT_TRUE(secrets_in("docker compose -p exec up -d").empty());
}

TEST(ShellHistoryDetect, PlaceholdersAndWeakRealValues) {
  EXPECT_TRUE(secrets_in("mysql -p'***' shop").empty());
  EXPECT_TRUE(secrets_in("mysql -pYOUR_PASSWORD shop").empty());
  EXPECT_TRUE(secrets_in("sshpass -p '{{ssh_pass}}' ssh h").empty());
  // Typed on this host, a default password is most likely the real one.
  EXPECT_EQ(one_hit("mysql -pchangeme shop").secret, "changeme");
}

TEST(ShellHistoryDetect, OneHitPerSecretAndTheValueTheProgramUses) {
  // The same token as a variable's value and as a token format: once.
  // mysql (my_getopt) uses the last -p given.
  const auto hits =
      secrets_in("export GH_TOKEN=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5; mysql -pa1 -pb2");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].kind, "env-secret");
  EXPECT_EQ(hits[0].secret, "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5");
  EXPECT_EQ(hits[1].kind, "mysql-password");
  EXPECT_EQ(hits[1].secret, "b2");
}

TEST(ShellHistoryDetect, TheLastPasswordOptionCounts) {
  EXPECT_EQ(one_hit("mysql -pFirst1pw -pSecond2pw shop").secret, "Second2pw");
  EXPECT_EQ(one_hit("mysql --password=First1pw -uroot --pass=Second2pw").secret, "Second2pw");
  EXPECT_TRUE(secrets_in("mysql -pFirst1pw -p shop").empty());  // the last one prompts
  EXPECT_TRUE(secrets_in("mysql --password=First1pw --password shop").empty());
  EXPECT_EQ(one_hit("docker login -p First1pw -p Second2pw r.io").secret, "Second2pw");
  // pflag reads -p=VALUE as VALUE.
  auto h = one_hit("docker login -u ci -p=Hunter2Hunter2 r.io");
  EXPECT_EQ(h.kind, "docker-login-password");
  EXPECT_EQ(h.secret, "Hunter2Hunter2");
  EXPECT_TRUE(secrets_in("docker login -u ci -p=\"$PW\" r.io").empty());
}

TEST(ShellHistoryDetect, TwoSecretVariablesOnOneLineAreTwoHits) {
  const auto hits = secrets_in("export API_TOKEN=tokAAA111 DB_PASSWORD=pwBBB222");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].kind, "env-secret");
  EXPECT_EQ(hits[0].variable, "API_TOKEN");
  EXPECT_EQ(hits[0].secret, "tokAAA111");
  EXPECT_EQ(hits[1].kind, "env-secret");
  EXPECT_EQ(hits[1].variable, "DB_PASSWORD");
  EXPECT_EQ(hits[1].secret, "pwBBB222");
  // The same value twice is one secret.
  EXPECT_EQ(secrets_in("export API_TOKEN=tokAAA111 DB_PASSWORD=tokAAA111").size(), 1u);
}

TEST(ShellHistoryDetect, HostileTokenRunsAreLinearAndNotTokens) {
  // A run of pypi-AgE- far past the 2000-character limit is no token; each
  // candidate inside it used to be measured again (quadratic).
  std::string run;
  while (run.size() < 60000) run += "pypi-AgE-";
  const std::string pypi =
      "pypi-AgEIcHlwaS5vcmcCJDk4ZjE2YzM2LWE0ZGEtNDY3Yi1hYjQxLTc3NzJmMmE4OWI1MQACKlsz";
  EXPECT_TRUE(secrets_in(run).empty());
  auto h = one_hit(run + " " + pypi);
  EXPECT_EQ(h.kind, "pypi-token");
  EXPECT_EQ(h.secret, pypi);
  // The tail of an over-long run is not a token either.
  EXPECT_TRUE(secrets_in("echo " + run + pypi).empty());
  // A run of one format does not hide another format's token.
  std::string ghp_run;
  while (ghp_run.size() < 60000) ghp_run += "ghp_";
  EXPECT_EQ(one_hit(ghp_run + " AKIA2E0A8F3B244C9986").kind, "aws-access-key-id");
}

TEST(ShellHistoryRedact, PrefixIsAtMostAQuarterAndFour) {
  EXPECT_EQ(redact("hunter2hunter2"), "hun…(14 chars)");
  EXPECT_EQ(redact("abcdefgh"), "ab…(8 chars)");
  EXPECT_EQ(redact("abcdefghijklmnopqrstuvwxyz"), "abcd…(26 chars)");
  EXPECT_EQ(redact("abc12"), "…(5 chars)");
  EXPECT_EQ(redact("\xc3\xa9\xc3\xa9pass-word"), "…(13 chars)");  // no cut UTF-8
}

// ---------------------------------------------------------------------------
// The rule on in-memory hosts

struct Host {
  AuditInput in;
  Host() {
    in.hostname = "staging";
    in.files.memory["/etc/passwd"] =
        "root:x:0:0:root:/root:/bin/bash\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        "sync:x:4:65534:sync:/:/bin/sync\n"
        "ci:x:1000:1000::/home/ci/:/bin/bash\n"
        "ci2:x:1001:1001::/home/ci:/bin/bash\n";
  }
  void write(const std::string& path, const std::string& text) { in.files.memory[path] = text; }
  void link(const std::string& path, const std::string& target) {
    in.files.memory[path] = target;
    in.files.memory_facts[path] = FileFacts{S_IFLNK | 0777, 0, 0};
  }
  AuditResult scan() const {
    AuditResult out;
    shell_history_rules(in, out);
    return out;
  }
};

json as_json(const AuditResult& r) {
  json j = {{"findings", json::array()}, {"errors", json::array()}, {"checks", json::object()}};
  for (const auto& f : r.findings)
    j["findings"].push_back({{"rule", f.rule},
                             {"severity", std::string(to_string(f.severity))},
                             {"title", f.title},
                             {"subject", f.subject},
                             {"evidence", f.evidence},
                             {"remediation", f.remediation},
                             {"attack", f.attack},
                             {"fingerprint", f.fingerprint}});
  for (const auto& e : r.errors) j["errors"].push_back(e.message);
  for (const auto& [rule, c] : r.checks) j["checks"][rule] = {c.status, c.detail};
  return j;
}

std::string dump(const AuditResult& r) {
  return as_json(r).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string status(const AuditResult& r) {
  const auto it = r.checks.find(kRule);
  return it == r.checks.end() ? "" : it->second.status;
}

TEST(ShellHistoryRule, RegistryPasswordInBashHistoryIsOneExactFinding) {
  Host h;
  std::string history;
  for (int i = 1; i < 12; ++i) history += "ls -la /srv/app" + std::to_string(i) + "\n";
  history += "docker login -u ci -p hunter2hunter2 registry.example.com\n";
  h.write("/home/ci/.bash_history", history);
  const auto r = h.scan();
  ASSERT_EQ(r.findings.size(), 1u) << dump(r);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.rule, kRule);
  EXPECT_EQ(f.severity, Severity::high);
  EXPECT_EQ(f.title, "a container registry password in /home/ci/.bash_history line 12");
  EXPECT_EQ(
      f.subject,
      (json{{"kind", "file"}, {"path", "/home/ci/.bash_history"}, {"line", 12}, {"user", "ci"}}));
  EXPECT_EQ(f.evidence, (json{{"kind", "docker-login-password"},
                              {"redacted", "hun…(14 chars)"},
                              {"command", "docker login"}}));
  EXPECT_EQ(f.attack, (std::vector<std::string>{"T1552.003", "T1552.001"}));
  EXPECT_NE(f.remediation.find("Rotate"), std::string::npos);
  EXPECT_EQ(status(r), "passed");  // judged; the finding fails it in the summary
  EXPECT_TRUE(r.errors.empty()) << dump(r);
  EXPECT_EQ(dump(r).find("hunter2hunter2"), std::string::npos);
}

TEST(ShellHistoryRule, FingerprintIsPathLineAndKindNotTheSecret) {
  Host a, b, c;
  a.write("/root/.bash_history", "docker login -p firstSecret1 r.io\n");
  b.write("/root/.bash_history", "docker login -p otherSecret2 r.io\n");
  c.write("/root/.bash_history", "\ndocker login -p firstSecret1 r.io\n");
  const auto fa = a.scan().findings, fb = b.scan().findings, fc = c.scan().findings;
  ASSERT_EQ(fa.size(), 1u);
  ASSERT_EQ(fb.size(), 1u);
  ASSERT_EQ(fc.size(), 1u);
  EXPECT_EQ(fa[0].fingerprint, fb[0].fingerprint);  // rotated in place: the same finding
  EXPECT_NE(fa[0].fingerprint, fc[0].fingerprint);
  EXPECT_EQ(fa[0].subject["user"], "root");
}

TEST(ShellHistoryRule, EveryFormatAtItsPathWithItsLine) {
  Host h;
  h.write("/home/ci/.zsh_history",
          ": 1700000000:0;ls\n: 1700000001:0;export GITHUB_TOKEN=abcdef123456\n");
  h.write("/home/ci/.local/share/fish/fish_history",
          "- cmd: ls\n  when: 1\n- cmd: sshpass -p Sup3rSecret ssh h\n  when: 2\n");
  h.write("/root/.psql_history",
          "_HiStOrY_V2_\n\\dt\nALTER\\040USER\\040app\\040PASSWORD\\040'Pg$ecret1';\n");
  h.write("/root/.mysql_history", "show databases;\nCREATE USER u IDENTIFIED BY 'My$ecret1';\n");
  h.write("/root/.rediscli_history", "ping\nauth R3disPass99\n");
  h.write("/home/ci/.sh_history", "curl -u admin:Adm1nPass https://x\n");
  const auto r = h.scan();
  std::map<std::string, std::pair<int, std::string>> got;  // path -> line, kind
  for (const auto& f : r.findings)
    got[f.subject["path"]] = {f.subject["line"].get<int>(), f.evidence["kind"]};
  const std::map<std::string, std::pair<int, std::string>> want = {
      {"/home/ci/.zsh_history", {2, "env-secret"}},
      {"/home/ci/.local/share/fish/fish_history", {3, "sshpass-password"}},
      {"/root/.psql_history", {3, "sql-password"}},
      {"/root/.mysql_history", {2, "sql-password"}},
      {"/root/.rediscli_history", {2, "redis-password"}},
      {"/home/ci/.sh_history", {1, "curl-password"}}};
  EXPECT_EQ(got, want) << dump(r);
  EXPECT_EQ(r.findings.size(), 6u);
  const std::string all = dump(r);
  for (const char* secret :
       {"abcdef123456", "Sup3rSecret", "Pg$ecret1", "My$ecret1", "R3disPass99", "Adm1nPass"})
    EXPECT_EQ(all.find(secret), std::string::npos) << secret;
}

TEST(ShellHistoryRule, NoSecretEverAppearsInTheResult) {
  Host h;
  const std::vector<std::string> secrets = {"hunter2hunter2", "tok3n-value-123", "s3cretpgpw",
                                            "myS3cretpw",     "abcdef123456",    "S3cretMysql!",
                                            "Adm1nPass77",    "Sup3rSecret",     "W3bPassword",
                                            "R3disPass99",    "Depl0yPw42",      "Pg$ecret1"};
  h.write("/home/ci/.bash_history",
          "docker login -u ci -p hunter2hunter2 r.io\n"
          "echo tok3n-value-123 | docker login --password-stdin r.io\n"
          "PGPASSWORD=s3cretpgpw psql -h db\n"
          "MYSQL_PWD=myS3cretpw mysql\n"
          "export GITHUB_TOKEN=abcdef123456\n"
          "mysql -uroot -pS3cretMysql! shop\n"
          "curl -u admin:Adm1nPass77 https://x\n"
          "sshpass -p Sup3rSecret ssh h\n"
          "htpasswd -nb admin W3bPassword\n"
          "redis-cli -a R3disPass99 ping\n"
          "git clone https://deploy:Depl0yPw42@gitlab.example.com/x.git\n"
          "psql -c \"ALTER ROLE app PASSWORD 'Pg$ecret1'\"\n");
  const auto r = h.scan();
  EXPECT_EQ(r.findings.size(), secrets.size()) << dump(r);
  const std::string all = dump(r);
  for (const auto& s : secrets) EXPECT_EQ(all.find(s), std::string::npos) << s;
  for (size_t i = 0; i < r.findings.size(); ++i)
    EXPECT_EQ(r.findings[i].subject["line"], i + 1) << dump(r);
}

// Found by fuzz_shell_history (seed crash-token-in-program-word): a token
// pasted at the prompt is the program's name, which the evidence must not show.
TEST(ShellHistoryRule, APastedTokenIsNotShownAsTheCommand) {
  Host h;
  const std::string token = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";
  h.write("/root/.bash_history", token + "\necho0$" + "AKIA2E0A8F3B244C9986\n");
  const auto r = h.scan();
  ASSERT_EQ(r.findings.size(), 2u) << dump(r);
  EXPECT_EQ(r.findings[0].evidence,
            (json{{"kind", "github-token"}, {"redacted", "ghp_…(40 chars)"}}));
  EXPECT_EQ(r.findings[1].evidence["kind"], "aws-access-key-id");
  EXPECT_FALSE(r.findings[1].evidence.contains("command"));
  EXPECT_EQ(dump(r).find(token), std::string::npos);
  EXPECT_EQ(dump(r).find("AKIA2E0A8F3B244C9986"), std::string::npos);
  // A value inside its own variable's name is not a secret.
  EXPECT_TRUE(secrets_in("export GITHUB_TOKEN=GITHUB_TOKEN").empty());
}

TEST(ShellHistoryRule, ASecretOfOneLineIsNotShownAsTheCommandOfAnother) {
  // Found by fuzzing in CI: the password of line 1 is the program of line 2,
  // run with a PASSWORD variable in front.
  Host h;
  h.write("/root/.bash_history",
          "docker login -u deploy -p Regi4trsysPaw0rd registry.example.com\n"
          "PGPASSWORD=s3cretpgpass Regi4trsysPaw0rd -h db\n");
  const auto r = h.scan();
  ASSERT_EQ(r.findings.size(), 2u) << dump(r);
  EXPECT_FALSE(r.findings[1].evidence.contains("command")) << dump(r);
  EXPECT_EQ(dump(r).find("Regi4trsysPaw0rd"), std::string::npos);
  EXPECT_EQ(dump(r).find("s3cretpgpass"), std::string::npos);
}

TEST(ShellHistoryRule, HomesAreEachAccountsOnceSkippingRootDirAndNonexistent) {
  Host h;  // ci and ci2 share /home/ci; sync's home is "/", nobody's /nonexistent
  h.write("/home/ci/.bash_history", "sshpass -p Sup3rSecret ssh h\n");
  h.write("/.bash_history", "sshpass -p Sup3rSecret ssh h\n");
  h.write("/nonexistent/.bash_history", "sshpass -p Sup3rSecret ssh h\n");
  const auto r = h.scan();
  ASSERT_EQ(r.findings.size(), 1u) << dump(r);
  EXPECT_EQ(r.findings[0].subject["user"], "ci");  // the first account with that home
  EXPECT_EQ(r.findings[0].subject["path"], "/home/ci/.bash_history");
}

TEST(ShellHistoryRule, RootIsReadWithoutAPasswdEntry) {
  Host h;
  h.in.files.memory.erase("/etc/passwd");
  h.write("/root/.bash_history", "sshpass -p Sup3rSecret ssh h\n");
  const auto r = h.scan();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].subject["user"], "root");
}

TEST(ShellHistoryRule, NoHistoryIsNotApplicable) {
  Host h;
  const auto r = h.scan();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(status(r), "not_applicable");
  EXPECT_TRUE(r.errors.empty());
}

TEST(ShellHistoryRule, CleanHistoryPasses) {
  Host h;
  h.write("/home/ci/.bash_history",
          "docker login -u ci --password-stdin < ~/.regpass\nmysql -u root -p\n"
          "curl -u admin https://x\nPGPASSWORD=$(cat ~/.pgpw) psql\n");
  const auto r = h.scan();
  EXPECT_TRUE(r.findings.empty()) << dump(r);
  EXPECT_EQ(status(r), "passed");
}

TEST(ShellHistoryRule, DevNullLinkIsQuietAndOtherLinksAreNotFollowed) {
  Host quiet;
  quiet.link("/root/.bash_history", "/dev/null");
  auto r = quiet.scan();
  EXPECT_TRUE(r.findings.empty());
  EXPECT_TRUE(r.errors.empty()) << dump(r);
  EXPECT_EQ(status(r), "not_applicable");

  Host linked;
  linked.link("/home/ci/.bash_history", "/etc/shadow");
  linked.write("/etc/shadow", "sshpass -p Sup3rSecret ssh h\n");
  r = linked.scan();
  EXPECT_TRUE(r.findings.empty()) << dump(r);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "/home/ci/.bash_history: a symbolic link; not followed, the file it names was not "
            "judged");
  EXPECT_EQ(status(r), "unknown");
}

TEST(ShellHistoryRule, AtMostFiftyFindingsPerFileThenOneSayingHowManyMore) {
  Host h;
  std::string history;
  for (int i = 0; i < 60; ++i)
    history += "sshpass -p Secret" + std::to_string(1000 + i) + " ssh h\n";
  h.write("/root/.bash_history", history);
  const auto r = h.scan();
  ASSERT_EQ(r.findings.size(), 51u);
  EXPECT_EQ(r.findings[49].subject["line"], 50);
  const Finding& more = r.findings[50];
  EXPECT_EQ(more.title,
            "10 more credentials in /root/.bash_history (only the first 50 are listed)");
  EXPECT_EQ(more.evidence, (json{{"kind", "more"}, {"count", 10}}));
  EXPECT_EQ(more.subject,
            (json{{"kind", "file"}, {"path", "/root/.bash_history"}, {"user", "root"}}));
}

TEST(ShellHistoryRule, AFileAtTheReadCapSaysItsEndWasNotJudged) {
  Host h;
  std::string history = "sshpass -p Sup3rSecret ssh h\n";
  history += std::string((4u << 20) - history.size() - 1, 'x') + "\n";
  h.write("/root/.bash_history", history);
  const auto r = h.scan();
  ASSERT_EQ(r.findings.size(), 1u);
  ASSERT_EQ(r.errors.size(), 2u) << dump(r);
  EXPECT_EQ(r.errors[0].message,
            "/root/.bash_history: only the first 4 MiB read; the newest commands, at its end, "
            "were not judged");
  EXPECT_EQ(r.errors[1].message,
            "/root/.bash_history: 1 commands longer than 64 KiB were not judged");
}

// `line` as root's bash history: exactly one finding, with this title and
// evidence, and `secret` nowhere in the report.
void expect_one_finding(const std::string& line, const std::string& title, const json& evidence,
                        const std::string& secret) {
  Host h;
  h.write("/root/.bash_history", line + "\n");
  const auto r = h.scan();
  ASSERT_EQ(r.findings.size(), 1u) << line << "\n" << dump(r);
  EXPECT_EQ(r.findings[0].title, title + " in /root/.bash_history line 1");
  EXPECT_EQ(r.findings[0].evidence, evidence) << line;
  EXPECT_EQ(r.findings[0].severity, Severity::high);
  EXPECT_EQ(dump(r).find(secret), std::string::npos) << line;
}

TEST(ShellHistoryRule, NewFormsAreExactRedactedFindings) {
  expect_one_finding("sudo bash -c 'docker login -u ci -p Hunter2Hunter2 r.io'",
                     "a container registry password",
                     {{"kind", "docker-login-password"},
                      {"redacted", "Hun…(14 chars)"},
                      {"command", "docker login"}},
                     "Hunter2Hunter2");
  expect_one_finding(
      "docker exec -it db mysql -uroot -pS3cretRoot", "a MySQL password on the command line",
      {{"kind", "mysql-password"}, {"redacted", "S3…(10 chars)"}, {"command", "mysql"}},
      "S3cretRoot");
  expect_one_finding(
      "kubectl exec pod -- mysql -pKubePw11", "a MySQL password on the command line",
      {{"kind", "mysql-password"}, {"redacted", "Ku…(8 chars)"}, {"command", "mysql"}}, "KubePw11");
  expect_one_finding("ssh db \"PGPASSWORD=Zq9wLm42 psql\"", "a PostgreSQL password (PGPASSWORD)",
                     {{"kind", "pgpassword"},
                      {"redacted", "Zq…(8 chars)"},
                      {"command", "psql"},
                      {"variable", "PGPASSWORD"}},
                     "Zq9wLm42");
  expect_one_finding("docker run -e POSTGRES_PASSWORD=S3cretPg99 postgres",
                     "a secret variable (POSTGRES_PASSWORD)",
                     {{"kind", "env-secret"},
                      {"redacted", "S3…(10 chars)"},
                      {"command", "docker run"},
                      {"variable", "POSTGRES_PASSWORD"}},
                     "S3cretPg99");
  const std::string pat = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst";
  expect_one_finding(
      "./config.sh --unattended --url https://dev.azure.com/acme --auth pat --token " + pat,
      "an Azure DevOps token (pipelines agent)",
      {{"kind", "azure-pipelines-token"},
       {"redacted", "abcd…(52 chars)"},
       {"command", "config.sh"}},
      pat);
  expect_one_finding(
      "gitlab-runner register --url https://gitlab.com --token glrt-Ab3De5Gh7Jk9Mn1Pq3St",
      "a GitLab runner token",
      {{"kind", "gitlab-runner-token"},
       {"redacted", "glrt…(25 chars)"},
       {"command", "gitlab-runner register"}},
      "glrt-Ab3De5Gh7Jk9Mn1Pq3St");
  expect_one_finding(
      "psql \"host=db user=app password=S3cretPg\"", "a PostgreSQL password in a connection string",
      {{"kind", "pg-conninfo-password"}, {"redacted", "S3…(8 chars)"}, {"command", "psql"}},
      "S3cretPg");
  expect_one_finding("skopeo copy --dest-creds ci:Dst3cretPw docker://a docker://b",
                     "a container registry password (--creds)",
                     {{"kind", "registry-creds-password"},
                      {"redacted", "Ds…(10 chars)"},
                      {"command", "skopeo copy"}},
                     "Dst3cretPw");
  expect_one_finding("wget --http-password=WgetPw99 https://x/f", "an HTTP or FTP password (wget)",
                     {{"kind", "wget-password"}, {"redacted", "Wg…(8 chars)"}, {"command", "wget"}},
                     "WgetPw99");
  expect_one_finding(
      "echo dckr_pat_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9", "a Docker Hub token",
      {{"kind", "docker-hub-token"}, {"redacted", "dckr…(36 chars)"}, {"command", "echo"}},
      "dckr_pat_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9");
  expect_one_finding("docker login -u ci -p=Hunter2Hunter2 r.io", "a container registry password",
                     {{"kind", "docker-login-password"},
                      {"redacted", "Hun…(14 chars)"},
                      {"command", "docker login"}},
                     "Hunter2Hunter2");
}

TEST(ShellHistoryRule, TwoSecretsOfOneKindOnALineAreTwoFindings) {
  Host h;
  h.write("/root/.bash_history", "export API_TOKEN=tokAAA111 DB_PASSWORD=pwBBB222\n");
  const auto r = h.scan();
  ASSERT_EQ(r.findings.size(), 2u) << dump(r);
  EXPECT_EQ(r.findings[0].title, "a secret variable (API_TOKEN) in /root/.bash_history line 1");
  EXPECT_EQ(r.findings[1].title, "a secret variable (DB_PASSWORD) in /root/.bash_history line 1");
  EXPECT_EQ(r.findings[1].evidence, (json{{"kind", "env-secret"},
                                          {"redacted", "pw…(8 chars)"},
                                          {"command", "export"},
                                          {"variable", "DB_PASSWORD"}}));
  EXPECT_NE(r.findings[0].fingerprint, r.findings[1].fingerprint);
  EXPECT_EQ(dump(r).find("tokAAA111"), std::string::npos);
  EXPECT_EQ(dump(r).find("pwBBB222"), std::string::npos);
  // The first of a kind keeps the fingerprint it always had.
  Host one;
  one.write("/root/.bash_history", "export API_TOKEN=tokAAA111\n");
  EXPECT_EQ(one.scan().findings.at(0).fingerprint, r.findings[0].fingerprint);
}

TEST(ShellHistoryRule, NoNameShowsFiveCharactersOfASecretInAnyCase) {
  // "mysql" is 5 of the 6 characters of the password "mysql1".
  expect_one_finding("mysql -pmysql1 shop", "a MySQL password on the command line",
                     {{"kind", "mysql-password"}, {"redacted", "…(6 chars)"}}, "mysql1");
  expect_one_finding("mysql -pS3cret! shop", "a MySQL password on the command line",
                     {{"kind", "mysql-password"}, {"redacted", "…(7 chars)"}, {"command", "mysql"}},
                     "S3cret!");
  // The scheme is shown lowercased: "https" is a window of "Https1234".
  expect_one_finding("git clone HTTPS://u:Https1234@h/x.git", "a password in a URL",
                     {{"kind", "url-password"}, {"redacted", "Ht…(9 chars)"}, {"command", "git"}},
                     "Https1234");
  expect_one_finding("git clone https://u:Depl0yPw@h/x.git", "a password in a URL",
                     {{"kind", "url-password"},
                      {"redacted", "De…(8 chars)"},
                      {"command", "git"},
                      {"scheme", "https"}},
                     "Depl0yPw");
  // The variable GITHUB_TOKEN holds "githu", a window of the value "Github99".
  expect_one_finding("export GITHUB_TOKEN=Github99", "a secret in an environment variable",
                     {{"kind", "env-secret"}, {"redacted", "Gi…(8 chars)"}, {"command", "export"}},
                     "Github99");
  // A secret shorter than the window is kept out whole: "dock" in "docker login".
  // (The remediation's own words hold "dock": only the evidence is compared.)
  Host h;
  h.write("/root/.bash_history", "docker login -p dock r.io\n");
  const auto r = h.scan();
  ASSERT_EQ(r.findings.size(), 1u) << dump(r);
  EXPECT_EQ(r.findings[0].evidence,
            (json{{"kind", "docker-login-password"}, {"redacted", "…(4 chars)"}}));
}

TEST(ShellHistoryRule, AHostileFileIsReadInOnePass) {
  // 4 MiB of pypi-AgE- runs, 64 KiB lines: no finding, and the token on the
  // last line is still found.
  std::string line;
  while (line.size() < 60000) line += "pypi-AgE-";
  std::string history;
  while (history.size() + line.size() + 200 < (4u << 20) - 1) history += line + "\n";
  const std::string pypi =
      "pypi-AgEIcHlwaS5vcmcCJDk4ZjE2YzM2LWE0ZGEtNDY3Yi1hYjQxLTc3NzJmMmE4OWI1MQACKlsz";
  history += "twine upload -p " + pypi + " dist/*\n";
  Host h;
  h.write("/root/.bash_history", history);
  const auto r = h.scan();
  ASSERT_EQ(r.findings.size(), 1u) << dump(r);
  EXPECT_EQ(r.findings[0].subject["line"], std::count(history.begin(), history.end(), '\n'));
  EXPECT_EQ(r.findings[0].evidence,
            (json{{"kind", "pypi-token"}, {"redacted", "pypi…(77 chars)"}, {"command", "twine"}}));
  EXPECT_EQ(dump(r).find(pypi), std::string::npos);
}

TEST(ShellHistoryRule, BinaryGarbageNeverCrashes) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string junk(static_cast<size_t>(rng() % 4096), '\0');
    for (auto& c : junk) c = static_cast<char>(rng() % 256);
    if (round % 3 == 0)
      junk +=
          "\ndocker login -p \xff\xfe\x83"
          "abc\x01 r\n";
    Host h;
    for (const char* name : {"/root/.bash_history", "/root/.zsh_history", "/root/.psql_history",
                             "/root/.mysql_history", "/root/.rediscli_history",
                             "/root/.local/share/fish/fish_history"})
      h.write(name, junk);
    const auto r = h.scan();
    EXPECT_NO_THROW(dump(r));
    for (const auto& f : r.findings) EXPECT_EQ(f.rule, kRule);
  }
}

}  // namespace
}  // namespace hostward::audit

// ---------------------------------------------------------------------------
// `hostward scan --root DIR` on fixture trees (needs the hostward binary).
#ifdef HOSTWARD_BIN
#include "audit/fixture_tree.h"

namespace hostward::itest {
namespace {

using nlohmann::json;

// Every home's history under one tree; root and the CI user exist.
struct HistoryTree : Tree {
  HistoryTree() {
    write("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nci:x:1000:1000::/home/ci:/bin/bash\n");
  }
  void link(const std::string& path, const std::string& target) { symlink(target, path); }
};

std::string history_status(const json& report) {
  return check_status(report, "secrets.shell-history");
}

// Jenkins-style homes on a data disk: /home is a link. The history is read
// through it; a history that is another user's file is not, and says so.
TEST(ShellHistoryTree, HomeBehindALinkIsReadAndAForeignFileIsNot) {
  if (!is_root()) GTEST_SKIP() << "needs root (files of other owners)";
  HistoryTree t;
  t.write("/etc/passwd",
          "root:x:0:0:root:/root:/bin/bash\nci:x:1000:1000::/home/ci:/bin/bash\n"
          "dev:x:1001:1001::/home/dev:/bin/bash\n");
  t.write("/data/home/ci/.bash_history", "docker login -u ci -p Regi5tryPassw0rd r.io\n", 0600);
  t.write("/data/home/dev/.bash_history", "docker login -u dev -p An0therPassw0rd r.io\n", 0600);
  ASSERT_EQ(::chown(t.at("/data/home/ci/.bash_history").c_str(), 1000, 1000), 0);
  ASSERT_EQ(::chown(t.at("/data/home/dev/.bash_history").c_str(), 1000, 1000), 0);  // ci's
  t.symlink("/data/home", "/home");
  const json r = t.scan();
  const auto f = findings_with_rule(r, "secrets.shell-history");
  ASSERT_EQ(f.size(), 1u) << r.dump(2);
  EXPECT_EQ(f[0]["subject"]["path"], "/home/ci/.bash_history");
  bool said = false;
  for (const auto& e : r["errors"])
    said |= e["message"] ==
            "/home/dev/.bash_history: could not be read, or is not dev's own "
            "file (nor root's, with one name)";
  EXPECT_TRUE(said) << r["errors"].dump(2);
  EXPECT_EQ(r.dump().find("An0therPassw0rd"), std::string::npos);
}

TEST(ShellHistoryTree, StagingRegistryCredentialsFireWithPathAndLine) {
  HistoryTree t;
  t.write("/home/ci/.bash_history",
          "cd /srv/app\ndocker login -u deploy -p Regi5tryPassw0rd registry.example.com\n");
  const json r = t.scan();
  const auto f = findings_with_rule(r, "secrets.shell-history");
  ASSERT_EQ(f.size(), 1u) << r.dump(2);
  EXPECT_EQ(f[0]["severity"], "high");
  EXPECT_EQ(
      f[0]["subject"],
      (json{{"kind", "file"}, {"path", "/home/ci/.bash_history"}, {"line", 2}, {"user", "ci"}}));
  EXPECT_EQ(f[0]["evidence"]["redacted"], "Regi…(16 chars)");
  EXPECT_EQ(r.dump().find("Regi5tryPassw0rd"), std::string::npos);
  EXPECT_EQ(history_status(r), "failed");
}

TEST(ShellHistoryTree, HardenedHistoriesAreQuiet) {
  HistoryTree t;
  t.link("/root/.bash_history", "/dev/null");
  t.write("/home/ci/.bash_history",
          "echo \"$CR_PAT\" | docker login -u ci --password-stdin ghcr.io\nmysql -u root -p\n");
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "secrets.shell-history").empty()) << r.dump(2);
  EXPECT_EQ(history_status(r), "passed");
  for (const auto& e : r["errors"])
    EXPECT_EQ(e["message"].get<std::string>().find("history"), std::string::npos) << e;
}

TEST(ShellHistoryTree, ALinkOutOfTheTreeIsNotFollowed) {
  HistoryTree t;
  t.write("/etc/secret-history", "sshpass -p Sup3rSecret ssh h\n");
  t.link("/home/ci/.bash_history", "/etc/secret-history");
  const json r = t.scan();
  EXPECT_TRUE(findings_with_rule(r, "secrets.shell-history").empty()) << r.dump(2);
  EXPECT_EQ(history_status(r), "unknown");
}

TEST(ShellHistoryTree, NoHistoriesIsNotApplicable) {
  HistoryTree t;
  EXPECT_EQ(history_status(t.scan()), "not_applicable");
}

}  // namespace
}  // namespace hostward::itest
#endif

#include "lint/lint.h"

namespace hostward::lint {

void register_rules(RuleCatalog& catalog) {
  catalog.add({"ci.port-published-all-interfaces",
               Severity::high,
               {"T1190", "T1133"},
               "A CI container publishes a port on all interfaces",
               "Docker publishes past the host firewall: a database started for tests is open "
               "to the internet for as long as the job runs, as in the seed incident.",
               "Bind the publish to loopback: -p 127.0.0.1:5432:5432, host_ip: 127.0.0.1 "
               "(hostward lint --fix does it)."});
  catalog.add({"ci.database-no-auth",
               Severity::high,
               {"T1078", "T1190"},
               "A CI database accepts logins without a password",
               "POSTGRES_HOST_AUTH_METHOD=trust, an empty root password or Redis without "
               "protected mode let anyone who reaches the port in as superuser; with a public "
               "publish that is remote code execution (COPY … TO PROGRAM).",
               "Set a generated password (POSTGRES_PASSWORD from a secret) and keep the port on "
               "127.0.0.1."});
  catalog.add({"ci.missing-timeout",
               Severity::medium,
               {"T1496"},
               "A job on a self-hosted runner has no timeout",
               "A hung job holds the agent for hours and hides what else runs on it: the seed's "
               "miner was found only because a test job hung for 44 minutes.",
               "Set timeoutInMinutes (Azure), timeout-minutes (GitHub) or timeout (GitLab) on "
               "the job."});
  catalog.add({"ci.privileged-container",
               Severity::high,
               {"T1611"},
               "A CI container runs privileged",
               "A privileged container (or one with CAP_SYS_ADMIN or all capabilities) can "
               "mount the host's disks and load kernel modules: it is root on the build host.",
               "Drop --privileged; add only the capability the job needs, or use rootless "
               "builds (buildkit, kaniko)."});
  catalog.add({"ci.docker-socket-mount",
               Severity::high,
               {"T1610", "T1611"},
               "A CI container mounts the Docker socket",
               "Whoever reaches the Docker socket can start a privileged container with the "
               "host's root mounted: the container is root on the host.",
               "Do not mount docker.sock; use a rootless daemon or a remote builder with its "
               "own credentials."});
  catalog.add({"ci.host-network",
               Severity::medium,
               {"T1611"},
               "A CI container uses the host's network",
               "With network_mode: host every port the container listens on is a port of the "
               "host, on all its interfaces, with no publish to review.",
               "Use the default bridge network and publish the ports the job needs on "
               "127.0.0.1."});
  catalog.add({"ci.remote-script-pipe",
               Severity::high,
               {"T1195.002", "T1059.004"},
               "A CI step runs a script straight from the network",
               "curl … | sh runs whatever the server sends at that moment, with the runner's "
               "credentials: one compromised host or DNS answer owns every build.",
               "Download to a file, check its SHA-256, then run it; or pin the URL to a full "
               "commit hash."});
  catalog.add({"ci.hardcoded-secret",
               Severity::medium,
               {"T1552.001"},
               "A password or token is written into a CI file",
               "Everyone who can read the repository, its forks and its build logs has the "
               "credential, and it cannot be rotated without a commit.",
               "Move it to the CI system's secret store (${{ secrets.X }}, a secret variable, a "
               "masked variable) and rotate it."});
}

}  // namespace hostward::lint

// iptables-save text (live or /etc/iptables/rules.v4) reduced to the rules
// the owner wrote. Properties: it ends, and no kept rule belongs to a tool
// that rebuilds its own chains (DOCKER-USER is the owner's).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "audit/firewall_persistence.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const auto& rule : hostward::audit::own_iptables_rules(text)) {
    // "TABLE -A CHAIN ...": the chain is the third word.
    const size_t a = rule.find(" -A ");
    if (a == std::string::npos || a != rule.find(' ')) continue;
    const std::string chain = rule.substr(a + 4, rule.find(' ', a + 4) - a - 4);
    // DOCKER-USER holds the owner's own rules; Docker's other chains never count.
    if ((chain.rfind("DOCKER", 0) == 0 && chain != "DOCKER-USER") || chain.rfind("f2b-", 0) == 0)
      abort();
  }
  return 0;
}

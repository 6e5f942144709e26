#include "exposure/packet.h"

namespace hostward::exposure {

bool HostView::is_local(const IpAddress& a) const {
  for (const auto& i : interfaces)
    for (const auto& addr : i.addresses)
      if (addr == a) return true;
  return false;
}

std::string HostView::route_interface(const IpAddress& a) const {
  for (const auto& i : interfaces) {
    if (i.loopback) continue;
    for (const auto& n : i.networks)
      if (n.contains(a)) return i.name;
  }
  return "";
}

const IpAddress* HostView::address_of(const std::string& name, int family) const {
  for (const auto& i : interfaces) {
    if (i.name != name) continue;
    for (const auto& a : i.addresses) {
      // Link-local addresses are not reachable from beyond the link.
      if (a.family == family && !(a.family == 6 && is_link_local(a))) return &a;
    }
  }
  return nullptr;
}

}  // namespace hostward::exposure

#pragma once
#include "core/ip_address.h"

namespace hostward::exposure {
using hostward::IpAddress;
using hostward::IpPrefix;
using hostward::is_link_local;
using hostward::is_loopback;
using hostward::is_unspecified;
using hostward::last_address;
using hostward::parse_ip;
using hostward::parse_prefix;
}  // namespace hostward::exposure

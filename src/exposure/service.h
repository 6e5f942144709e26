#pragma once
#include "core/service_class.h"

namespace hostward::exposure {
using hostward::class_name;
using hostward::classify_service;
using hostward::Service;
using hostward::ServiceClass;
}  // namespace hostward::exposure

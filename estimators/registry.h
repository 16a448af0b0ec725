// The explicit table of built-in estimators. Add an estimator by adding one line to the
// table in registry.cc.
#pragma once

#include <span>
#include <string_view>

#include "core/estimator.h"

namespace keycomp {

/// Every built-in estimator, in the order `keycomp estimators` lists them.
std::span<const Estimator> BuiltinEstimators();

/// The estimator with that contract name, or nullptr.
const Estimator* FindEstimator(std::string_view name);

}  // namespace keycomp

// The explicit table of built-in estimators. Add an estimator by adding one line to the
// table in registry.cc.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/estimator.h"

namespace keycomp {

/// Every built-in estimator, in the order `keycomp estimators` lists them.
std::span<const Estimator> BuiltinEstimators();

/// The estimator with that contract name (built-in or registered), or nullptr.
const Estimator* FindEstimator(std::string_view name);

/// What describes an estimator defined at run time; the registry keeps its own copies.
struct DynamicEstimatorInfo {
  std::string name;  ///< lower-case letters, digits and '_', not a built-in's name
  std::string description;
  std::string reference;
  std::size_t min_labs = 2;
  bool between_lab_term = false;
  std::string default_u = "plugin";
};

/// Registers an estimator defined at run time (a Python plugin) and returns it. Registering a
/// name again replaces it for later lookups; the earlier definition stays valid (never freed)
/// for an analysis still holding it. Throws InputError for a bad or built-in name. Not
/// thread-safe against concurrent lookups: the Python module calls it with the GIL held, as
/// it does FindEstimator.
const Estimator& RegisterEstimator(const DynamicEstimatorInfo& info,
                                   DynamicEstimateFunction function);

/// The registered estimators (the latest definition of each name), in registration order.
std::vector<const Estimator*> RegisteredEstimators();

}  // namespace keycomp

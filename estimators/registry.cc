#include "estimators/registry.h"

#include <fmt/format.h>

#include <array>
#include <deque>

#include "core/input_error.h"
#include "estimators/arithmetic_mean.h"
#include "estimators/bma.h"
#include "estimators/hierarchical_gauss.h"
#include "estimators/hierarchical_laplace.h"
#include "estimators/hierarchical_student.h"
#include "estimators/linear_pool.h"
#include "estimators/birge_weighted_mean.h"
#include "estimators/dersimonian_laird.h"
#include "estimators/gls.h"
#include "estimators/median.h"
#include "estimators/ml.h"
#include "estimators/paule_mandel.h"
#include "estimators/reml.h"
#include "estimators/weighted_mean.h"
#include "estimators/algorithm_a.h"
#include "estimators/cox_procedure_b.h"
#include "estimators/largest_consistent_subset.h"
#include "estimators/power_moderated_mean.h"
#include "estimators/weighted_median.h"

namespace keycomp {
namespace {

// One line per estimator: its description and its function.
const Estimator kBuiltinEstimators[] = {
    {kArithmeticMeanInfo, &EstimateArithmeticMean, &ArithmeticMeanPoint},
    {kWeightedMeanInfo, &EstimateWeightedMean, &WeightedMeanPoint},
    {kGlsInfo, &EstimateGls, &GlsPoint},
    {kMedianInfo, &EstimateMedian, &MedianPoint},
    {kLinearPoolInfo, &EstimateLinearPool},
    {kHierarchicalGaussInfo, &EstimateHierarchicalGauss},
    {kHierarchicalLaplaceInfo, &EstimateHierarchicalLaplace},
    {kHierarchicalStudentInfo, &EstimateHierarchicalStudent},
    {kBmaInfo, &EstimateBma},
    {kAlgorithmAInfo, &EstimateAlgorithmA},
    {kWeightedMedianInfo, &EstimateWeightedMedian},
    {kCoxProcedureBInfo, &EstimateCoxProcedureB},
    {kLargestConsistentSubsetInfo, &EstimateLargestConsistentSubset},
    {kPowerModeratedMeanInfo, &EstimatePowerModeratedMean},
    {kBirgeWeightedMeanInfo, &EstimateBirgeWeightedMean},
    {kDerSimonianLairdInfo, &EstimateDerSimonianLaird, &DerSimonianLairdPoint},
    {kPauleMandelInfo, &EstimatePauleMandel},
    {kRestrictedMaximumLikelihoodInfo, &EstimateRestrictedMaximumLikelihood},
    {kMaximumLikelihoodInfo, &EstimateMaximumLikelihood},
};

// A registered estimator with the strings its EstimatorInfo points into.
struct Registered {
  DynamicEstimatorInfo text;
  Estimator estimator;
};

// Never destroyed: a definition may hold a Python callable, which must not be released after
// the interpreter has finalised, and a replaced definition may still be running.
std::deque<Registered>& Registry() {
  static auto* registry = new std::deque<Registered>;
  return *registry;
}

const Estimator* FindRegistered(std::string_view name) {
  const auto& registry = Registry();
  for (auto it = registry.rbegin(); it != registry.rend(); ++it) {
    if (name == it->estimator.info.name) return &it->estimator;
  }
  return nullptr;
}

const Estimator* FindBuiltin(std::string_view name) {
  for (const Estimator& e : kBuiltinEstimators) {
    if (name == e.info.name) return &e;
  }
  return nullptr;
}

void CheckName(const std::string& name) {
  const bool valid = !name.empty() && name.size() <= 64 &&
                     name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") ==
                         std::string::npos;
  if (!valid) {
    throw InputError("", 0, "name",
                     fmt::format("estimator name '{}' must be 1 to 64 lower-case letters, digits "
                                 "or '_'",
                                 name));
  }
  if (FindBuiltin(name) != nullptr) {
    throw InputError("", 0, "name",
                     fmt::format("'{}' is a built-in estimator; choose another name", name));
  }
}

}  // namespace

std::span<const Estimator> BuiltinEstimators() { return kBuiltinEstimators; }

const Estimator* FindEstimator(std::string_view name) {
  if (const Estimator* e = FindBuiltin(name)) return e;
  return FindRegistered(name);
}

const Estimator& RegisterEstimator(const DynamicEstimatorInfo& info,
                                   DynamicEstimateFunction function) {
  CheckName(info.name);
  if (info.min_labs < 1) throw InputError("", 0, "min_labs", "must be at least 1");
  if (!function) throw InputError("", 0, "function", "no function given");
  Registered& r = Registry().emplace_back();
  r.text = info;
  r.estimator.info = {r.text.name.c_str(),  r.text.description.c_str(),
                      r.text.reference.c_str(), r.text.min_labs,
                      r.text.between_lab_term, r.text.default_u.c_str()};
  r.estimator.estimate = nullptr;
  r.estimator.dynamic = std::move(function);
  return r.estimator;
}

std::vector<const Estimator*> RegisteredEstimators() {
  std::vector<const Estimator*> out;
  for (const Registered& r : Registry()) {
    if (FindRegistered(r.text.name) == &r.estimator) out.push_back(&r.estimator);
  }
  return out;
}

}  // namespace keycomp

#include "estimators/registry.h"

#include <array>

#include "estimators/arithmetic_mean.h"
#include "estimators/median.h"
#include "estimators/weighted_mean.h"

namespace keycomp {
namespace {

// One line per estimator: its description and its function.
const Estimator kBuiltinEstimators[] = {
    {kArithmeticMeanInfo, &EstimateArithmeticMean},
    {kWeightedMeanInfo, &EstimateWeightedMean},
    {kMedianInfo, &EstimateMedian},
};

}  // namespace

std::span<const Estimator> BuiltinEstimators() { return kBuiltinEstimators; }

const Estimator* FindEstimator(std::string_view name) {
  for (const Estimator& e : kBuiltinEstimators) {
    if (name == e.info.name) return &e;
  }
  return nullptr;
}

}  // namespace keycomp

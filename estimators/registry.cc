#include "estimators/registry.h"

#include <array>

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

}  // namespace

std::span<const Estimator> BuiltinEstimators() { return kBuiltinEstimators; }

const Estimator* FindEstimator(std::string_view name) {
  for (const Estimator& e : kBuiltinEstimators) {
    if (name == e.info.name) return &e;
  }
  return nullptr;
}

}  // namespace keycomp

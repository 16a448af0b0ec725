#include "estimators/hierarchical_gauss.h"

#include "estimators/hierarchical_model.h"

namespace keycomp {

EstimatorResult EstimateHierarchicalGauss(const LabSample& sample, const EstimatorOptions& options) {
  return hierarchical::Estimate(kHierarchicalGaussInfo.name, hierarchical::Effects::kGauss, sample,
                                options);
}

}  // namespace keycomp

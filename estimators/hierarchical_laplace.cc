#include "estimators/hierarchical_laplace.h"

#include "estimators/hierarchical_model.h"

namespace keycomp {

EstimatorResult EstimateHierarchicalLaplace(const LabSample& sample, const EstimatorOptions& options) {
  return hierarchical::Estimate(kHierarchicalLaplaceInfo.name, hierarchical::Effects::kLaplace, sample,
                                options);
}

}  // namespace keycomp

#include "estimators/reml.h"

#include "estimators/random_effects_common.h"

namespace keycomp {

EstimatorResult EstimateRestrictedMaximumLikelihood(const LabSample& sample,
                                                    const EstimatorOptions& options) {
  return random_effects::EstimateByLikelihood(kRestrictedMaximumLikelihoodInfo.name, sample,
                                              options, /*restricted=*/true);
}

}  // namespace keycomp

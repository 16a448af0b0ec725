#include "estimators/ml.h"

#include "estimators/random_effects_common.h"

namespace keycomp {

EstimatorResult EstimateMaximumLikelihood(const LabSample& sample,
                                          const EstimatorOptions& options) {
  return random_effects::EstimateByLikelihood(kMaximumLikelihoodInfo.name, sample, options,
                                              /*restricted=*/false);
}

}  // namespace keycomp

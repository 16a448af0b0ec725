#include "estimators/ml.h"

#include <fmt/format.h>

#include "estimators/random_effects_common.h"

namespace keycomp {

EstimatorResult EstimateMaximumLikelihood(const LabSample& sample,
                                          const EstimatorOptions& options) {
  using namespace random_effects;
  const UncertaintyMethod method = ReadUncertaintyMethod(kMaximumLikelihoodInfo.name, options);
  const LikelihoodMaximum max = MaximiseLikelihood(sample, /*restricted=*/false);
  if (!max.converged) {
    EstimatorResult failed;
    failed.status = Status::kNotConverged;
    failed.message = fmt::format("{}: the root search for the score equation in tau^2 did not "
                                 "converge",
                                 kMaximumLikelihoodInfo.name);
    return failed;
  }
  EstimatorResult r = CompleteRandomEffectsResult(sample, options, method, max.tau2);
  r.iterations = max.iterations;
  if (max.at_boundary) r.message = "tau^2 = 0: the likelihood decreases from the boundary";
  return r;
}

}  // namespace keycomp

#include "estimators/ml.h"

#include "estimators/random_effects_common.h"

namespace keycomp {

EstimatorResult EstimateMaximumLikelihood(const LabSample& sample,
                                          const EstimatorOptions& options) {
  using namespace random_effects;
  const UncertaintyMethod method = ReadUncertaintyMethod(kMaximumLikelihoodInfo.name, options);
  if (auto failed = RejectOverflowingWeights(sample)) return *failed;
  const LikelihoodMaximum max = MaximiseLikelihood(sample, /*restricted=*/false);
  if (!max.converged) {
    EstimatorResult failed;
    failed.status = Status::kNotConverged;
    failed.message = "the root search for the score equation in tau^2 did not converge";
    return failed;
  }
  EstimatorResult r =
      CompleteRandomEffectsResult(kMaximumLikelihoodInfo.name, sample, options, method, max.tau2);
  r.iterations = max.iterations;
  if (max.at_boundary) r.message = "tau^2 = 0: the likelihood decreases from the boundary";
  return r;
}

}  // namespace keycomp

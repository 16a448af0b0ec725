#include "estimators/dersimonian_laird.h"

#include <cmath>
#include <vector>

#include "core/numeric.h"
#include "estimators/random_effects_common.h"

namespace keycomp {

EstimatorResult EstimateDerSimonianLaird(const LabSample& sample,
                                         const EstimatorOptions& options) {
  using namespace random_effects;
  const UncertaintyMethod method = ReadUncertaintyMethod(kDerSimonianLairdInfo.name, options);
  const std::size_t n = sample.size();
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = 1 / (sample.u[i] * sample.u[i]);
  const WeightedMean wm = ComputeWeightedMean(sample.x, w);
  const double q = WeightedSquares(sample.x, w, wm.mean);
  // W - sum w_i^2 / W, formed without cancellation (one lab may carry most of the weight).
  const double c = WeightSpread(w);
  // NaN (overflowing weights) is passed on, not clipped to 0: the completion reports it.
  const double moment = (q - static_cast<double>(n - 1)) / c;
  const double tau2 = moment > 0 || std::isnan(moment) ? moment : 0.0;
  return CompleteRandomEffectsResult(sample, options, method, tau2);
}

}  // namespace keycomp

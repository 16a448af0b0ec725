#include "estimators/dersimonian_laird.h"

#include <cmath>
#include <vector>

#include "core/numeric.h"
#include "estimators/random_effects_common.h"

namespace keycomp {

EstimatorResult EstimateDerSimonianLaird(const LabSample& sample, const EstimatorOptions& options) {
  using namespace random_effects;
  const UncertaintyMethod method = ReadUncertaintyMethod(kDerSimonianLairdInfo.name, options);
  if (auto refused = RejectCorrelations(kDerSimonianLairdInfo.name, sample)) return *refused;
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
  return CompleteRandomEffectsResult(kDerSimonianLairdInfo.name, sample, options, method, tau2);
}

double DerSimonianLairdPoint(const LabSample& sample, const EstimatorOptions& /*options*/,
                             std::vector<double>& workspace) {
  const std::size_t n = sample.size();
  workspace.resize(2 * n);
  double* w = workspace.data();
  double* others = workspace.data() + n;  // sum of the other labs' weights
  double total = 0, swx = 0;
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = 1 / (sample.u[i] * sample.u[i]);
    others[i] = total;  // prefix sum; the suffix is added below
    total += w[i];
    swx += w[i] * sample.x[i];
  }
  double mean = swx / total;
  double residual = 0;
  for (std::size_t i = 0; i < n; ++i) residual += w[i] * (sample.x[i] - mean);
  mean += residual / total;
  double q = 0, suffix = 0, spread = 0;
  for (std::size_t k = n; k-- > 0;) {
    const double d = sample.x[k] - mean;
    q += w[k] * d * d;
    others[k] += suffix;
    suffix += w[k];
    spread += w[k] * others[k];
  }
  // Same moment estimator as EstimateDerSimonianLaird: (Q - (n-1)) / (W - sum w_i^2 / W).
  const double moment = (q - static_cast<double>(n - 1)) / (spread / total);
  const double tau2 = moment > 0 || std::isnan(moment) ? moment : 0.0;
  double sws = 0, swsx = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double ws = 1 / (sample.u[i] * sample.u[i] + tau2);
    sws += ws;
    swsx += ws * sample.x[i];
  }
  double mu = swsx / sws;
  double correction = 0;
  for (std::size_t i = 0; i < n; ++i) {
    correction += (sample.x[i] - mu) / (sample.u[i] * sample.u[i] + tau2);
  }
  return mu + correction / sws;
}

}  // namespace keycomp

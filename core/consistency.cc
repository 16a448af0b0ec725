#include "core/consistency.h"

#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <vector>

#include "core/generalised_least_squares.h"
#include "core/numeric.h"

namespace keycomp {

Consistency CheckConsistency(const Comparison& comparison) {
  Consistency c;
  const auto& included = comparison.included_indices();
  const std::size_t n = included.size();
  if (n == 0) return c;
  std::vector<double> x(n), w(n);
  for (std::size_t k = 0; k < n; ++k) x[k] = comparison.results()[included[k]].value;
  const double centre = Median(x);
  std::vector<double> u(n);
  for (std::size_t k = 0; k < n; ++k) u[k] = comparison.results()[included[k]].u;
  const double scale = Median(u);
  for (std::size_t k = 0; k < n; ++k) {
    x[k] = (x[k] - centre) / scale;
    const double us = u[k] / scale;
    w[k] = 1 / (us * us);
  }
  c.dof = static_cast<int>(n) - 1;
  Eigen::MatrixXd correlation;
  if (comparison.has_correlations()) correlation = comparison.CorrelationOf(included);
  if (correlation.size() > 0 && !correlation.isIdentity(0.0)) {
    // Correlated results: chi2 = (x - x_gls 1)' V^-1 (x - x_gls 1) about the GLS mean.
    c.covariance = "full";
    std::vector<double> us(n), dof(n);
    for (std::size_t k = 0; k < n; ++k) us[k] = u[k] / scale;
    LabSample sample{x, us, dof, centre, scale};
    sample.correlation = &correlation;
    const std::optional<GlsSolution> gls = SolveGls(sample);
    if (!gls) {
      c.note = "the covariance matrix of the included results is singular: no chi-squared check";
      return c;
    }
    c.weighted_mean = centre + scale * gls->value;
    if (c.dof == 0) return c;
    c.chi2 = gls->chi2;
  } else {
    const WeightedMean wm = ComputeWeightedMean(x, w);
    c.weighted_mean = centre + scale * wm.mean;
    if (c.dof == 0) return c;
    c.chi2 = WeightedSquares(x, w, wm.mean);
  }
  c.p_value = boost::math::gamma_q(0.5 * c.dof, 0.5 * c.chi2);
  c.birge_ratio = std::sqrt(c.chi2 / c.dof);
  c.i2 = c.chi2 > 0 ? std::max(0.0, (c.chi2 - c.dof) / c.chi2) : 0.0;
  return c;
}

}  // namespace keycomp

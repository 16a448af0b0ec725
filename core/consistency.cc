#include "core/consistency.h"

#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "core/generalised_least_squares.h"
#include "core/numeric.h"

namespace keycomp {
namespace {

// p-value, Birge ratio and I^2 from chi2 and dof.
void FinishStatistics(Consistency& c) {
  c.p_value = boost::math::gamma_q(0.5 * c.dof, 0.5 * c.chi2);
  c.birge_ratio = std::sqrt(c.chi2 / c.dof);
  c.i2 = c.chi2 > 0 ? std::max(0.0, (c.chi2 - c.dof) / c.chi2) : 0.0;
}

}  // namespace

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
  FinishStatistics(c);
  return c;
}

Consistency CheckConsistencyAbout(const Comparison& comparison, double reference) {
  Consistency c;
  c.over = "all";
  c.reference = reference;
  const std::size_t n = comparison.size();
  if (n == 0 || !std::isfinite(reference)) return c;
  c.dof = static_cast<int>(n) - 1;
  // Residuals about the reference, scaled by the median u so that the sums are of order n
  // whatever the unit (values such as 1.000000012 kg).
  std::vector<double> u(n), r(n), w(n);
  for (std::size_t i = 0; i < n; ++i) u[i] = comparison.results()[i].u;
  const double scale = Median(u);
  for (std::size_t i = 0; i < n; ++i) {
    r[i] = (comparison.results()[i].value - reference) / scale;
    const double us = u[i] / scale;
    w[i] = 1 / (us * us);
  }
  if (comparison.has_correlations()) {
    c.covariance = "full";
    std::vector<std::size_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = i;
    const Eigen::MatrixXd correlation = comparison.CorrelationOf(all);
    Eigen::MatrixXd v(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        const auto ii = static_cast<Eigen::Index>(i);
        const auto jj = static_cast<Eigen::Index>(j);
        v(ii, jj) = correlation(ii, jj) * (u[i] / scale) * (u[j] / scale);
      }
    }
    const std::optional<double> q =
        InverseQuadraticForm(v, Eigen::Map<const Eigen::VectorXd>(r.data(), v.rows()));
    if (!q) {
      c.note = "the covariance matrix of the results is singular: no chi-squared check";
      return c;
    }
    if (c.dof == 0) return c;
    c.chi2 = *q;
  } else {
    if (c.dof == 0) return c;
    c.chi2 = WeightedSquares(r, w, 0.0);
  }
  FinishStatistics(c);
  return c;
}

}  // namespace keycomp

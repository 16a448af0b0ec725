#include "core/run_estimator.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/input_error.h"
#include "core/numeric.h"

namespace keycomp {

std::string EstimatorOptions::Validate() const {
  if (!(coverage > 0 && coverage < 1)) {
    return fmt::format("coverage must lie in (0, 1), got {}", coverage);
  }
  if (internal_trials < 100) return "internal Monte Carlo trials must be at least 100";
  return {};
}

namespace {

constexpr const char* kNearLimits =
    "the spread of the values about their uncertainties is beyond the range of double precision";

EstimatorResult NumericalFailure(const std::exception& e) {
  EstimatorResult failed;
  failed.status = Status::kFailed;
  failed.message = fmt::format("numerical failure ({}): {}", kNearLimits, e.what());
  return failed;
}

// The estimator's result; a numerical library's exception (a root search given NaN brackets,
// an overflow) becomes a failed status with its reason instead of an internal error.
EstimatorResult EstimateGuarded(const Estimator& estimator, const LabSample& sample,
                                const EstimatorOptions& options) {
  try {
    return estimator.Estimate(sample, options);
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error& e) {
    return NumericalFailure(e);
  } catch (const std::domain_error& e) {  // Boost.Math's domain errors (NaN arguments)
    return NumericalFailure(e);
  }
}

// A result reported as ok whose value, u or interval is not a finite number (overflow inside
// sums of squares) is a failure, never a silent null or NaN.
void RefuseNonFinite(EstimatorResult& result) {
  if (result.status != Status::kOk) return;
  const bool finite = std::isfinite(result.value) && std::isfinite(result.u) &&
                      std::isfinite(result.interval_low) && std::isfinite(result.interval_high);
  if (finite) return;
  result.status = Status::kFailed;
  result.message = fmt::format(
      "numerical overflow: the reference value or its uncertainty is not "
      "a finite number ({})",
      kNearLimits);
  result.u = result.interval_low = result.interval_high = std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

double NormalCoverageFactor(double coverage) {
  const boost::math::normal standard;
  return boost::math::quantile(standard, 0.5 * (1 + coverage));
}

EstimatorResult RunEstimator(const Estimator& estimator, const Comparison& comparison,
                             const EstimatorOptions& options) {
  if (std::string why = options.Validate(); !why.empty()) {
    throw InputError("", 0, "options", why);
  }
  const auto& included = comparison.included_indices();
  const std::size_t n = included.size();
  if (n < estimator.info.min_labs) {
    throw InputError(comparison.source(), 0, "include",
                     fmt::format("estimator '{}' needs at least {} included labs; the comparison "
                                 "has {}",
                                 estimator.info.name, estimator.info.min_labs, n));
  }

  std::vector<double> x(n), u(n), dof(n);
  std::vector<std::string> labs(n);
  for (std::size_t k = 0; k < n; ++k) {
    const LabResult& r = comparison.results()[included[k]];
    x[k] = r.value;
    u[k] = r.u;
    dof[k] = r.dof;
    labs[k] = r.lab;
  }
  const double centre = Median(x);
  const double scale = Median(u);
  for (std::size_t k = 0; k < n; ++k) {
    x[k] = (x[k] - centre) / scale;
    u[k] /= scale;
  }

  LabSample sample{x, u, dof, centre, scale};
  sample.labs = labs;
  Eigen::MatrixXd correlation;
  if (comparison.has_correlations()) {
    correlation = comparison.CorrelationOf(included);
    if (!correlation.isIdentity(0.0)) sample.correlation = &correlation;
  }
  EstimatorResult result = EstimateGuarded(estimator, sample, options);
  if (result.status == Status::kNotRun) {
    result.status = Status::kFailed;
    if (result.message.empty()) result.message = "estimator returned no result";
  }

  auto location = [&](double v) { return centre + scale * v; };
  result.value = location(result.value);
  result.u *= scale;
  if (result.u_internal) *result.u_internal *= scale;
  if (result.u_external) *result.u_external *= scale;
  if (result.tau) *result.tau *= scale;
  if (result.tau_interval) {
    result.tau_interval->first *= scale;
    result.tau_interval->second *= scale;
  }
  for (double& v : result.kcrv_draws) v = location(v);
  for (double& v : result.tau_draws) v *= scale;
  for (ExtraValue& e : result.extra) {
    switch (e.kind) {
      case ExtraValue::Kind::kLocation:
        e.value = location(e.value);
        break;
      case ExtraValue::Kind::kScale:
        e.value *= scale;
        break;
      case ExtraValue::Kind::kScaleSquared:
        e.value *= scale * scale;
        break;
      case ExtraValue::Kind::kDimensionless:
        break;
    }
  }
  if (std::isnan(result.interval_low) || std::isnan(result.interval_high)) {
    const double z = NormalCoverageFactor(options.coverage);
    result.interval_low = result.value - z * result.u;
    result.interval_high = result.value + z * result.u;
    if (result.interval_method.empty()) result.interval_method = "normal";
  } else {
    result.interval_low = location(result.interval_low);
    result.interval_high = location(result.interval_high);
  }

  if (result.weights.size() > 0) {
    if (static_cast<std::size_t>(result.weights.size()) != n) {
      throw std::logic_error(fmt::format("estimator '{}' returned {} weights for {} labs",
                                         estimator.info.name, result.weights.size(), n));
    }
    Eigen::VectorXd full = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(comparison.size()));
    for (std::size_t k = 0; k < n; ++k) {
      full(static_cast<Eigen::Index>(included[k])) = result.weights(static_cast<Eigen::Index>(k));
    }
    result.weights = std::move(full);
  }
  for (std::size_t& d : result.dropped) d = included.at(d);
  RefuseNonFinite(result);
  return result;
}

}  // namespace keycomp

#include "core/doe.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/input_error.h"
#include "core/run_estimator.h"

namespace keycomp {

double DoeCoverageFactor(double coverage) {
  if (std::abs(coverage - 0.95) < 1e-12) return 2.0;
  return NormalCoverageFactor(coverage);
}

DoeResult ComputeAnalyticDoe(const Comparison& comparison, const EstimatorInfo& info,
                             const EstimatorResult& result, const DoeOptions& options) {
  if (options.convention != DoeConvention::kMra) {
    throw std::invalid_argument("ComputeAnalyticDoe handles the MRA convention only");
  }
  DoeResult out;
  out.convention = options.convention;
  out.dark = options.dark.value_or(info.between_lab_term ? DarkUncertainty::kRecognised
                                                         : DarkUncertainty::kIgnored);
  const double tau = result.tau.value_or(0.0);
  const double tau2 = out.dark == DarkUncertainty::kRecognised ? tau * tau : 0.0;
  out.coverage_factor = DoeCoverageFactor(options.coverage);
  const bool linear = result.weights.size() > 0;
  out.covariance = linear ? "linear" : "neglected";

  const auto n = static_cast<Eigen::Index>(comparison.size());
  // Covariance of the results as the KCRV model sees them: tau^2 joins the included labs.
  Eigen::MatrixXd v = comparison.Covariance();
  for (std::size_t i : comparison.included_indices()) {
    v(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i)) += tau2;
  }
  // Labs the estimator dropped count as excluded.
  std::vector<bool> in_ref(comparison.size(), false);
  for (std::size_t i : comparison.included_indices()) in_ref[i] = true;
  for (std::size_t i : result.dropped) in_ref[i] = false;

  const double u_ref2 = result.u * result.u;
  Eigen::VectorXd cov_with_ref = Eigen::VectorXd::Zero(n);
  if (linear) cov_with_ref = v * result.weights;

  for (Eigen::Index i = 0; i < n; ++i) {
    const LabResult& r = comparison.results()[static_cast<std::size_t>(i)];
    LabDoe doe;
    doe.lab = r.lab;
    doe.included = in_ref[static_cast<std::size_t>(i)];
    doe.d = r.value - result.value;
    // An excluded lab's own variance carries tau^2 too when it is recognised: its result is
    // compared with the consensus of a population it is assumed to belong to.
    const double var_i = r.u * r.u + tau2;
    double var = var_i + u_ref2 - 2 * cov_with_ref(i);
    // Round-off when a single lab dominates the KCRV leaves a tiny negative variance; anything
    // larger means the KCRV's u is smaller than its weights' own variance allows: an error for a
    // given KCRV, a warning (never a silent U = 0) for an estimator's scaled u.
    if (var < -1e-9 * (var_i + u_ref2)) {
      const std::string why = fmt::format(
          "u^2(d) of lab '{}' is negative ({:.6g}): u(KCRV)^2 = {:.6g} is smaller than twice "
          "the KCRV's covariance with the lab ({:.6g}) minus its variance ({:.6g})",
          r.lab, var, u_ref2, 2 * cov_with_ref(i), var_i);
      if (options.negative_variance_is_error) {
        throw ComputationError(why + "; the KCRV's uncertainty does not fit its weights");
      }
      out.warnings.push_back(why +
                             "; u(d) is set to 0: the estimator's u is smaller than the "
                             "variance of its weighted mean (use its internal u)");
    }
    if (var < 0) var = 0;
    doe.u = std::sqrt(var);
    doe.expanded = out.coverage_factor * doe.u;
    doe.low = doe.d - doe.expanded;
    doe.high = doe.d + doe.expanded;
    doe.en = doe.expanded > 0 ? doe.d / doe.expanded : std::numeric_limits<double>::quiet_NaN();
    out.labs.push_back(std::move(doe));
  }
  out.pairwise = ComputeAnalyticPairwise(comparison, tau2, out.coverage_factor);
  return out;
}

void NeglectCovarianceWithKcrv(const Comparison& comparison, double tau, double u_ref,
                               double coverage, DoeResult& doe) {
  const double tau2 = doe.dark == DarkUncertainty::kRecognised ? tau * tau : 0.0;
  doe.coverage_factor = DoeCoverageFactor(coverage);
  doe.covariance = "neglected";
  for (std::size_t i = 0; i < doe.labs.size(); ++i) {
    LabDoe& d = doe.labs[i];
    const double u_i = comparison.results()[i].u;
    d.u = std::sqrt(u_i * u_i + tau2 + u_ref * u_ref);
    d.expanded = doe.coverage_factor * d.u;
    d.low = d.d - d.expanded;
    d.high = d.d + d.expanded;
    d.en = d.expanded > 0 ? d.d / d.expanded : std::numeric_limits<double>::quiet_NaN();
    d.symmetric_low = d.symmetric_high = std::numeric_limits<double>::quiet_NaN();
  }
}

std::vector<PairwiseDoe> ComputeAnalyticPairwise(const Comparison& comparison, double tau2,
                                                 double coverage_factor) {
  const Eigen::MatrixXd v = comparison.Covariance();
  std::vector<PairwiseDoe> pairs;
  const std::size_t n = comparison.size();
  pairs.reserve(n * (n - 1) / 2);
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b) {
      const auto ia = static_cast<Eigen::Index>(a);
      const auto ib = static_cast<Eigen::Index>(b);
      PairwiseDoe p;
      p.a = a;
      p.b = b;
      p.d = comparison.results()[a].value - comparison.results()[b].value;
      const double var = v(ia, ia) + v(ib, ib) - 2 * v(ia, ib) + 2 * tau2;
      p.u = std::sqrt(std::max(var, 0.0));
      p.expanded = coverage_factor * p.u;
      pairs.push_back(p);
    }
  }
  return pairs;
}

DoeResult ComputeLeaveOneOutDoe(const Comparison& comparison, const Estimator& estimator,
                                const EstimatorOptions& estimator_options,
                                const EstimatorResult& result, const DoeOptions& options) {
  DoeResult out;
  out.convention = DoeConvention::kLeaveOneOut;
  out.dark = options.dark.value_or(estimator.info.between_lab_term ? DarkUncertainty::kRecognised
                                                                   : DarkUncertainty::kIgnored);
  out.coverage_factor = DoeCoverageFactor(options.coverage);
  // Lab i is not in x_ref(-i); with correlated results it still covaries with it through the
  // other labs: cov(x_i, x_ref(-i)) = sum_j a_j(-i) V_ij for a linear estimator.
  const Eigen::MatrixXd v = comparison.Covariance();
  out.covariance = comparison.has_correlations() ? "linear" : "independent";
  if (comparison.n_included() < estimator.info.min_labs + 1) {
    throw InputError(
        comparison.source(), 0, "--doe",
        fmt::format("leave-one-out DoE with '{}' needs at least {} included labs; "
                    "the comparison has {}",
                    estimator.info.name, estimator.info.min_labs + 1, comparison.n_included()));
  }
  const bool recognised = out.dark == DarkUncertainty::kRecognised;
  for (std::size_t i = 0; i < comparison.size(); ++i) {
    const LabResult& r = comparison.results()[i];
    const bool in_ref = r.included && std::find(result.dropped.begin(), result.dropped.end(), i) ==
                                          result.dropped.end();
    EstimatorResult without = result;
    if (r.included) {
      without = RunEstimator(estimator, comparison.WithExcluded({r.lab}), estimator_options);
      if (without.status != Status::kOk) {
        throw ComputationError(fmt::format("leave-one-out without '{}': {}: {}", r.lab,
                                           ToString(without.status), without.message));
      }
    }
    const double tau = without.tau.value_or(0.0);
    LabDoe doe;
    doe.lab = r.lab;
    doe.included = in_ref;
    doe.d = r.value - without.value;
    double cov = 0;
    if (comparison.has_correlations()) {
      if (without.weights.size() == 0) {
        throw ComputationError(fmt::format(
            "leave-one-out DoE with correlated results needs an estimator that is linear in the "
            "results; '{}' is not (use the Monte Carlo DoE)",
            estimator.info.name));
      }
      cov = v.row(static_cast<Eigen::Index>(i)).dot(without.weights);
    }
    doe.u = std::sqrt(std::max(
        0.0, r.u * r.u + (recognised ? tau * tau : 0.0) + without.u * without.u - 2 * cov));
    doe.expanded = out.coverage_factor * doe.u;
    doe.low = doe.d - doe.expanded;
    doe.high = doe.d + doe.expanded;
    doe.en = doe.d / doe.expanded;
    doe.kcrv_without = without.value;
    doe.u_kcrv_without = without.u;
    out.labs.push_back(doe);
  }
  const double tau = result.tau.value_or(0.0);
  out.pairwise =
      ComputeAnalyticPairwise(comparison, recognised ? tau * tau : 0.0, out.coverage_factor);
  return out;
}

}  // namespace keycomp

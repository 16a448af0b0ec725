// Unilateral degrees of equivalence d_i = x_i - x_ref with their uncertainties (CIPM MRA).
//
// For a KCRV that is (given tau) linear in the results, x_ref = sum a_j x_j, the covariance of
// lab i with the KCRV is cov(x_i, x_ref) = sum_j a_j V_ij, where V is the covariance of the
// results (with tau^2 added on the diagonal of the included labs when dark uncertainty is
// recognised), and
//     u^2(d_i) = V_ii + u^2(x_ref) - 2 cov(x_i, x_ref).
// For the weighted mean this gives u_i^2 - u_ref^2 for an included lab and u_i^2 + u_ref^2
// for an excluded one; for the random-effects means u_i^2 + tau^2 -/+ u_ref^2.
// For a non-linear estimator (median...) the covariance is not available analytically: the
// DoE uses u_i^2 (+ tau^2) + u_ref^2 and says so; the Monte Carlo DoE carries it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/comparison.h"
#include "core/estimator.h"
#include "core/types.h"

namespace keycomp {

struct DoeOptions {
  DoeConvention convention = DoeConvention::kMra;
  /// Default: recognised when the estimator has a between-lab term.
  std::optional<DarkUncertainty> dark;
  double coverage = 0.95;  ///< U = k u with k = 2 at 0.95 (MRA), else the normal quantile
};

struct LabDoe {
  std::string lab;
  bool included = true;  ///< took part in the reference value
  double d = 0;          ///< x_i - x_ref
  double u = 0;          ///< standard uncertainty of d
  double expanded = 0;   ///< U(d)
  double low = 0;        ///< coverage interval for d
  double high = 0;
  double en = 0;         ///< E_n = d / U
};

struct DoeResult {
  DoeConvention convention = DoeConvention::kMra;
  DarkUncertainty dark = DarkUncertainty::kIgnored;
  double coverage_factor = 2;
  /// How cov(x_i, x_ref) was treated: "linear" (from the estimator's weights) or
  /// "neglected" (non-linear estimator).
  std::string covariance;
  std::vector<LabDoe> labs;
};

/// Analytic unilateral DoE for every lab of the comparison, included or not.
DoeResult ComputeAnalyticDoe(const Comparison& comparison, const EstimatorInfo& info,
                             const EstimatorResult& result, const DoeOptions& options);

/// The coverage factor of the analytic DoE: 2 at coverage 0.95 (MRA convention), the normal
/// quantile otherwise.
double DoeCoverageFactor(double coverage);

}  // namespace keycomp

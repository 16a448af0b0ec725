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

#include <limits>
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
  /// kIndependent: u^2(d_i) = V_ii + u^2(x_ref) for every lab, no covariance term.
  DoeUncertainty uncertainty = DoeUncertainty::kExact;
  /// A negative u^2(d_i) beyond round-off is an error (a given KCRV whose u does not fit its
  /// covariance with the labs); otherwise it is set to 0 with a warning in DoeResult::warnings
  /// (an estimator's scaled u smaller than its weights' own, say a Birge ratio below one).
  bool negative_variance_is_error = false;
};

struct LabDoe {
  std::string lab;
  bool included = true;  ///< took part in the reference value
  double d = 0;          ///< x_i - x_ref
  double u = 0;          ///< standard uncertainty of d
  double expanded = 0;   ///< U(d)
  double low = 0;        ///< coverage interval for d
  double high = 0;
  double en = 0;  ///< E_n = d / U
  /// Monte Carlo only: the probabilistically symmetric percentile interval of d.
  double symmetric_low = std::numeric_limits<double>::quiet_NaN();
  double symmetric_high = std::numeric_limits<double>::quiet_NaN();
  /// Leave-one-out only: the KCRV computed without this lab, and its u.
  double kcrv_without = std::numeric_limits<double>::quiet_NaN();
  double u_kcrv_without = std::numeric_limits<double>::quiet_NaN();
};

/// Pairwise degree of equivalence d_ab = x_a - x_b (a < b; d_ba = -d_ab, same u and U).
struct PairwiseDoe {
  std::size_t a = 0;  ///< lab indices into the comparison
  std::size_t b = 0;
  double d = 0;
  double u = 0;
  double expanded = 0;
};

struct DoeResult {
  DoeConvention convention = DoeConvention::kMra;
  DarkUncertainty dark = DarkUncertainty::kIgnored;
  double coverage_factor = 2;
  /// How cov(x_i, x_ref) was treated: "linear" (from the estimator's weights) or
  /// "neglected" (non-linear estimator).
  std::string covariance;
  std::vector<LabDoe> labs;
  /// Every pair a < b of labs, in the order (0,1), (0,2), ..., (1,2), ...
  std::vector<PairwiseDoe> pairwise;
  /// What the numbers cannot say by themselves (a u(d) set to 0, say).
  std::vector<std::string> warnings;
};

/// Analytic unilateral DoE for every lab of the comparison, included or not.
DoeResult ComputeAnalyticDoe(const Comparison& comparison, const EstimatorInfo& info,
                             const EstimatorResult& result, const DoeOptions& options);

/// Leave-one-out unilateral DoE: d_i = x_i - x_ref(-i), with x_ref(-i) the estimator rerun
/// without lab i (an excluded lab keeps the full KCRV), u^2 = u_i^2 (+ tau(-i)^2) +
/// u^2(x_ref(-i)). Pairwise DoE as in the analytic case. Throws InputError when removing a lab
/// leaves fewer labs than the estimator needs.
DoeResult ComputeLeaveOneOutDoe(const Comparison& comparison, const Estimator& estimator,
                                const EstimatorOptions& estimator_options,
                                const EstimatorResult& result, const DoeOptions& options);

/// Replaces u, U, the interval and E_n of every lab by u^2(d_i) = V_ii + u_ref^2 (V_ii with
/// tau^2 when dark uncertainty is recognised), U = k u, the covariance with the KCRV neglected
/// (`--doe-uncertainty independent`). Pairwise DoE are unchanged.
void NeglectCovarianceWithKcrv(const Comparison& comparison, double tau, double u_ref,
                               double coverage, DoeResult& doe);

/// Analytic pairwise DoE of every pair: u^2 = V_aa + V_bb - 2 V_ab (+ 2 tau^2 when dark
/// uncertainty is recognised), U = k u.
std::vector<PairwiseDoe> ComputeAnalyticPairwise(const Comparison& comparison, double tau2,
                                                 double coverage_factor);

/// The coverage factor of the analytic DoE: 2 at coverage 0.95 (MRA convention), the normal
/// quantile otherwise.
double DoeCoverageFactor(double coverage);

}  // namespace keycomp

// What the stated correlations between results do to the reference value and the degrees of
// equivalence: the same analysis run on the comparison and on a copy whose correlations are
// dropped (every result then independent, same values and uncertainties, same estimator).
//
// Typical case: in CCM.M-K8-style comparisons every result is a mass difference against the
// pilot's working standards, so the pilot's link uncertainty u_link is common to all results,
// r_ij = u_link^2 / (u_i u_j). For the weighted mean (weights 1/u_i^2, a_i = w_i / W) the KCRV
// does not change; u^2(KCRV) = 1/W + u_link^2 (1 - sum a_j^2) instead of 1/W, and
// u^2(d_i) = s_i^2 (1 - 2 a_i) + sum_j a_j^2 s_j^2 (s_i^2 = u_i^2 - u_link^2, no u_link in it)
// instead of u_i^2 - 1/W: ignoring the correlation overstates u^2(d_i) by
// u_link^2 [(1 - a_i)^2 + sum_{j != i} a_j^2]. See docs/doe.md and docs/report.md.
#pragma once

#include "core/analysis.h"
#include "core/comparison.h"

namespace keycomp {

struct CorrelationEffect {
  Analysis with_correlations;     ///< the stated covariance
  Analysis without_correlations;  ///< the same results taken as independent
  AnalysisOptions options;        ///< as used by both (analytic)
};

/// A copy of the comparison without its correlations (values, uncertainties, inclusion and
/// metadata unchanged).
Comparison WithoutCorrelations(const Comparison& comparison);

/// Runs Analyse on the comparison and on WithoutCorrelations(comparison) with the same
/// options, analytically (options.mc.trials is set to 0: the two propagations are compared,
/// not two Monte Carlo samples). Throws InputError as Analyse does.
CorrelationEffect AnalyseCorrelationEffect(const Comparison& comparison, AnalysisOptions options);

}  // namespace keycomp

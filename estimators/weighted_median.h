// The weighted median of the results, with weights w_i = 1/u_i^2, and its uncertainty by a
// parametric bootstrap.
//
// A. Possolo, A. Koepke, D. Newton, M. R. Winchester, "Decision Tree for Key Comparisons",
// J. Res. NIST 126 (2021) 126007, section on the weighted median (the Decision Tree's robust
// choice for results with dissimilar uncertainties); the estimator is the minimiser of
// sum_i w_i |x_i - m| (the L1 analogue of the weighted mean).
//
// Conventions:
// - Plateau rule. Sort the results, x_(1) <= ... <= x_(n), with cumulative weights
//   C_k = w_(1) + ... + w_(k) and W = C_n. The objective is piecewise linear and convex; it is
//   minimised by x_(k*), with k* the smallest k such that 2 C_k >= W. When 2 C_k* = W exactly
//   (within rounding: |2 C_k* - W| <= 8 eps W, with compensated sums, so that equal weights tie
//   exactly), every m in [x_(k*), x_(k*+1)] minimises it, and the estimate is the midpoint of
//   that interval. With equal weights this is the ordinary median (mean of the two middle
//   values for even n).
// - Uncertainty: parametric bootstrap. Each trial draws x*_i = x_i + u_i e_i with e_i standard
//   normal (Student t_{nu_i} with scale u_i when nu_i is finite, JCGM 101:2008 6.4.9) and takes
//   the weighted median of the draws with the same weights; u is the standard deviation of the
//   options.internal_trials values and the coverage interval is their probabilistically
//   symmetric interval at options.coverage (JCGM 101:2008 7.7), i.e. the bootstrap percentile
//   interval. Seeded by options.seed, bit-identical whatever options.threads.
// - Not linear in the results: `weights` stays empty and the analytic DoE neglects the
//   covariance of each lab with the KCRV (use --mc for DoE that carry it).
#pragma once

#include <span>

#include "core/estimator.h"

namespace keycomp {

/// argmin_m sum w_i |x_i - m| with the plateau rule above. Weights must be positive.
double WeightedMedian(std::span<const double> x, std::span<const double> w);

/// The weighted median with bootstrap u. No settings.
EstimatorResult EstimateWeightedMedian(const LabSample& sample, const EstimatorOptions& options);

inline constexpr EstimatorInfo kWeightedMedianInfo{
    "weighted_median",
    "weighted median (weights 1/u_i^2, midpoint of a plateau); u and interval by parametric "
    "bootstrap (options: --seed, internal trials)",
    "Possolo et al., J. Res. NIST 126 (2021) 126007 (NIST Decision Tree)",
    2,
    false,
    "bootstrap"};

}  // namespace keycomp

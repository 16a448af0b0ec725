// The weighted mean of the largest consistent subset (LCS) of the results.
//
// M. G. Cox, "The evaluation of key comparison data: determining the largest consistent
// subset", Metrologia 44 (2007) 187-200. A subset S is consistent when its chi-squared about its
// own weighted mean, chi2(S) = sum_{i in S} w_i (x_i - xbar_S)^2 with w_i = 1/u_i^2, passes the
// test at level alpha = 5 %: chi2(S) <= chi2_{|S|-1}^{-1}(1 - alpha). The LCS is a consistent
// subset of the largest size; among several, the one with the smallest chi2(S). The KCRV is
// xbar_S with u = 1/sqrt(W_S), W_S = sum_{i in S} w_i (Cox 2007, as in Procedure A).
//
// Exact search without enumerating the 2^n subsets. For a fixed size m,
//   min_{|S| = m} chi2(S) = min_{|S| = m} min_mu sum_{i in S} q_i(mu) = min_mu g_m(mu),
// with q_i(mu) = w_i (x_i - mu)^2 and g_m(mu) the sum of the m smallest q_i(mu): the weighted
// mean minimises the weighted squares, and for a given mu the best m labs are those with the
// m smallest q_i(mu). The order of the q_i(mu) changes only where two of them are equal,
// sqrt(w_i)|x_i - mu| = sqrt(w_j)|x_j - mu|, i.e. at mu = (a_i x_i + a_j x_j)/(a_i + a_j) and,
// if a_i != a_j, mu = (a_i x_i - a_j x_j)/(a_i - a_j), with a = sqrt(w): at most n(n - 1)
// breakpoints. Between two consecutive breakpoints the order, hence the set T_m of the m
// smallest, is fixed. Let S* be a minimiser and mu* = xbar_{S*}; then g_m(mu*) = chi2(S*), and
// on an open interval I adjacent to mu*, T_m(I) satisfies
//   chi2(T_m(I)) <= sum_{T_m(I)} q_i(mu*) = g_m(mu*) = chi2(S*)
// by continuity of g_m, so T_m(I) is a minimiser too. Hence the minimum of chi2 over the
// subsets of size m is attained by one of the sets T_m(I), I ranging over the intervals between
// breakpoints (and the two unbounded ones): evaluating the prefixes of the sorted order at one
// point inside each interval gives, for every m at once, the exact minimum, in O(n^3 log n)
// (a few milliseconds at n = 60). Since chi2_{m-1}^{-1}(1 - alpha) does not depend on which m
// labs are chosen, the largest m whose minimum passes is the LCS size and its minimiser is the
// LCS (ties broken by the smallest chi2 by construction). Near-ties in chi2 at the level of
// rounding are resolved arbitrarily.
//
// Conventions: a single result is consistent (chi2 = 0 with no degrees of freedom). When no
// two results are consistent the LCS is not unique and the status is kFailed. `weights` holds
// w_i/W_S for the kept labs and 0 for the dropped ones, `dropped` lists the dropped labs.
// Extra: `chi2` of the subset, `chi2_critical`, `subset_size`. Setting:
// largest_consistent_subset.alpha (significance level of the test, default 0.05).
#pragma once

#include <span>
#include <vector>

#include "core/estimator.h"

namespace keycomp {

/// The LCS as indices into x (ascending), and its chi2. `alpha` is the significance level.
struct ConsistentSubset {
  std::vector<std::size_t> members;
  double chi2 = 0;
};
ConsistentSubset FindLargestConsistentSubset(std::span<const double> x, std::span<const double> u,
                                             double alpha);

/// Weighted mean of the LCS. Setting: alpha=NUMBER in (0, 0.5].
EstimatorResult EstimateLargestConsistentSubset(const LabSample& sample,
                                                const EstimatorOptions& options);

inline constexpr EstimatorInfo kLargestConsistentSubsetInfo{
    "largest_consistent_subset",
    "weighted mean of the largest subset passing the chi-squared test at 5 % (smallest chi2 "
    "among ties); u = 1/sqrt(W_subset); lists the dropped labs",
    "Cox, Metrologia 44 (2007) 187",
    2,
    false,
    "internal"};

}  // namespace keycomp

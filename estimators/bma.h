// Bayesian model averaging over fixed-effects bias models, after C. Elster and B. Toman,
// "Analysis of key comparisons: estimating laboratories' biases by a fixed effects model using
// Bayesian model averaging", Metrologia 47 (2010) 113-119.
//
// Only the paper's abstract and reference list could be read (a second, wider search of the
// stored web pages, documentation, code and issues found no full text, no restatement of its
// formulae and no implementation). The equations below are keycomp's derivation of the model
// the abstract describes ("a fixed effects bias model ... constrains the biases of some of the
// laboratories to zero. Only the number of these laboratories needs to be specified ... all
// possible different models ... merged by Bayesian model averaging"). They have NOT been
// checked against the paper's equations or its CCL-K1 example; they are checked against an
// independent R brute force of the same equations (tests/oracle/bma).
//
//   x_i = mu + beta_i + e_i,  e_i ~ N(0, u_i^2) independent.
//   Model S (a subset of K labs, K given): beta_i = 0 for i in S; beta_j free for j not in S.
//   Priors: flat on mu and on each free beta_j; equal prior probability 1/C(n, K) per model.
//   Every model has the same number (1 + n - K) of flat-prior parameters, so their arbitrary
//   constants cancel in the posterior model probabilities:
//     p(S | x) proportional to prod_{i in S} u_i^{-1} W_S^{-1/2} exp(-chi2_S / 2),
//     W_S = sum_{i in S} u_i^{-2}, m_S = sum_{i in S} x_i u_i^{-2} / W_S,
//     chi2_S = sum_{i in S} (x_i - m_S)^2 / u_i^2.
//   mu | x, S ~ N(m_S, 1/W_S);  beta_j | x, S ~ N(x_j - m_S, u_j^2 + 1/W_S) for j not in S.
//   Averaged: p(mu | x) = sum_S p(S | x) N(m_S, 1/W_S); P(lab j unbiased) = sum_{S contains j}
//   p(S | x); E[beta_j] and sd(beta_j) from the mixture of the point mass at 0 (j in S) and
//   the normals above.
// Special cases: K = n gives the weighted mean (u = 1/sqrt(W)); K = 1 gives the equal-weight
// linear pool of N(x_i, u_i^2).
//
// KCRV = posterior mean of mu; u = posterior sd; interval = posterior quantiles. Settings:
// unbiased=K (default floor(n/2) + 1, a majority: keycomp's choice, not the paper's), draws=N.
// Per-lab extras (index = position among the included labs, from 1): p_unbiased_i, bias_i,
// u_bias_i.
#pragma once

#include "core/estimator.h"

namespace keycomp {

EstimatorResult EstimateBma(const LabSample& sample, const EstimatorOptions& options);

inline constexpr EstimatorInfo kBmaInfo{
    "bma",
    "Bayesian model averaging over fixed-effects models in which K labs (--set bma.unbiased=K) "
    "are unbiased; KCRV = posterior mean, u = posterior sd, lab biases and P(unbiased)",
    "Elster & Toman, Metrologia 47 (2010) 113 (equations re-derived, see docs)", 2, false,
    "posterior_sd"};

}  // namespace keycomp

// Private helpers shared by the classical random-effects estimators (dersimonian_laird,
// paule_mandel, reml, ml): the random-effects weighted mean and generalised Q at a given tau^2,
// a bracketing root finder converged to the last bits, the Q-profile confidence interval for
// tau^2, and the common completion of an EstimatorResult (u, Knapp-Hartung options, weights).
//
// Model: x_i = mu + b_i + e_i, b_i ~ N(0, tau^2), e_i ~ N(0, u_i^2); w*_i = 1/(u_i^2 + tau^2).
// References:
//   R. DerSimonian, N. Laird, Controlled Clinical Trials 7 (1986) 177 (random-effects model).
//   W. Viechtbauer, Stat. Med. 26 (2007) 37 (Q-profile interval, eq. (6)).
//   G. Knapp, J. Hartung, Stat. Med. 22 (2003) 2693 (the Knapp-Hartung variance and t interval).
//   C. Röver, G. Knapp, T. Friede, BMC Med. Res. Methodol. 15 (2015) 99 (modified KH, max(1, q)).
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/estimator.h"

namespace keycomp::random_effects {

/// The random-effects weighted mean at a given tau^2.
struct MeanAtTau2 {
  double tau2 = 0;
  double mu = 0;           ///< sum w*_i x_i / sum w*_i
  double sum_weights = 0;  ///< sum w*_i
  double q = 0;            ///< generalised Q: sum w*_i (x_i - mu)^2
};

/// mu, sum w* and the generalised Q at tau2 >= 0, with compensated sums.
MeanAtTau2 FitAtTau2(const LabSample& sample, double tau2);

/// Sums of the weights w*_i at tau2 that the likelihood scores need.
struct WeightSums {
  double sum_w = 0;     ///< sum w*_i
  double sum_w2 = 0;    ///< sum w*_i^2
  double sum_w2r2 = 0;  ///< sum w*_i^2 (x_i - mu)^2
  double spread = 0;    ///< sum w*_i - sum w*_i^2 / sum w*_i, without cancellation
};
WeightSums WeightSumsAtTau2(const LabSample& sample, double tau2);

/// sum_i w_i (W - w_i) / W with W = sum w_i, computed without the cancellation of
/// W - sum w_i^2 / W when one weight dominates (prefix and suffix sums of the others).
double WeightSpread(std::span<const double> w);

/// A bracket [low, high] of a root of f, with the function values at its ends.
struct Bracket {
  double low = 0;
  double f_low = 0;
  double high = 0;
  double f_high = 0;
};

/// Outcome of a root search.
struct Root {
  double value = 0;
  bool converged = false;
  int iterations = 0;
};

/// Root of f in a bracket whose ends have opposite signs (or one is zero), by Alefeld-Potra-Shi
/// (TOMS 748) as implemented in Boost.Math, stopped when the bracket is within 4 ulp of the
/// root (relative), i.e. at full double precision.
Root SolveBracketed(const std::function<double(double)>& f, const Bracket& bracket);

/// For f > 0 at bracket.low (set by the caller, with f_low) and f < 0 for large arguments:
/// tries high = start, 2 start, 4 start, ... until f(high) <= 0, moving bracket.low up to the
/// last point where f > 0. False when f stays positive up to 1e300 or returns NaN.
bool ExpandUpperBracket(const std::function<double(double)>& f, double start, Bracket& bracket);

/// sum (x_i - xbar)^2 about the arithmetic mean, compensated: the scale of the data used to
/// start the bracket searches.
double SumOfSquaresAboutMean(std::span<const double> x);

/// Q-profile confidence interval for tau^2 (Viechtbauer 2007): the tau^2 with
/// chi2_{n-1}((1-p)/2) <= Q(tau^2) <= chi2_{n-1}((1+p)/2). Q(tau^2) decreases in tau^2, so each
/// end is one root; an end is 0 when Q(0) already lies below its quantile ([0, 0] when Q(0) is
/// below the lower quantile, metafor's "empty set").
struct Tau2Interval {
  double low = 0;
  double high = 0;
  bool converged = false;
  std::string message;
};
Tau2Interval QProfileInterval(const LabSample& sample, double coverage);

/// Twice the derivative in tau^2 of the log-likelihood profiled over mu,
///   ML:   sum w*_i^2 (x_i - mu)^2 - sum w*_i,
///   REML: sum w*_i^2 (x_i - mu)^2 - (sum w*_i - sum w*_i^2 / sum w*_i)
/// (the restricted likelihood adds -1/2 ln sum w*_i; Harville, JASA 72 (1977) 320).
double LikelihoodScore(const LabSample& sample, double tau2, bool restricted);
/// The same without allocating: `workspace` (resized to 2 n) is the caller's scratch space.
double LikelihoodScore(const LabSample& sample, double tau2, bool restricted,
                       std::vector<double>& workspace);

/// -1/2 sum [ln(u_i^2 + tau^2) + w*_i (x_i - mu)^2] (- 1/2 ln sum w*_i for REML), without
/// the constant; for the scaled data the estimator sees.
double ProfileLogLikelihood(const LabSample& sample, double tau2, bool restricted);
/// The same without allocating (`workspace` grows to n).
double ProfileLogLikelihood(const LabSample& sample, double tau2, bool restricted,
                            std::vector<double>& workspace);

/// A ProfileLogLikelihood value of the scaled sample as the log-likelihood of the data in their
/// own unit with the constants metafor's logLik() includes: -m/2 ln(2 pi) with m = n (ML) or
/// n - 1 (REML), and +1/2 ln n for REML (metafor's REMLf = TRUE).
double LogLikelihoodInDataUnits(const LabSample& sample, double log_likelihood, bool restricted);

/// A tau^2 beyond which the score is negative, with a margin of half its penalty term (the
/// proof is in the .cc and docs/estimators.md): the top of MaximiseLikelihood's grid.
double LikelihoodSearchBound(const LabSample& sample, bool restricted);

/// One local maximum of the profile (restricted) log-likelihood.
struct LocalMaximum {
  double tau2 = 0;
  double log_likelihood = 0;  ///< ProfileLogLikelihood at tau2
};

/// The global maximum over tau^2 >= 0 of the (restricted) log-likelihood profiled over mu,
/// which can have several local maxima. Search: the score at tau^2 = 0 and on a grid in
/// log tau^2 (32 points a decade, from 1e-4 min u_i^2 to LikelihoodSearchBound); tau^2 = 0
/// is a local maximum when the score there is <= 0, and every sign change + -> - between grid
/// points is one, refined by TOMS 748 to full double precision. The one with the highest
/// log-likelihood is returned; ties (within 1e-12 relative) go to the smaller tau^2.
struct LikelihoodMaximum {
  double tau2 = 0;
  double log_likelihood = 0;  ///< ProfileLogLikelihood at tau2
  bool converged = false;
  bool at_boundary = false;  ///< the global maximum is tau^2 = 0
  int iterations = 0;        ///< root-finder iterations, all refinements together
  int local_maxima = 0;      ///< how many local maxima were found (the boundary included)
  /// The first kListedMaxima local maxima in increasing tau^2.
  static constexpr int kListedMaxima = 8;
  std::array<LocalMaximum, kListedMaxima> listed{};
};
LikelihoodMaximum MaximiseLikelihood(const LabSample& sample, bool restricted);
/// The same without allocating: `workspace` (resized to 2 n) is the caller's scratch space.
LikelihoodMaximum MaximiseLikelihood(const LabSample& sample, bool restricted,
                                     std::vector<double>& workspace);

/// reml (restricted) and ml: the global maximum, the common completion, `extra.local_maxima`
/// and, when there are several, a warning listing them in the data's unit.
EstimatorResult EstimateByLikelihood(const char* estimator, const LabSample& sample,
                                     const EstimatorOptions& options, bool restricted);

/// A kFailed result when some weight 1/u_i^2 of the (scaled) data exceeds 1e150, so that
/// the sums of squared weights the scores need could overflow: uncertainties spanning more than
/// about 75 orders of magnitude. Empty otherwise.
std::optional<EstimatorResult> RejectOverflowingWeights(const LabSample& sample);

/// A kFailed result naming `estimator` when the sample carries correlations between results:
/// its u(KCRV) comes from the independent formula, while the DoE would subtract the covariance
/// terms (u(d_i) could go negative). Empty without correlations.
std::optional<EstimatorResult> RejectCorrelations(const char* estimator, const LabSample& sample);

/// How the KCRV's uncertainty is formed (setting `u`).
enum class UncertaintyMethod {
  kDefault,               ///< u = 1/sqrt(sum w*), normal interval
  kKnappHartung,          ///< u^2 = q / sum w*, q = Q(tau^2)/(n-1), Student t with n-1 dof
  kModifiedKnappHartung,  ///< as KH with q replaced by max(1, q)
};

/// Reads the settings the random-effects estimators share (`u`) and rejects unknown ones.
UncertaintyMethod ReadUncertaintyMethod(const char* estimator, const EstimatorOptions& options);

/// Fewest labs for which the default z-based interval is not flagged (see docs/estimators.md).
inline constexpr std::size_t kFewLabsForNormalInterval = 10;

/// Fills value, u, weights (w*_i / sum w*), tau, tau_interval (Q-profile), the interval and its
/// method, the extras (tau2, Q, generalised Q) and the warnings, from the estimated tau^2.
/// Sets status kOk, or kNotConverged when the Q-profile search failed.
/// `estimator` names the estimator in the warnings.
EstimatorResult CompleteRandomEffectsResult(const char* estimator, const LabSample& sample,
                                            const EstimatorOptions& options,
                                            UncertaintyMethod method, double tau2);

/// Cochran's Q about the inverse-variance weighted mean (tau^2 = 0).
inline double CochranQ(const LabSample& sample) { return FitAtTau2(sample, 0).q; }

}  // namespace keycomp::random_effects

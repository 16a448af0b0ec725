// Monte Carlo / parametric bootstrap uncertainties of the KCRV and the degrees of equivalence,
// for any estimator (JCGM 101 applied to the estimator as the measurement model).
//
// Every trial draws each lab's result from its distribution: x_i + e_i, with e_i normal with
// standard deviation u_i, or a scaled and shifted Student t (JCGM 101 6.4.9: scale u_i, nu_i
// degrees of freedom) when nu_i is finite, or jointly normal with the covariance of the
// results when correlations are given; for an estimator with a between-lab term an effect
// b_i ~ N(0, tau^2) is added to every lab. The estimator is recomputed on the included labs'
// draws, and d_i, d_ij are taken from the same draws, so all correlations are carried.
// For estimators that bring their own draws of the KCRV and tau (posterior or pool draws),
// those draws replace the recomputation (trial t uses draw t).
//
// Uncertainties: u = standard deviation of the draws; U = the half-width of the shortest
// interval symmetric about d that holds the coverage probability (as the NIST Consensus
// Builder defines it), i.e. the p-quantile of |D - d|; the probabilistically symmetric
// percentile interval of D is reported too.
//
// The NIST Consensus Builder's variant (`nicob`; Koepke et al., Metrologia 54 (2017) S34, as
// coded in its bootDL and DoEUnilateralDerSimonianLaird.R): each trial draws tau^2 from the
// Biggerstaff-Tweedie gamma approximation to the distribution of Cochran's Q (estimators with
// a between-lab term), the included labs' results as KCRV + N(0, u_i^2) + N(0, tau^2) (normal
// even when nu_i is finite), and u_i as u_i sqrt(nu_i/chi2_nu_i) for the estimator's weights;
// each lab's own draw stays x_i + the same errors, so D_i is centred on d_i.
//
// Reproducible: trial blocks have their own random streams (core/mc/random.h), so results are
// bit-identical for a seed whatever the number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/comparison.h"
#include "core/doe.h"
#include "core/estimator.h"
#include "core/mc/summary.h"

namespace keycomp {

enum class BootstrapVariant {
  kParametric,  ///< results redrawn from their stated distributions
  kNicob,       ///< also u_i and tau^2 redrawn (NIST Consensus Builder)
};
const char* ToString(BootstrapVariant variant);
std::optional<BootstrapVariant> BootstrapVariantFromString(std::string_view text);

struct McDoeOptions {
  std::size_t trials = 0;  ///< number of trials, >= 100 (ignored when the estimator has draws)
  std::uint64_t seed = 20261123;  ///< seed of the random streams
  unsigned threads = 0;           ///< 0: all cores
  BootstrapVariant variant = BootstrapVariant::kParametric;
  DoeOptions doe;  ///< convention, dark uncertainty, coverage
  std::size_t histogram_bins = 60;
  /// Called now and then from the calling thread with the fraction of trials done.
  std::function<void(double)> progress;

  /// Empty when valid, else a readable reason.
  std::string Validate() const;
};

/// The Monte Carlo summary of the KCRV.
struct McKcrv {
  double mean = 0;
  double u = 0;
  mc::CoverageIntervals intervals;
  mc::Histogram histogram;
};

struct McDoeResult {
  std::size_t trials = 0;
  std::size_t failed_trials = 0;  ///< trials where the estimator did not return a value
  std::uint64_t seed = 0;
  BootstrapVariant variant = BootstrapVariant::kParametric;
  std::string source;  ///< "parametric_bootstrap", "nicob_bootstrap" or "estimator_draws"
  McKcrv kcrv;
  DoeResult doe;               ///< unilateral and pairwise DoE from the draws
  double seconds_trials = 0;   ///< wall time of the draws and estimator recomputations
  double seconds_summary = 0;  ///< wall time of the summaries (intervals, pairwise DoE)
};

/// Runs the Monte Carlo evaluation. `point` is the estimator's result on the data (from
/// RunEstimator). Throws InputError for invalid options; a trial in which the estimator fails
/// is counted in failed_trials, and the run fails (Status in the caller) if any did.
McDoeResult RunMonteCarloDoe(const Estimator& estimator, const Comparison& comparison,
                             const EstimatorOptions& estimator_options,
                             const EstimatorResult& point, const McDoeOptions& options);

}  // namespace keycomp

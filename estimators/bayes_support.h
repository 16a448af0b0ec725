// Support shared by the Bayesian and pooling estimators (hierarchical_*, linear_pool, bma):
// a private random-number generator, MCMC convergence diagnostics, summaries of draws and of
// normal mixtures, and the runner that executes independent chains on threads.
//
// Random numbers: xoshiro256++ (Blackman & Vigna, ACM TOMS 47 (2021) 36) seeded through the
// SplitMix64 finaliser from (seed, stream), normals by Marsaglia's polar method, gammas by
// Marsaglia & Tsang (ACM TOMS 26 (2000) 363), inverse Gaussians by Michael, Schucany & Haas
// (Am. Stat. 30 (1976) 88). They are implemented here, so that draws do not depend on the
// standard library. Each chain (or each consumer) has its own stream, so results are the
// same whatever the number of threads.
//
// Diagnostics: split R-hat (Gelman et al., Bayesian Data Analysis, 3rd ed., 2013, sec. 11.4)
// and the multi-chain effective sample size with Geyer's initial monotone sequence
// (ibid. sec. 11.5; Geyer, Stat. Sci. 7 (1992) 473), autocovariances by FFT.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "core/estimator.h"

namespace keycomp::bayes {

/// xoshiro256++ with the sampling methods the estimators need.
class Random {
 public:
  /// Independent generator for (seed, stream).
  Random(std::uint64_t seed, std::uint64_t stream);

  std::uint64_t Next() {
    const std::uint64_t result = Rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  /// Uniform on the open interval (0, 1).
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }
  /// Standard normal.
  double Normal();
  /// Gamma with the given shape > 0 and unit scale.
  double Gamma(double shape);
  /// Inverse Gaussian with mean `mean` > 0 and shape `shape` > 0.
  double InverseGaussian(double mean, double shape);
  /// Standard Student t with `dof` > 0.
  double StudentT(double dof);

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
  double spare_normal_ = 0;
  bool has_spare_ = false;
};

/// R's mad(): 1.4826 times the median absolute deviation from the median.
double ScaledMad(std::span<const double> x);

/// Sample mean and standard deviation (n - 1 in the denominator) with compensated sums.
struct MeanSd {
  double mean = 0;
  double sd = 0;
};
MeanSd SampleMeanSd(std::span<const double> v);

/// Empirical quantile (R's type 7, linear interpolation) of `v` at probability p; `v` is
/// copied and partially sorted.
double SampleQuantile(std::span<const double> v, double p);

/// Convergence diagnostics of one scalar quantity from several chains of equal length.
struct ChainDiagnostics {
  double rhat = std::numeric_limits<double>::quiet_NaN();  ///< split R-hat
  double ess = std::numeric_limits<double>::quiet_NaN();   ///< effective sample size
};
/// `draws` holds the chains one after the other, each of length `per_chain`.
ChainDiagnostics Diagnose(std::span<const double> draws, std::size_t chains,
                          std::size_t per_chain);

/// Runs body(chain) for chain = 0..chains-1 on up to `threads` threads (0: all cores).
/// Exceptions are rethrown in the caller (the lowest chain's first).
void RunChains(std::size_t chains, unsigned threads, const std::function<void(std::size_t)>& body);

/// A finite mixture of location-scale components sum p_k F((x - m_k) / s_k), used for
/// posterior and pooled distributions. `cdf` is the standard component CDF.
struct Mixture {
  std::vector<double> weight;  ///< p_k, normalised to sum 1
  std::vector<double> mean;    ///< m_k
  std::vector<double> scale;   ///< s_k > 0
};
/// CDF of a mixture of normals at x.
double NormalMixtureCdf(const Mixture& mixture, double x);
/// Quantile of a mixture, by a bracketing root finder to full double precision. `cdf(x)`
/// evaluates the mixture's CDF; `low`/`high` must bracket the quantile.
double MixtureQuantile(const std::function<double(double)>& cdf, double p, double low,
                       double high);

/// Settings common to the estimators that draw: how many draws, chains, warm-up, thinning,
/// whether to accept a sampler that has not converged.
struct DrawSettings {
  std::size_t draws = 100000;   ///< kept draws, all chains together
  std::size_t chains = 4;       ///< independent chains (also the unit of parallelism)
  std::size_t warmup = 2500;    ///< discarded iterations at the start of each chain
  std::size_t thin = 1;         ///< keep one iteration in `thin`
  bool accept_unconverged = false;
  double rhat_limit = 1.01;
};

}  // namespace keycomp::bayes

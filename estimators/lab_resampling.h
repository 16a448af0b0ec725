// Parametric-bootstrap draws of the labs' results, and nonparametric-bootstrap resamples of their
// values, private to the Monte Carlo estimators of this folder (weighted_median,
// cox_procedure_b, median with u=bootstrap). Not a general Monte Carlo engine: core's
// Monte Carlo work has its own; this helper may be folded into it later.
//
// Draw t of lab i is x_i + u_i e_ti with e_ti ~ N(0, 1), or e_ti ~ t_{nu_i} (Student t with
// scale u_i, JCGM 101:2008 6.4.9) when nu_i is finite. Trials are cut into fixed blocks of
// kBlockSize; block b draws from its own std::mt19937_64 seeded by SplitMix64 from (seed,
// stream, b), and trial t always lands in slot t of the output. The draws therefore depend on
// the seed only, never on the number of threads or on which thread ran which block: results are
// bit-identical for a seed whatever options.threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <thread>
#include <vector>

#include "core/estimator.h"
#include "core/numeric.h"

namespace keycomp::lab_resampling {

inline constexpr std::size_t kBlockSize = 4096;

/// One step of SplitMix64 (Steele, Lea, Flood 2014): a good 64-bit mixer for seeding.
inline std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// Generator of block `block` of stream `stream` (one stream per estimator).
inline std::mt19937_64 BlockGenerator(std::uint64_t seed, std::uint64_t stream,
                                      std::uint64_t block) {
  std::uint64_t state = seed;
  const std::uint64_t a = SplitMix64(state) ^ stream;
  state = a;
  const std::uint64_t b = SplitMix64(state) ^ block;
  state = b;
  std::seed_seq seq{
      static_cast<std::uint32_t>(SplitMix64(state)), static_cast<std::uint32_t>(SplitMix64(state)),
      static_cast<std::uint32_t>(SplitMix64(state)), static_cast<std::uint32_t>(SplitMix64(state))};
  return std::mt19937_64(seq);
}

inline unsigned ThreadCount(unsigned requested, std::size_t blocks) {
  unsigned t = requested != 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<std::size_t>(t, std::max<std::size_t>(blocks, 1)));
}

/// Runs `trials` trials in blocks of kBlockSize: for each block, `make_drawer()` gives a fresh
/// drawer (so that no generator or distribution state leaks from one block into the next) that
/// fills a draw of length n from the block's generator; out[t] = statistic(draw of trial t).
template <typename MakeDrawer, typename Statistic>
std::vector<double> RunBlocks(std::size_t n, std::size_t trials, std::uint64_t seed,
                              std::uint64_t stream, unsigned threads, const MakeDrawer& make_drawer,
                              const Statistic& statistic) {
  const std::size_t blocks = (trials + kBlockSize - 1) / kBlockSize;
  std::vector<double> out(trials);
  std::atomic<std::size_t> next{0};
  auto worker = [&]() {
    std::vector<double> draw(n);
    for (std::size_t b = next++; b < blocks; b = next++) {
      std::mt19937_64 gen = BlockGenerator(seed, stream, b);
      auto drawer = make_drawer();
      const std::size_t end = std::min(trials, (b + 1) * kBlockSize);
      for (std::size_t t = b * kBlockSize; t < end; ++t) {
        drawer(gen, draw);
        out[t] = statistic(std::span<const double>(draw));
      }
    }
  };
  const unsigned nthreads = ThreadCount(threads, blocks);
  if (nthreads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(nthreads);
    for (unsigned k = 0; k < nthreads; ++k) pool.emplace_back(worker);
    for (std::thread& th : pool) th.join();
  }
  return out;
}

/// Evaluates `statistic(draws)` on `trials` parametric-bootstrap draws of the sample and
/// returns the values in trial order. `statistic` must be callable concurrently (it gets its
/// own draw buffer per call).
template <typename Statistic>
std::vector<double> Resample(const LabSample& sample, std::size_t trials, std::uint64_t seed,
                             std::uint64_t stream, unsigned threads, const Statistic& statistic) {
  auto make_drawer = [&sample]() {
    // Fresh distribution objects per block: both cache state between calls (the polar
    // method's second normal).
    return [&sample, normal = std::normal_distribution<double>(0.0, 1.0),
            gamma = std::gamma_distribution<double>()](std::mt19937_64& gen,
                                                       std::vector<double>& draw) mutable {
      for (std::size_t i = 0; i < sample.size(); ++i) {
        double e = normal(gen);
        const double nu = sample.dof[i];
        if (std::isfinite(nu)) {
          // t_nu = Z / sqrt(V / nu), V ~ chi2_nu = Gamma(nu/2, 2).
          const double v = gamma(gen, std::gamma_distribution<double>::param_type(nu / 2, 2));
          e /= std::sqrt(v / nu);
        }
        draw[i] = sample.x[i] + sample.u[i] * e;
      }
    };
  };
  return RunBlocks(sample.size(), trials, seed, stream, threads, make_drawer, statistic);
}

/// Evaluates `statistic` on `trials` nonparametric-bootstrap resamples of the values x (Efron
/// 1979): n values drawn from x uniformly with replacement. The stated uncertainties play no
/// part. Same block and seeding scheme as Resample, so bit-identical whatever the threads.
template <typename Statistic>
std::vector<double> ResampleValues(std::span<const double> x, std::size_t trials,
                                   std::uint64_t seed, std::uint64_t stream, unsigned threads,
                                   const Statistic& statistic) {
  auto make_drawer = [x]() {
    return [x, pick = std::uniform_int_distribution<std::size_t>(0, x.size() - 1)](
               std::mt19937_64& gen, std::vector<double>& draw) mutable {
      for (double& d : draw) d = x[pick(gen)];
    };
  };
  return RunBlocks(x.size(), trials, seed, stream, threads, make_drawer, statistic);
}

/// Mean, standard deviation (n - 1) and probabilistically symmetric coverage interval of
/// Monte Carlo values (JCGM 101:2008 7.7: q = pM rounded to the nearest integer, r = (M - q)/2
/// rounded up to an integer, interval [y_(r), y_(r+q)] of the sorted values, 1-based).
struct Summary {
  double mean = 0;
  double sd = 0;
  double low = 0;
  double high = 0;
};

inline Summary Summarise(std::vector<double> values, double coverage) {
  Summary s;
  const std::size_t m = values.size();
  CompensatedSum sum;
  for (double v : values) sum.Add(v);
  s.mean = sum.Total() / static_cast<double>(m);
  CompensatedSum squares;
  for (double v : values) squares.Add((v - s.mean) * (v - s.mean));
  s.sd = m > 1 ? std::sqrt(squares.Total() / static_cast<double>(m - 1)) : 0.0;
  std::size_t q = static_cast<std::size_t>(std::floor(coverage * static_cast<double>(m) + 0.5));
  q = std::clamp<std::size_t>(q, 1, m);
  std::size_t r = (m - q + 1) / 2;  // (M - q)/2 when an integer, else floor((M - q + 1)/2)
  r = std::max<std::size_t>(r, 1);
  const std::size_t lo = r - 1;
  const std::size_t hi = std::min(m - 1, r + q - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
  s.low = values[lo];
  std::nth_element(values.begin() + static_cast<std::ptrdiff_t>(lo),
                   values.begin() + static_cast<std::ptrdiff_t>(hi), values.end());
  s.high = values[hi];
  return s;
}

}  // namespace keycomp::lab_resampling

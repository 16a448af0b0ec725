// Reproducible random numbers for Monte Carlo work, the same for any number of threads.
//
// How reproducibility is obtained: the trials of a run are cut into fixed blocks of
// kBlockSize trials. Every (seed, stream, block) triple gets its own generator, seeded by
// hashing the triple with the SplitMix64 finaliser (Steele, Lea & Flood, OOPSLA 2014) and
// expanding the hash into a xoshiro256++ state (Blackman & Vigna, ACM TOMS 47 (2021) 36).
// A block's draws therefore depend only on the seed, the stream number (one per random input,
// say) and the block index, never on which thread runs the block or in which order blocks
// run. Give each independent consumer its own stream number.
//
// Typical use (one input, N trials, T threads):
//
//   const std::size_t blocks = BlockCount(trials);
//   ParallelForBlocks(blocks, threads, [&](std::size_t block, unsigned /*worker*/) {
//     const BlockRange r = BlockTrials(block, trials);
//     Xoshiro256pp rng = BlockGenerator(seed, /*stream=*/0, block);
//     FillNormal(rng, std::span(values).subspan(r.begin, r.size()), mean, sd);
//   });
//
// Samplers: normals by a 256-layer ziggurat (Marsaglia & Tsang, J. Stat. Softw. 5 (2000) 8,
// with Doornik's double-precision accept test), Student t by Bailey's polar method (Math.
// Comp. 62 (1994) 779), gamma by Marsaglia & Tsang (ACM TOMS 26 (2000) 363), Poisson by
// inversion (mean < 10) or Hormann's PTRS (Insurance Math. Econom. 12 (1993) 39), binomial by
// inversion (n min(p, 1-p) < 10) or Hormann's BTRS (J. Stat. Comput. Simul. 46 (1993) 101).
// All are implemented here, so the numbers do not depend on the standard library.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

namespace keycomp::mc {

/// Trials per block: the unit of seeding and of work handed to a thread.
inline constexpr std::size_t kBlockSize = 16384;

/// Advances a SplitMix64 state and returns the next output.
inline std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// xoshiro256++ 1.0: 256 bits of state, period 2^256 - 1, passes BigCrush. Satisfies the
/// standard UniformRandomBitGenerator requirements.
class Xoshiro256pp {
 public:
  using result_type = std::uint64_t;
  /// State from four SplitMix64 outputs of `seed` (never all zero).
  explicit Xoshiro256pp(std::uint64_t seed);

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }

  result_type operator()() {
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

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

/// The generator of block `block` of stream `stream` under `seed`. Distinct triples give
/// statistically independent generators.
Xoshiro256pp BlockGenerator(std::uint64_t seed, std::uint64_t stream, std::uint64_t block);

/// The trials [begin, end) of one block.
struct BlockRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
};

/// Number of blocks that hold `trials` trials (the last block may be partial).
inline std::size_t BlockCount(std::size_t trials) {
  return (trials + kBlockSize - 1) / kBlockSize;
}

/// The trials of block `block` when the run has `trials` trials in all.
inline BlockRange BlockTrials(std::size_t block, std::size_t trials) {
  const std::size_t begin = block * kBlockSize;
  const std::size_t end = begin + kBlockSize < trials ? begin + kBlockSize : trials;
  return {begin, end};
}

/// Worker threads to use: `requested`, or all hardware threads when 0.
unsigned ResolveThreads(unsigned requested);

/// Runs body(block, worker) once for every block in [0, blocks), on min(threads, blocks)
/// threads (threads = 0: all cores); `worker` in [0, threads) identifies the thread, for
/// per-thread scratch space. Blocks are handed out in order from a shared counter. If a body
/// throws, the remaining blocks are skipped and the exception of the lowest-numbered failing
/// block is rethrown in the caller.
void ParallelForBlocks(std::size_t blocks, unsigned threads,
                       const std::function<void(std::size_t block, unsigned worker)>& body);

// ---- Scalar draws --------------------------------------------------------------------------

/// Uniform on [0, 1) with 53 random bits.
inline double Uniform01(Xoshiro256pp& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

/// Uniform on the open interval (0, 1): never 0 or 1, safe for log().
inline double UniformOpen01(Xoshiro256pp& rng) {
  return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

/// Standard normal N(0, 1) (ziggurat).
double StandardNormal(Xoshiro256pp& rng);

/// Standard Student t with `dof` > 0 degrees of freedom (Bailey's polar method).
double StandardStudentT(Xoshiro256pp& rng, double dof);

/// Gamma with the given shape > 0 and unit scale.
double StandardGamma(Xoshiro256pp& rng, double shape);

/// Poisson with the given mean >= 0.
std::uint64_t Poisson(Xoshiro256pp& rng, double mean);

/// Binomial: successes in `n` trials of probability `p` in [0, 1].
std::uint64_t Binomial(Xoshiro256pp& rng, std::uint64_t n, double p);

// ---- Bulk draws (one call per block; the loops stay inside the library) --------------------

/// out[i] = low + (high - low) U, U uniform on [0, 1).
void FillUniform(Xoshiro256pp& rng, std::span<double> out, double low, double high);

/// out[i] = mean + sd Z, Z standard normal.
void FillNormal(Xoshiro256pp& rng, std::span<double> out, double mean, double sd);

/// out[i] = mean + scale T, T standard Student t with `dof` degrees of freedom (the scaled and
/// shifted t of JCGM 101 6.4.9; its standard deviation is scale sqrt(dof / (dof - 2))).
void FillStudentT(Xoshiro256pp& rng, std::span<double> out, double mean, double scale,
                  double dof);

// ---- Correlated draws ----------------------------------------------------------------------

/// Lower-triangular L with L L^T = a for a symmetric positive semi-definite matrix, tolerating
/// zero pivots (perfect correlation): a pivot below `tolerance` times the largest diagonal
/// entry is set to zero with its column. std::nullopt when `a` is not positive semi-definite
/// (a pivot below -tolerance, or a zero pivot whose column below is not zero).
std::optional<Eigen::MatrixXd> SemidefiniteCholesky(const Eigen::MatrixXd& a,
                                                    double tolerance = 1e-10);

/// Multivariate normal draws N(mean, covariance) in bulk.
class MultivariateNormal {
 public:
  /// Throws std::invalid_argument when the sizes disagree or the covariance is not symmetric
  /// positive semi-definite.
  MultivariateNormal(Eigen::VectorXd mean, const Eigen::MatrixXd& covariance);

  Eigen::Index dimension() const { return mean_.size(); }
  /// The lower-triangular factor L, covariance = L L^T.
  const Eigen::MatrixXd& factor() const { return factor_; }

  /// Fills `out` (dimension() rows, one column per draw) with mean + L Z, the standard
  /// normals Z drawn column by column.
  void Fill(Xoshiro256pp& rng, Eigen::Ref<Eigen::MatrixXd> out) const;

 private:
  Eigen::VectorXd mean_;
  Eigen::MatrixXd factor_;
};

}  // namespace keycomp::mc

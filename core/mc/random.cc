#include "core/mc/random.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace keycomp::mc {
namespace {

/// The SplitMix64 output function alone: a bijective 64-bit mixer.
std::uint64_t Mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// ---- Ziggurat for the normal ---------------------------------------------------------------
//
// 256 layers of equal area kArea under f(x) = exp(-x^2/2) (unnormalised): layer 0 is the base
// strip [0, R] x [0, f(R)] plus the tail beyond R, represented as a rectangle of width
// kArea / f(R); layer i >= 1 is [0, x_i] x [f(x_i), f(x_{i+1})], with x_1 = R > x_2 > ... >
// x_256 = 0. Constants from Marsaglia & Tsang (2000).
constexpr int kLayers = 256;
constexpr double kTailStart = 3.6541528853610088;
constexpr double kArea = 4.92867323399e-3;

struct ZigguratTables {
  std::array<double, kLayers + 1> x{};      // layer widths
  std::array<double, kLayers> ratio{};      // x_{i+1} / x_i: below it a point is accepted
  std::array<double, kLayers + 1> f{};      // f(x_i)
  ZigguratTables() {
    const auto density = [](double v) { return std::exp(-0.5 * v * v); };
    x[0] = kArea / density(kTailStart);
    x[1] = kTailStart;
    for (int i = 1; i < kLayers - 1; ++i) {
      x[i + 1] = std::sqrt(-2 * std::log(density(x[i]) + kArea / x[i]));
    }
    x[kLayers] = 0;
    for (int i = 0; i <= kLayers; ++i) f[i] = density(x[i]);
    f[0] = 0;  // the base strip starts at height 0
    for (int i = 0; i < kLayers; ++i) ratio[i] = x[i + 1] / x[i];
  }
};

const ZigguratTables& Ziggurat() {
  static const ZigguratTables tables;
  return tables;
}

/// Normal tail beyond R (Marsaglia 1964).
double NormalTail(Xoshiro256pp& rng) {
  for (;;) {
    const double a = -std::log(UniformOpen01(rng)) / kTailStart;
    const double b = -std::log(UniformOpen01(rng));
    if (2 * b > a * a) return kTailStart + a;
  }
}

double ZigguratNormal(Xoshiro256pp& rng, const ZigguratTables& t) {
  for (;;) {
    const std::uint64_t bits = rng();
    const int layer = static_cast<int>(bits & 0xFF);
    // Signed uniform in (-1, 1) from the top 53 bits (disjoint from the layer bits).
    const double u = (static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-52 - 1.0;
    if (std::abs(u) < t.ratio[layer]) return u * t.x[layer];
    if (layer == 0) return u < 0 ? -NormalTail(rng) : NormalTail(rng);
    const double x = u * t.x[layer];
    const double y = t.f[layer] + Uniform01(rng) * (t.f[layer + 1] - t.f[layer]);
    if (y < std::exp(-0.5 * x * x)) return x;
  }
}

// ---- Poisson and binomial ------------------------------------------------------------------

std::uint64_t PoissonInversion(Xoshiro256pp& rng, double mean) {
  // Multiply uniforms until the product falls below exp(-mean).
  const double limit = std::exp(-mean);
  std::uint64_t k = 0;
  double product = UniformOpen01(rng);
  while (product > limit) {
    ++k;
    product *= UniformOpen01(rng);
  }
  return k;
}

std::uint64_t PoissonPtrs(Xoshiro256pp& rng, double mean) {
  const double sqrt_mean = std::sqrt(mean);
  const double log_mean = std::log(mean);
  const double b = 0.931 + 2.53 * sqrt_mean;
  const double a = -0.059 + 0.02483 * b;
  const double log_inv_alpha = std::log(1.1239 + 1.1328 / (b - 3.4));
  const double v_r = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const double u = Uniform01(rng) - 0.5;
    const double v = UniformOpen01(rng);
    const double us = 0.5 - std::abs(u);
    const double k = std::floor((2 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= v_r) return static_cast<std::uint64_t>(k);
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + log_inv_alpha - std::log(a / (us * us) + b) <=
        -mean + k * log_mean - std::lgamma(k + 1)) {
      return static_cast<std::uint64_t>(k);
    }
  }
}

/// Binomial by sequential inversion of the cdf, for n p < 10 with p <= 1/2.
std::uint64_t BinomialInversion(Xoshiro256pp& rng, std::uint64_t n, double p) {
  const double q = 1 - p;
  const double s = p / q;
  const double a = (static_cast<double>(n) + 1) * s;
  const double r0 = std::exp(static_cast<double>(n) * std::log1p(-p));
  for (;;) {
    double r = r0;
    double u = Uniform01(rng);
    std::uint64_t x = 0;
    while (u > r) {
      u -= r;
      ++x;
      if (x > n) break;  // rounding left some mass beyond n: draw again
      r *= a / static_cast<double>(x) - s;
    }
    if (x <= n) return x;
  }
}

/// Hormann's BTRS, for n p >= 10 with p <= 1/2.
std::uint64_t BinomialBtrs(Xoshiro256pp& rng, std::uint64_t n, double p) {
  const double nd = static_cast<double>(n);
  const double q = 1 - p;
  const double spq = std::sqrt(nd * p * q);
  const double b = 1.15 + 2.53 * spq;
  const double a = -0.0873 + 0.0248 * b + 0.01 * p;
  const double c = nd * p + 0.5;
  const double v_r = 0.92 - 4.2 / b;
  const double alpha = (2.83 + 5.1 / b) * spq;
  const double log_pq = std::log(p / q);
  const double m = std::floor((nd + 1) * p);
  const double h = std::lgamma(m + 1) + std::lgamma(nd - m + 1);
  for (;;) {
    const double u = Uniform01(rng) - 0.5;
    double v = UniformOpen01(rng);
    const double us = 0.5 - std::abs(u);
    const double k = std::floor((2 * a / us + b) * u + c);
    if (k < 0 || k > nd) continue;
    if (us >= 0.07 && v <= v_r) return static_cast<std::uint64_t>(k);
    v = std::log(v * alpha / (a / (us * us) + b));
    if (v <= h - std::lgamma(k + 1) - std::lgamma(nd - k + 1) + (k - m) * log_pq) {
      return static_cast<std::uint64_t>(k);
    }
  }
}

}  // namespace

Xoshiro256pp::Xoshiro256pp(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (std::uint64_t& word : s_) word = SplitMix64(state);
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
}

Xoshiro256pp BlockGenerator(std::uint64_t seed, std::uint64_t stream, std::uint64_t block) {
  // Chain the mixer so that (seed, stream, block) triples land far apart; the odd constants
  // keep stream 0 / block 0 from cancelling.
  std::uint64_t key = Mix64(seed + 0x9E3779B97F4A7C15ULL);
  key = Mix64(key ^ (stream * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL));
  key = Mix64(key ^ (block * 0xAEF17502108EF2D9ULL + 0x4F1BBCDCBFA53E0BULL));
  return Xoshiro256pp(key);
}

unsigned ResolveThreads(unsigned requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? hw : 1;
}

void ParallelForBlocks(std::size_t blocks, unsigned threads,
                       const std::function<void(std::size_t, unsigned)>& body) {
  if (blocks == 0) return;
  const unsigned workers =
      static_cast<unsigned>(std::min<std::size_t>(ResolveThreads(threads), blocks));
  if (workers == 1) {
    for (std::size_t b = 0; b < blocks; ++b) body(b, 0);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr error;
  std::size_t error_block = std::numeric_limits<std::size_t>::max();
  auto run = [&](unsigned worker) {
    for (;;) {
      if (failed.load(std::memory_order_relaxed)) return;
      const std::size_t b = next.fetch_add(1, std::memory_order_relaxed);
      if (b >= blocks) return;
      try {
        body(b, worker);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (b < error_block) {
          error_block = b;
          error = std::current_exception();
        }
        failed.store(true, std::memory_order_relaxed);
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back(run, w);
  run(0);
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

double StandardNormal(Xoshiro256pp& rng) { return ZigguratNormal(rng, Ziggurat()); }

double StandardStudentT(Xoshiro256pp& rng, double dof) {
  for (;;) {
    const double u = 2 * Uniform01(rng) - 1;
    const double v = 2 * Uniform01(rng) - 1;
    const double w = u * u + v * v;
    if (w > 1 || w == 0) continue;
    return u * std::sqrt(dof * (std::pow(w, -2 / dof) - 1) / w);
  }
}

double StandardGamma(Xoshiro256pp& rng, double shape) {
  if (shape < 1) {
    // Gamma(a) = Gamma(a + 1) U^(1/a) (Marsaglia & Tsang, section 6).
    const double g = StandardGamma(rng, shape + 1);
    return g * std::pow(UniformOpen01(rng), 1 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1 / std::sqrt(9 * d);
  const ZigguratTables& t = Ziggurat();
  for (;;) {
    double x, v;
    do {
      x = ZigguratNormal(rng, t);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = UniformOpen01(rng);
    if (u < 1 - 0.0331 * (x * x) * (x * x)) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
  }
}

std::uint64_t Poisson(Xoshiro256pp& rng, double mean) {
  if (!(mean > 0)) return 0;
  return mean < 10 ? PoissonInversion(rng, mean) : PoissonPtrs(rng, mean);
}

std::uint64_t Binomial(Xoshiro256pp& rng, std::uint64_t n, double p) {
  if (n == 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - Binomial(rng, n, 1 - p);
  return static_cast<double>(n) * p < 10 ? BinomialInversion(rng, n, p)
                                         : BinomialBtrs(rng, n, p);
}

void FillUniform(Xoshiro256pp& rng, std::span<double> out, double low, double high) {
  const double width = high - low;
  for (double& v : out) v = low + width * Uniform01(rng);
}

void FillNormal(Xoshiro256pp& rng, std::span<double> out, double mean, double sd) {
  const ZigguratTables& t = Ziggurat();
  for (double& v : out) v = mean + sd * ZigguratNormal(rng, t);
}

void FillStudentT(Xoshiro256pp& rng, std::span<double> out, double mean, double scale,
                  double dof) {
  for (double& v : out) v = mean + scale * StandardStudentT(rng, dof);
}

std::optional<Eigen::MatrixXd> SemidefiniteCholesky(const Eigen::MatrixXd& a,
                                                    double tolerance) {
  const Eigen::Index n = a.rows();
  if (a.cols() != n) return std::nullopt;
  const double scale = n > 0 ? std::max(a.diagonal().cwiseAbs().maxCoeff(), 1e-300) : 1.0;
  const double tol = tolerance * scale;
  Eigen::MatrixXd l = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    double pivot = a(j, j) - l.row(j).head(j).squaredNorm();
    if (pivot < -tol) return std::nullopt;
    if (pivot <= tol) {
      // Zero pivot: the column below must vanish too, or the matrix is indefinite.
      for (Eigen::Index i = j + 1; i < n; ++i) {
        const double rest = a(i, j) - l.row(i).head(j).dot(l.row(j).head(j));
        if (std::abs(rest) > std::sqrt(tol) * std::sqrt(scale)) return std::nullopt;
      }
      continue;
    }
    const double root = std::sqrt(pivot);
    l(j, j) = root;
    for (Eigen::Index i = j + 1; i < n; ++i) {
      l(i, j) = (a(i, j) - l.row(i).head(j).dot(l.row(j).head(j))) / root;
    }
  }
  return l;
}

MultivariateNormal::MultivariateNormal(Eigen::VectorXd mean, const Eigen::MatrixXd& covariance)
    : mean_(std::move(mean)) {
  if (covariance.rows() != mean_.size() || covariance.cols() != mean_.size()) {
    throw std::invalid_argument("MultivariateNormal: mean and covariance sizes differ");
  }
  if (!covariance.isApprox(covariance.transpose(), 1e-12)) {
    throw std::invalid_argument("MultivariateNormal: covariance is not symmetric");
  }
  auto factor = SemidefiniteCholesky(covariance);
  if (!factor) {
    throw std::invalid_argument("MultivariateNormal: covariance is not positive semi-definite");
  }
  factor_ = std::move(*factor);
}

void MultivariateNormal::Fill(Xoshiro256pp& rng, Eigen::Ref<Eigen::MatrixXd> out) const {
  if (out.rows() != dimension()) {
    throw std::invalid_argument("MultivariateNormal::Fill: wrong number of rows");
  }
  const ZigguratTables& t = Ziggurat();
  const Eigen::Index k = dimension();
  Eigen::VectorXd z(k);
  for (Eigen::Index c = 0; c < out.cols(); ++c) {
    for (Eigen::Index i = 0; i < k; ++i) z(i) = ZigguratNormal(rng, t);
    out.col(c) = mean_ + factor_.triangularView<Eigen::Lower>() * z;
  }
}

}  // namespace keycomp::mc

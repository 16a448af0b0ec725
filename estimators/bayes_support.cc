#include "estimators/bayes_support.h"

#include <algorithm>
#include <boost/math/tools/roots.hpp>
#include <complex>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unsupported/Eigen/FFT>

#include "core/numeric.h"

namespace keycomp::bayes {
namespace {

std::uint64_t SplitMix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

Random::Random(std::uint64_t seed, std::uint64_t stream) {
  // Hash (seed, stream) into one 64-bit state, then expand it into the 256-bit state.
  std::uint64_t h = seed;
  std::uint64_t mixed = SplitMix(h);
  h = mixed ^ (stream * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL);
  SplitMix(h);
  for (std::uint64_t& word : s_) word = SplitMix(h);
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
}

double Random::Normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_normal_;
  }
  double v1, v2, s;
  do {
    v1 = 2 * Uniform() - 1;
    v2 = 2 * Uniform() - 1;
    s = v1 * v1 + v2 * v2;
  } while (s >= 1 || s == 0);
  const double factor = std::sqrt(-2 * std::log(s) / s);
  spare_normal_ = v2 * factor;
  has_spare_ = true;
  return v1 * factor;
}

double Random::Gamma(double shape) {
  if (shape < 1) {
    // Boost to shape + 1 and scale back (Marsaglia & Tsang, sec. 6).
    const double g = Gamma(shape + 1);
    return g * std::pow(Uniform(), 1 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1 / std::sqrt(9 * d);
  for (;;) {
    double z, v;
    do {
      z = Normal();
      v = 1 + c * z;
    } while (v <= 0);
    v = v * v * v;
    const double u = Uniform();
    const double z2 = z * z;
    if (u < 1 - 0.0331 * z2 * z2) return d * v;
    if (std::log(u) < 0.5 * z2 + d * (1 - v + std::log(v))) return d * v;
  }
}

double Random::InverseGaussian(double mean, double shape) {
  // The smaller root x = mean (1 + a - sqrt(a^2 + 2a)), a = mean y / (2 shape), written
  // without cancellation as mean / (1 + a + sqrt(a^2 + 2a)).
  const double n = Normal();
  const double a = mean * n * n / (2 * shape);
  const double x = mean / (1 + a + std::sqrt(a * a + 2 * a));
  return Uniform() * (mean + x) <= mean ? x : mean * mean / x;
}

double Random::StudentT(double dof) {
  const double z = Normal();
  const double chi2 = 2 * Gamma(0.5 * dof);
  return z / std::sqrt(chi2 / dof);
}

double ScaledMad(std::span<const double> x) {
  const double m = Median(x);
  return 1.4826 * MedianAbsoluteDeviation(x, m);
}

MeanSd SampleMeanSd(std::span<const double> v) {
  MeanSd out;
  if (v.empty()) return out;
  CompensatedSum s;
  for (double a : v) s.Add(a);
  out.mean = s.Total() / static_cast<double>(v.size());
  if (v.size() < 2) return out;
  CompensatedSum ss, r;
  for (double a : v) {
    ss.Add((a - out.mean) * (a - out.mean));
    r.Add(a - out.mean);
  }
  const double n = static_cast<double>(v.size());
  const double rt = r.Total();
  out.mean += rt / n;
  out.sd = std::sqrt(std::max(0.0, (ss.Total() - rt * rt / n) / (n - 1)));
  return out;
}

double SampleQuantile(std::span<const double> v, double p) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> w(v.begin(), v.end());
  const double h = (static_cast<double>(w.size()) - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  std::nth_element(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(lo), w.end());
  const double a = w[lo];
  if (lo + 1 >= w.size()) return a;
  const double b = *std::min_element(w.begin() + static_cast<std::ptrdiff_t>(lo) + 1, w.end());
  return a + (h - static_cast<double>(lo)) * (b - a);
}

namespace {

// Autocovariance of one centred series at lags 0..n-1 (biased estimator, divided by n).
std::vector<double> Autocovariance(std::span<const double> x) {
  const std::size_t n = x.size();
  std::size_t size = 1;
  while (size < 2 * n) size <<= 1;
  const double mean = SampleMeanSd(x).mean;
  std::vector<double> padded(size, 0.0);
  for (std::size_t i = 0; i < n; ++i) padded[i] = x[i] - mean;
  Eigen::FFT<double> fft;
  std::vector<std::complex<double>> freq;
  fft.fwd(freq, padded);
  for (auto& f : freq) f = std::complex<double>(std::norm(f), 0.0);
  std::vector<double> back;
  fft.inv(back, freq);
  std::vector<double> acov(n);
  for (std::size_t k = 0; k < n; ++k) acov[k] = back[k] / static_cast<double>(n);
  return acov;
}

}  // namespace

ChainDiagnostics Diagnose(std::span<const double> draws, std::size_t chains,
                          std::size_t per_chain) {
  ChainDiagnostics out;
  if (chains == 0 || per_chain < 4 || draws.size() < chains * per_chain) return out;
  // Split R-hat: each chain cut in two halves.
  const std::size_t half = per_chain / 2;
  const std::size_t m = 2 * chains;
  std::vector<double> means(m), vars(m);
  for (std::size_t c = 0; c < chains; ++c) {
    for (std::size_t h = 0; h < 2; ++h) {
      const auto part = draws.subspan(c * per_chain + h * (per_chain - half), half);
      const MeanSd ms = SampleMeanSd(part);
      means[2 * c + h] = ms.mean;
      vars[2 * c + h] = ms.sd * ms.sd;
    }
  }
  const double len = static_cast<double>(half);
  const MeanSd between = SampleMeanSd(means);
  const double b = len * between.sd * between.sd;
  double w = 0;
  for (double v : vars) w += v / static_cast<double>(m);
  if (!(w > 0)) {
    // Constant chains: converged only if they agree.
    out.rhat = between.sd == 0 ? 1.0 : std::numeric_limits<double>::infinity();
    out.ess = static_cast<double>(chains * per_chain);
    return out;
  }
  const double var_plus = (len - 1) / len * w + b / len;
  out.rhat = std::sqrt(var_plus / w);

  // Effective sample size over whole chains (BDA3 eq. 11.7-11.8, Geyer's monotone rule).
  std::vector<std::vector<double>> acov(chains);
  std::vector<double> chain_mean(chains), chain_var(chains);
  for (std::size_t c = 0; c < chains; ++c) {
    const auto part = draws.subspan(c * per_chain, per_chain);
    acov[c] = Autocovariance(part);
    const MeanSd ms = SampleMeanSd(part);
    chain_mean[c] = ms.mean;
    chain_var[c] = ms.sd * ms.sd;
  }
  const double n = static_cast<double>(per_chain);
  double wc = 0;
  for (double v : chain_var) wc += v / static_cast<double>(chains);
  const MeanSd cm = SampleMeanSd(chain_mean);
  const double vplus = (n - 1) / n * wc + (chains > 1 ? cm.sd * cm.sd : 0.0);
  auto rho = [&](std::size_t t) {
    double s = 0;
    for (std::size_t c = 0; c < chains; ++c) s += acov[c][t];
    s /= static_cast<double>(chains);
    return 1 - (wc - s * n / (n - 1)) / vplus;
  };
  // Geyer: sum pairs Gamma_k = rho_{2k} + rho_{2k+1} while positive, made monotone.
  double sum = 0;
  double previous_pair = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; 2 * k + 1 < per_chain; ++k) {
    double pair = rho(2 * k) + rho(2 * k + 1);
    if (pair <= 0) break;
    pair = std::min(pair, previous_pair);
    previous_pair = pair;
    sum += pair;
  }
  const double tau_int = std::max(-1 + 2 * sum, 1.0 / std::log10(static_cast<double>(chains) * n));
  out.ess = static_cast<double>(chains) * n / tau_int;
  return out;
}

void RunChains(std::size_t chains, unsigned threads, const std::function<void(std::size_t)>& body) {
  unsigned workers = threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : threads;
  workers = static_cast<unsigned>(std::min<std::size_t>(workers, chains));
  std::vector<std::exception_ptr> errors(chains);
  if (workers <= 1) {
    for (std::size_t c = 0; c < chains; ++c) {
      try {
        body(c);
      } catch (...) {
        errors[c] = std::current_exception();
      }
    }
  } else {
    std::mutex lock;
    std::size_t next = 0;
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < workers; ++t) {
      pool.emplace_back([&] {
        for (;;) {
          std::size_t c;
          {
            std::lock_guard<std::mutex> guard(lock);
            if (next >= chains) return;
            c = next++;
          }
          try {
            body(c);
          } catch (...) {
            errors[c] = std::current_exception();
          }
        }
      });
    }
    for (auto& th : pool) th.join();
  }
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

double NormalMixtureCdf(const Mixture& mixture, double x) {
  CompensatedSum s;
  for (std::size_t k = 0; k < mixture.weight.size(); ++k) {
    const double z = (x - mixture.mean[k]) / mixture.scale[k];
    s.Add(mixture.weight[k] * 0.5 * std::erfc(-z * 0.70710678118654752440));
  }
  return s.Total();
}

double MixtureQuantile(const std::function<double(double)>& cdf, double p, double low,
                       double high) {
  auto f = [&](double x) { return cdf(x) - p; };
  // Widen the bracket until it holds the root.
  double width = high - low;
  for (int k = 0; k < 200 && f(low) > 0; ++k) {
    low -= width;
    width *= 2;
  }
  width = high - low;
  for (int k = 0; k < 200 && f(high) < 0; ++k) {
    high += width;
    width *= 2;
  }
  std::uintmax_t iterations = 200;
  const auto tolerance = boost::math::tools::eps_tolerance<double>(52);
  const auto root = boost::math::tools::toms748_solve(f, low, high, tolerance, iterations);
  return 0.5 * (root.first + root.second);
}

}  // namespace keycomp::bayes

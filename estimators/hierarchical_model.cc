#include "estimators/hierarchical_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/input_error.h"
#include "core/numeric.h"
#include "estimators/bayes_support.h"
#include "estimators/settings.h"

namespace keycomp::hierarchical {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

enum class TauPrior { kHalfCauchy, kHalfNormal, kUniform };

// Everything the posterior depends on, in the estimator's centred and scaled units.
struct Problem {
  Effects effects = Effects::kGauss;
  double effect_dof = 4;  // Student effects
  TauPrior tau_prior = TauPrior::kHalfCauchy;
  double tau_scale = 1;    // half-Cauchy / half-normal scale, or the uniform upper bound
  double sigma_scale = 1;  // half-Cauchy scale of the modelled sigma_i
  std::vector<double> x, u2, nu;
  std::vector<bool> model_sigma;
  std::size_t size() const { return x.size(); }
  bool any_sigma_modelled() const {
    return std::find(model_sigma.begin(), model_sigma.end(), true) != model_sigma.end();
  }
};

// ---- Prior of tau and the coordinate z in which tau is integrated or sampled ---------------
//
// Unbounded priors: tau = exp(z). Uniform(0, A): tau = A / (1 + exp(-z)), so that the
// integrand decays smoothly at both ends of the z axis (the trapezoid rule then converges
// geometrically) and the sampler never leaves the support.

double Softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }

double TauOf(const Problem& p, double z) {
  if (p.tau_prior == TauPrior::kUniform) return p.tau_scale / (1 + std::exp(-z));
  return std::exp(z);
}

double ZOf(const Problem& p, double tau) {
  if (p.tau_prior == TauPrior::kUniform) return std::log(tau / (p.tau_scale - tau));
  return std::log(tau);
}

// log prior density of tau (up to a constant) plus log |d tau / d z|.
double LogPriorZ(const Problem& p, double z) {
  switch (p.tau_prior) {
    case TauPrior::kHalfCauchy: {
      const double r = std::exp(z) / p.tau_scale;
      return -std::log1p(r * r) + z;
    }
    case TauPrior::kHalfNormal: {
      const double r = std::exp(z) / p.tau_scale;
      return -0.5 * r * r + z;
    }
    case TauPrior::kUniform:
      // density 1/A on (0, A); Jacobian A sigmoid(z) sigmoid(-z)
      return -Softplus(-z) - Softplus(z);
  }
  return 0;
}

// log prior density of tau (up to a constant) plus log tau: the density of log tau.
double LogPriorLogTau(const Problem& p, double tau) {
  const double r = tau / p.tau_scale;
  switch (p.tau_prior) {
    case TauPrior::kHalfCauchy: return -std::log1p(r * r) + std::log(tau);
    case TauPrior::kHalfNormal: return -0.5 * r * r + std::log(tau);
    case TauPrior::kUniform: return r < 1 ? std::log(tau) : -kInf;
  }
  return 0;
}

// ---- Gaussian effects: mu integrated out analytically --------------------------------------

struct GaussConditional {
  double loglik = 0;  // log p(x | tau, s2) with mu integrated over a flat prior (+ const)
  double mean = 0;    // E[mu | tau, x]
  double var = 0;     // Var[mu | tau, x]
};

GaussConditional Conditional(std::span<const double> x, std::span<const double> s2,
                             double tau) {
  const double t2 = tau * tau;
  double sum_log = 0, w_sum = 0, wx_sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = s2[i] + t2;
    sum_log += std::log(v);
    const double w = 1 / v;
    w_sum += w;
    wx_sum += w * x[i];
  }
  double m = wx_sum / w_sum;
  double q = 0, r = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double w = 1 / (s2[i] + t2);
    const double d = x[i] - m;
    r += w * d;
    q += w * d * d;
  }
  // One refinement of the mean: removes the rounding of the first pass.
  const double shift = r / w_sum;
  m += shift;
  q -= shift * r;
  GaussConditional out;
  out.loglik = -0.5 * (sum_log + std::log(w_sum) + q);
  out.mean = m;
  out.var = 1 / w_sum;
  return out;
}

// Nodes of the posterior of z (and so tau) for Gaussian effects with known sigma_i = u_i.
struct Quadrature {
  double h = 0;                         // node spacing in z
  std::vector<double> z, logf, tau, mean, var;
  double logf_max = -kInf;
  std::vector<double> weight;           // normalised trapezoid weights
  // Summaries
  double mu_mean = 0, mu_sd = 0, tau_mean = 0, tau_sd = 0;
  int levels = 0;
  double converged_h = 0;               // step at which the moments first settled
  // Every stride-th node: the grid of step converged_h (at most 1/16), accurate enough for
  // the mixture CDF of mu and the cell integrals of tau at lower cost.
  std::size_t stride() const {
    const double target = std::min(converged_h, 1.0 / 16);
    return std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(target / h)));
  }
};

double LogPosteriorZ(const Problem& p, double z, GaussConditional* cond) {
  const double tau = TauOf(p, z);
  const GaussConditional c = Conditional(p.x, p.u2, tau);
  if (cond) *cond = c;
  return c.loglik + LogPriorZ(p, z);
}

void Summarise(Quadrature& q) {
  const std::size_t n = q.z.size();
  q.logf_max = *std::max_element(q.logf.begin(), q.logf.end());
  q.weight.assign(n, 0);
  CompensatedSum total;
  for (std::size_t k = 0; k < n; ++k) {
    q.weight[k] = std::exp(q.logf[k] - q.logf_max);
    total.Add(q.weight[k]);
  }
  const double t = total.Total();
  for (double& w : q.weight) w /= t;
  CompensatedSum m1, t1;
  for (std::size_t k = 0; k < n; ++k) {
    m1.Add(q.weight[k] * q.mean[k]);
    t1.Add(q.weight[k] * q.tau[k]);
  }
  q.mu_mean = m1.Total();
  q.tau_mean = t1.Total();
  CompensatedSum m2, t2;
  for (std::size_t k = 0; k < n; ++k) {
    const double d = q.mean[k] - q.mu_mean;
    m2.Add(q.weight[k] * (q.var[k] + d * d));
    const double e = q.tau[k] - q.tau_mean;
    t2.Add(q.weight[k] * e * e);
  }
  q.mu_sd = std::sqrt(m2.Total());
  q.tau_sd = std::sqrt(t2.Total());
}

// Trapezoid rule in z on a range outside which the integrands of the first two moments of
// mu and tau are below exp(-80) of their peak, halving the step until the moments agree to
// 1e-13 (relative to the posterior standard deviations) and the step is at most 1/32.
Quadrature PosteriorByQuadrature(const Problem& p) {
  // Coarse scan for the mode.
  const double z_centre = p.tau_prior == TauPrior::kUniform ? 0.0 : std::log(p.tau_scale);
  double best_z = z_centre, best = -kInf;
  for (int k = -160; k <= 160; ++k) {
    const double z = z_centre + 0.5 * k;
    const double f = LogPosteriorZ(p, z, nullptr);
    if (f > best) {
      best = f;
      best_z = z;
    }
  }
  // Range: walk out until the moment integrands are negligible.
  auto tail = [&](double z) {
    GaussConditional c;
    const double f = LogPosteriorZ(p, z, &c);
    const double tau = TauOf(p, z);
    return f + std::log1p(tau * tau + c.var + c.mean * c.mean);
  };
  const double peak = tail(best_z);
  double z_low = best_z, z_high = best_z;
  // exp(-42) < 1e-18: below double precision relative to the peak.
  for (int k = 0; k < 1000 && tail(z_low) > peak - 42; ++k) z_low -= 0.5;
  for (int k = 0; k < 1000 && tail(z_high) > peak - 42; ++k) z_high += 0.5;

  Quadrature q;
  q.h = 0.25;
  const auto count = static_cast<std::size_t>(std::llround((z_high - z_low) / q.h)) + 1;
  for (std::size_t k = 0; k < count; ++k) {
    const double z = z_low + q.h * static_cast<double>(k);
    GaussConditional c;
    q.z.push_back(z);
    q.logf.push_back(LogPosteriorZ(p, z, &c));
    q.tau.push_back(TauOf(p, z));
    q.mean.push_back(c.mean);
    q.var.push_back(c.var);
  }
  Summarise(q);
  q.levels = 1;
  for (int level = 0; level < 12; ++level) {
    Quadrature fine;
    fine.h = q.h / 2;
    for (std::size_t k = 0; k < q.z.size(); ++k) {
      fine.z.push_back(q.z[k]);
      fine.logf.push_back(q.logf[k]);
      fine.tau.push_back(q.tau[k]);
      fine.mean.push_back(q.mean[k]);
      fine.var.push_back(q.var[k]);
      if (k + 1 == q.z.size()) break;
      const double z = q.z[k] + fine.h;
      GaussConditional c;
      fine.z.push_back(z);
      fine.logf.push_back(LogPosteriorZ(p, z, &c));
      fine.tau.push_back(TauOf(p, z));
      fine.mean.push_back(c.mean);
      fine.var.push_back(c.var);
    }
    Summarise(fine);
    fine.levels = q.levels + 1;
    const double change =
        std::max({std::abs(fine.mu_mean - q.mu_mean) / fine.mu_sd,
                  std::abs(fine.mu_sd - q.mu_sd) / fine.mu_sd,
                  std::abs(fine.tau_mean - q.tau_mean) / std::max(fine.tau_sd, 1e-300),
                  std::abs(fine.tau_sd - q.tau_sd) / std::max(fine.tau_sd, 1e-300)});
    const double converged_h = q.converged_h;
    q = std::move(fine);
    q.converged_h = converged_h;
    if (change < 1e-13 && q.converged_h == 0) q.converged_h = q.h;
    if (q.converged_h > 0 && q.h <= 1.0 / 32) break;
  }
  return q;
}

// CDF of z under the quadrature posterior, by 5-point Gauss-Legendre on each cell (the
// trapezoid weights are accurate for whole-line integrals only).
class TauCdf {
 public:
  TauCdf(const Problem& p, const Quadrature& q) : p_(p), q_(q) {
    const std::size_t stride = q.stride();
    for (std::size_t k = 0; k < q.z.size(); k += stride) z_.push_back(q.z[k]);
    if (z_.back() < q.z.back()) z_.push_back(q.z.back());
    step_ = q.h * static_cast<double>(stride);
    cumulative_.assign(z_.size(), 0.0);
    CompensatedSum s;
    for (std::size_t k = 0; k + 1 < z_.size(); ++k) {
      s.Add(Cell(z_[k], z_[k + 1]));
      cumulative_[k + 1] = s.Total();
    }
    total_ = s.Total();
  }
  double operator()(double z) const {
    if (z <= z_.front()) return 0;
    if (z >= z_.back()) return 1;
    const auto k = static_cast<std::size_t>((z - z_.front()) / step_);
    const std::size_t cell = std::min(k, z_.size() - 2);
    return (cumulative_[cell] + Cell(z_[cell], z)) / total_;
  }
  /// z with CDF(z) = prob.
  double Quantile(double prob) const {
    const double target = prob * total_;
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), target);
    std::size_t cell = static_cast<std::size_t>(it - cumulative_.begin());
    cell = cell == 0 ? 0 : std::min(cell - 1, z_.size() - 2);
    auto f = [&](double z) { return (*this)(z)-prob; };
    double lo = z_[cell], hi = z_[cell + 1];
    if (f(lo) > 0) lo = z_.front();
    if (f(hi) < 0) hi = z_.back();
    std::uintmax_t iterations = 200;
    const auto r = boost::math::tools::toms748_solve(
        f, lo, hi, boost::math::tools::eps_tolerance<double>(50), iterations);
    return 0.5 * (r.first + r.second);
  }

 private:
  double Cell(double a, double b) const {
    static constexpr double kNodes[5] = {-0.9061798459386640, -0.5384693101056831, 0.0,
                                         0.5384693101056831, 0.9061798459386640};
    static constexpr double kWeights[5] = {0.2369268850561891, 0.4786286704993665,
                                           0.5688888888888889, 0.4786286704993665,
                                           0.2369268850561891};
    const double half = 0.5 * (b - a), mid = 0.5 * (a + b);
    double s = 0;
    for (int j = 0; j < 5; ++j) {
      s += kWeights[j] * std::exp(LogPosteriorZ(p_, mid + half * kNodes[j], nullptr) - q_.logf_max);
    }
    return s * half;
  }
  const Problem& p_;
  const Quadrature& q_;
  std::vector<double> z_;
  double step_ = 0;
  std::vector<double> cumulative_;
  double total_ = 0;
};

// Draws (mu, tau) from the quadrature posterior: z from the piecewise-linear interpolant of
// its density between nodes, then mu | tau exactly normal.
void DrawFromQuadrature(const Problem& p, const Quadrature& q, std::size_t count,
                        std::uint64_t seed, std::vector<double>& mu, std::vector<double>& tau) {
  const std::size_t cells = q.z.size() - 1;
  std::vector<double> f(q.z.size()), cumulative(cells + 1, 0.0);
  for (std::size_t k = 0; k < q.z.size(); ++k) f[k] = std::exp(q.logf[k] - q.logf_max);
  for (std::size_t k = 0; k < cells; ++k) cumulative[k + 1] = cumulative[k] + 0.5 * (f[k] + f[k + 1]);
  const double total = cumulative.back();
  bayes::Random rng(seed, 0x9a55);
  mu.resize(count);
  tau.resize(count);
  for (std::size_t d = 0; d < count; ++d) {
    const double target = rng.Uniform() * total;
    auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
    std::size_t k = static_cast<std::size_t>(it - cumulative.begin());
    k = k == 0 ? 0 : std::min(k - 1, cells - 1);
    const double a = f[k], b = f[k + 1];
    const double mass = 0.5 * (a + b);
    const double c = std::clamp((target - cumulative[k]) / std::max(mass, 1e-300), 0.0, 1.0) * mass;
    // Solve a t + (b - a) t^2 / 2 = c for t in [0, 1], in the cancellation-free form.
    const double half_slope = 0.5 * (b - a);
    const double t = std::clamp(2 * c / (a + std::sqrt(std::max(0.0, a * a + 4 * half_slope * c))),
                                0.0, 1.0);
    const double z = q.z[k] + t * q.h;
    const double tau_d = TauOf(p, z);
    // mu | tau: weighted mean and 1/W (no likelihood needed here).
    const double t2 = tau_d * tau_d;
    double w_sum = 0, wx = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double w = 1 / (p.u2[i] + t2);
      w_sum += w;
      wx += w * p.x[i];
    }
    tau[d] = tau_d;
    mu[d] = wx / w_sum + rng.Normal() / std::sqrt(w_sum);
  }
}

// ---- Gibbs sampler --------------------------------------------------------------------------

// sum_i log(v_i) with one logarithm per four terms (the products of four stay far inside the
// double range for the values the sampler visits; the rare exception falls back to one log
// per term).
template <class Term>
double SumOfLogs(std::size_t n, const Term& term) {
  double sum = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const double prod = term(i) * term(i + 1) * term(i + 2) * term(i + 3);
    if (prod > 1e-300 && prod < 1e300) {
      sum += std::log(prod);
    } else {
      for (std::size_t j = i; j < i + 4; ++j) sum += std::log(term(j));
    }
  }
  for (; i < n; ++i) sum += std::log(term(i));
  return sum;
}

// log p(x | tau, s2) with mu integrated out, one pass (the sampler's version of Conditional).
double LogMarginalFast(std::span<const double> x, std::span<const double> s2, double tau) {
  const double t2 = tau * tau;
  double w_sum = 0, wx = 0, wxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double w = 1 / (s2[i] + t2);
    w_sum += w;
    wx += w * x[i];
    wxx += w * x[i] * x[i];
  }
  const double sum_log = SumOfLogs(x.size(), [&](std::size_t i) { return s2[i] + t2; });
  const double q = std::max(0.0, wxx - wx * wx / w_sum);
  return -0.5 * (sum_log + std::log(w_sum) + q);
}

struct ChainState {
  double mu = 0, tau = 1;
  std::vector<double> lambda, sigma2, aux_sigma, v;
};

// Slice sampling (Neal 2003, stepping out and shrinkage) of one coordinate with log density
// `logf`; `f0` = logf(z0). Returns the new point and sets f0 to its log density.
template <class LogDensity>
double Slice(double z0, double& f0, const LogDensity& logf, double width, bayes::Random& rng) {
  const double level = f0 + std::log(rng.Uniform());
  double left = z0 - width * rng.Uniform();
  double right = left + width;
  int j = static_cast<int>(32 * rng.Uniform());
  int k = 31 - j;
  while (j-- > 0 && logf(left) > level) left -= width;
  while (k-- > 0 && logf(right) > level) right += width;
  for (int tries = 0; tries < 200; ++tries) {
    const double z = left + rng.Uniform() * (right - left);
    const double f = logf(z);
    if (f > level) {
      f0 = f;
      return z;
    }
    if (z < z0) left = z; else right = z;
  }
  return z0;  // shrunk onto z0: keep it (a valid, if wasted, step)
}

double InverseGamma(bayes::Random& rng, double shape, double scale) {
  return scale / rng.Gamma(shape);
}

struct ChainDraws {
  std::vector<double> mu, tau;
};

void RunChain(const Problem& p, std::uint64_t seed, std::size_t chain,
              const bayes::DrawSettings& ds, std::size_t keep, ChainDraws& out) {
  bayes::Random rng(seed, chain + 1);
  const std::size_t n = p.size();
  ChainState s;
  s.lambda = p.x;
  s.sigma2 = p.u2;
  s.aux_sigma.assign(n, p.sigma_scale * p.sigma_scale);
  // Dispersed start: mu about the median, tau about its prior scale.
  const double spread = std::max(bayes::ScaledMad(p.x), 1.0);
  s.mu = Median(p.x) + spread * rng.Normal();
  s.tau = std::clamp(std::max(bayes::ScaledMad(p.x), 0.1) * std::exp(rng.Normal()), 1e-3, 1e3);
  if (p.tau_prior == TauPrior::kUniform) s.tau = std::min(s.tau, 0.5 * p.tau_scale);
  s.v.assign(n, s.tau * s.tau);
  out.mu.clear();
  out.tau.clear();
  out.mu.reserve(keep);
  out.tau.reserve(keep);

  const std::size_t total = ds.warmup + keep * ds.thin;
  double z = ZOf(p, s.tau);
  std::vector<double> d(n);
  for (std::size_t it = 0; it < total; ++it) {
    if (p.effects == Effects::kGauss) {
      // tau | sigma, x with mu and lambda integrated out; then mu, lambda exactly.
      auto logf = [&](double zz) {
        return LogMarginalFast(p.x, s.sigma2, TauOf(p, zz)) + LogPriorZ(p, zz);
      };
      double f0 = logf(z);
      z = Slice(z, f0, logf, 1.0, rng);
      s.tau = TauOf(p, z);
      const GaussConditional c = Conditional(p.x, s.sigma2, s.tau);
      s.mu = c.mean + std::sqrt(c.var) * rng.Normal();
      for (std::size_t i = 0; i < n; ++i) s.v[i] = s.tau * s.tau;
    } else {
      // Latent variances of the lab effects given d = lambda - mu and tau.
      for (std::size_t i = 0; i < n; ++i) {
        const double di = s.lambda[i] - s.mu;
        if (p.effects == Effects::kLaplace) {
          const double t2 = s.tau * s.tau;
          if (std::abs(di) < 1e-300) {
            s.v[i] = rng.Gamma(0.5) * t2;
          } else {
            s.v[i] = 1 / rng.InverseGaussian(std::sqrt(2.0) / (s.tau * std::abs(di)), 2 / t2);
          }
        } else {
          const double nu = p.effect_dof;
          const double c2 = s.tau * s.tau * (nu - 2) / nu;
          s.v[i] = InverseGamma(rng, 0.5 * (nu + 1), 0.5 * (nu * c2 + di * di));
        }
      }
      // mu | v, sigma, x with lambda integrated out.
      double w_sum = 0, wx = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double w = 1 / (s.sigma2[i] + s.v[i]);
        w_sum += w;
        wx += w * p.x[i];
      }
      s.mu = wx / w_sum + rng.Normal() / std::sqrt(w_sum);
    }
    // lambda | mu, v, sigma, x.
    for (std::size_t i = 0; i < n; ++i) {
      const double prec = 1 / s.sigma2[i] + 1 / s.v[i];
      const double mean = (p.x[i] / s.sigma2[i] + s.mu / s.v[i]) / prec;
      s.lambda[i] = mean + rng.Normal() / std::sqrt(prec);
    }
    if (p.effects != Effects::kGauss) {
      // tau | lambda, mu (latent variances integrated out), by slice sampling in z.
      for (std::size_t i = 0; i < n; ++i) d[i] = s.lambda[i] - s.mu;
      auto logf = [&](double zz) {
        const double t = TauOf(p, zz);
        double l = LogPriorZ(p, zz);
        if (p.effects == Effects::kLaplace) {
          const double b = t / std::sqrt(2.0);
          double sum_abs = 0;
          for (std::size_t i = 0; i < n; ++i) sum_abs += std::abs(d[i]);
          return l - static_cast<double>(n) * std::log(b) - sum_abs / b;
        }
        const double nu = p.effect_dof;
        const double c2 = t * t * (nu - 2) / nu;
        const double logs = SumOfLogs(n, [&](std::size_t i) { return 1 + d[i] * d[i] / (nu * c2); });
        return l - 0.5 * static_cast<double>(n) * std::log(c2) - 0.5 * (nu + 1) * logs;
      };
      double f0 = logf(z);
      z = Slice(z, f0, logf, 1.0, rng);
      s.tau = TauOf(p, z);
      // Joint rescaling (d, tau) -> (g d, g tau): the effect density is a scale family, so
      // with the Jacobian g^n only the likelihood of x and the prior of tau change.
      for (int rep = 0; rep < 2; ++rep) {
        const double log_g = 0.5 * rng.Normal();
        const double g = std::exp(log_g);
        const double tau_new = g * s.tau;
        if (p.tau_prior == TauPrior::kUniform && tau_new >= p.tau_scale) continue;
        const double z_new = ZOf(p, tau_new);
        double log_ratio = LogPriorLogTau(p, tau_new) - LogPriorLogTau(p, s.tau);
        for (std::size_t i = 0; i < n; ++i) {
          const double r_old = p.x[i] - s.mu - d[i];
          const double r_new = p.x[i] - s.mu - g * d[i];
          log_ratio += 0.5 * (r_old * r_old - r_new * r_new) / s.sigma2[i];
        }
        if (std::log(rng.Uniform()) < log_ratio) {
          for (std::size_t i = 0; i < n; ++i) {
            d[i] *= g;
            s.lambda[i] = s.mu + d[i];
          }
          s.tau = tau_new;
          z = z_new;
        }
      }
    }
    // sigma_i^2 | lambda_i, x_i, u_i, nu_i and its half-Cauchy auxiliary variable.
    for (std::size_t i = 0; i < n; ++i) {
      if (!p.model_sigma[i]) continue;
      const double r = p.x[i] - s.lambda[i];
      s.sigma2[i] = InverseGamma(rng, 0.5 * (p.nu[i] + 2),
                                 0.5 * (r * r + p.nu[i] * p.u2[i]) + 1 / s.aux_sigma[i]);
      // Inverse gamma with shape 1: scale over a standard exponential.
      s.aux_sigma[i] =
          (1 / s.sigma2[i] + 1 / (p.sigma_scale * p.sigma_scale)) / -std::log(rng.Uniform());
    }
    if (it >= ds.warmup && (it - ds.warmup) % ds.thin == 0) {
      out.mu.push_back(s.mu);
      out.tau.push_back(s.tau);
    }
  }
}

// ---- Settings and result --------------------------------------------------------------------

std::size_t Count(SettingsReader& r, const char* key, double low, double high, double fallback) {
  const double v = r.Number(key, low, high, fallback);
  if (v != std::floor(v)) {
    throw InputError("", 0, std::string("--set ") + key,
                     fmt::format("{} must be a whole number, got {}", key, v));
  }
  return static_cast<std::size_t>(v);
}

void AddExtra(EstimatorResult& r, const char* name, double value,
              ExtraValue::Kind kind = ExtraValue::Kind::kDimensionless) {
  r.extra.push_back({name, value, kind});
}

}  // namespace

EstimatorResult Estimate(const char* name, Effects effects, const LabSample& sample,
                         const EstimatorOptions& options) {
  SettingsReader settings(name, options.settings);
  const std::string method = effects == Effects::kGauss
                                 ? settings.Choice("method", {"auto", "quadrature", "mcmc"}, "auto")
                                 : std::string("mcmc");
  const std::string sigma_mode = settings.Choice("sigma", {"model", "known"}, "model");
  const std::string prior = settings.Choice("tau_prior", {"half_cauchy", "half_normal", "uniform"},
                                            "half_cauchy");
  const double scale = sample.scale;
  const double tau_scale_user = settings.Number("tau_prior_scale", 0, kInf, -1);
  const double sigma_scale_user = settings.Number("sigma_prior_scale", 0, kInf, -1);
  bayes::DrawSettings ds;
  ds.draws = Count(settings, "draws", 100, 1e9, 100000);
  ds.chains = Count(settings, "chains", 1, 256, 4);
  ds.warmup = Count(settings, "warmup", 0, 1e8, 2500);
  ds.thin = Count(settings, "thin", 1, 1e6, 1);
  ds.accept_unconverged = settings.Choice("accept_unconverged", {"0", "1"}, "0") == "1";
  Problem p;
  p.effects = effects;
  if (effects == Effects::kStudent) p.effect_dof = settings.Number("effect_dof", 2.05, 1e6, 4);
  settings.RejectUnknown();

  EstimatorResult r;
  const std::size_t n = sample.size();
  p.x.assign(sample.x.begin(), sample.x.end());
  for (std::size_t i = 0; i < n; ++i) {
    p.u2.push_back(sample.u[i] * sample.u[i]);
    p.nu.push_back(sample.dof[i]);
    p.model_sigma.push_back(sigma_mode == "model" && std::isfinite(sample.dof[i]));
  }
  p.tau_prior = prior == "half_cauchy"   ? TauPrior::kHalfCauchy
                : prior == "half_normal" ? TauPrior::kHalfNormal
                                         : TauPrior::kUniform;
  if (tau_scale_user > 0) {
    p.tau_scale = tau_scale_user / scale;
  } else if (tau_scale_user == 0) {
    throw InputError("", 0, "--set tau_prior_scale",
                     fmt::format("estimator '{}': tau_prior_scale must be positive", name));
  } else {
    p.tau_scale = bayes::ScaledMad(p.x);
    if (!(p.tau_scale > 0)) {
      p.tau_scale = Median(sample.u);
      r.warnings.push_back(
          "mad(x) is zero: the half-Cauchy prior of tau uses the median uncertainty as scale");
    }
  }
  if (sigma_scale_user == 0) {
    throw InputError("", 0, "--set sigma_prior_scale",
                     fmt::format("estimator '{}': sigma_prior_scale must be positive", name));
  }
  p.sigma_scale = sigma_scale_user > 0 ? sigma_scale_user / scale : Median(sample.u);
  if (p.tau_prior == TauPrior::kUniform && tau_scale_user < 0) {
    // A uniform prior needs an explicit upper bound: use 10 mad(x) and say so.
    p.tau_scale *= 10;
    r.warnings.push_back("uniform tau prior without tau_prior_scale: upper bound 10 mad(x)");
  }

  AddExtra(r, "tau_prior_scale", p.tau_scale, ExtraValue::Kind::kScale);
  if (p.any_sigma_modelled()) AddExtra(r, "sigma_prior_scale", p.sigma_scale, ExtraValue::Kind::kScale);

  const bool quadrature = effects == Effects::kGauss && !p.any_sigma_modelled() && method != "mcmc";
  if (method == "quadrature" && !quadrature) {
    r.status = Status::kFailed;
    r.message = "quadrature needs every sigma_i known: give infinite dof or --set " +
                std::string(name) + ".sigma=known";
    return r;
  }

  const double lo_p = 0.5 * (1 - options.coverage), hi_p = 0.5 * (1 + options.coverage);
  r.u_kind = "posterior_sd";
  r.interval_method = "posterior";

  if (quadrature) {
    const Quadrature q = PosteriorByQuadrature(p);
    if (q.converged_h == 0) {
      r.status = Status::kNotConverged;
      r.message = fmt::format("quadrature over tau did not settle to 1e-13 at step {}", q.h);
      return r;
    }
    r.value = q.mu_mean;
    r.u = q.mu_sd;
    r.tau = q.tau_mean;
    // The trapezoid rule on the coarser converged grid is as accurate for the CDF of mu.
    bayes::Mixture mix;
    const std::size_t stride = q.stride();
    for (std::size_t k = 0; k < q.z.size(); k += stride) {
      if (q.weight[k] < 1e-19) continue;
      mix.weight.push_back(q.weight[k] * static_cast<double>(stride));
      mix.mean.push_back(q.mean[k]);
      mix.scale.push_back(std::sqrt(q.var[k]));
    }
    double mix_total = 0;
    for (double w : mix.weight) mix_total += w;
    for (double& w : mix.weight) w /= mix_total;
    auto cdf = [&](double m) { return bayes::NormalMixtureCdf(mix, m); };
    r.interval_low = bayes::MixtureQuantile(cdf, lo_p, q.mu_mean - 4 * q.mu_sd, q.mu_mean);
    r.interval_high = bayes::MixtureQuantile(cdf, hi_p, q.mu_mean, q.mu_mean + 4 * q.mu_sd);
    const double median = bayes::MixtureQuantile(cdf, 0.5, q.mu_mean - q.mu_sd, q.mu_mean + q.mu_sd);
    const TauCdf tau_cdf(p, q);
    r.tau_interval = std::make_pair(TauOf(p, tau_cdf.Quantile(lo_p)), TauOf(p, tau_cdf.Quantile(hi_p)));
    AddExtra(r, "posterior_median", median, ExtraValue::Kind::kLocation);
    AddExtra(r, "tau_median", TauOf(p, tau_cdf.Quantile(0.5)), ExtraValue::Kind::kScale);
    AddExtra(r, "tau_sd", q.tau_sd, ExtraValue::Kind::kScale);
    DrawFromQuadrature(p, q, ds.draws, options.seed, r.kcrv_draws, r.tau_draws);
    // Independent draws from the exact posterior: nothing to diagnose.
    AddExtra(r, "rhat", 1.0);
    AddExtra(r, "ess", static_cast<double>(ds.draws));
    AddExtra(r, "quadrature_nodes", static_cast<double>(q.z.size()));
    AddExtra(r, "quadrature_step", q.h);
    r.message = fmt::format("posterior by quadrature over tau ({} nodes, step {}); {} independent draws",
                            q.z.size(), q.h, ds.draws);
    r.status = Status::kOk;
    return r;
  }

  // MCMC.
  const std::size_t per_chain = (ds.draws + ds.chains - 1) / ds.chains;
  std::vector<ChainDraws> chains(ds.chains);
  bayes::RunChains(ds.chains, options.threads, [&](std::size_t c) {
    RunChain(p, options.seed, c, ds, per_chain, chains[c]);
  });
  std::vector<double> mu, tau, log_tau;
  mu.reserve(per_chain * ds.chains);
  for (const ChainDraws& c : chains) {
    mu.insert(mu.end(), c.mu.begin(), c.mu.end());
    tau.insert(tau.end(), c.tau.begin(), c.tau.end());
  }
  log_tau.resize(tau.size());
  for (std::size_t k = 0; k < tau.size(); ++k) log_tau[k] = std::log(tau[k]);
  const bayes::ChainDiagnostics dm = bayes::Diagnose(mu, ds.chains, per_chain);
  const bayes::ChainDiagnostics dt = bayes::Diagnose(log_tau, ds.chains, per_chain);
  const bayes::MeanSd ms = bayes::SampleMeanSd(mu);
  const bayes::MeanSd ts = bayes::SampleMeanSd(tau);
  r.value = ms.mean;
  r.u = ms.sd;
  r.tau = ts.mean;
  r.interval_low = bayes::SampleQuantile(mu, lo_p);
  r.interval_high = bayes::SampleQuantile(mu, hi_p);
  r.tau_interval = std::make_pair(bayes::SampleQuantile(tau, lo_p), bayes::SampleQuantile(tau, hi_p));
  AddExtra(r, "posterior_median", bayes::SampleQuantile(mu, 0.5), ExtraValue::Kind::kLocation);
  AddExtra(r, "tau_median", bayes::SampleQuantile(tau, 0.5), ExtraValue::Kind::kScale);
  AddExtra(r, "tau_sd", ts.sd, ExtraValue::Kind::kScale);
  const double rhat = std::max(dm.rhat, dt.rhat);
  const double ess = std::min(dm.ess, dt.ess);
  AddExtra(r, "rhat", rhat);
  AddExtra(r, "ess", ess);
  AddExtra(r, "rhat_mu", dm.rhat);
  AddExtra(r, "rhat_tau", dt.rhat);
  AddExtra(r, "ess_mu", dm.ess);
  AddExtra(r, "ess_tau", dt.ess);
  AddExtra(r, "chains", static_cast<double>(ds.chains));
  AddExtra(r, "draws", static_cast<double>(mu.size()));
  // Monte Carlo standard errors of the posterior mean of mu and of tau.
  AddExtra(r, "mcse_value", ms.sd / std::sqrt(dm.ess), ExtraValue::Kind::kScale);
  r.kcrv_draws = std::move(mu);
  r.tau_draws = std::move(tau);
  const std::string diagnostics =
      fmt::format("Gibbs sampler, {} chains x {} draws after {} warm-up: R-hat {:.4f} (mu {:.4f}, "
                  "log tau {:.4f}), ESS {:.0f} (mu {:.0f}, log tau {:.0f})",
                  ds.chains, per_chain, ds.warmup, rhat, dm.rhat, dt.rhat, ess, dm.ess, dt.ess);
  if (!(rhat <= ds.rhat_limit)) {
    if (ds.accept_unconverged) {
      r.status = Status::kOk;
      r.warnings.push_back("sampler NOT converged (R-hat > " + fmt::format("{}", ds.rhat_limit) +
                           "), accepted as asked: " + diagnostics);
      r.message = diagnostics;
    } else {
      r.status = Status::kNotConverged;
      r.message = fmt::format("sampler not converged (R-hat > {}): {}; raise draws/warmup or "
                              "--set {}.accept_unconverged=1",
                              ds.rhat_limit, diagnostics, name);
    }
    return r;
  }
  r.message = diagnostics;
  r.status = Status::kOk;
  return r;
}

}  // namespace keycomp::hierarchical

#include "core/mc_doe.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

#include "core/input_error.h"
#include "core/mc/random.h"
#include "core/numeric.h"
#include "core/run_estimator.h"

namespace keycomp {

const char* ToString(BootstrapVariant variant) {
  switch (variant) {
    case BootstrapVariant::kParametric:
      return "parametric";
    case BootstrapVariant::kNicob:
      return "nicob";
  }
  return "unknown";
}

std::optional<BootstrapVariant> BootstrapVariantFromString(std::string_view text) {
  if (text == "parametric") return BootstrapVariant::kParametric;
  if (text == "nicob") return BootstrapVariant::kNicob;
  return std::nullopt;
}

std::string McDoeOptions::Validate() const {
  if (trials < 100) return fmt::format("--mc needs at least 100 trials, got {}", trials);
  if (!(doe.coverage > 0 && doe.coverage < 1)) return "coverage must lie in (0, 1)";
  return {};
}

namespace {

// Random streams of one run; each block of trials has its own generator per stream.
enum Stream : std::uint64_t { kNoise = 0, kBetweenLab = 1, kUncertainty = 2 };

/// The p-quantile of |values - centre| (the half-width of the shortest interval symmetric about
/// centre that holds a fraction p of the values): the ceil(p M)-th smallest deviation.
double SymmetricHalfWidth(std::span<const double> values, double centre, double p,
                          std::vector<double>& scratch) {
  scratch.resize(values.size());
  for (std::size_t t = 0; t < values.size(); ++t) scratch[t] = std::abs(values[t] - centre);
  const auto q = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  const std::size_t index = std::min(values.size(), std::max<std::size_t>(q, 1)) - 1;
  std::nth_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(index),
                   scratch.end());
  return scratch[index];
}

/// The NIST Consensus Builder's draw of tau^2 for its DerSimonian-Laird bootstrap
/// (sampleFromTau2Dist.R, Koepke & Possolo): Cochran's Q is given the gamma distribution with
/// the mean and variance of Q at the untruncated moment estimate tau^2_M (Biggerstaff & Tweedie,
/// Stat. Med. 16 (1997) 753, eqs. 5 and 7), and each draw Q* becomes
/// tau^2 = max(0, (Q* - (K - 1)) / c), c = S1 - S2/S1, S_r = sum w_i^r, w_i = 1/u_i^2.
/// Works on the centred and scaled results, so tau^2 comes out in units of scale^2.
class CochranQTau2Distribution {
 public:
  CochranQTau2Distribution(std::span<const double> x, std::span<const double> u) {
    const std::size_t k = x.size();
    std::vector<double> w(k);
    double s2 = 0, s3 = 0;
    for (std::size_t i = 0; i < k; ++i) {
      w[i] = 1 / (u[i] * u[i]);
      s2 += w[i] * w[i];
      s3 += w[i] * w[i] * w[i];
    }
    const WeightedMean wm = ComputeWeightedMean(x, w);
    const double s1 = wm.total_weight;
    const double q = WeightedSquares(x, w, wm.mean);
    dof_ = static_cast<double>(k) - 1;
    c_ = s1 - s2 / s1;
    if (!(c_ > 0)) return;  // one lab, or weights so unequal that c rounds to 0: tau^2 = 0
    const double tau2_m = (q - dof_) / c_;
    const double expected = dof_ + c_ * tau2_m;  // = Q
    const double variance =
        2 * dof_ + 4 * c_ * tau2_m + 2 * (s2 - 2 * s3 / s1 + s2 * s2 / (s1 * s1)) * tau2_m * tau2_m;
    if (expected > 0 && variance > 0) {
      shape_ = expected * expected / variance;
      rate_ = expected / variance;
    } else {
      // Degenerate gamma (NICOB divides by 1e-10 here): Q* = E[Q], i.e. tau^2 = max(0, tau^2_M).
      fixed_tau2_ = std::max(0.0, tau2_m);
    }
  }

  double Draw(mc::Xoshiro256pp& rng) const {
    if (!(c_ > 0)) return 0;
    if (shape_ <= 0) return fixed_tau2_;
    const double q = mc::StandardGamma(rng, shape_) / rate_;
    return std::max(0.0, (q - dof_) / c_);
  }

 private:
  double dof_ = 0, c_ = 0, shape_ = 0, rate_ = 1, fixed_tau2_ = 0;
};

}  // namespace

McDoeResult RunMonteCarloDoe(const Estimator& estimator, const Comparison& comparison,
                             const EstimatorOptions& estimator_options,
                             const EstimatorResult& point, const McDoeOptions& options) {
  const bool has_draws = !point.kcrv_draws.empty();
  if (!has_draws) {
    if (std::string why = options.Validate(); !why.empty()) throw InputError("", 0, "--mc", why);
  }
  const std::size_t n = comparison.size();
  const auto& included = comparison.included_indices();
  const std::size_t m = included.size();
  const std::size_t trials = has_draws ? point.kcrv_draws.size() : options.trials;
  const bool loo = options.doe.convention == DoeConvention::kLeaveOneOut;
  const bool nicob = options.variant == BootstrapVariant::kNicob;
  const DarkUncertainty dark = options.doe.dark.value_or(
      estimator.info.between_lab_term ? DarkUncertainty::kRecognised : DarkUncertainty::kIgnored);
  const bool recognised = dark == DarkUncertainty::kRecognised;
  const double tau = point.tau.value_or(0.0);
  const bool have_tau_draws = point.tau_draws.size() == point.kcrv_draws.size() && has_draws;

  // The point DoE (d_i and, for leave-one-out, x_ref(-i)) comes from the analytic path.
  McDoeResult out;
  out.trials = trials;
  out.seed = options.seed;
  out.variant = options.variant;
  out.source = has_draws ? "estimator_draws" : (nicob ? "nicob_bootstrap" : "parametric_bootstrap");
  out.doe =
      loo ? ComputeLeaveOneOutDoe(comparison, estimator, estimator_options, point, options.doe)
          : ComputeAnalyticDoe(comparison, estimator.info, point, options.doe);
  out.doe.dark = dark;
  out.doe.covariance = "monte_carlo";

  std::vector<double> x(n), u(n), dof(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = comparison.results()[i].value;
    u[i] = comparison.results()[i].u;
    dof[i] = comparison.results()[i].dof;
  }
  std::vector<double> inc_x(m), inc_u(m);
  for (std::size_t k = 0; k < m; ++k) {
    inc_x[k] = x[included[k]];
    inc_u[k] = u[included[k]];
  }
  const double centre = Median(inc_x);
  const double scale = Median(inc_u);

  // The NICOB variant draws tau^2 from its approximate sampling distribution (for estimators
  // with a between-lab term) and the included labs' results about the KCRV rather than about
  // their own values (bootDL in NICOB's server.R, DoEUnilateralDerSimonianLaird.R).
  std::optional<CochranQTau2Distribution> nicob_tau2;
  if (nicob && !has_draws && estimator.info.between_lab_term && m > 1) {
    std::vector<double> xs(m), us(m);
    for (std::size_t k = 0; k < m; ++k) {
      xs[k] = (inc_x[k] - centre) / scale;
      us[k] = inc_u[k] / scale;
    }
    nicob_tau2.emplace(xs, us);
  }

  std::optional<mc::MultivariateNormal> correlated;
  // Correlation matrices of the included labs (position m) and of the included labs without
  // sample position k (k < m, leave-one-out), for estimators that model correlations (gls).
  std::vector<Eigen::MatrixXd> sample_correlation;
  if (comparison.has_correlations()) {
    correlated.emplace(Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n)),
                       comparison.Covariance());
    if (!comparison.CorrelationOf(included).isIdentity(0.0)) {
      sample_correlation.resize(m + 1);
      sample_correlation[m] = comparison.CorrelationOf(included);
      for (std::size_t k = 0; loo && k < m; ++k) {
        std::vector<std::size_t> rest = included;
        rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(k));
        sample_correlation[k] = comparison.CorrelationOf(rest);
      }
    }
  }

  // Inner estimator calls need the value only: an estimator with an internal Monte Carlo
  // uncertainty gets the smallest trial count it accepts.
  EstimatorOptions inner = estimator_options;
  inner.internal_trials = 100;
  inner.threads = 1;

  std::vector<double> ref(trials);
  std::vector<double> own(n * trials);  // lab-major: own[i * trials + t]
  std::vector<double> loo_ref(loo ? n * trials : 0);
  std::vector<std::uint8_t> failed(trials, 0);

  const unsigned threads = mc::ResolveThreads(options.threads);
  struct Scratch {
    std::vector<double> xs, us, dofs, e, b, ustar, work;
    Eigen::VectorXd zv, ev;
  };
  std::vector<Scratch> scratch(threads);
  for (Scratch& s : scratch) {
    s.xs.resize(m);
    s.us.resize(m);
    s.dofs.resize(m);
    s.e.resize(n);
    s.b.resize(n);
    s.ustar = u;
    s.zv.resize(static_cast<Eigen::Index>(n));
    s.ev.resize(static_cast<Eigen::Index>(n));
  }
  for (std::size_t k = 0; k < m; ++k) {
    for (Scratch& s : scratch) s.dofs[k] = dof[included[k]];
  }

  // Leave-one-out with an estimator that brings its own draws: rerun it without each included
  // lab and pair its draws with ours trial by trial.
  std::vector<std::vector<double>> draws_without(n);
  if (loo && has_draws) {
    for (std::size_t i : included) {
      const EstimatorResult r = RunEstimator(
          estimator, comparison.WithExcluded({comparison.results()[i].lab}), estimator_options);
      if (r.status != Status::kOk || r.kcrv_draws.empty()) {
        throw ComputationError(fmt::format("leave-one-out without '{}': {}: {}",
                                           comparison.results()[i].lab, ToString(r.status),
                                           r.message));
      }
      draws_without[i] = r.kcrv_draws;
    }
  }

  const auto started = std::chrono::steady_clock::now();
  const std::size_t blocks = mc::BlockCount(trials);
  std::atomic<std::size_t> blocks_done{0};
  mc::ParallelForBlocks(blocks, threads, [&](std::size_t block, unsigned worker) {
    Scratch& s = scratch[worker];
    const mc::BlockRange range = mc::BlockTrials(block, trials);
    mc::Xoshiro256pp noise = mc::BlockGenerator(options.seed, kNoise, block);
    mc::Xoshiro256pp between = mc::BlockGenerator(options.seed, kBetweenLab, block);
    mc::Xoshiro256pp redraw = mc::BlockGenerator(options.seed, kUncertainty, block);

    auto estimate = [&](std::size_t skip) -> double {
      // The included labs' draws, centred and scaled, without sample position `skip`.
      std::size_t size = 0;
      for (std::size_t k = 0; k < m; ++k) {
        if (k == skip) continue;
        const std::size_t i = included[k];
        s.xs[size] = ((nicob ? point.value : x[i]) + s.e[i] + s.b[i] - centre) / scale;
        s.us[size] = s.ustar[i] / scale;
        s.dofs[size] = dof[i];
        ++size;
      }
      LabSample sample{std::span<const double>(s.xs.data(), size),
                       std::span<const double>(s.us.data(), size),
                       std::span<const double>(s.dofs.data(), size), centre, scale};
      if (!sample_correlation.empty()) sample.correlation = &sample_correlation[skip];
      if (estimator.point != nullptr) {
        return centre + scale * estimator.point(sample, inner, s.work);  // NaN passes through
      }
      const EstimatorResult r = estimator.Estimate(sample, inner);
      if (r.status != Status::kOk || !std::isfinite(r.value)) {
        return std::numeric_limits<double>::quiet_NaN();
      }
      return centre + scale * r.value;
    };

    for (std::size_t t = range.begin; t < range.end; ++t) {
      double tau_t = have_tau_draws ? point.tau_draws[t] : tau;
      if (nicob_tau2) tau_t = scale * std::sqrt(nicob_tau2->Draw(redraw));
      if (nicob && !has_draws) {  // the redrawn u_i only reach a recomputed estimator
        for (std::size_t i = 0; i < n; ++i) {
          s.ustar[i] = std::isfinite(dof[i])
                           ? u[i] * std::sqrt(dof[i] / (2 * mc::StandardGamma(redraw, dof[i] / 2)))
                           : u[i];
        }
      }
      if (correlated) {
        for (std::size_t i = 0; i < n; ++i)
          s.zv(static_cast<Eigen::Index>(i)) = mc::StandardNormal(noise);
        s.ev.noalias() = correlated->factor() * s.zv;
        for (std::size_t i = 0; i < n; ++i) {
          s.e[i] = s.ev(static_cast<Eigen::Index>(i));
        }
      } else if (nicob) {
        // NICOB: normal errors even when nu_i is finite; its redrawn u_i only enter the
        // estimator's weights, never the draws.
        for (std::size_t i = 0; i < n; ++i) s.e[i] = u[i] * mc::StandardNormal(noise);
      } else {
        for (std::size_t i = 0; i < n; ++i) {
          const double z = std::isfinite(dof[i]) ? mc::StandardStudentT(noise, dof[i])
                                                 : mc::StandardNormal(noise);
          s.e[i] = u[i] * z;
        }
      }
      for (std::size_t i = 0; i < n; ++i) {
        s.b[i] = tau_t > 0 ? tau_t * mc::StandardNormal(between) : 0.0;
      }
      const double ref_t = has_draws ? point.kcrv_draws[t] : estimate(m);
      ref[t] = ref_t;
      failed[t] = std::isfinite(ref_t) ? 0 : 1;
      for (std::size_t i = 0; i < n; ++i) {
        own[i * trials + t] = x[i] + s.e[i] + (recognised ? s.b[i] : 0.0);
      }
      if (loo) {
        std::size_t k = 0;
        for (std::size_t i = 0; i < n; ++i) {
          double value = ref_t;
          if (k < m && included[k] == i) {
            value = has_draws ? draws_without[i][t % draws_without[i].size()] : estimate(k);
            ++k;
          }
          loo_ref[i * trials + t] = value;
          if (!std::isfinite(value)) failed[t] = 1;
        }
      }
    }
    const std::size_t done = ++blocks_done;
    if (options.progress && worker == 0)
      options.progress(static_cast<double>(done) / static_cast<double>(blocks));
  });
  if (options.progress) options.progress(1.0);
  const auto trials_done = std::chrono::steady_clock::now();
  out.seconds_trials = std::chrono::duration<double>(trials_done - started).count();

  out.failed_trials = static_cast<std::size_t>(std::count(failed.begin(), failed.end(), 1));
  if (out.failed_trials > 0) {
    throw ComputationError(fmt::format(
        "{}: the estimator failed in {} of {} Monte Carlo trials; no uncertainty is reported",
        estimator.info.name, out.failed_trials, trials));
  }

  // The KCRV.
  const mc::Moments kcrv_moments = mc::Moments::Of(ref);
  out.kcrv.mean = kcrv_moments.mean;
  out.kcrv.u = kcrv_moments.StandardDeviation();
  {
    std::vector<double> sorted = ref;
    out.kcrv.intervals = mc::ComputeCoverageIntervals(sorted, options.doe.coverage, false);
    out.kcrv.histogram = mc::MakeHistogram(ref, out.kcrv.intervals.plot_low,
                                           out.kcrv.intervals.plot_high, options.histogram_bins);
  }

  // Unilateral DoE, one lab per task.
  const double p = options.doe.coverage;
  std::vector<std::vector<double>> work(threads), work2(threads);
  mc::ParallelForBlocks(n, threads, [&](std::size_t i, unsigned worker) {
    std::vector<double>& d = work[worker];
    d.resize(trials);
    const double* reference = loo ? &loo_ref[i * trials] : ref.data();
    for (std::size_t t = 0; t < trials; ++t) d[t] = own[i * trials + t] - reference[t];
    LabDoe& lab = out.doe.labs[i];
    lab.u = mc::Moments::Of(d).StandardDeviation();
    lab.expanded = SymmetricHalfWidth(d, lab.d, p, work2[worker]);
    lab.low = lab.d - lab.expanded;
    lab.high = lab.d + lab.expanded;
    lab.en = lab.d / lab.expanded;
    const mc::CoverageIntervals ci = mc::ComputeCoverageIntervals(d, p, false);
    lab.symmetric_low = ci.symmetric_low;
    lab.symmetric_high = ci.symmetric_high;
  });
  out.doe.coverage_factor = std::numeric_limits<double>::quiet_NaN();

  // Pairwise DoE from the same draws: one fused pass (deviations from d_ab, their moments and
  // absolute values), then one selection. Deviations from d_ab keep the sums well conditioned.
  mc::ParallelForBlocks(out.doe.pairwise.size(), threads, [&](std::size_t k, unsigned worker) {
    PairwiseDoe& pair = out.doe.pairwise[k];
    std::vector<double>& absolute = work[worker];
    absolute.resize(trials);
    const double* a = &own[pair.a * trials];
    const double* b = &own[pair.b * trials];
    double sum = 0, squares = 0;
    for (std::size_t t = 0; t < trials; ++t) {
      const double deviation = a[t] - b[t] - pair.d;
      sum += deviation;
      squares += deviation * deviation;
      absolute[t] = std::abs(deviation);
    }
    const double count = static_cast<double>(trials);
    const double mean = sum / count;
    pair.u = std::sqrt(std::max(0.0, (squares - count * mean * mean) / (count - 1)));
    const auto q = static_cast<std::size_t>(std::ceil(p * count));
    const std::size_t index = std::min(trials, std::max<std::size_t>(q, 1)) - 1;
    std::nth_element(absolute.begin(), absolute.begin() + static_cast<std::ptrdiff_t>(index),
                     absolute.end());
    pair.expanded = absolute[index];
  });
  out.seconds_summary =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - trials_done).count();
  return out;
}

}  // namespace keycomp

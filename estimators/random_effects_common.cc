#include "estimators/random_effects_common.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "core/numeric.h"
#include "estimators/settings.h"

namespace keycomp::random_effects {
namespace {

std::vector<double> WeightsAtTau2(const LabSample& sample, double tau2) {
  std::vector<double> w(sample.size());
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = 1 / (sample.u[i] * sample.u[i] + tau2);
  return w;
}

constexpr int kMaxRootIterations = 400;

constexpr const char* kOverflowMessage =
    "numerical overflow: the uncertainties span too many orders of magnitude for 1/u^2 weights "
    "in double precision";

}  // namespace

MeanAtTau2 FitAtTau2(const LabSample& sample, double tau2) {
  const std::vector<double> w = WeightsAtTau2(sample, tau2);
  const WeightedMean wm = ComputeWeightedMean(sample.x, w);
  MeanAtTau2 out;
  out.tau2 = tau2;
  out.mu = wm.mean;
  out.sum_weights = wm.total_weight;
  out.q = WeightedSquares(sample.x, w, wm.mean);
  return out;
}

WeightSums WeightSumsAtTau2(const LabSample& sample, double tau2) {
  const std::vector<double> w = WeightsAtTau2(sample, tau2);
  const WeightedMean wm = ComputeWeightedMean(sample.x, w);
  CompensatedSum w2, w2r2;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double r = w[i] * (sample.x[i] - wm.mean);
    w2.Add(w[i] * w[i]);
    w2r2.Add(r * r);
  }
  WeightSums out;
  out.sum_w = wm.total_weight;
  out.sum_w2 = w2.Total();
  out.sum_w2r2 = w2r2.Total();
  out.spread = WeightSpread(w);
  return out;
}

double WeightSpread(std::span<const double> w) {
  const std::size_t n = w.size();
  // others[i] = sum_{j != i} w_j from a prefix and a suffix sum: both are sums of positive
  // terms, so nothing cancels even when w_i is most of the total.
  std::vector<double> before(n), after(n);
  CompensatedSum running;
  for (std::size_t i = 0; i < n; ++i) {
    before[i] = running.Total();
    running.Add(w[i]);
  }
  const double total = running.Total();
  CompensatedSum reverse;
  for (std::size_t k = n; k-- > 0;) {
    after[k] = reverse.Total();
    reverse.Add(w[k]);
  }
  CompensatedSum spread;
  for (std::size_t i = 0; i < n; ++i) spread.Add(w[i] * (before[i] + after[i]));
  return spread.Total() / total;
}

double SumOfSquaresAboutMean(std::span<const double> x) {
  std::vector<double> ones(x.size(), 1.0);
  const WeightedMean m = ComputeWeightedMean(x, ones);
  return WeightedSquares(x, ones, m.mean);
}

Root SolveBracketed(const std::function<double(double)>& f, const Bracket& bracket) {
  Root root;
  if (bracket.f_low == 0) {
    root.value = bracket.low;
    root.converged = true;
    return root;
  }
  if (bracket.f_high == 0) {
    root.value = bracket.high;
    root.converged = true;
    return root;
  }
  if ((bracket.f_low > 0) == (bracket.f_high > 0) || std::isnan(bracket.f_low) ||
      std::isnan(bracket.f_high)) {
    return root;
  }
  // Relative tolerance of 4 ulp; an absolute floor at the smallest normal number so that a
  // root at (or next to) zero ends the search too.
  auto close_enough = [](double a, double b) {
    const double scale =
        std::max(std::min(std::abs(a), std::abs(b)), std::numeric_limits<double>::min());
    return std::abs(a - b) <= 4 * std::numeric_limits<double>::epsilon() * scale;
  };
  std::uintmax_t iterations = kMaxRootIterations;
  try {
    const auto [a, b] = boost::math::tools::toms748_solve(
        f, bracket.low, bracket.high, bracket.f_low, bracket.f_high, close_enough, iterations);
    root.value = a + 0.5 * (b - a);
    root.iterations = static_cast<int>(iterations);
    root.converged =
        iterations < static_cast<std::uintmax_t>(kMaxRootIterations) && std::isfinite(root.value);
  } catch (const std::exception&) {
    root.converged = false;
  }
  return root;
}

bool ExpandUpperBracket(const std::function<double(double)>& f, double start, Bracket& bracket) {
  double high = start > 0 ? start : std::numeric_limits<double>::min();
  while (high < 1e300) {
    const double value = f(high);
    if (std::isnan(value)) return false;
    if (value <= 0) {
      bracket.high = high;
      bracket.f_high = value;
      return true;
    }
    bracket.low = high;
    bracket.f_low = value;
    high *= 2;
  }
  return false;
}

Tau2Interval QProfileInterval(const LabSample& sample, double coverage) {
  Tau2Interval out;
  const std::size_t n = sample.size();
  if (n < 2) {
    out.message = "the Q-profile interval needs at least two labs";
    return out;
  }
  const boost::math::chi_squared chi2(static_cast<double>(n - 1));
  const double q0 = FitAtTau2(sample, 0).q;
  const double spread = SumOfSquaresAboutMean(sample.x);
  // Solves Q(tau2) = target; 0 when Q(0) is already at or below the target.
  auto end_for = [&](double target, double& end) -> bool {
    if (q0 <= target) {
      end = 0;
      return true;
    }
    auto f = [&](double tau2) { return FitAtTau2(sample, tau2).q - target; };
    Bracket bracket{0, q0 - target, 0, 0};
    // Q(t) <= sum (x_i - xbar)^2 / t for every t, so Q(spread/target) <= target.
    if (!ExpandUpperBracket(f, spread / target, bracket)) return false;
    const Root root = SolveBracketed(f, bracket);
    end = root.value;
    return root.converged;
  };
  const double alpha = 1 - coverage;
  const double upper_quantile = boost::math::quantile(chi2, 1 - alpha / 2);
  const double lower_quantile = boost::math::quantile(chi2, alpha / 2);
  if (!end_for(upper_quantile, out.low) || !end_for(lower_quantile, out.high)) {
    out.message = "the Q-profile interval for tau^2 did not converge";
    return out;
  }
  out.converged = true;
  return out;
}

double LikelihoodScore(const LabSample& sample, double tau2, bool restricted) {
  const WeightSums s = WeightSumsAtTau2(sample, tau2);
  return s.sum_w2r2 - (restricted ? s.spread : s.sum_w);
}

LikelihoodMaximum MaximiseLikelihood(const LabSample& sample, bool restricted) {
  LikelihoodMaximum out;
  auto score = [&](double t) { return LikelihoodScore(sample, t, restricted); };
  const double score0 = score(0);
  if (std::isnan(score0)) return out;
  if (score0 <= 0) {
    out.at_boundary = true;
    out.converged = true;
    return out;
  }
  // The score is negative once tau^2 exceeds about the spread of the values.
  const double n = static_cast<double>(sample.size());
  const double start = SumOfSquaresAboutMean(sample.x) / (restricted ? n - 1 : n);
  Bracket bracket{0, score0, 0, 0};
  if (!ExpandUpperBracket(score, start, bracket)) return out;
  const Root root = SolveBracketed(score, bracket);
  out.tau2 = root.value;
  out.converged = root.converged;
  out.iterations = root.iterations;
  return out;
}

double ProfileLogLikelihood(const LabSample& sample, double tau2, bool restricted) {
  const MeanAtTau2 fit = FitAtTau2(sample, tau2);
  CompensatedSum logs;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    logs.Add(std::log(sample.u[i] * sample.u[i] + tau2));
  }
  double l = -0.5 * (logs.Total() + fit.q);
  if (restricted) l -= 0.5 * std::log(fit.sum_weights);
  return l;
}

std::optional<EstimatorResult> RejectOverflowingWeights(const LabSample& sample) {
  for (std::size_t i = 0; i < sample.size(); ++i) {
    if (!(1 / (sample.u[i] * sample.u[i]) <= 1e150)) {
      EstimatorResult failed;
      failed.status = Status::kFailed;
      failed.message = kOverflowMessage;
      return failed;
    }
  }
  return std::nullopt;
}

UncertaintyMethod ReadUncertaintyMethod(const char* estimator, const EstimatorOptions& options) {
  SettingsReader settings(estimator, options.settings);
  const std::string u =
      settings.Choice("u", {"default", "knapp_hartung", "modified_knapp_hartung"}, "default");
  settings.RejectUnknown();
  if (u == "knapp_hartung") return UncertaintyMethod::kKnappHartung;
  if (u == "modified_knapp_hartung") return UncertaintyMethod::kModifiedKnappHartung;
  return UncertaintyMethod::kDefault;
}

EstimatorResult CompleteRandomEffectsResult(const char* estimator, const LabSample& sample,
                                            const EstimatorOptions& options,
                                            UncertaintyMethod method, double tau2) {
  EstimatorResult r;
  const std::size_t n = sample.size();
  const MeanAtTau2 fit = FitAtTau2(sample, tau2);
  const double u_random_effects = 1 / std::sqrt(fit.sum_weights);
  if (!std::isfinite(tau2) || !std::isfinite(fit.mu) || !std::isfinite(u_random_effects) ||
      !std::isfinite(fit.q)) {
    r.status = Status::kFailed;
    r.message = kOverflowMessage;
    return r;
  }
  r.value = fit.mu;
  r.tau = std::sqrt(tau2);
  r.weights.resize(static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const double v = sample.u[i] * sample.u[i] + tau2;
    r.weights(static_cast<Eigen::Index>(i)) = 1 / (v * fit.sum_weights);
  }
  r.extra.push_back({"tau2", tau2, ExtraValue::Kind::kScaleSquared});
  r.extra.push_back({"cochran_q", CochranQ(sample), ExtraValue::Kind::kDimensionless});
  r.extra.push_back({"generalised_q", fit.q, ExtraValue::Kind::kDimensionless});

  const std::size_t dof = n - 1;
  if (method == UncertaintyMethod::kDefault) {
    r.u = u_random_effects;
    r.u_kind = "random_effects";
    if (n < kFewLabsForNormalInterval) {
      r.warnings.push_back(
          fmt::format("the normal (z) interval with tau estimated from only {} labs undercovers "
                      "(IntHout et al. 2014); consider --set {}.u=modified_knapp_hartung",
                      n, estimator));
    }
  } else {
    const double q = fit.q / static_cast<double>(dof);
    const bool modified = method == UncertaintyMethod::kModifiedKnappHartung;
    const double factor = modified ? std::max(1.0, q) : q;
    r.u = std::sqrt(factor / fit.sum_weights);
    r.u_kind = modified ? "modified_knapp_hartung" : "knapp_hartung";
    const boost::math::students_t t(static_cast<double>(dof));
    const double k = boost::math::quantile(t, 0.5 * (1 + options.coverage));
    r.interval_low = fit.mu - k * r.u;
    r.interval_high = fit.mu + k * r.u;
    r.interval_method = fmt::format("student_t({})", dof);
    r.extra.push_back({"knapp_hartung_q", q, ExtraValue::Kind::kDimensionless});
    r.extra.push_back({"u_random_effects", u_random_effects, ExtraValue::Kind::kScale});
    if (!modified && q < 1) {
      r.warnings.push_back(fmt::format(
          "Knapp-Hartung q = {:.3g} < 1 makes u smaller than 1/sqrt(sum w*); the modified "
          "version (u=modified_knapp_hartung) keeps q >= 1 (Röver, Knapp, Friede 2015)",
          q));
    }
  }

  const Tau2Interval qp = QProfileInterval(sample, options.coverage);
  if (!qp.converged) {
    r.status = Status::kNotConverged;
    r.message = qp.message;
    return r;
  }
  r.tau_interval = std::make_pair(std::sqrt(qp.low), std::sqrt(qp.high));
  r.extra.push_back({"tau2_interval_low", qp.low, ExtraValue::Kind::kScaleSquared});
  r.extra.push_back({"tau2_interval_high", qp.high, ExtraValue::Kind::kScaleSquared});
  r.status = Status::kOk;
  return r;
}

}  // namespace keycomp::random_effects

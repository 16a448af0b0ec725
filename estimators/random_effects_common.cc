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

void FillWeights(const LabSample& sample, double tau2, std::span<double> w) {
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = 1 / (sample.u[i] * sample.u[i] + tau2);
}

// WeightSpread with the caller's scratch space `others` (as many elements as w).
double WeightSpreadInto(std::span<const double> w, std::span<double> others) {
  const std::size_t n = w.size();
  // others[i] = sum_{j != i} w_j from a prefix and a suffix sum: both are sums of positive
  // terms, so nothing cancels even when w_i is most of the total.
  CompensatedSum running;
  for (std::size_t i = 0; i < n; ++i) {
    others[i] = running.Total();
    running.Add(w[i]);
  }
  const double total = running.Total();
  CompensatedSum reverse;
  for (std::size_t k = n; k-- > 0;) {
    others[k] += reverse.Total();
    reverse.Add(w[k]);
  }
  CompensatedSum spread;
  for (std::size_t i = 0; i < n; ++i) spread.Add(w[i] * others[i]);
  return spread.Total() / total;
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
  std::vector<double> w = WeightsAtTau2(sample, tau2);
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
  std::vector<double> others(w.size());
  return WeightSpreadInto(w, others);
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

double LikelihoodScore(const LabSample& sample, double tau2, bool restricted,
                       std::vector<double>& workspace) {
  // The search evaluates this some hundreds of times per estimate: three fused passes, the
  // same compensated sums as FitAtTau2 and WeightSpread.
  const std::size_t n = sample.size();
  if (workspace.size() < 2 * n) workspace.resize(2 * n);
  double* w = workspace.data();
  double* others = workspace.data() + n;  // sum_{j != i} w_j, for the REML penalty
  CompensatedSum sw, swx;
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = 1 / (sample.u[i] * sample.u[i] + tau2);
    others[i] = sw.Total();  // the prefix; the suffix is added below
    sw.Add(w[i]);
    swx.Add(w[i] * sample.x[i]);
  }
  const double total = sw.Total();
  double mean = swx.Total() / total;
  CompensatedSum residual, suffix;
  for (std::size_t k = n; k-- > 0;) {
    residual.Add(w[k] * (sample.x[k] - mean));
    others[k] += suffix.Total();
    suffix.Add(w[k]);
  }
  mean += residual.Total() / total;  // one refinement, as ComputeWeightedMean
  CompensatedSum w2r2, spread;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = w[i] * (sample.x[i] - mean);
    w2r2.Add(r * r);
    spread.Add(w[i] * others[i]);
  }
  return w2r2.Total() - (restricted ? spread.Total() / total : total);
}

double LikelihoodScore(const LabSample& sample, double tau2, bool restricted) {
  std::vector<double> workspace;
  return LikelihoodScore(sample, tau2, restricted, workspace);
}

double ProfileLogLikelihood(const LabSample& sample, double tau2, bool restricted,
                            std::vector<double>& workspace) {
  const std::size_t n = sample.size();
  workspace.resize(std::max(workspace.size(), n));
  const std::span<double> w(workspace.data(), n);
  FillWeights(sample, tau2, w);
  const WeightedMean wm = ComputeWeightedMean(sample.x, w);
  CompensatedSum logs;
  for (std::size_t i = 0; i < n; ++i) logs.Add(std::log(sample.u[i] * sample.u[i] + tau2));
  double l = -0.5 * (logs.Total() + WeightedSquares(sample.x, w, wm.mean));
  if (restricted) l -= 0.5 * std::log(wm.total_weight);
  return l;
}

double ProfileLogLikelihood(const LabSample& sample, double tau2, bool restricted) {
  std::vector<double> workspace;
  return ProfileLogLikelihood(sample, tau2, restricted, workspace);
}

namespace {

// Grid of the search in tau^2: 0, then log-spaced from kGridLowest * min u_i^2 to the bound,
// kGridPointsPerDecade a decade. Below kGridLowest * min u_i^2 the weights differ from those at
// 0 by less than 1e-4 relative: a root there is still bracketed (by the cell [0, lowest]), two
// would be a maximum and a minimum whose likelihoods agree to about that much.
constexpr double kGridLowest = 1e-4;
constexpr double kGridPointsPerDecade = 32;

// Maxima whose log-likelihoods agree to this (relative to max(1, |l|)) count as tied; the one
// with the smaller tau^2 is kept, so that the choice does not hang on rounding.
constexpr double kTieTolerance = 1e-12;

// The score in plain arithmetic for the grid scan, where only its sign matters: a few ulp per
// lab less accurate than LikelihoodScore and several times cheaper. The lab `largest` (the
// smallest u) has the largest weight at every tau^2; the other weights are summed apart, so
// that neither W - w_largest nor W - w_i cancels (w_i <= W/2 for every other lab).
double QuickScore(const LabSample& sample, double tau2, bool restricted, std::size_t largest,
                  double* w) {
  const std::size_t n = sample.size();
  double others = 0, swx = 0;
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = 1 / (sample.u[i] * sample.u[i] + tau2);
    swx += w[i] * sample.x[i];
    if (i != largest) others += w[i];
  }
  const double total = w[largest] + others;
  const double mean = swx / total;
  double w2r2 = 0, spread = w[largest] * others;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = w[i] * (sample.x[i] - mean);
    w2r2 += r * r;
    if (i != largest) spread += w[i] * (total - w[i]);
  }
  return w2r2 - (restricted ? spread / total : total);
}

// The search's state: the sample, the grid and the accurate score for the refinements.
struct Search {
  const LabSample& sample;
  bool restricted;
  std::vector<double>& workspace;
  double lowest = 0;   // grid point 1
  double highest = 0;  // grid point last, LikelihoodSearchBound
  double log_step = 0;
  int last = 1;  // grid point 0 is tau^2 = 0

  double GridPoint(int k) const {
    if (k == 0) return 0;
    return k == last ? highest : lowest * std::exp((k - 1) * log_step);
  }
  double Score(double t) const { return LikelihoodScore(sample, t, restricted, workspace); }

  void Note(double tau2, LikelihoodMaximum& out) const {
    const double l = ProfileLogLikelihood(sample, tau2, restricted, workspace);
    if (out.local_maxima < LikelihoodMaximum::kListedMaxima) {
      out.listed[static_cast<std::size_t>(out.local_maxima)] = {tau2, l};
    }
    const double tie = kTieTolerance * std::max(1.0, std::abs(out.log_likelihood));
    if (out.local_maxima++ == 0 || l > out.log_likelihood + tie) {
      out.tau2 = tau2;
      out.log_likelihood = l;
      out.at_boundary = tau2 == 0;
    }
  }

  // Where the scan goes on after a refinement: the grid point reached and the score's sign
  // there (the accurate one).
  struct Resume {
    int point = -1;  // -1: the refinement failed
    bool positive = false;
  };

  // The quick score fell from > 0 at grid point k - 1 to <= 0 at k. The accurate score
  // confirms the bracket; where the two disagree the root lies within rounding of a grid point
  // and the bracket is widened by one point on that side.
  Resume Refine(int k, LikelihoodMaximum& out) const {
    int low = k - 1, high = k;
    double f_low = Score(GridPoint(low)), f_high = Score(GridPoint(high));
    if (f_low <= 0 && low > 0) f_low = Score(GridPoint(--low));
    if (f_high > 0 && high < last) f_high = Score(GridPoint(++high));
    if (std::isnan(f_low) || std::isnan(f_high)) return {};
    if (f_low <= 0 || f_high > 0) return {high, f_high > 0};  // no sign change after all
    // The lambda captures one pointer, so std::function holds it without allocating.
    const std::function<double(double)> f = [this](double t) { return Score(t); };
    const Root root = SolveBracketed(f, {GridPoint(low), f_low, GridPoint(high), f_high});
    if (!root.converged) return {};
    out.iterations += root.iterations;
    Note(root.value, out);
    return {high, false};
  }
};

}  // namespace

LikelihoodMaximum MaximiseLikelihood(const LabSample& sample, bool restricted,
                                     std::vector<double>& workspace) {
  LikelihoodMaximum out;
  Search search{sample, restricted, workspace};
  const double score0 = search.Score(0);
  if (std::isnan(score0)) return out;
  if (score0 <= 0) search.Note(0, out);
  std::size_t largest = 0;
  for (std::size_t i = 1; i < sample.size(); ++i) {
    if (sample.u[i] < sample.u[largest]) largest = i;
  }
  search.lowest = kGridLowest * sample.u[largest] * sample.u[largest];
  search.highest = LikelihoodSearchBound(sample, restricted);
  if (search.highest > search.lowest) {
    const double decades = std::log10(search.highest / search.lowest);
    search.last = 1 + static_cast<int>(std::ceil(kGridPointsPerDecade * decades));
    search.log_step = std::log(search.highest / search.lowest) / (search.last - 1);
  }
  // Every sign change + -> - of the score between grid points brackets a local maximum.
  workspace.resize(3 * sample.size());  // [0, 2n) for the accurate score
  double* w = workspace.data() + 2 * sample.size();
  bool positive = score0 > 0;
  for (int k = 1; k <= search.last; ++k) {
    const double value = QuickScore(sample, search.GridPoint(k), restricted, largest, w);
    if (std::isnan(value)) return out;
    if (positive && value <= 0) {
      const Search::Resume resume = search.Refine(k, out);
      if (resume.point < 0) return out;
      k = resume.point;
      positive = resume.positive;
    } else {
      positive = value > 0;
    }
  }
  out.converged = !positive;  // always, by LikelihoodSearchBound's argument
  return out;
}

LikelihoodMaximum MaximiseLikelihood(const LabSample& sample, bool restricted) {
  std::vector<double> workspace;
  return MaximiseLikelihood(sample, restricted, workspace);
}

double LogLikelihoodInDataUnits(const LabSample& sample, double log_likelihood, bool restricted) {
  // Each ln(u_i^2 + tau^2) gains 2 ln s in the data's units and, for REML, ln sum w*_i loses
  // 2 ln s: l = l' - m ln s, m = n (ML) or n - 1 (REML); then metafor's constants.
  const double n = static_cast<double>(sample.size());
  const double m = restricted ? n - 1 : n;
  constexpr double kTwoPi = 6.283185307179586;
  double l = log_likelihood - m * std::log(sample.scale) - 0.5 * m * std::log(kTwoPi);
  if (restricted) l += 0.5 * std::log(n);  // metafor's 1/2 ln|X'X| with X = 1 (REMLf = TRUE)
  return l;
}

double LikelihoodSearchBound(const LabSample& sample, bool restricted) {
  // Why the score has no root beyond the returned bound. Write w_i = w*_i, r_i = x_i - mu,
  // a = min u_i^2, b = max u_i^2, s = a + tau^2, SS = sum (x_i - xbar)^2. mu minimises
  // sum w_i (x_i - m)^2, so
  //   sum w_i^2 r_i^2 <= w_max sum w_i r_i^2 <= w_max sum w_i (x_i - xbar)^2 <= w_max^2 SS,
  // while the penalty is sum w_i >= n w_min (ML) or sum_i w_i (W - w_i)/W >= (n-1) w_min
  // (REML: W - w_i >= (n-1) w_min and sum w_i/W = 1). With m = n resp. n - 1 and c = SS/m,
  // w_max = 1/s and w_min >= 1/(s + b - a), the score is negative once s^2 > c (s + b - a),
  // which holds for s > c + sqrt(c (b - a)). From s = 2 (c + sqrt(c (b - a))) on, the same
  // bounds give sum w_i^2 r_i^2 <= penalty / 2: a margin no rounding erases. The bound is
  // that s (tau^2 = s - a <= s).
  const std::size_t n = sample.size();
  double mean = 0, a = std::numeric_limits<double>::infinity(), b = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mean += sample.x[i];
    a = std::min(a, sample.u[i] * sample.u[i]);
    b = std::max(b, sample.u[i] * sample.u[i]);
  }
  mean /= static_cast<double>(n);
  double ss = 0;
  for (std::size_t i = 0; i < n; ++i) ss += (sample.x[i] - mean) * (sample.x[i] - mean);
  const double c = ss / static_cast<double>(restricted ? n - 1 : n);
  return 2 * (c + std::sqrt(c * (b - a)));
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

std::optional<EstimatorResult> RejectCorrelations(const char* estimator, const LabSample& sample) {
  if (sample.correlation == nullptr) return std::nullopt;
  EstimatorResult failed;
  failed.status = Status::kFailed;
  failed.message = fmt::format(
      "{} does not propagate correlations between results (--correlations) into u(KCRV); use "
      "gls, weighted_mean or arithmetic_mean with --set arithmetic_mean.u=internal",
      estimator);
  return failed;
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

namespace {

// "tau = 0 (log-likelihood 12.3), tau = 1.15 (log-likelihood 15.7)", in the data's unit.
std::string ListMaxima(const LabSample& sample, bool restricted, const LikelihoodMaximum& max) {
  std::string list;
  const int listed = std::min(max.local_maxima, LikelihoodMaximum::kListedMaxima);
  for (int k = 0; k < listed; ++k) {
    const LocalMaximum& m = max.listed[static_cast<std::size_t>(k)];
    list += fmt::format("{}tau = {:.6g} (log-likelihood {:.6g})", k == 0 ? "" : ", ",
                        sample.scale * std::sqrt(m.tau2),
                        LogLikelihoodInDataUnits(sample, m.log_likelihood, restricted));
  }
  if (max.local_maxima > listed) list += ", ...";
  return list;
}

}  // namespace

EstimatorResult EstimateByLikelihood(const char* estimator, const LabSample& sample,
                                     const EstimatorOptions& options, bool restricted) {
  const UncertaintyMethod method = ReadUncertaintyMethod(estimator, options);
  if (auto failed = RejectOverflowingWeights(sample)) return *failed;
  const LikelihoodMaximum max = MaximiseLikelihood(sample, restricted);
  if (!max.converged) {
    EstimatorResult failed;
    failed.status = Status::kNotConverged;
    failed.message = "the root search for the score equation in tau^2 did not converge";
    return failed;
  }
  EstimatorResult r = CompleteRandomEffectsResult(estimator, sample, options, method, max.tau2);
  r.iterations = max.iterations;
  if (max.at_boundary) r.message = "tau^2 = 0: the likelihood decreases from the boundary";
  r.extra.push_back(
      {"local_maxima", static_cast<double>(max.local_maxima), ExtraValue::Kind::kDimensionless});
  if (max.local_maxima > 1) {
    r.warnings.push_back(fmt::format(
        "the {}likelihood has {} local maxima in tau^2 >= 0: {}; the highest (tau = {:.6g}) is "
        "reported, a search from one starting value can end at another",
        restricted ? "restricted " : "", max.local_maxima, ListMaxima(sample, restricted, max),
        sample.scale * std::sqrt(max.tau2)));
  }
  return r;
}

}  // namespace keycomp::random_effects

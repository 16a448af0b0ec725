#include "estimators/largest_consistent_subset.h"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/numeric.h"
#include "estimators/settings.h"

namespace keycomp {
namespace {

// Points where two of the curves sqrt(w_i)|x_i - mu| cross (see the header).
std::vector<double> Breakpoints(std::span<const double> x, std::span<const double> a) {
  const std::size_t n = x.size();
  std::vector<double> points;
  points.reserve(n * (n - 1));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (x[i] == x[j]) continue;  // the curves meet only at mu = x_i, where both are zero
      points.push_back((a[i] * x[i] + a[j] * x[j]) / (a[i] + a[j]));
      if (a[i] != a[j]) points.push_back((a[i] * x[i] - a[j] * x[j]) / (a[i] - a[j]));
    }
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  return points;
}

// Probe points: one inside every interval between consecutive breakpoints and one beyond each
// end (any point when there is no breakpoint: the order is then the same everywhere).
std::vector<double> ProbePoints(std::span<const double> x, std::span<const double> a) {
  const std::vector<double> b = Breakpoints(x, a);
  const auto [lo_it, hi_it] = std::minmax_element(x.begin(), x.end());
  const double span = std::max(*hi_it - *lo_it, 1.0);
  std::vector<double> probes;
  probes.reserve(b.size() + 2);
  if (b.empty()) {
    probes.push_back(*lo_it);
    return probes;
  }
  probes.push_back(b.front() - span);
  for (std::size_t k = 0; k + 1 < b.size(); ++k) probes.push_back(b[k] + 0.5 * (b[k + 1] - b[k]));
  probes.push_back(b.back() + span);
  return probes;
}

}  // namespace

ConsistentSubset FindLargestConsistentSubset(std::span<const double> x, std::span<const double> u,
                                             double alpha) {
  const std::size_t n = x.size();
  std::vector<double> w(n), a(n);
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = 1 / (u[i] * u[i]);
    a[i] = 1 / u[i];
  }

  // best[m]: smallest chi2 found over subsets of size m + 1, and the probe that gave it.
  std::vector<double> best(n, std::numeric_limits<double>::infinity());
  std::vector<double> best_probe(n, std::numeric_limits<double>::quiet_NaN());
  std::vector<std::size_t> order(n);
  std::vector<double> q(n);
  for (double mu : ProbePoints(x, a)) {
    for (std::size_t i = 0; i < n; ++i) q[i] = w[i] * (x[i] - mu) * (x[i] - mu);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t i, std::size_t j) { return q[i] < q[j] || (q[i] == q[j] && i < j); });
    // West's (1979) updating of the weighted mean and weighted sum of squares of the prefixes.
    double total = 0, mean = 0, chi2 = 0;
    for (std::size_t m = 0; m < n; ++m) {
      const std::size_t i = order[m];
      total += w[i];
      const double delta = x[i] - mean;
      mean += (w[i] / total) * delta;
      chi2 += w[i] * delta * (x[i] - mean);
      if (chi2 < best[m]) {
        best[m] = chi2;
        best_probe[m] = mu;
      }
    }
  }

  ConsistentSubset out;
  for (std::size_t m = n; m-- > 0;) {
    const double critical =
        m == 0 ? 0.0
               : boost::math::quantile(boost::math::chi_squared(static_cast<double>(m)), 1 - alpha);
    if (best[m] > critical && m > 0) continue;
    // Rebuild the subset at its probe point and recompute chi2 with compensated sums.
    const double mu = best_probe[m];
    for (std::size_t i = 0; i < n; ++i) q[i] = w[i] * (x[i] - mu) * (x[i] - mu);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t i, std::size_t j) { return q[i] < q[j] || (q[i] == q[j] && i < j); });
    out.members.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m + 1));
    std::sort(out.members.begin(), out.members.end());
    std::vector<double> xs, ws;
    for (std::size_t i : out.members) {
      xs.push_back(x[i]);
      ws.push_back(w[i]);
    }
    out.chi2 = m == 0 ? 0.0 : WeightedSquares(xs, ws, ComputeWeightedMean(xs, ws).mean);
    return out;
  }
  return out;
}

EstimatorResult EstimateLargestConsistentSubset(const LabSample& sample,
                                                const EstimatorOptions& options) {
  SettingsReader settings(kLargestConsistentSubsetInfo.name, options.settings);
  const double alpha = settings.Number("alpha", 1e-12, 0.5, 0.05);
  settings.RejectUnknown();

  const std::size_t n = sample.size();
  EstimatorResult r;
  r.u_kind = "internal";
  const ConsistentSubset lcs = FindLargestConsistentSubset(sample.x, sample.u, alpha);
  const std::size_t m = lcs.members.size();
  if (m < 2 && n >= 2) {
    r.status = Status::kFailed;
    r.message =
        "no two results are mutually consistent: the largest consistent subset is not "
        "unique";
    return r;
  }
  std::vector<double> xs, ws;
  for (std::size_t i : lcs.members) {
    xs.push_back(sample.x[i]);
    ws.push_back(1 / (sample.u[i] * sample.u[i]));
  }
  const WeightedMean wm = ComputeWeightedMean(xs, ws);
  r.value = wm.mean;
  r.u = 1 / std::sqrt(wm.total_weight);
  r.u_internal = r.u;
  r.weights = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
  std::vector<bool> kept(n, false);
  for (std::size_t k = 0; k < m; ++k) {
    kept[lcs.members[k]] = true;
    r.weights(static_cast<Eigen::Index>(lcs.members[k])) = ws[k] / wm.total_weight;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!kept[i]) r.dropped.push_back(i);
  }
  const double critical =
      m > 1 ? boost::math::quantile(boost::math::chi_squared(static_cast<double>(m - 1)), 1 - alpha)
            : 0.0;
  r.extra.push_back({"chi2", lcs.chi2, ExtraValue::Kind::kDimensionless});
  r.extra.push_back({"chi2_critical", critical, ExtraValue::Kind::kDimensionless});
  r.extra.push_back({"subset_size", static_cast<double>(m), ExtraValue::Kind::kDimensionless});
  r.status = Status::kOk;
  return r;
}

}  // namespace keycomp

// Power-moderated mean (estimators/power_moderated_mean.h): the limits alpha = 2 (Mandel-Paule
// weighted mean) and alpha = 0 (arithmetic mean), the Mandel-Paule condition on s, published
// CCRI(II) KCRVs (tests/estimators/data/pmm_published.csv), golden values from an independent R
// implementation (rob_golden.csv), weights and DoE, equivariance, settings.
#include "estimators/power_moderated_mean.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

#include "core/doe.h"
#include "rob_test_support.h"

using keycomp::EstimatePowerModeratedMean;
using keycomp::EstimatorOptions;
using keycomp::Status;
using rob_test::ExtraValue;
using rob_test::SampleData;

namespace {

// Inconsistent data (reduced chi-squared about 10 at s = 0).
const SampleData kSpread({10.2, 9.1, 11.5, 10.0, 12.8, 8.7, 10.4},
                         {0.3, 0.5, 0.4, 0.2, 0.6, 0.35, 0.25});

double WeightedMean(const std::vector<double>& x, const std::vector<double>& w) {
  double sw = 0, swx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sw += w[i];
    swx += w[i] * x[i];
  }
  return swx / sw;
}

EstimatorOptions WithAlpha(double alpha) {
  EstimatorOptions o;
  o.settings["alpha"] = fmt::format("{:.17g}", alpha);
  return o;
}

}  // namespace

TEST_CASE("PMM: s satisfies the Mandel-Paule condition (reduced chi-squared = 1)", "[pmm]") {
  const auto r = EstimatePowerModeratedMean(kSpread.view(), {});
  REQUIRE(r.status == Status::kOk);
  const double s = ExtraValue(r, "s");
  REQUIRE(s > 0);
  std::vector<double> w(kSpread.x.size());
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = 1 / (kSpread.u[i] * kSpread.u[i] + s * s);
  const double m = WeightedMean(kSpread.x, w);
  double chi2 = 0;
  for (std::size_t i = 0; i < w.size(); ++i) chi2 += w[i] * (kSpread.x[i] - m) * (kSpread.x[i] - m);
  CHECK(chi2 / (w.size() - 1) == Approx(1).epsilon(1e-13));
  CHECK(ExtraValue(r, "alpha") == Approx(2 - 3.0 / 7).epsilon(1e-15));
}

TEST_CASE("PMM with alpha = 2 is the Mandel-Paule weighted mean", "[pmm]") {
  const auto r = EstimatePowerModeratedMean(kSpread.view(), WithAlpha(2));
  REQUIRE(r.status == Status::kOk);
  const double s = ExtraValue(r, "s");
  std::vector<double> w(kSpread.x.size());
  double sw = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    w[i] = 1 / (kSpread.u[i] * kSpread.u[i] + s * s);
    sw += w[i];
  }
  CHECK(r.value == Approx(WeightedMean(kSpread.x, w)).epsilon(1e-14));
  CHECK(r.u == Approx(1 / std::sqrt(sw)).epsilon(1e-14));
}

TEST_CASE("PMM with alpha = 0 is the arithmetic mean with u^2 = max(s^2/n, u_MP^2)", "[pmm]") {
  const auto r = EstimatePowerModeratedMean(kSpread.view(), WithAlpha(0));
  REQUIRE(r.status == Status::kOk);
  const auto& x = kSpread.x;
  const double n = static_cast<double>(x.size());
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  const double s = ExtraValue(r, "s");
  double sw = 0;
  for (double u : kSpread.u) sw += 1 / (u * u + s * s);
  CHECK(r.value == Approx(mean).epsilon(1e-14));
  CHECK(r.u == Approx(std::sqrt(std::max(ss / (n * (n - 1)), 1 / sw))).epsilon(1e-14));
  for (Eigen::Index i = 0; i < r.weights.size(); ++i) CHECK(r.weights(i) == Approx(1 / n));
}

TEST_CASE("PMM of consistent data keeps s = 0", "[pmm]") {
  const SampleData d({1.0, 1.1, 0.95, 1.02}, {0.1, 0.1, 0.05, 0.08});
  const auto r = EstimatePowerModeratedMean(d.view(), {});
  REQUIRE(r.status == Status::kOk);
  CHECK(ExtraValue(r, "s") == 0);
  // alpha = 2 - 3/4 = 1.25: weights u_i^-1.25 normalised.
  std::vector<double> w(4);
  for (std::size_t i = 0; i < 4; ++i) w[i] = std::pow(d.u[i], -1.25);
  CHECK(r.value == Approx(WeightedMean(d.x, w)).epsilon(1e-14));
  CHECK(r.weights.sum() == Approx(1).epsilon(1e-15));
}

TEST_CASE("PMM reproduces published CCRI(II) KCRVs to every printed digit", "[pmm][published]") {
  std::ifstream in(std::string(KEYCOMP_SOURCE_DIR) + "/tests/estimators/data/pmm_published.csv");
  REQUIRE(in.good());
  const keycomp::Estimator* e = keycomp::FindEstimator("power_moderated_mean");
  REQUIRE(e != nullptr);
  std::string line;
  bool header = true;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::stringstream ss(line);
    std::string name, path, kcrv, u, resolution;
    std::getline(ss, name, ',');
    std::getline(ss, path, ',');
    std::getline(ss, kcrv, ',');
    std::getline(ss, u, ',');
    std::getline(ss, resolution, ',');
    const auto comparison =
        keycomp::ReadComparisonFile(std::string(KEYCOMP_SOURCE_DIR) + "/" + path);
    const auto r = keycomp::RunEstimator(*e, comparison, {});
    REQUIRE(r.status == Status::kOk);
    const double half = 0.5 * std::stod(resolution);
    INFO(name << ": computed " << r.value << " (" << r.u << "), published " << kcrv << " (" << u
              << ")");
    CHECK(std::abs(r.value - std::stod(kcrv)) <= half);
    CHECK(std::abs(r.u - std::stod(u)) <= half);
    WARN(
        fmt::format("power_moderated_mean {}: {:.6g} ({:.4g}) vs published {} ({}), |dx| = {:.3g}, "
                    "|du| = {:.3g}, resolution {}",
                    name, r.value, r.u, kcrv, u, std::abs(r.value - std::stod(kcrv)),
                    std::abs(r.u - std::stod(u)), resolution));
    ++cases;
  }
  CHECK(cases == 2);
}

TEST_CASE("PMM agrees with an independent R implementation", "[pmm]") {
  rob_test::CheckGolden("power_moderated_mean", "s", 11);
}

TEST_CASE("PMM weights give the analytic DoE (1 - 2 w_i) u_i^2 + u_ref^2", "[pmm]") {
  const auto comparison = keycomp::ReadComparisonFile(std::string(KEYCOMP_SOURCE_DIR) +
                                                      "/datasets/bipm_ri_ii_k1_ga67/results.csv");
  const keycomp::Estimator* e = keycomp::FindEstimator("power_moderated_mean");
  const auto r = keycomp::RunEstimator(*e, comparison, {});
  REQUIRE(r.status == Status::kOk);
  REQUIRE(static_cast<std::size_t>(r.weights.size()) == comparison.size());
  CHECK(r.weights.sum() == Approx(1).epsilon(1e-14));
  const auto doe = keycomp::ComputeAnalyticDoe(comparison, e->info, r, {});
  for (std::size_t i = 0; i < comparison.size(); ++i) {
    const double ui = comparison.results()[i].u;
    const double wi = r.weights(static_cast<Eigen::Index>(i));
    INFO("lab " << comparison.results()[i].lab);
    CHECK(doe.labs[i].d == Approx(comparison.results()[i].value - r.value).epsilon(1e-12));
    CHECK(doe.labs[i].u == Approx(std::sqrt((1 - 2 * wi) * ui * ui + r.u * r.u)).epsilon(1e-12));
  }
}

TEST_CASE("PMM is location-scale equivariant", "[pmm]") {
  const auto r0 = EstimatePowerModeratedMean(kSpread.view(), {});
  for (const auto& [a, b] :
       std::vector<std::pair<double, double>>{{0, 1e-9}, {5, 1e7}, {-3, -0.5}}) {
    const SampleData t = kSpread.Transformed(a, b);
    const auto r = EstimatePowerModeratedMean(t.view(), {});
    INFO("a = " << a << ", b = " << b);
    REQUIRE(r.status == Status::kOk);
    const double tol = 1e-12 + 100 * std::numeric_limits<double>::epsilon() * std::abs(a / b);
    CHECK(r.value == Approx(a + b * r0.value).epsilon(tol).margin(tol * std::abs(b)));
    CHECK(r.u == Approx(std::abs(b) * r0.u).epsilon(tol));
    CHECK(ExtraValue(r, "s") == Approx(std::abs(b) * ExtraValue(r0, "s")).epsilon(tol));
  }
}

TEST_CASE("PMM checks its alpha setting", "[pmm]") {
  CHECK_THROWS(EstimatePowerModeratedMean(kSpread.view(), WithAlpha(2.5)));
  EstimatorOptions o;
  o.settings["power"] = "1";
  CHECK_THROWS(EstimatePowerModeratedMean(kSpread.view(), o));
}

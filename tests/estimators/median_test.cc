// The median and its two uncertainties (estimators/median.h): `made` against hand-computed MADe
// for odd and even n, the MADe = 0 refusal, and `bootstrap` against the exact bootstrap
// distribution of the median (all n^n resamples enumerated for n = 5, 6; the order-statistic
// formula for n = 7, 9), with tolerances of five Monte Carlo standard errors at the trial count
// used; seeds and threads.
#include "estimators/median.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>

#include "core/input_error.h"
#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"
#include "rob_test_support.h"

using keycomp::EstimateMedian;
using keycomp::EstimatorOptions;
using keycomp::Status;
using rob_test::SampleData;

namespace {

const double kMadToSigma = 1.482602218505602;  // 1 / Phi^-1(3/4)

EstimatorOptions WithU(const std::string& which) {
  EstimatorOptions o;
  o.settings["u"] = which;
  return o;
}

// Mean, standard deviation and kurtosis of a discrete distribution.
struct Moments {
  double mean = 0, sd = 0, kurtosis = 0;
};

Moments FromPmf(const std::vector<double>& values, const std::vector<double>& p) {
  Moments m;
  for (std::size_t k = 0; k < values.size(); ++k) m.mean += p[k] * values[k];
  double m2 = 0, m4 = 0;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const double d = values[k] - m.mean;
    m2 += p[k] * d * d;
    m4 += p[k] * d * d * d * d;
  }
  m.sd = std::sqrt(m2);
  m.kurtosis = m4 / (m2 * m2);
  return m;
}

// The exact bootstrap distribution of the median by enumerating all n^n index tuples (each with
// probability n^-n), the median of a tuple by sorting.
Moments EnumeratedBootstrap(const std::vector<double>& x) {
  const std::size_t n = x.size();
  std::size_t total = 1;
  for (std::size_t i = 0; i < n; ++i) total *= n;
  std::vector<double> medians(total), draw(n);
  for (std::size_t code = 0; code < total; ++code) {
    std::size_t c = code;
    for (std::size_t i = 0; i < n; ++i, c /= n) draw[i] = x[c % n];
    std::sort(draw.begin(), draw.end());
    medians[code] = n % 2 == 1 ? draw[n / 2] : 0.5 * (draw[n / 2 - 1] + draw[n / 2]);
  }
  return FromPmf(medians, std::vector<double>(total, 1.0 / static_cast<double>(total)));
}

// Odd n, distinct values: the bootstrap median is x_(k) with P(median <= x_(k)) =
// P(Binomial(n, k/n) >= (n + 1)/2).
Moments OrderStatisticBootstrap(std::vector<double> x) {
  const std::size_t n = x.size();
  std::sort(x.begin(), x.end());
  auto cdf = [n](std::size_t k) {
    const double q = static_cast<double>(k) / static_cast<double>(n);
    double sum = 0;
    for (std::size_t j = (n + 1) / 2; j <= n; ++j) {
      const double choose = std::exp(std::lgamma(n + 1.0) - std::lgamma(j + 1.0) -
                                     std::lgamma(static_cast<double>(n - j) + 1.0));
      sum += choose * std::pow(q, static_cast<double>(j)) *
             std::pow(1 - q, static_cast<double>(n - j));
    }
    return sum;
  };
  std::vector<double> p(n);
  for (std::size_t k = 1; k <= n; ++k) p[k - 1] = cdf(k) - cdf(k - 1);
  return FromPmf(x, p);
}

void CheckBootstrapAgainst(const std::vector<double>& x, const Moments& exact) {
  const SampleData d(x, std::vector<double>(x.size(), 1.0));
  const EstimatorOptions o = WithU("bootstrap");
  const auto r = EstimateMedian(d.view(), o);
  REQUIRE(r.status == Status::kOk);
  CHECK(r.u_kind == "bootstrap");
  const double tolerance = rob_test::SdTolerance(o.internal_trials, exact.kurtosis);
  INFO("bootstrap u " << r.u << ", exact " << exact.sd << ", tolerance " << tolerance);
  CHECK(std::abs(r.u / exact.sd - 1) <= tolerance);
  CHECK(std::abs(rob_test::ExtraValue(r, "bootstrap_mean") - exact.mean) <=
        5 * exact.sd / std::sqrt(static_cast<double>(o.internal_trials)));
}

}  // namespace

TEST_CASE("median: even count, MADe-based u, closed form", "[median]") {
  // x = (1, 2, 4, 10): median 3; |x - 3| = (2, 1, 1, 7), MAD = 1.5;
  // MADe = 1.482602218505602 * 1.5; u = sqrt(pi/2) * MADe / 2.
  const auto c = keycomp::ParseComparisonCsv("lab,value,u\nA,1,1\nB,2,1\nC,4,2\nD,10,1\n", "t.csv");
  const auto r = keycomp::RunEstimator(*keycomp::FindEstimator("median"), c, {});
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(r.value == Approx(3).epsilon(1e-15));
  const double made = kMadToSigma * 1.5;
  CHECK(r.u == Approx(std::sqrt(std::acos(-1.0) / 2) * made / 2).epsilon(1e-14));
  CHECK(r.u_kind == "made");
  CHECK(r.weights.size() == 0);
}

TEST_CASE("median: odd count, MADe-based u, closed form", "[median]") {
  // x = (5, -1, 2, 9, 3): median 3; |x - 3| = (2, 4, 1, 6, 0), MAD = 2;
  // u = sqrt(pi/2) * 1.4826022185056 * 2 / sqrt(5) = 1.8581852 * 2 / 2.2360680 = 1.6619945.
  const SampleData d({5, -1, 2, 9, 3}, {1, 1, 1, 1, 1});
  const auto r = EstimateMedian(d.view(), WithU("made"));
  REQUIRE(r.status == Status::kOk);
  CHECK(r.value == 3);
  CHECK(rob_test::ExtraValue(r, "MADe") == Approx(kMadToSigma * 2).epsilon(1e-15));
  CHECK(r.u == Approx(1.2533141373155003 * kMadToSigma * 2 / std::sqrt(5.0)).epsilon(1e-14));
  CHECK(r.u == Approx(1.6619945).epsilon(1e-7));
}

TEST_CASE("median: MADe = 0 fails instead of reporting u = 0", "[median]") {
  // (1, 1, 5): median 1, |x - 1| = (0, 0, 4), MAD = 0. Likewise (2, 2, 2, 7).
  for (const SampleData& d :
       {SampleData({1, 1, 5}, {1, 1, 1}), SampleData({2, 2, 2, 7}, {1, 1, 1, 1})}) {
    const auto r = EstimateMedian(d.view(), {});
    CHECK(r.status == Status::kFailed);
    CHECK_THAT(r.message, Catch::Matchers::Contains("median.u=bootstrap"));
    // The bootstrap still has spread: resamples can hold more 5s than 1s.
    const auto b = EstimateMedian(d.view(), WithU("bootstrap"));
    CHECK(b.status == Status::kOk);
    CHECK(b.u > 0);
  }
  const SampleData equal({4, 4, 4}, {1, 1, 1});
  CHECK(EstimateMedian(equal.view(), WithU("bootstrap")).status == Status::kFailed);
}

TEST_CASE("median: an unknown u is refused", "[median]") {
  const SampleData d({1, 2, 3}, {1, 1, 1});
  CHECK_THROWS_AS(EstimateMedian(d.view(), WithU("monte_carlo")), keycomp::InputError);
  EstimatorOptions other;
  other.settings["trials"] = "10";
  CHECK_THROWS_AS(EstimateMedian(d.view(), other), keycomp::InputError);
}

TEST_CASE("median: bootstrap u matches the exact bootstrap distribution (enumerated)",
          "[median][monte_carlo]") {
  CheckBootstrapAgainst({0.3, -1.2, 2.5, 0.9, 1.4},
                        EnumeratedBootstrap({0.3, -1.2, 2.5, 0.9, 1.4}));
  const std::vector<double> six{10.0, 10.4, 9.1,
                                12.7, 10.2, 9.8};  // even n: mean of the middle two
  CheckBootstrapAgainst(six, EnumeratedBootstrap(six));
}

TEST_CASE("median: bootstrap u matches the order-statistic formula for odd n",
          "[median][monte_carlo]") {
  const std::vector<double> seven{3.1, 2.4, 5.0, 2.9, 3.3, 8.2, 3.0};
  const std::vector<double> nine{-4, 1.5, 0.2, 0.7, -0.3, 0.1, 2.2, 0.4, 9};
  CheckBootstrapAgainst(seven, OrderStatisticBootstrap(seven));
  CheckBootstrapAgainst(nine, OrderStatisticBootstrap(nine));
  // The two exact computations agree with each other where both apply.
  const std::vector<double> five{0.3, -1.2, 2.5, 0.9, 1.4};
  CHECK(OrderStatisticBootstrap(five).sd == Approx(EnumeratedBootstrap(five).sd).epsilon(1e-12));
}

TEST_CASE("median: bootstrap is bit-identical whatever the thread count, and follows the seed",
          "[median][monte_carlo]") {
  const SampleData d({1.0, 2.5, 1.7, 3.0, 2.2, 2.0, 1.1}, {0.2, 0.5, 0.3, 0.4, 0.25, 0.3, 0.1});
  EstimatorOptions one = WithU("bootstrap"), many = WithU("bootstrap");
  one.threads = 1;
  many.threads = 4;
  one.internal_trials = many.internal_trials = 30001;
  const auto a = EstimateMedian(d.view(), one);
  const auto b = EstimateMedian(d.view(), many);
  CHECK(a.u == b.u);
  CHECK(rob_test::ExtraValue(a, "bootstrap_mean") == rob_test::ExtraValue(b, "bootstrap_mean"));
  EstimatorOptions other = one;
  other.seed = 1;
  CHECK(EstimateMedian(d.view(), other).u != a.u);
}

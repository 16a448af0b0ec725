// Weighted median (estimators/weighted_median.h): the point estimate against its definition
// (closed forms, the plateau rule, the L1 objective on random data) and the bootstrap u and
// interval against exact distributions (one result: normal or Student t; a dominant weight;
// three equal weights: the median of three normals), with tolerances from the Monte Carlo
// standard error; bit-identical results whatever the thread count; equivariance.
#include "estimators/weighted_median.h"

#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "rob_test_support.h"

using keycomp::EstimateWeightedMedian;
using keycomp::EstimatorOptions;
using keycomp::Status;
using keycomp::WeightedMedian;
using rob_test::ExtraValue;
using rob_test::SampleData;

namespace {

double L1(const std::vector<double>& x, const std::vector<double>& w, double m) {
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s += w[i] * std::abs(x[i] - m);
  return s;
}

}  // namespace

TEST_CASE("Weighted median: closed forms and the plateau rule", "[weighted_median]") {
  CHECK(WeightedMedian(std::vector<double>{3, 1, 2}, std::vector<double>{1, 1, 1}) == 2);
  // Equal weights, even n: plateau [1, 2] -> 1.5, the ordinary median.
  CHECK(WeightedMedian(std::vector<double>{0, 3, 1, 2}, std::vector<double>{1, 1, 1, 1}) == 1.5);
  CHECK(WeightedMedian(std::vector<double>{0, 10}, std::vector<double>{0.3, 0.3}) == 5);
  // Cumulative weights 1, 2, 4 of W = 4: 2 C_2 = W, plateau [1, 5] -> 3.
  CHECK(WeightedMedian(std::vector<double>{0, 1, 5}, std::vector<double>{1, 1, 2}) == 3);
  // A weight above W/2 decides alone.
  CHECK(WeightedMedian(std::vector<double>{0, 1, 5}, std::vector<double>{1, 1, 2.5}) == 5);
  CHECK(WeightedMedian(std::vector<double>{-4, 7, 2, 9}, std::vector<double>{1, 1, 5, 1}) == 2);
  // Tied values count together: W = 4, the two 1s bring C to 3 > 2.
  CHECK(WeightedMedian(std::vector<double>{1, 0, 1, 8}, std::vector<double>{1, 1, 1, 1}) == 1);
}

TEST_CASE("Weighted median minimises the weighted L1 objective", "[weighted_median]") {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.1, 3);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t n = 1 + static_cast<std::size_t>(trial % 12);
    std::vector<double> x(n), w(n);
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = normal(rng);
      w[i] = uniform(rng);
    }
    const double m = WeightedMedian(x, w);
    // The minimum of a convex piecewise-linear function is attained at a data point.
    double best = L1(x, w, x[0]);
    for (double v : x) best = std::min(best, L1(x, w, v));
    INFO("trial " << trial);
    CHECK(L1(x, w, m) <= best * (1 + 1e-14));
  }
}

TEST_CASE("Weighted median bootstrap: one normal result gives u_1 and +-1.96 u_1",
          "[weighted_median][monte_carlo]") {
  const SampleData d({2.0}, {0.5});
  EstimatorOptions o;  // 100000 trials
  const auto r = EstimateWeightedMedian(d.view(), o);
  REQUIRE(r.status == Status::kOk);
  const std::size_t m = o.internal_trials;
  CHECK(r.value == 2.0);
  CHECK(std::abs(r.u / 0.5 - 1) <= rob_test::SdTolerance(m, 3));
  const double z = 1.959963984540054;
  const double tol =
      rob_test::QuantileTolerance(m, 0.025, boost::math::pdf(boost::math::normal(), z));
  CHECK(std::abs((r.interval_low - 2.0) / 0.5 + z) <= tol);
  CHECK(std::abs((r.interval_high - 2.0) / 0.5 - z) <= tol);
}

TEST_CASE("Weighted median bootstrap with finite dof draws Student t",
          "[weighted_median][monte_carlo]") {
  const SampleData d({0.0}, {1.0}, {6.0});
  EstimatorOptions o;
  const auto r = EstimateWeightedMedian(d.view(), o);
  // sd of t_6 = sqrt(6/4); kurtosis 3 + 6/(6 - 4) = 6.
  CHECK(std::abs(r.u / std::sqrt(1.5) - 1) <= rob_test::SdTolerance(o.internal_trials, 6));
}

TEST_CASE("Weighted median bootstrap: a dominant weight passes its u through",
          "[weighted_median][monte_carlo]") {
  // w = 1/u^2: 100 against 1 + 1: the first result is the weighted median in every draw.
  const SampleData d({1.0, 5.0, -3.0}, {0.1, 1.0, 1.0});
  EstimatorOptions o;
  const auto r = EstimateWeightedMedian(d.view(), o);
  CHECK(r.value == 1.0);
  CHECK(std::abs(r.u / 0.1 - 1) <= rob_test::SdTolerance(o.internal_trials, 3));
}

TEST_CASE("Weighted median bootstrap with equal weights: the median of three normals",
          "[weighted_median][monte_carlo]") {
  const SampleData d({0.0, 0.0, 0.0}, {1.0, 1.0, 1.0});
  const rob_test::Median3 exact{{0, 0, 0}, {1, 1, 1}};
  EstimatorOptions o;
  const auto r = EstimateWeightedMedian(d.view(), o);
  const double sd = exact.Sd();
  CHECK(sd == Approx(0.6698).epsilon(1e-3));  // sqrt(0.4487), the known variance
  CHECK(std::abs(r.u / sd - 1) <= rob_test::SdTolerance(o.internal_trials, 3.5));
  const double q = exact.Quantile(0.975);
  const double tol = rob_test::QuantileTolerance(o.internal_trials, 0.025, exact.Pdf(q));
  CHECK(std::abs(r.interval_high - q) <= tol);
  CHECK(std::abs(r.interval_low + q) <= tol);
  CHECK(std::abs(ExtraValue(r, "bootstrap_mean")) <= 5 * sd / std::sqrt(1e5));
}

TEST_CASE("Weighted median bootstrap is bit-identical whatever the thread count",
          "[weighted_median][monte_carlo]") {
  const SampleData d({1.0, 2.5, 1.7, 3.0, 2.2}, {0.2, 0.5, 0.3, 0.4, 0.25},
                     {4, INFINITY, 10, 3, INFINITY});
  EstimatorOptions one, many;
  one.threads = 1;
  many.threads = 3;
  one.internal_trials = many.internal_trials = 50000;  // not a multiple of the block size
  const auto a = EstimateWeightedMedian(d.view(), one);
  const auto b = EstimateWeightedMedian(d.view(), many);
  CHECK(a.u == b.u);
  CHECK(a.interval_low == b.interval_low);
  CHECK(a.interval_high == b.interval_high);
  EstimatorOptions other = one;
  other.seed = one.seed + 1;
  CHECK(EstimateWeightedMedian(d.view(), other).u != a.u);
}

TEST_CASE("Weighted median is location-scale equivariant", "[weighted_median]") {
  const SampleData d({1.0, 2.5, 1.7, 3.0, 2.2, 9.0}, {0.2, 0.5, 0.3, 0.4, 0.25, 0.3});
  EstimatorOptions o;
  o.internal_trials = 20000;
  const auto r0 = EstimateWeightedMedian(d.view(), o);
  // b > 0: the same seed gives the same standardised draws e_i, so every Monte Carlo value moves
  // exactly with the data. (For b < 0 the draws would be reflected: equal in distribution only.)
  for (const auto& [a, b] : std::vector<std::pair<double, double>>{{0, 1e-9}, {-4, 3}, {1e3, 7}}) {
    const SampleData t = d.Transformed(a, b);
    const auto r = EstimateWeightedMedian(t.view(), o);
    INFO("a = " << a << ", b = " << b);
    const double tol = 1e-12 + 100 * std::numeric_limits<double>::epsilon() * std::abs(a / b);
    CHECK(r.value == Approx(a + b * r0.value).epsilon(tol));
    CHECK(r.u == Approx(std::abs(b) * r0.u).epsilon(1e-10));
    CHECK(r.interval_high == Approx(a + b * r0.interval_high).epsilon(1e-10));
  }
}

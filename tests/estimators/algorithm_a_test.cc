// ISO 13528 Algorithm A (estimators/algorithm_a.h): closed-form fixed points, the fixed-point
// property on asymmetric data, golden values from an independent R implementation
// (tests/estimators/data/rob_golden.csv, incl. the ISO 5725-5 creosote data), equivariance,
// failure and non-convergence reporting.
#include "estimators/algorithm_a.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "rob_test_support.h"

using keycomp::EstimateAlgorithmA;
using keycomp::EstimatorOptions;
using keycomp::Status;
using rob_test::ExtraValue;
using rob_test::SampleData;

namespace {

constexpr double kC = 1.134;  // ISO 13528 C.3.1 (C.6)

// One step of Algorithm A (ISO 13528:2015 (C.3)-(C.6)) written out plainly.
std::pair<double, double> OneStep(const std::vector<double>& x, double centre, double scale) {
  const double delta = 1.5 * scale;
  std::vector<double> c(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    c[i] = std::clamp(x[i], centre - delta, centre + delta);
  double mean = 0;
  for (double v : c) mean += v;
  mean /= static_cast<double>(c.size());
  double ss = 0;
  for (double v : c) ss += (v - mean) * (v - mean);
  return {mean, kC * std::sqrt(ss / static_cast<double>(c.size() - 1))};
}

}  // namespace

TEST_CASE("Algorithm A without clipping is the mean with s* = 1.134 s", "[algorithm_a]") {
  // x = -1, 0, 1: x* = 0, s* = 1.483 to start; delta = 2.22 clips nothing, so x* = 0 and
  // s* = 1.134 * 1; delta = 1.70 still clips nothing: the fixed point.
  const SampleData d({-1, 0, 1}, {1, 1, 1});
  const auto r = EstimateAlgorithmA(d.view(), {});
  REQUIRE(r.status == Status::kOk);
  CHECK(r.value == Approx(0).margin(1e-15));
  CHECK(ExtraValue(r, "robust_sd") == Approx(kC).epsilon(1e-14));
  CHECK(r.u == Approx(1.25 * kC / std::sqrt(3.0)).epsilon(1e-14));
  CHECK(r.weights.size() == 0);
}

TEST_CASE("Algorithm A with symmetric clipping reaches the closed-form fixed point",
          "[algorithm_a]") {
  // Symmetric data, the two outliers clipped at +-1.5 s*: x* = 0 and
  // s*^2 = c^2 (sum_M x_i^2 + 2 (1.5 s*)^2) / (n - 1)  =>  s*^2 = c^2 60 / (10 - 4.5 c^2).
  const SampleData d({-20, -4, -3, -2, -1, 0, 1, 2, 3, 4, 20}, std::vector<double>(11, 1.0));
  const auto r = EstimateAlgorithmA(d.view(), {});
  REQUIRE(r.status == Status::kOk);
  const double s = std::sqrt(kC * kC * 60 / (10 - 4.5 * kC * kC));
  REQUIRE(1.5 * s > 4);  // the closed form's clipping pattern holds
  REQUIRE(1.5 * s < 20);
  CHECK(r.value == Approx(0).margin(1e-14));
  CHECK(ExtraValue(r, "robust_sd") == Approx(s).epsilon(1e-14));
  CHECK(r.u == Approx(1.25 * s / std::sqrt(11.0)).epsilon(1e-14));
}

TEST_CASE("Algorithm A returns a fixed point of its iteration to full precision", "[algorithm_a]") {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::exponential_distribution<double> tail(0.3);
  for (int trial = 0; trial < 50; ++trial) {
    const std::size_t n = 5 + static_cast<std::size_t>(trial % 20);
    std::vector<double> x(n);
    for (double& v : x) v = normal(rng);
    for (std::size_t k = 0; k < n / 4; ++k) x[k] += 3 + tail(rng);  // one-sided outliers
    const SampleData d(x, std::vector<double>(n, 1.0));
    const auto r = EstimateAlgorithmA(d.view(), {});
    INFO("trial " << trial);
    REQUIRE(r.status == Status::kOk);
    const double s = ExtraValue(r, "robust_sd");
    const auto [centre, scale] = OneStep(x, r.value, s);
    CHECK(std::abs(centre - r.value) <= 1e-13 * s);
    CHECK(std::abs(scale - s) <= 1e-13 * s);
  }
}

TEST_CASE("Algorithm A agrees with an independent R implementation", "[algorithm_a]") {
  rob_test::CheckGolden("algorithm_a", "robust_sd", 12);
}

TEST_CASE("Algorithm A is location-scale equivariant", "[algorithm_a]") {
  const SampleData d({10.1, 10.4, 9.7, 10.0, 13.5, 9.9, 10.2, 8.1}, std::vector<double>(8, 0.2));
  const auto r0 = EstimateAlgorithmA(d.view(), {});
  REQUIRE(r0.status == Status::kOk);
  for (const auto& [a, b] : std::vector<std::pair<double, double>>{{0, 1e-9}, {-7, 3}, {1e6, -2}}) {
    const SampleData t = d.Transformed(a, b);
    const auto r = EstimateAlgorithmA(t.view(), {});
    INFO("a = " << a << ", b = " << b);
    REQUIRE(r.status == Status::kOk);
    // a + b x_i is rounded to eps |a|: relative to the spread |b| that costs eps |a| / |b|.
    const double tol = 1e-12 + 100 * std::numeric_limits<double>::epsilon() * std::abs(a / b);
    CHECK(r.value == Approx(a + b * r0.value).epsilon(1e-12).margin(tol * std::abs(b)));
    CHECK(r.u == Approx(std::abs(b) * r0.u).epsilon(tol));
    CHECK(ExtraValue(r, "robust_sd") ==
          Approx(std::abs(b) * ExtraValue(r0, "robust_sd")).epsilon(tol));
  }
}

TEST_CASE("Algorithm A reports a zero starting scale as a failure", "[algorithm_a]") {
  const SampleData d({5, 5, 5, 6, 9}, std::vector<double>(5, 1.0));
  const auto r = EstimateAlgorithmA(d.view(), {});
  CHECK(r.status == Status::kFailed);
  CHECK_FALSE(r.message.empty());
}

TEST_CASE("Algorithm A rejects unknown settings", "[algorithm_a]") {
  const SampleData d({1, 2, 3}, {1, 1, 1});
  EstimatorOptions options;
  options.settings["stop"] = "iso";
  CHECK_THROWS(EstimateAlgorithmA(d.view(), options));
}

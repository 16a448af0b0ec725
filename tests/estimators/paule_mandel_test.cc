// Paule-Mandel: closed-form cases, the estimating equation checked in long double on
// heterogeneous data, the boundary, options. (Agreement with metafor: metafor_oracle_test.cc.)
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "core/input_error.h"
#include "random_effects_test_support.h"

using re_test::Extra;
using re_test::MakeComparison;
using re_test::Run;

namespace {

// Generalised Q at tau^2, in long double, written independently of the library.
long double GeneralisedQ(const std::vector<double>& x, const std::vector<double>& u,
                         long double tau2) {
  long double sw = 0, swx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long double w = 1.0L / ((long double)u[i] * u[i] + tau2);
    sw += w;
    swx += w * x[i];
  }
  const long double mu = swx / sw;
  long double q = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long double w = 1.0L / ((long double)u[i] * u[i] + tau2);
    q += w * (x[i] - mu) * (x[i] - mu);
  }
  return q;
}

}  // namespace

TEST_CASE("PM: two labs, tau^2 = (d^2 - u1^2 - u2^2)/2 by hand", "[paule_mandel]") {
  // For two labs Q(t) = d^2/(u1^2 + u2^2 + 2t); Q = 1 gives t = (9 - 5)/2 = 2 for x = (0, 3),
  // u = (1, 2); then w* = (1/3, 1/6), mu = 1, u = sqrt(2).
  const auto r = Run("paule_mandel", MakeComparison({0, 3}, {1, 2}));
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(Extra(r, "tau2") == Approx(2.0).epsilon(1e-14));
  CHECK(r.value == Approx(1.0).epsilon(1e-14));
  CHECK(r.u == Approx(std::sqrt(2.0)).epsilon(1e-14));
  CHECK(Extra(r, "generalised_q") == Approx(1.0).epsilon(1e-14));
}

TEST_CASE("PM: equal u, tau^2 = SS/(n-1) - u^2", "[paule_mandel]") {
  // With equal u, Q(t) = SS/(u^2 + t) = n - 1: x = (-3, -1, 1, 3), u = 1 gives 20/3 - 1.
  const auto r = Run("paule_mandel", MakeComparison({-3, -1, 1, 3}, {1, 1, 1, 1}));
  CHECK(Extra(r, "tau2") == Approx(17.0 / 3).epsilon(1e-14));
  CHECK(r.u == Approx(std::sqrt(5.0 / 3)).epsilon(1e-14));
}

TEST_CASE("PM: the estimating equation holds to the last bits on heterogeneous data",
          "[paule_mandel]") {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> spread(0, std::log(300.0));
  int positive = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 3 + static_cast<std::size_t>(trial);
    std::vector<double> x(n), u(n);
    for (std::size_t i = 0; i < n; ++i) {
      u[i] = std::exp(spread(rng));
      x[i] = 10 * normal(rng) + u[i] * normal(rng);
    }
    const auto r = Run("paule_mandel", MakeComparison(x, u));
    REQUIRE(r.status == keycomp::Status::kOk);
    const double tau2 = (double)(*r.tau) * *r.tau;
    INFO("n = " << n << ", tau2 = " << tau2);
    if (tau2 == 0) {
      CHECK(GeneralisedQ(x, u, 0) <= n - 1);
      continue;
    }
    ++positive;
    // Q decreases in t: the root is bracketed by tau2 (1 -/+ 1e-13).
    CHECK(GeneralisedQ(x, u, Extra(r, "tau2") * (1 - 1e-13)) > n - 1);
    CHECK(GeneralisedQ(x, u, Extra(r, "tau2") * (1 + 1e-13)) < n - 1);
  }
  CHECK(positive >= 15);
}

TEST_CASE("PM: Q(0) <= n - 1 gives exactly tau = 0", "[paule_mandel]") {
  const auto r = Run("paule_mandel", MakeComparison({-0.5, 0.5, 0.1, -0.1}, {1, 1, 1, 1}));
  CHECK(*r.tau == 0);
  CHECK(r.value == Approx(0).margin(1e-16));
  CHECK(r.u == Approx(0.5).epsilon(1e-15));
  CHECK(r.iterations == 0);
}

TEST_CASE("PM: settings are checked", "[paule_mandel]") {
  const auto c = MakeComparison({0, 1, 2}, {1, 1, 1});
  CHECK_THROWS_AS(Run("paule_mandel", c, {{"u", "external"}}), keycomp::InputError);
  CHECK(Run("paule_mandel", c, {{"u", "knapp_hartung"}}).interval_method == "student_t(2)");
}

// The helpers shared by the random-effects estimators (estimators/random_effects_common.h) and
// what the five estimators of this family have in common: root finding to the last bits, the
// Q-profile interval, results that move with shifts and scales of the data, the minimum number
// of labs, and failures reported as a status (CLI exit 1), not as silent numbers.
#include "estimators/random_effects_common.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>

#include "core/input_error.h"
#include "random_effects_test_support.h"

using re_test::Extra;
using re_test::MakeComparison;
using re_test::Run;
namespace re = keycomp::random_effects;

namespace {
const char* const kRandomEffects[] = {"dersimonian_laird", "paule_mandel", "reml", "ml"};
const char* const kAll[] = {"dersimonian_laird", "paule_mandel", "reml", "ml",
                            "birge_weighted_mean"};
constexpr double kEps = std::numeric_limits<double>::epsilon();
}  // namespace

TEST_CASE("WeightSpread: no cancellation when one weight dominates", "[random_effects]") {
  // w = (1e16, 1, 1): sum w_i (W - w_i)/W = (4e16 + 2)/(1e16 + 2) = 4 - 6/(1e16 + 2), while
  // W - sum w^2/W in double precision loses every digit.
  const std::vector<double> w{1e16, 1, 1};
  const double exact = 4 - 6 / (1e16 + 2);
  CHECK(std::abs(re::WeightSpread(w) - exact) <= 4 * kEps * exact);
  const std::vector<double> even{2, 2, 2, 2};  // 4 * 2 * 6 / 8 = 6
  CHECK(re::WeightSpread(even) == Approx(6.0).epsilon(1e-15));
}

TEST_CASE("SolveBracketed converges to the last bits, and says when it cannot",
          "[random_effects]") {
  auto f = [](double x) { return x * x - 2; };
  const re::Root root = re::SolveBracketed(f, {1, f(1), 2, f(2)});
  CHECK(root.converged);
  CHECK(std::abs(root.value - std::sqrt(2.0)) <= 2 * kEps * std::sqrt(2.0));
  CHECK(root.iterations < 30);

  auto tiny = [](double x) { return 1e-300 - x; };  // a root next to zero
  const re::Root small = re::SolveBracketed(tiny, {0, tiny(0), 1, tiny(1)});
  CHECK(small.converged);
  CHECK(std::abs(small.value - 1e-300) <= 4 * kEps * 1e-300);

  auto nan = [](double) { return std::numeric_limits<double>::quiet_NaN(); };
  CHECK_FALSE(re::SolveBracketed(nan, {0, 1, 1, -1}).converged);
  CHECK_FALSE(re::SolveBracketed(f, {2, f(2), 3, f(3)}).converged);  // no sign change

  re::Bracket bracket{0, 1, 0, 0};
  CHECK_FALSE(re::ExpandUpperBracket([](double) { return 1.0; }, 1, bracket));
  re::Bracket ok{0, 1, 0, 0};
  REQUIRE(re::ExpandUpperBracket([](double x) { return 5 - x; }, 1, ok));
  CHECK(ok.low == 4);
  CHECK(ok.high == 8);
}

TEST_CASE("Q-profile interval: closed form for two equal-u labs, any coverage",
          "[random_effects]") {
  // x = -/+ 2, u = 1: Q(t) = 8/(1 + t); the ends are 8/chi2 - 1 (R 4.2 quantiles).
  const auto c = MakeComparison({-2, 2}, {1, 1});
  const auto r90 = Run("paule_mandel", c, {}, 0.90);
  CHECK(Extra(r90, "tau2_interval_low") ==
        Approx(8 / 3.8414588206941240323 - 1).epsilon(1e-13));  // qchisq(0.95, 1)
  CHECK(Extra(r90, "tau2_interval_high") ==
        Approx(8 / 0.0039321400000195249 - 1).epsilon(1e-13));  // qchisq(0.05, 1)
  // Identical values: Q(0) = 0 lies below both quantiles, so the interval is [0, 0].
  const auto same = Run("reml", MakeComparison({1, 1, 1}, {1, 2, 3}));
  REQUIRE(same.tau_interval.has_value());
  CHECK(same.tau_interval->first == 0);
  CHECK(same.tau_interval->second == 0);
  CHECK(*same.tau == 0);
}

TEST_CASE("Knapp-Hartung follows --coverage with t_{n-1}", "[random_effects]") {
  // x = (-3, -1, 1, 3), u = 1, DL: u_KH = sqrt(5/3); qt(0.95, 3) = 2.3533634348018246.
  const auto r = Run("dersimonian_laird", MakeComparison({-3, -1, 1, 3}, {1, 1, 1, 1}),
                     {{"u", "knapp_hartung"}}, 0.90);
  CHECK(r.interval_high == Approx(2.3533634348018246 * std::sqrt(5.0 / 3)).epsilon(1e-13));
}

TEST_CASE("Same comparison at 1e-9, 1 and 1e9 scales and at large offsets: same relative results",
          "[random_effects][scale]") {
  std::mt19937_64 rng(2024);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> ratio(0, std::log(20.0));
  const std::size_t n = 11;
  std::vector<double> y(n), v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = std::exp(ratio(rng));
    y[i] = 3 * normal(rng) + v[i] * normal(rng);
  }
  struct Transform {
    double offset, scale;
  };
  const Transform transforms[] = {
      {0, 1e-9}, {0, 1e9}, {1.000000012, 1e-9}, {2.2e9, 1e7}, {-7.5e4, 0.37}};
  for (const Transform& t : transforms) {
    // The transformed inputs as doubles, and the same data mapped back to unit scale: the
    // results must agree up to the rounding of these inputs and of the output.
    std::vector<double> x(n), u(n), back_x(n), back_u(n);
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = t.offset + t.scale * y[i];
      u[i] = t.scale * v[i];
      back_x[i] = (x[i] - t.offset) / t.scale;
      back_u[i] = u[i] / t.scale;
    }
    const auto moved = MakeComparison(x, u);
    const auto base = MakeComparison(back_x, back_u);
    for (const char* name : kAll) {
      for (const char* option : {"default", "knapp_hartung"}) {
        std::map<std::string, std::string> settings;
        if (std::string(name) == "birge_weighted_mean") {
          settings["factor"] = option == std::string("default") ? "birge" : "bodnar_elster";
        } else {
          settings["u"] = option;
        }
        INFO(name << " " << option << " offset " << t.offset << " scale " << t.scale);
        const auto a = Run(name, moved, settings);
        const auto b = Run(name, base, settings);
        REQUIRE(a.status == keycomp::Status::kOk);
        REQUIRE(b.status == keycomp::Status::kOk);
        // A location result can only be as exact as a double near the offset.
        const double slack = 4 * std::nextafter(std::abs(t.offset) + t.scale * 100, 1e300) -
                             4 * (std::abs(t.offset) + t.scale * 100);
        auto location_ok = [&](double moved_value, double base_value) {
          return std::abs(moved_value - (t.offset + t.scale * base_value)) <=
                 1e-12 * t.scale * b.u + slack;
        };
        CHECK(location_ok(a.value, b.value));
        CHECK(location_ok(a.interval_low, b.interval_low));
        CHECK(location_ok(a.interval_high, b.interval_high));
        CHECK(a.u / t.scale == Approx(b.u).epsilon(1e-12));
        if (b.tau) {
          CHECK(*a.tau / t.scale == Approx(*b.tau).margin(1e-12 * b.u).epsilon(1e-12));
          CHECK(a.tau_interval->first / t.scale ==
                Approx(b.tau_interval->first).margin(1e-12 * b.u).epsilon(1e-12));
          CHECK(a.tau_interval->second / t.scale == Approx(b.tau_interval->second).epsilon(1e-12));
        }
      }
    }
  }
}

TEST_CASE("Too few labs: an input error naming the estimator and its minimum; CLI exit 2",
          "[random_effects]") {
  const auto one = MakeComparison({1, 2}, {1, 1}, {1, 0});
  for (const char* name : kAll) {
    INFO(name);
    try {
      Run(name, one);
      FAIL("no InputError");
    } catch (const keycomp::InputError& e) {
      const std::string what = e.what();
      CHECK(what.find(name) != std::string::npos);
      CHECK(what.find("at least 2") != std::string::npos);
    }
  }
  const auto cli =
      re_test::RunAnalyse("lab,value,u\nA,1,1\n", "-e paule_mandel --format json", "one");
  CHECK(cli.exit_code == 2);
  CHECK(cli.err.find("paule_mandel") != std::string::npos);
  CHECK(cli.err.find("at least 2") != std::string::npos);
}

TEST_CASE("Weights that overflow double precision: a failure status, CLI exit 1",
          "[random_effects]") {
  // u spanning 1e-200 .. 1: 1/u^2 overflows. The result must say so, not print NaN as a KCRV.
  const auto c = MakeComparison({0, 1, 2}, {1e-200, 1, 1});
  for (const char* name : kAll) {
    INFO(name);
    const auto r = Run(name, c);
    CHECK(r.status == keycomp::Status::kFailed);
    CHECK(r.message.find("overflow") != std::string::npos);
  }
  const auto cli = re_test::RunAnalyse("lab,value,u\nA,0,1e-200\nB,1,1\nC,2,1\n",
                                       "-e reml --format json", "overflow");
  CHECK(cli.exit_code == 1);
  CHECK(cli.err.find("reml") != std::string::npos);
  CHECK(cli.err.find("overflow") != std::string::npos);
}

TEST_CASE("The random-effects estimators report tau, its interval and w*/sum w* weights",
          "[random_effects]") {
  const auto c =
      MakeComparison({10.1, 9.7, 10.9, 10.4, 8.8, 10.0}, {0.2, 0.3, 0.25, 0.5, 0.4, 0.1});
  for (const char* name : kRandomEffects) {
    INFO(name);
    const auto r = Run(name, c);
    REQUIRE(r.status == keycomp::Status::kOk);
    REQUIRE(r.tau.has_value());
    REQUIRE(r.tau_interval.has_value());
    CHECK(r.tau_interval->first <= *r.tau);
    CHECK(*r.tau <= r.tau_interval->second);
    CHECK(r.weights.sum() == Approx(1.0).epsilon(1e-14));
    // u = 1/sqrt(sum 1/(u_i^2 + tau^2)) (the contract), in the data's units.
    double sw = 0;
    for (const auto& lab : c.results()) sw += 1 / (lab.u * lab.u + *r.tau * *r.tau);
    CHECK(r.u == Approx(1 / std::sqrt(sw)).epsilon(1e-13));
    CHECK(r.u_kind == "random_effects");
  }
}

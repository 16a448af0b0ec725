// DerSimonian-Laird: closed-form cases worked by hand, the Q-profile interval in closed form,
// the analytic DoE it feeds, the NIST Consensus Builder's published CCQM-K25 result, options and
// failures. (Agreement with metafor on 61 cases: metafor_oracle_test.cc.)
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/doe.h"
#include "core/input_error.h"
#include "random_effects_test_support.h"

using re_test::Extra;
using re_test::MakeComparison;
using re_test::Run;

namespace {
// R 4.2: qchisq(0.975, 1), qchisq(0.025, 1), qt(0.975, 3).
constexpr double kChi2Upper1 = 5.0238861873148846;
constexpr double kChi2Lower1 = 9.8206911717525617e-04;
constexpr double kT3 = 3.1824463052837078;
}  // namespace

TEST_CASE("DL: two labs with equal u, tau^2 = 2 d^2 - 1 by hand", "[dersimonian_laird]") {
  // x = -/+ d, u = 1: W = 2, Q = 2 d^2, W - sum w^2/W = 1, so tau^2 = 2 d^2 - 1; mu = 0,
  // u^2 = (1 + tau^2)/2. Q(t) = 2 d^2/(1 + t), so the Q-profile ends are 2 d^2/chi2 - 1.
  const double d = 2;
  const auto r = Run("dersimonian_laird", MakeComparison({-d, d}, {1, 1}));
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(Extra(r, "tau2") == Approx(2 * d * d - 1).epsilon(1e-14));
  CHECK(*r.tau == Approx(std::sqrt(7.0)).epsilon(1e-14));
  CHECK(std::abs(r.value) <= 1e-15);
  CHECK(r.u == Approx(2.0).epsilon(1e-14));
  CHECK(r.weights(0) == Approx(0.5).epsilon(1e-15));
  CHECK(r.weights(1) == Approx(0.5).epsilon(1e-15));
  REQUIRE(r.tau_interval.has_value());
  CHECK(Extra(r, "tau2_interval_low") == Approx(8 / kChi2Upper1 - 1).epsilon(1e-13));
  CHECK(Extra(r, "tau2_interval_high") == Approx(8 / kChi2Lower1 - 1).epsilon(1e-13));
  CHECK(r.tau_interval->first == Approx(std::sqrt(8 / kChi2Upper1 - 1)).epsilon(1e-13));
  CHECK(r.interval_method == "normal");
}

TEST_CASE("DL: two labs with unequal u by hand", "[dersimonian_laird]") {
  // x = (0, 3), u = (1, 2): w = (1, 1/4), x_wm = 0.6, Q = 0.36 + 1.44 = 1.8,
  // W - sum w^2/W = 1.25 - 1.0625/1.25 = 0.4, tau^2 = 0.8/0.4 = 2; w* = (1/3, 1/6), mu = 1,
  // u = sqrt(2), weights (2/3, 1/3). Q-profile: Q(t) = 9/(5 + 2t); Q(0) = 1.8 < chi2_0.975
  // so the lower end is 0; the upper end solves 9/(5 + 2t) = chi2_0.025.
  const auto r = Run("dersimonian_laird", MakeComparison({0, 3}, {1, 2}));
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(Extra(r, "cochran_q") == Approx(1.8).epsilon(1e-14));
  CHECK(Extra(r, "tau2") == Approx(2.0).epsilon(1e-14));
  CHECK(r.value == Approx(1.0).epsilon(1e-14));
  CHECK(r.u == Approx(std::sqrt(2.0)).epsilon(1e-14));
  CHECK(r.weights(0) == Approx(2.0 / 3).epsilon(1e-14));
  CHECK(r.weights(1) == Approx(1.0 / 3).epsilon(1e-14));
  CHECK(Extra(r, "tau2_interval_low") == 0);
  CHECK(Extra(r, "tau2_interval_high") == Approx((9 / kChi2Lower1 - 5) / 2).epsilon(1e-13));
}

TEST_CASE("DL: its weights give the random-effects DoE u_i^2 + tau^2 -/+ u_ref^2",
          "[dersimonian_laird]") {
  // The two labs above plus an excluded lab with u = 1: tau^2 = 2, u_ref^2 = 2, so
  // u^2(d) = 1 + 2 - 2 = 1, 4 + 2 - 2 = 4 (included) and 1 + 2 + 2 = 5 (excluded).
  const auto c = MakeComparison({0, 3, 7}, {1, 2, 1}, {1, 1, 0});
  const keycomp::Estimator& e = *keycomp::FindEstimator("dersimonian_laird");
  const auto r = keycomp::RunEstimator(e, c, {});
  REQUIRE(r.status == keycomp::Status::kOk);
  const auto doe = keycomp::ComputeAnalyticDoe(c, e.info, r, {});
  REQUIRE(doe.labs.size() == 3);
  CHECK(doe.dark == keycomp::DarkUncertainty::kRecognised);
  CHECK(doe.labs[0].u == Approx(1.0).epsilon(1e-13));
  CHECK(doe.labs[1].u == Approx(2.0).epsilon(1e-13));
  CHECK(doe.labs[2].u == Approx(std::sqrt(5.0)).epsilon(1e-13));
  CHECK(doe.labs[2].d == Approx(6.0).epsilon(1e-14));
}

TEST_CASE("DL: four labs with equal u, Knapp-Hartung by hand", "[dersimonian_laird]") {
  // x = (-3, -1, 1, 3), u = 1: SS = 20, Q = 20, W - sum w^2/W = 3, tau^2 = 17/3; w* = 3/20,
  // u = sqrt(5/3). KH: q = sum w*(x - mu)^2/(n-1) = (3/20) 20/3 = 1, so u_KH = u, with a
  // t_3 interval.
  const auto c = MakeComparison({-3, -1, 1, 3}, {1, 1, 1, 1});
  const auto z = Run("dersimonian_laird", c);
  CHECK(Extra(z, "tau2") == Approx(17.0 / 3).epsilon(1e-14));
  CHECK(z.u == Approx(std::sqrt(5.0 / 3)).epsilon(1e-14));
  for (const char* method : {"knapp_hartung", "modified_knapp_hartung"}) {
    INFO(method);
    const auto kh = Run("dersimonian_laird", c, {{"u", method}});
    REQUIRE(kh.status == keycomp::Status::kOk);
    CHECK(kh.u == Approx(std::sqrt(5.0 / 3)).epsilon(1e-14));
    CHECK(Extra(kh, "knapp_hartung_q") == Approx(1.0).epsilon(1e-14));
    CHECK(kh.interval_method == "student_t(3)");
    CHECK(kh.interval_high == Approx(kT3 * std::sqrt(5.0 / 3)).epsilon(1e-13));
    CHECK(kh.interval_low == Approx(-kT3 * std::sqrt(5.0 / 3)).epsilon(1e-13));
    CHECK(kh.u_kind == method);
  }
}

TEST_CASE("DL: consistent data give tau = 0 and the weighted mean", "[dersimonian_laird]") {
  // x = (0, 0.5), u = 1: Q = 0.125 < 1.
  const auto r = Run("dersimonian_laird", MakeComparison({0, 0.5}, {1, 1}));
  CHECK(*r.tau == 0);
  CHECK(r.value == Approx(0.25).epsilon(1e-15));
  CHECK(r.u == Approx(std::sqrt(0.5)).epsilon(1e-15));
}

TEST_CASE("DL: CCQM-K25 PCB 28, the NIST Consensus Builder's published DerSimonian-Laird result",
          "[dersimonian_laird][dataset]") {
  // datasets/ccqm_k25_pcb28/published.json: KCRV 33.6004, u 0.7450, tau 1.7114, tau^2 2.9289,
  // Q 68.2154 and the normal 95 % interval, printed to 4 decimals (metafor output in NIST code).
  const std::string dir = std::string(KEYCOMP_SOURCE_DIR) + "/datasets/ccqm_k25_pcb28";
  const nlohmann::json published = nlohmann::json::parse(re_test::Slurp(dir + "/published.json"));
  REQUIRE(published.at("method") == "dersimonian_laird");
  const double half_unit = 0.5e-4 + 1e-12;  // half a unit in the 4th decimal
  const auto r = Run("dersimonian_laird", keycomp::ReadComparisonFile(dir + "/results.csv"));
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(std::abs(r.value - published.at("kcrv").get<double>()) <= half_unit);
  CHECK(std::abs(r.u - published.at("u_kcrv").get<double>()) <= half_unit);
  CHECK(std::abs(*r.tau - published.at("tau").get<double>()) <= half_unit);
  CHECK(std::abs(Extra(r, "tau2") - published.at("tau2").get<double>()) <= half_unit);
  CHECK(std::abs(Extra(r, "cochran_q") - published.at("cochran_Q").get<double>()) <= half_unit);
  CHECK(std::abs(r.interval_low - published.at("ci95_normal")[0].get<double>()) <= half_unit);
  CHECK(std::abs(r.interval_high - published.at("ci95_normal")[1].get<double>()) <= half_unit);
  // Six labs: the z interval is flagged.
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].find("IntHout") != std::string::npos);
}

TEST_CASE("DL: the z-interval warning depends on the number of labs and the option",
          "[dersimonian_laird]") {
  std::vector<double> x, u;
  for (int i = 0; i < 10; ++i) {
    x.push_back(std::sin(i + 1.0) * 3);
    u.push_back(1 + 0.1 * i);
  }
  CHECK(Run("dersimonian_laird", MakeComparison(x, u)).warnings.empty());
  x.pop_back();
  u.pop_back();
  CHECK(Run("dersimonian_laird", MakeComparison(x, u)).warnings.size() == 1);
  const auto kh = Run("dersimonian_laird", MakeComparison(x, u), {{"u", "modified_knapp_hartung"}});
  CHECK(kh.warnings.empty());
}

TEST_CASE("DL: settings are checked", "[dersimonian_laird]") {
  const auto c = MakeComparison({0, 1, 2}, {1, 1, 1});
  CHECK_THROWS_AS(Run("dersimonian_laird", c, {{"u", "hartung"}}), keycomp::InputError);
  CHECK_THROWS_AS(Run("dersimonian_laird", c, {{"tau", "1"}}), keycomp::InputError);
}

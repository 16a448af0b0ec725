// The published conventions a final report may have used, each through the binary and against
// a closed form: --chi2-over all, --kcrv VALUE --kcrv-u U (with --kcrv-covariance),
// --doe-uncertainty independent; and an estimator that fails in some Monte Carlo trials.
//
// Data (tests/cli/data/conventions.csv): A 1 (u 1), B 2 (u 1), C 4 (u 2) included, D 3 (u 1)
// excluded. Weighted mean of the included: a = (4/9, 4/9, 1/9), x_w = 16/9, u_w^2 = 4/9.
#include <boost/math/special_functions/gamma.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "test_support.h"

using keycomp::testing::RunBinary;
using keycomp::testing::SourcePath;
using Json = nlohmann::json;

namespace {

const std::vector<double> kX = {1, 2, 4, 3};
const std::vector<double> kU = {1, 1, 2, 1};
constexpr double kWeightedMean = 16.0 / 9;
constexpr double kWeightedMeanVariance = 4.0 / 9;

Json Analyse(const std::string& options, const std::string& file = "conventions.csv") {
  const auto run =
      RunBinary("analyse '" + SourcePath("tests/cli/data/" + file) + "' --format json " + options);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return Json::parse(run.out);
}

int ExitCode(const std::string& options) {
  return RunBinary("analyse '" + SourcePath("tests/cli/data/conventions.csv") + "' --format json " +
                   options)
      .exit_code;
}

}  // namespace

TEST_CASE("--chi2-over all: every result about the KCRV on N - 1 dof", "[conventions]") {
  // Residuals about 16/9: -7/9, 2/9, 20/9 (u 2), 11/9: chi2 = (49 + 4 + 100 + 121)/81.
  const double chi2 = 274.0 / 81;
  const Json j = Analyse("-e weighted_mean --chi2-over all");
  const Json& c = j["consistency"];
  CHECK(c["over"] == "all");
  CHECK(c["dof"] == 3);
  CHECK(c["chi2"].get<double>() == Approx(chi2).epsilon(1e-14));
  CHECK(c["p_value"].get<double>() == Approx(boost::math::gamma_q(1.5, chi2 / 2)).epsilon(1e-13));
  CHECK(c["birge_ratio"].get<double>() == Approx(std::sqrt(chi2 / 3)).epsilon(1e-14));
  CHECK(c["reference"].get<double>() == Approx(kWeightedMean).epsilon(1e-15));
  // The check of the included results stands beside it: about 16/9 without D, 2 dof.
  CHECK(c["included"]["over"] == "included");
  CHECK(c["included"]["dof"] == 2);
  CHECK(c["included"]["chi2"].get<double>() == Approx(153.0 / 81).epsilon(1e-14));
  // Each estimator carries the check about its own KCRV: the arithmetic mean of A, B, C is 7/3.
  const Json k = Analyse("-e weighted_mean,arithmetic_mean --chi2-over all");
  const Json& am = k["results"][1]["consistency"];
  double am_chi2 = 0;
  for (std::size_t i = 0; i < 4; ++i) am_chi2 += std::pow((kX[i] - 7.0 / 3) / kU[i], 2);
  CHECK(am["chi2"].get<double>() == Approx(am_chi2).epsilon(1e-14));
  CHECK(am["dof"] == 3);
  // Default: the included results about their weighted mean, marked as such.
  const Json d = Analyse("-e weighted_mean");
  CHECK(d["consistency"]["over"] == "included");
  CHECK(d["consistency"]["chi2"].get<double>() == Approx(153.0 / 81).epsilon(1e-14));
  CHECK_FALSE(d["results"][0].contains("consistency"));
}

TEST_CASE("--chi2-over all with correlated results uses V^-1", "[conventions]") {
  // Two labs, r = 0.5, u = (1, 2), residuals e about the given KCRV 0:
  // chi2 = (e1^2/u1^2 - 2 r e1 e2/(u1 u2) + e2^2/u2^2) / (1 - r^2).
  const auto run = RunBinary("analyse '" + SourcePath("tests/cli/data/conventions_corr.json") +
                             "' --format json --chi2-over all --kcrv 0 --kcrv-u 0.5 "
                             "--kcrv-covariance none");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const Json c = Json::parse(run.out)["consistency"];
  const double e1 = 1, e2 = 3, u1 = 1, u2 = 2, r = 0.5;
  const double chi2 =
      (e1 * e1 / (u1 * u1) - 2 * r * e1 * e2 / (u1 * u2) + e2 * e2 / (u2 * u2)) / (1 - r * r);
  CHECK(c["covariance"] == "full");
  CHECK(c["dof"] == 1);
  CHECK(c["chi2"].get<double>() == Approx(chi2).epsilon(1e-14));
}

TEST_CASE("--kcrv: DoE against a given reference value", "[conventions]") {
  const double v = 1.9, u = 0.7;
  SECTION("covariance from the estimator's weights: u_i^2 + U^2 - 2 a_i u_i^2") {
    const Json j = Analyse("-e weighted_mean --kcrv 1.9 --kcrv-u 0.7");
    const Json& r = j["results"][0];
    CHECK(r["kcrv"]["value"].get<double>() == v);
    CHECK(r["kcrv"]["u"].get<double>() == u);
    CHECK(r["kcrv"]["origin"] == "given (--kcrv)");
    CHECK(r["kcrv"]["estimated"]["value"].get<double>() == Approx(kWeightedMean).epsilon(1e-15));
    CHECK(r["kcrv"]["estimated"]["u"].get<double>() ==
          Approx(std::sqrt(kWeightedMeanVariance)).epsilon(1e-15));
    for (std::size_t i = 0; i < 4; ++i) {
      const Json& d = r["doe"][i];
      const bool included = i < 3;
      // a_i u_i^2 = u_w^2 = 4/9 for every included lab of the weighted mean.
      const double var = kU[i] * kU[i] + u * u - (included ? 2 * kWeightedMeanVariance : 0.0);
      CHECK(d["d"].get<double>() == Approx(kX[i] - v).epsilon(1e-15));
      CHECK(d["u"].get<double>() == Approx(std::sqrt(var)).epsilon(1e-14));
      CHECK(d["U"].get<double>() == Approx(2 * std::sqrt(var)).epsilon(1e-14));
    }
  }
  SECTION("weighted_mean covariance: u_i^2 - U^2 when included; none: u_i^2 + U^2") {
    const Json wm = Analyse(
        "-e weighted_mean --kcrv 1.9 --kcrv-u 0.7 --kcrv-covariance "
        "weighted_mean");
    const Json none = Analyse("-e weighted_mean --kcrv 1.9 --kcrv-u 0.7 --kcrv-covariance none");
    for (std::size_t i = 0; i < 4; ++i) {
      const bool included = i < 3;
      const double var = included ? kU[i] * kU[i] - u * u : kU[i] * kU[i] + u * u;
      CHECK(wm["results"][0]["doe"][i]["u"].get<double>() == Approx(std::sqrt(var)).epsilon(1e-14));
      CHECK(none["results"][0]["doe"][i]["u"].get<double>() ==
            Approx(std::sqrt(kU[i] * kU[i] + u * u)).epsilon(1e-14));
    }
    CHECK(none["results"][0]["doe_method"]["covariance_with_kcrv"] == "neglected");
  }
  SECTION("a random-effects estimator: u_i^2 + tau^2 + U^2 - 2 u_DL^2 for an included lab") {
    // conventions_re.csv: u = (0.5, 0.5, 1, 1), inconsistent, so tau > 0.
    const std::vector<double> u_re = {0.5, 0.5, 1, 1};
    const Json j = Analyse("-e dersimonian_laird --kcrv 2.5 --kcrv-u 0.7", "conventions_re.csv");
    const Json& r = j["results"][0];
    const double tau = r["tau"].get<double>();
    const double u_dl = r["kcrv"]["estimated"]["u"].get<double>();
    REQUIRE(tau > 0);
    for (std::size_t i = 0; i < 4; ++i) {
      const bool included = i < 3;
      const double var = u_re[i] * u_re[i] + tau * tau + u * u - (included ? 2 * u_dl * u_dl : 0.0);
      CHECK(r["doe"][i]["u"].get<double>() == Approx(std::sqrt(var)).epsilon(1e-13));
    }
    const Json w = Analyse(
        "-e dersimonian_laird --kcrv 2.5 --kcrv-u 0.7 --kcrv-covariance "
        "weighted_mean",
        "conventions_re.csv");
    for (std::size_t i = 0; i < 4; ++i) {
      const bool included = i < 3;
      const double var = u_re[i] * u_re[i] + tau * tau + (included ? -u * u : u * u);
      CHECK(w["results"][0]["doe"][i]["u"].get<double>() == Approx(std::sqrt(var)).epsilon(1e-13));
    }
  }
  SECTION("refused combinations and values") {
    CHECK(ExitCode("--kcrv 1.9") == 2);
    CHECK(ExitCode("--kcrv-u 0.7") == 2);
    CHECK(ExitCode("--kcrv 1.9 --kcrv-u 0") == 2);
    CHECK(ExitCode("--kcrv 1.9 --kcrv-u 0.7 --mc 1000") == 2);
    CHECK(ExitCode("--kcrv 1.9 --kcrv-u 0.7 --doe leave_one_out") == 2);
    CHECK(ExitCode("--kcrv-covariance none") == 2);
  }
  SECTION("a given u that cannot be a weighted mean's gives no number, not U = 0") {
    // weighted_mean covariance with U = 1.5 > u_A = 1: u^2(d_A) = 1 - 2.25 < 0.
    const auto run = RunBinary("analyse '" + SourcePath("tests/cli/data/conventions.csv") +
                               "' --format json -e weighted_mean --kcrv 1.9 --kcrv-u 1.5 "
                               "--kcrv-covariance weighted_mean");
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.err, Catch::Matchers::Contains("u^2(d) of lab 'A' is negative"));
  }
}

TEST_CASE("--doe-uncertainty independent: u^2 = u_i^2 + u^2(KCRV) for every lab", "[conventions]") {
  SECTION("weighted mean") {
    const Json j = Analyse("-e weighted_mean --doe-uncertainty independent");
    const Json& r = j["results"][0];
    CHECK(r["doe_method"]["uncertainty"] == "independent");
    CHECK(r["doe_method"]["covariance_with_kcrv"] == "neglected");
    for (std::size_t i = 0; i < 4; ++i) {
      const double var = kU[i] * kU[i] + kWeightedMeanVariance;
      CHECK(r["doe"][i]["u"].get<double>() == Approx(std::sqrt(var)).epsilon(1e-14));
      CHECK(r["doe"][i]["U"].get<double>() == Approx(2 * std::sqrt(var)).epsilon(1e-14));
      CHECK(r["doe"][i]["En"].get<double>() ==
            Approx((kX[i] - kWeightedMean) / (2 * std::sqrt(var))).epsilon(1e-13));
    }
    const Json exact = Analyse("-e weighted_mean");
    CHECK(exact["results"][0]["doe_method"]["uncertainty"] == "exact");
    CHECK(exact["results"][0]["doe"][0]["u"].get<double>() ==
          Approx(std::sqrt(1 - kWeightedMeanVariance)).epsilon(1e-14));
  }
  SECTION("random effects: tau^2 stays with the lab when recognised") {
    const std::vector<double> u_re = {0.5, 0.5, 1, 1};
    const Json j =
        Analyse("-e dersimonian_laird --doe-uncertainty independent", "conventions_re.csv");
    const Json& r = j["results"][0];
    const double tau = r["tau"].get<double>();
    const double u_ref = r["kcrv"]["u"].get<double>();
    REQUIRE(tau > 0);
    for (std::size_t i = 0; i < 4; ++i) {
      const double var = u_re[i] * u_re[i] + tau * tau + u_ref * u_ref;
      CHECK(r["doe"][i]["u"].get<double>() == Approx(std::sqrt(var)).epsilon(1e-14));
    }
  }
  SECTION("with --mc the bootstrap u(KCRV) enters, U = 2u") {
    const Json j = Analyse("-e weighted_mean --doe-uncertainty independent --mc 1000 --seed 5");
    const Json& r = j["results"][0];
    const double u_ref = r["kcrv"]["u"].get<double>();
    CHECK(u_ref != r["kcrv"]["u_analytic"].get<double>());
    for (std::size_t i = 0; i < 4; ++i) {
      const double var = kU[i] * kU[i] + u_ref * u_ref;
      CHECK(r["doe"][i]["u"].get<double>() == Approx(std::sqrt(var)).epsilon(1e-14));
      CHECK(r["doe"][i]["U"].get<double>() == Approx(2 * std::sqrt(var)).epsilon(1e-14));
    }
  }
  SECTION("refused with leave-one-out") {
    CHECK(ExitCode("--doe-uncertainty independent --doe leave_one_out") == 2);
  }
}

TEST_CASE("An estimator's u below its weights' own: u(d) = 0 with a warning, not an error",
          "[conventions]") {
  // weighted_mean.u=external with a Birge ratio below one and a dominant lab A: u^2(d_A) =
  // u_A^2 + R_B^2/W - 2/W < 0. The numbers stand (exit 0) and the warning says why U_A = 0.
  const Json j = Analyse("-e weighted_mean --set weighted_mean.u=external", "dominant_lab.csv");
  const Json& r = j["results"][0];
  CHECK(r["status"] == "ok");
  CHECK(r["doe"][0]["u"].get<double>() == 0);
  bool warned = false;
  for (const Json& w : r["warnings"]) {
    warned |= w.get<std::string>().find("u^2(d) of lab 'A' is negative") != std::string::npos;
  }
  CHECK(warned);
}

TEST_CASE("An estimator failing in some Monte Carlo trials is reported, the others stand",
          "[conventions]") {
  // Three results 2.6 apart with u = 1: adjacent pairs are consistent (|d| < 1.96 sqrt 2), so
  // the largest consistent subset exists; in a bootstrap trial all three pairs are often
  // inconsistent, and the estimator then has no KCRV.
  const std::string data = SourcePath("tests/cli/data/lcs_fails_in_trials.csv");
  const auto run =
      RunBinary("analyse '" + data +
                "' --format json -e weighted_mean,largest_consistent_subset --mc 2000 --seed 3");
  CHECK(run.exit_code == 1);  // not every estimator gave a result
  const Json j = Json::parse(run.out);
  CHECK(j["results"][0]["status"] == "ok");
  CHECK(j["results"][0]["doe"].size() == 3);
  CHECK(j["results"][1]["status"] == "failed");
  CHECK(j["results"][1]["kcrv"]["u"].is_null());  // no uncertainty for a failed estimator
  CHECK_THAT(j["results"][1]["message"].get<std::string>(),
             Catch::Matchers::Contains("Monte Carlo trials"));
  CHECK_THAT(run.err, Catch::Matchers::Contains("largest_consistent_subset: failed"));
}

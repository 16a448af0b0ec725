// gls: closed forms (two correlated results; a component common to every result), R metafor
// rma.mv(method = "FE") and matrix algebra on 8 correlated cases (tests/oracle/gls), the
// generalised chi-squared, the weighted mean's u with correlations, leave-one-out and
// Monte Carlo DoE with jointly normal draws, and a singular covariance.
#include "estimators/gls.h"

#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "core/analysis.h"
#include "core/consistency.h"
#include "core/doe.h"
#include "core/mc_doe.h"
#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"
#include "test_support.h"

namespace {

const keycomp::Estimator& Gls() { return *keycomp::FindEstimator("gls"); }

// Seven results sharing a common component c (the pilot's link in a CCM.M-K8 comparison):
// u_i^2 = s_i^2 + c^2, r_ij = c^2/(u_i u_j). Then V = S + c^2 11', V^-1 1 is proportional
// to S^-1 1, so the GLS weights are 1/s_i^2, u^2(x_ref) = 1/W_s + c^2, chi2 = sum r_i^2/s_i^2,
// u^2(d_i) = s_i^2 - 1/W_s (included) or s_i^2 + 1/W_s (excluded): c cancels in every DoE.
struct CommonComponent {
  std::vector<double> x{-18, 5, -40, 2, 30, -70, -11};
  std::vector<double> s{12, 25, 40, 18, 33, 60, 9};
  double c = 6;
  keycomp::Comparison Build(bool exclude_last_but_one) const {
    std::ostringstream json;
    json << std::setprecision(17) << R"({"results": [)";
    for (std::size_t i = 0; i < x.size(); ++i) {
      json << (i ? "," : "") << R"({"lab": "L)" << i << R"(", "value": )" << x[i]
           << R"(, "u": )" << std::sqrt(s[i] * s[i] + c * c) << R"(, "include": )"
           << ((exclude_last_but_one && i == 5) ? "false" : "true") << "}";
    }
    json << R"(], "correlations": [)";
    bool first = true;
    for (std::size_t i = 0; i < x.size(); ++i) {
      for (std::size_t j = i + 1; j < x.size(); ++j) {
        const double r = c * c / std::sqrt((s[i] * s[i] + c * c) * (s[j] * s[j] + c * c));
        json << (first ? "" : ",") << R"({"a": "L)" << i << R"(", "b": "L)" << j
             << R"(", "r": )" << r << "}";
        first = false;
      }
    }
    json << "]}";
    return keycomp::ParseComparisonJson(json.str(), "common.json");
  }
};

}  // namespace

TEST_CASE("gls: without correlations it is the weighted mean", "[gls]") {
  const auto c = keycomp::ParseComparisonCsv("lab,value,u\nA,1,1\nB,2,1\nC,4,2\n", "t.csv");
  const auto r = keycomp::RunEstimator(Gls(), c, {});
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(r.value == Approx(16.0 / 9).epsilon(1e-15));
  CHECK(r.u == Approx(2.0 / 3).epsilon(1e-15));
  CHECK(*r.u_external == Approx(std::sqrt(17.0 / 18) * 2 / 3).epsilon(1e-14));
}

TEST_CASE("gls: two correlated results, closed form", "[gls]") {
  // x_ref = (x1 (u2^2 - r u1 u2) + x2 (u1^2 - r u1 u2)) / (u1^2 + u2^2 - 2 r u1 u2),
  // u^2 = u1^2 u2^2 (1 - r^2) / (u1^2 + u2^2 - 2 r u1 u2).
  for (double r : {-0.7, 0.0, 0.3, 0.6, 0.9}) {
    INFO("r = " << r);
    const double x1 = 10.2, x2 = 10.9, u1 = 0.3, u2 = 0.5;
    const auto c = keycomp::ParseComparisonJson(
        fmt::format(R"({{"results": [{{"lab": "A", "value": {}, "u": {}}},
                     {{"lab": "B", "value": {}, "u": {}}}],
                     "correlations": [{{"a": "A", "b": "B", "r": {}}}]}})",
                    x1, u1, x2, u2, r),
        "two.json");
    const double den = u1 * u1 + u2 * u2 - 2 * r * u1 * u2;
    const double expected = (x1 * (u2 * u2 - r * u1 * u2) + x2 * (u1 * u1 - r * u1 * u2)) / den;
    const auto res = keycomp::RunEstimator(Gls(), c, {});
    REQUIRE(res.status == keycomp::Status::kOk);
    CHECK(res.value == Approx(expected).epsilon(1e-14));
    CHECK(res.u == Approx(std::sqrt(u1 * u1 * u2 * u2 * (1 - r * r) / den)).epsilon(1e-14));
    // r = 0.9 > u1/u2: the less uncertain result gets a weight above one, the other a
    // negative weight, and the estimate leaves the interval [x1, x2].
    if (r > u1 / u2) {
      CHECK(res.value < x1);
      CHECK_FALSE(res.warnings.empty());
    }
  }
}

TEST_CASE("gls: a component common to every result", "[gls]") {
  const CommonComponent cc;
  for (bool exclude : {false, true}) {
    INFO("exclude L5: " << exclude);
    const auto comparison = cc.Build(exclude);
    double ws = 0, wsx = 0;
    for (std::size_t i = 0; i < cc.x.size(); ++i) {
      if (exclude && i == 5) continue;
      ws += 1 / (cc.s[i] * cc.s[i]);
      wsx += cc.x[i] / (cc.s[i] * cc.s[i]);
    }
    const double mean = wsx / ws;
    double chi2 = 0;
    for (std::size_t i = 0; i < cc.x.size(); ++i) {
      if (exclude && i == 5) continue;
      chi2 += std::pow((cc.x[i] - mean) / cc.s[i], 2);
    }
    const auto r = keycomp::RunEstimator(Gls(), comparison, {});
    REQUIRE(r.status == keycomp::Status::kOk);
    CHECK(r.value == Approx(mean).epsilon(1e-13));
    CHECK(r.u == Approx(std::sqrt(1 / ws + cc.c * cc.c)).epsilon(1e-13));
    const auto doe = keycomp::ComputeAnalyticDoe(comparison, Gls().info, r, {});
    for (std::size_t i = 0; i < cc.x.size(); ++i) {
      INFO("lab " << i);
      const bool included = !(exclude && i == 5);
      CHECK(doe.labs[i].d == Approx(cc.x[i] - mean).epsilon(1e-12));
      const double s2 = cc.s[i] * cc.s[i];
      CHECK(doe.labs[i].u == Approx(std::sqrt(included ? s2 - 1 / ws : s2 + 1 / ws)).epsilon(1e-12));
    }
    // Pairwise: the common component cancels, u^2(d_ij) = s_i^2 + s_j^2.
    CHECK(doe.pairwise[0].u == Approx(std::hypot(cc.s[0], cc.s[1])).epsilon(1e-13));
    // The generalised chi-squared of the consistency check.
    const auto consistency = keycomp::CheckConsistency(comparison);
    CHECK(consistency.covariance == "full");
    CHECK(consistency.chi2 == Approx(chi2).epsilon(1e-12));
    CHECK(consistency.weighted_mean == Approx(mean).epsilon(1e-13));
    CHECK(consistency.dof == (exclude ? 5 : 6));
  }
}

TEST_CASE("weighted_mean with correlated results: u from the full covariance", "[gls]") {
  // The weights stay 1/u_i^2 (u_i^2 = s_i^2 + c^2), the variance is a'Va = sum a_i^2 s_i^2 + c^2.
  const CommonComponent cc;
  const auto comparison = cc.Build(false);
  double w = 0;
  for (double s : cc.s) w += 1 / (s * s + cc.c * cc.c);
  double var = cc.c * cc.c;
  for (double s : cc.s) var += std::pow(1 / (s * s + cc.c * cc.c) / w, 2) * s * s;
  const auto* wm = keycomp::FindEstimator("weighted_mean");
  const auto r = keycomp::RunEstimator(*wm, comparison, {});
  CHECK(r.u == Approx(std::sqrt(var)).epsilon(1e-13));
  CHECK_FALSE(r.warnings.empty());
  // Its DoE: u^2(d_i) = u_i^2 + a'Va - 2 (V a)_i with (V a)_i = a_i s_i^2 + c^2.
  const auto doe = keycomp::ComputeAnalyticDoe(comparison, wm->info, r, {});
  for (std::size_t i = 0; i < cc.s.size(); ++i) {
    const double ui2 = cc.s[i] * cc.s[i] + cc.c * cc.c;
    const double ai = 1 / ui2 / w;
    const double expected = ui2 + var - 2 * (ai * cc.s[i] * cc.s[i] + cc.c * cc.c);
    CHECK(doe.labs[i].u == Approx(std::sqrt(expected)).epsilon(1e-12));
  }
  // The arithmetic mean's internal u: sqrt(sum s_i^2 / n^2 + c^2).
  keycomp::EstimatorOptions internal;
  internal.settings["u"] = "internal";
  const auto am = keycomp::RunEstimator(*keycomp::FindEstimator("arithmetic_mean"), comparison,
                                        internal);
  double s2 = 0;
  for (double s : cc.s) s2 += s * s;
  CHECK(am.u == Approx(std::sqrt(s2 / 49 + cc.c * cc.c)).epsilon(1e-13));
}

TEST_CASE("gls against R metafor rma.mv and matrix algebra (tests/oracle/gls)", "[gls][oracle]") {
  std::ifstream golden(keycomp::testing::SourcePath("tests/oracle/gls/golden.csv"));
  REQUIRE(golden.good());
  std::string line;
  std::getline(golden, line);  // header
  std::map<std::string, keycomp::DoeResult> doe_by_case;
  std::map<std::string, keycomp::EstimatorResult> result_by_case;
  std::map<std::string, keycomp::Consistency> consistency_by_case;
  int rows = 0;
  double worst = 0;
  while (std::getline(golden, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    REQUIRE(f.size() == 9);
    const std::string id = f[0];
    if (!result_by_case.count(id)) {
      const std::string base = keycomp::testing::SourcePath("tests/oracle/gls/cases/" + id);
      auto comparison = keycomp::ReadComparisonFile(base + ".csv")
                            .WithCorrelations(keycomp::ReadCorrelationsCsv(base + "_correlations.csv"));
      auto r = keycomp::RunEstimator(Gls(), comparison, {});
      REQUIRE(r.status == keycomp::Status::kOk);
      doe_by_case[id] = keycomp::ComputeAnalyticDoe(comparison, Gls().info, r, {});
      consistency_by_case[id] = keycomp::CheckConsistency(comparison);
      result_by_case.emplace(id, std::move(r));
    }
    INFO("case " << id << " lab " << f[1]);
    const auto& r = result_by_case.at(id);
    const double u_ref = std::stod(f[4]);
    // Values relative to the case's scale (u of the KCRV): offsets such as 2.2e9 carry only
    // ~1e-16 relative digits of the value itself.
    const double value_err = std::abs(r.value - std::stod(f[3])) / u_ref;
    const double u_err = std::abs(r.u - u_ref) / u_ref;
    const double chi2_err = std::abs(consistency_by_case[id].chi2 - std::stod(f[5])) /
                            std::max(1.0, std::stod(f[5]));
    CHECK(value_err < 1e-9);
    CHECK(u_err < 1e-9);
    CHECK(chi2_err < 1e-9);
    CHECK(consistency_by_case[id].dof == std::stoi(f[6]));
    const auto& labs = doe_by_case[id].labs;
    const auto it = std::find_if(labs.begin(), labs.end(), [&](const auto& d) { return d.lab == f[1]; });
    REQUIRE(it != labs.end());
    CHECK(it->included == (f[2] == "1"));
    const double d_err = std::abs(it->d - std::stod(f[7])) / u_ref;
    const double ud_err = std::abs(it->u - std::stod(f[8])) / std::stod(f[8]);
    CHECK(d_err < 1e-9);
    CHECK(ud_err < 1e-9);
    worst = std::max({worst, value_err, u_err, chi2_err, d_err, ud_err});
    ++rows;
  }
  CHECK(rows == 58);
  WARN("gls oracle: " << rows << " rows, worst relative error " << worst);
}

TEST_CASE("gls: leave-one-out and Monte Carlo DoE with correlated results", "[gls][mc_doe]") {
  const CommonComponent cc;
  const auto comparison = cc.Build(true);
  const auto point = keycomp::RunEstimator(Gls(), comparison, {});
  const auto analytic = keycomp::ComputeAnalyticDoe(comparison, Gls().info, point, {});
  keycomp::McDoeOptions options;
  options.trials = 100000;
  options.seed = 11;
  const auto mc = keycomp::RunMonteCarloDoe(Gls(), comparison, {}, point, options);
  const double tol = 4 / std::sqrt(2.0 * (options.trials - 1));  // 4 SE of a standard deviation
  CHECK(mc.failed_trials == 0);
  CHECK(mc.kcrv.u == Approx(point.u).epsilon(tol));
  for (std::size_t i = 0; i < cc.x.size(); ++i) {
    CHECK(mc.doe.labs[i].u == Approx(analytic.labs[i].u).epsilon(tol));
  }
  for (std::size_t k = 0; k < analytic.pairwise.size(); ++k) {
    CHECK(mc.doe.pairwise[k].u == Approx(analytic.pairwise[k].u).epsilon(tol));
  }

  // Leave-one-out: x_ref(-i) is the GLS of the others; lab i covaries with it through c:
  // u^2 = s_i^2 + c^2 + (1/W_s(-i) + c^2) - 2 c^2 = s_i^2 + 1/W_s(-i).
  keycomp::DoeOptions loo_options;
  loo_options.convention = keycomp::DoeConvention::kLeaveOneOut;
  const auto loo = keycomp::ComputeLeaveOneOutDoe(comparison, Gls(), {}, point, loo_options);
  double ws = 0;
  for (std::size_t i = 0; i < cc.x.size(); ++i) {
    if (i != 5) ws += 1 / (cc.s[i] * cc.s[i]);
  }
  for (std::size_t i = 0; i < cc.x.size(); ++i) {
    INFO("lab " << i);
    const double s2 = cc.s[i] * cc.s[i];
    const double w_without = i == 5 ? ws : ws - 1 / s2;
    CHECK(loo.labs[i].u == Approx(std::sqrt(s2 + 1 / w_without)).epsilon(1e-12));
  }
  keycomp::McDoeOptions mc_loo = options;
  mc_loo.doe = loo_options;
  const auto mc_l = keycomp::RunMonteCarloDoe(Gls(), comparison, {}, point, mc_loo);
  for (std::size_t i = 0; i < cc.x.size(); ++i) {
    CHECK(mc_l.doe.labs[i].u == Approx(loo.labs[i].u).epsilon(tol));
  }
}

TEST_CASE("gls: a singular covariance is reported, not solved", "[gls]") {
  // r = 1 with equal u: the two results carry the same information.
  const auto c = keycomp::ParseComparisonJson(
      R"({"results": [{"lab": "A", "value": 1, "u": 1}, {"lab": "B", "value": 2, "u": 1},
          {"lab": "C", "value": 4, "u": 2}], "correlations": [{"a": "A", "b": "B", "r": 1}]})",
      "singular.json");
  const auto r = keycomp::RunEstimator(Gls(), c, {});
  CHECK(r.status == keycomp::Status::kFailed);
  CHECK_THAT(r.message, Catch::Contains("singular"));
  const auto consistency = keycomp::CheckConsistency(c);
  CHECK(std::isnan(consistency.chi2));
  CHECK_FALSE(consistency.note.empty());
}

TEST_CASE("gls end to end: `analyse --correlations FILE -e gls` against the R oracle", "[gls][cli]") {
  // common_component_excluded in tests/oracle/gls/golden.csv (metafor rma.mv FE + algebra).
  const std::string base = keycomp::testing::SourcePath("tests/oracle/gls/cases/common_component_excluded");
  const auto run = keycomp::testing::RunBinary(fmt::format(
      "analyse '{}.csv' --correlations '{}_correlations.csv' -e gls --format json", base, base));
  REQUIRE(run.exit_code == 0);
  const auto j = nlohmann::json::parse(run.out);
  std::ifstream golden(keycomp::testing::SourcePath("tests/oracle/gls/golden.csv"));
  std::string line;
  int rows = 0;
  while (std::getline(golden, line)) {
    if (line.rfind("common_component_excluded,", 0) != 0) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    const auto& result = j["results"][0];
    CHECK(result["kcrv"]["value"].get<double>() == Approx(std::stod(f[3])).epsilon(1e-12));
    CHECK(result["kcrv"]["u"].get<double>() == Approx(std::stod(f[4])).epsilon(1e-12));
    CHECK(j["consistency"]["chi2"].get<double>() == Approx(std::stod(f[5])).epsilon(1e-12));
    CHECK(j["consistency"]["covariance"] == "full");
    const auto& doe = result["doe"][static_cast<std::size_t>(rows)];
    CHECK(doe["lab"] == f[1]);
    CHECK(doe["u"].get<double>() == Approx(std::stod(f[8])).epsilon(1e-12));
    CHECK(doe["included"].get<bool>() == (f[2] == "1"));
    ++rows;
  }
  CHECK(rows == 7);
}

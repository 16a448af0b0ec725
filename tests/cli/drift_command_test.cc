// `keycomp drift` end to end: drift -> analyse on datasets/drift_example, with the DoE
// uncertainties checked against the propagation computed here from the data files' numbers
// (closed-form weighted straight line, covariance V + g g' var(b), the weighted mean's and the
// GLS mean's DoE formulas), and bad input refused with exit code 2 and no output file.
#include <fmt/format.h>
#include <unistd.h>

#include <Eigen/Dense>
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_support.h"

using keycomp::testing::RelativeError;
using keycomp::testing::RunBinary;
using keycomp::testing::SourcePath;
using Json = nlohmann::json;

namespace {

double Day(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return static_cast<double>(sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count());
}

// datasets/drift_example/pilot.csv and comparison.csv, as numbers.
struct Point {
  double t, y, u;
};
const std::vector<Point> kPilot = {
    {Day(2023, 1, 10), 0.5146, 0.0030}, {Day(2023, 1, 13), 0.5098, 0.0030},
    {Day(2023, 5, 2), 0.5232, 0.0030},  {Day(2023, 5, 5), 0.5185, 0.0030},
    {Day(2023, 9, 18), 0.5347, 0.0030}, {Day(2023, 9, 21), 0.5296, 0.0030}};
const std::vector<std::string> kLabs = {"LabA", "LabB", "LabC", "LabD",
                                        "LabE", "LabF", "LabG", "LabH"};
const std::vector<Point> kResults = {
    {Day(2023, 1, 24), 0.5168, 0.006}, {Day(2023, 2, 14), 0.5071, 0.008},
    {Day(2023, 3, 8), 0.5198, 0.005},  {Day(2023, 3, 29), 0.5104, 0.010},
    {Day(2023, 6, 5), 0.5281, 0.006},  {Day(2023, 6, 28), 0.5329, 0.009},
    {Day(2023, 7, 19), 0.5225, 0.005}, {Day(2023, 8, 16), 0.5362, 0.008}};

Json ReadJson(const std::string& text) { return Json::parse(text); }

const Json& Estimator(const Json& analysis, const std::string& name) {
  for (const Json& r : analysis["results"]) {
    if (r["estimator"] == name) return r;
  }
  FAIL("no estimator " << name);
  return analysis;
}

}  // namespace

TEST_CASE("drift then analyse: the DoE carry the drift's uncertainty", "[cli][drift]") {
  namespace fs = std::filesystem;
  const fs::path corrected =
      fs::temp_directory_path() / fmt::format("keycomp-drift-{}.json", ::getpid());
  const std::string pilot = SourcePath("datasets/drift_example/pilot.csv");
  const std::string comparison = SourcePath("datasets/drift_example/comparison.csv");
  const auto drift = RunBinary(
      fmt::format("drift '{}' --comparison '{}' -o '{}'", pilot, comparison, corrected.string()));
  INFO(drift.err);
  REQUIRE(drift.exit_code == 0);
  const auto after =
      RunBinary(fmt::format("analyse '{}' -e weighted_mean,gls --format json", corrected.string()));
  const auto before =
      RunBinary(fmt::format("analyse '{}' -e weighted_mean --format json", comparison));
  INFO(after.err << before.err);
  REQUIRE(after.exit_code == 0);
  REQUIRE(before.exit_code == 0);
  const Json out = ReadJson(
      RunBinary(fmt::format("drift '{}' --comparison '{}' --format json", pilot, comparison)).out);
  const Json a = ReadJson(after.out), b = ReadJson(before.out);
  fs::remove(corrected);

  // Closed-form weighted straight line through the pilot's points, t_ref = first measurement.
  const double t_ref = Day(2023, 1, 10);
  double s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const Point& p : kPilot) {
    const double w = 1 / (p.u * p.u), x = p.t - t_ref;
    s += w, sx += w * x, sy += w * p.y, sxx += w * x * x, sxy += w * x * p.y;
  }
  const double slope = (s * sxy - sx * sy) / (s * sxx - sx * sx);
  const double var_slope = s / (s * sxx - sx * sx);
  const std::size_t n = kResults.size();
  Eigen::VectorXd x(n), g(n), u0(n);
  for (std::size_t i = 0; i < n; ++i) {
    g(i) = kResults[i].t - t_ref;
    x(i) = kResults[i].y - slope * g(i);
    u0(i) = kResults[i].u;
  }
  const Eigen::MatrixXd v =
      Eigen::MatrixXd(u0.array().square().matrix().asDiagonal()) + var_slope * g * g.transpose();

  // The drift output: the fit and the corrected comparison.
  const Json& parameters = out["drift"]["parameters"];
  CHECK(RelativeError(parameters[1]["value"].get<double>(), slope) < 1e-9);
  CHECK(RelativeError(parameters[1]["u"].get<double>(), std::sqrt(var_slope)) < 1e-9);
  CHECK(out["correlations"].size() == n * (n - 1) / 2);
  CHECK(out["comparison"]["drift_corrected"].get<std::string>().find("2023-01-10") !=
        std::string::npos);
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(out["results"][i]["lab"] == kLabs[i]);
    CHECK(RelativeError(out["results"][i]["value"].get<double>(), x(i)) < 1e-9);
    CHECK(RelativeError(out["results"][i]["u"].get<double>(), std::sqrt(v(i, i))) < 1e-9);
  }

  // Weighted mean (weights 1/u_i'^2) with the full covariance: u_ref^2 = a'Va,
  // u^2(d_i) = V_ii + u_ref^2 - 2 (Va)_i. Before the correction: u_i^2 - 1/W.
  const Eigen::VectorXd w = v.diagonal().cwiseInverse();
  const Eigen::VectorXd weights = w / w.sum();
  const double x_ref = weights.dot(x);
  const double u_ref2 = weights.dot(v * weights);
  const Eigen::VectorXd cov_ref = v * weights;
  const double w0 = u0.array().square().inverse().sum();
  const Json& wm = Estimator(a, "weighted_mean");
  const Json& wm0 = Estimator(b, "weighted_mean");
  CHECK(RelativeError(wm["kcrv"]["value"].get<double>(), x_ref) < 1e-9);
  CHECK(RelativeError(wm["kcrv"]["u"].get<double>(), std::sqrt(u_ref2)) < 1e-9);
  double worst = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double expected = std::sqrt(v(i, i) + u_ref2 - 2 * cov_ref(i));
    const double expected0 = std::sqrt(u0(i) * u0(i) - 1 / w0);
    const double u_after = wm["doe"][i]["u"].get<double>();
    const double u_before = wm0["doe"][i]["u"].get<double>();
    INFO(kLabs[i] << ": u(d) " << u_before << " -> " << u_after);
    CHECK(RelativeError(wm["doe"][i]["d"].get<double>(), x(i) - x_ref, 1e-6) < 1e-9);
    CHECK(RelativeError(u_after, expected) < 1e-9);
    CHECK(RelativeError(u_before, expected0) < 1e-9);
    // The growth of u^2(d_i) is the propagated drift term.
    CHECK(std::abs((u_after * u_after - u_before * u_before) -
                   (expected * expected - expected0 * expected0)) < 1e-9 * expected * expected);
    worst = std::max(worst, RelativeError(u_after, expected));
  }
  // The late labs' DoE grow (their correction is the least certain), the early ones need not.
  CHECK(wm["doe"][7]["u"].get<double>() > wm0["doe"][7]["u"].get<double>());

  // GLS: u_ref^2 = 1/(1'V^-1 1) and cov(x_i, x_ref) = u_ref^2, so u^2(d_i) = V_ii - u_ref^2.
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(v);
  const Eigen::VectorXd vinv1 = ldlt.solve(Eigen::VectorXd::Ones(n));
  const double u_gls2 = 1 / vinv1.sum();
  const double x_gls = u_gls2 * vinv1.dot(x);
  const Json& gls = Estimator(a, "gls");
  CHECK(RelativeError(gls["kcrv"]["value"].get<double>(), x_gls) < 1e-9);
  CHECK(RelativeError(gls["kcrv"]["u"].get<double>(), std::sqrt(u_gls2)) < 1e-9);
  for (std::size_t i = 0; i < n; ++i) {
    const double expected = std::sqrt(v(i, i) - u_gls2);
    CHECK(RelativeError(gls["doe"][i]["u"].get<double>(), expected) < 1e-9);
    worst = std::max(worst, RelativeError(gls["doe"][i]["u"].get<double>(), expected));
  }
  WARN("worst relative error of u(d_i) after the drift correction: " << worst);
}

TEST_CASE("drift: help with an example, table output, bad input exits 2 with no file",
          "[cli][drift]") {
  namespace fs = std::filesystem;
  const auto help = RunBinary("drift --help");
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("Example") && Catch::Contains("--breakpoints"));

  const std::string pilot = SourcePath("datasets/drift_example/pilot.csv");
  const std::string comparison = SourcePath("datasets/drift_example/comparison.csv");
  const auto table = RunBinary(fmt::format(
      "drift '{}' --comparison '{}' --model piecewise --breakpoints 2023-05-03 --format table",
      pilot, comparison));
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("slope[2]") && Catch::Contains("LabH"));

  const std::string data = SourcePath("tests/cli/data/drift");
  const fs::path out =
      fs::temp_directory_path() / fmt::format("keycomp-drift-bad-{}.json", ::getpid());
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {fmt::format("drift '{}/pilot_one_point.csv' --comparison '{}'", data, comparison),
       "pilot_one_point.csv: field '--model': too few pilot measurements"},
      {fmt::format("drift '{}' --comparison '{}' --model piecewise --breakpoints "
                   "2023-06-01,2023-03-01",
                   pilot, comparison),
       "field '--breakpoints': breakpoints must increase strictly"},
      {fmt::format("drift '{}' --comparison '{}' --breakpoints 2023-06-01", pilot, comparison),
       "field '--breakpoints': breakpoints need --model piecewise"},
      {fmt::format("drift '{}' --comparison '{}' --model piecewise --breakpoints 17", pilot,
                   comparison),
       "field '--breakpoints': '17' is a number but the pilot's times"},
      {fmt::format("drift '{}' --comparison '{}/comparison_late.csv'", pilot, data),
       "comparison_late.csv:line 4: field 'date': lab 'LabZ': time 2023-10-30 is outside"},
      {fmt::format("drift '{}' --comparison '{}/comparison_no_date.csv'", pilot, data),
       "comparison_no_date.csv:line 2: field 't': lab 'LabA': no measurement time"},
      {fmt::format("drift '{}/pilot_bad_date.csv' --comparison '{}'", data, comparison),
       "pilot_bad_date.csv:line 3: field 'date': '2023-02-30' is not a valid date"},
      {fmt::format("drift '{}' --comparison '{}' --t-ref 2022-12-01", pilot, comparison),
       "field '--t-ref': reference time 2022-12-01 is outside"},
  };
  for (const Case& c : cases) {
    const auto run = RunBinary(c.args + fmt::format(" -o '{}'", out.string()));
    INFO(c.args << "\nstderr: " << run.err);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains(c.message));
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(out));
  }

  // A corrected comparison is not corrected twice.
  const auto first = RunBinary(
      fmt::format("drift '{}' --comparison '{}' -o '{}'", pilot, comparison, out.string()));
  REQUIRE(first.exit_code == 0);
  const auto twice = RunBinary(fmt::format("drift '{}' --comparison '{}'", pilot, out.string()));
  CHECK(twice.exit_code == 2);
  CHECK_THAT(twice.err, Catch::Contains("already drift-corrected"));
  fs::remove(out);
}

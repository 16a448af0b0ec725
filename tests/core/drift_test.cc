// Drift of the travelling standard (core/drift): the Ceres fit against closed-form weighted
// least squares (straight line: the textbook sums; piecewise and several standards: the normal
// equations in a different basis, solved by LU), the propagation to the participants against
// its closed form, and bad input.
#include "core/drift.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "core/input_error.h"
#include "core/read_comparison.h"
#include "test_support.h"

using keycomp::DriftFit;
using keycomp::DriftModelKind;
using keycomp::DriftOptions;
using keycomp::InputError;
using keycomp::PilotData;
using keycomp::testing::RelativeError;

namespace {

constexpr double kTol = 1e-9;

/// Days since 1970-01-01 from the standard library's calendar (independent of ParseTime).
double Day(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return static_cast<double>(sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count());
}

// The pilot file of datasets/drift_example (constructed data), repeated here as numbers.
struct Point {
  double t, y, u;
};
const std::vector<Point> kPilot = {
    {Day(2023, 1, 10), 0.5146, 0.0030}, {Day(2023, 1, 13), 0.5098, 0.0030},
    {Day(2023, 5, 2), 0.5232, 0.0030},  {Day(2023, 5, 5), 0.5185, 0.0030},
    {Day(2023, 9, 18), 0.5347, 0.0030}, {Day(2023, 9, 21), 0.5296, 0.0030}};

PilotData ExamplePilot() {
  return keycomp::ReadPilotCsv(keycomp::testing::SourcePath("datasets/drift_example/pilot.csv"));
}

/// Closed-form weighted straight line y = a + b (t - t_ref).
struct Line {
  double a, b, var_a, var_b, cov_ab, chi2;
};
Line FitLine(const std::vector<Point>& pts, double t_ref) {
  double s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const Point& p : pts) {
    const double w = 1 / (p.u * p.u), x = p.t - t_ref;
    s += w;
    sx += w * x;
    sy += w * p.y;
    sxx += w * x * x;
    sxy += w * x * p.y;
  }
  const double delta = s * sxx - sx * sx;
  Line l{(sxx * sy - sx * sxy) / delta,
         (s * sxy - sx * sy) / delta,
         sxx / delta,
         s / delta,
         -sx / delta,
         0};
  for (const Point& p : pts) {
    const double r = (p.y - l.a - l.b * (p.t - t_ref)) / p.u;
    l.chi2 += r * r;
  }
  return l;
}

double worst_relative_error = 0;  // over every CheckClose, reported by the last case

void CheckClose(double actual, double expected, double floor = 0) {
  INFO("actual " << actual << " expected " << expected);
  const double error = RelativeError(actual, expected, floor);
  worst_relative_error = std::max(worst_relative_error, error);
  CHECK(error < kTol);
}

std::string PilotCsv(const std::vector<Point>& pts,
                     const std::vector<std::string>& standards = {}) {
  std::string text = standards.empty() ? "t,value,u\n" : "t,value,u,standard\n";
  for (std::size_t k = 0; k < pts.size(); ++k) {
    text += fmt::format("{:.17g},{:.17g},{:.17g}", pts[k].t, pts[k].y, pts[k].u);
    text += standards.empty() ? "\n" : "," + standards[k] + "\n";
  }
  return text;
}

}  // namespace

TEST_CASE("dates are days since 1970-01-01; impossible dates are refused", "[drift]") {
  const std::string file = "f.csv";
  CHECK(keycomp::ParseTime("1970-01-01", {file, 1, "t"}).t == 0);
  CHECK(keycomp::ParseTime("2023-09-21", {file, 1, "t"}).t == Day(2023, 9, 21));
  CHECK(keycomp::ParseTime("2024-02-29", {file, 1, "t"}).t == Day(2024, 2, 29));
  CHECK(keycomp::ParseTime("1899-12-31", {file, 1, "t"}).t == Day(1899, 12, 31));
  CHECK_FALSE(keycomp::ParseTime("12.5", {file, 1, "t"}).is_date);
  CHECK(keycomp::FormatTime(Day(2000, 2, 29), true) == "2000-02-29");
  CHECK(keycomp::FormatTime(Day(1969, 12, 31), true) == "1969-12-31");
  CHECK_THROWS_WITH(keycomp::ParseTime("2023-02-29", {file, 4, "date"}),
                    Catch::Contains("f.csv") && Catch::Contains("line 4") &&
                        Catch::Contains("'date'") && Catch::Contains("not a valid date"));
  CHECK_THROWS_AS(keycomp::ParseTime("2023-13-01", {file, 4, "date"}), InputError);
  CHECK_THROWS_AS(keycomp::ParseTime("yesterday", {file, 4, "date"}), InputError);
}

TEST_CASE("linear drift: Ceres agrees with the closed-form weighted straight line", "[drift]") {
  const PilotData pilot = ExamplePilot();
  REQUIRE(pilot.dates);
  REQUIRE(pilot.unit == "mg");
  for (double t_ref : {Day(2023, 1, 10), Day(2023, 5, 20), Day(2023, 9, 21)}) {
    DriftOptions options;
    options.t_ref = t_ref;
    const DriftFit fit = keycomp::FitDrift(pilot, options);
    REQUIRE(fit.status == keycomp::Status::kOk);
    const Line line = FitLine(kPilot, t_ref);
    REQUIRE(fit.values.size() == 2);
    CheckClose(fit.values(0), line.a);
    CheckClose(fit.values(1), line.b);
    CheckClose(fit.covariance(0, 0), line.var_a);
    CheckClose(fit.covariance(1, 1), line.var_b);
    // cov(a, b) vanishes near the weighted mean time: compare on the scale of the variances.
    CHECK(std::abs(fit.covariance(0, 1) - line.cov_ab) < kTol * std::sqrt(line.var_a * line.var_b));
    CheckClose(fit.covariance(1, 0), fit.covariance(0, 1));
    CheckClose(fit.chi2, line.chi2);
    CHECK(fit.dof == 4);
    CheckClose(fit.birge_ratio, std::sqrt(line.chi2 / 4));
    CHECK(fit.parameters[0].name == "offset");
    CHECK(fit.parameters[1].name == "slope");
    CheckClose(fit.parameters[1].u, std::sqrt(line.var_b));
    // The correction is the line's change since t_ref.
    const double t = Day(2023, 7, 19);
    CheckClose(fit.Correction(t, 0), line.b * (t - t_ref));
  }
  // Default reference time: the pilot's first measurement.
  const DriftFit fit = keycomp::FitDrift(pilot, {});
  CHECK(fit.t_ref == Day(2023, 1, 10));
}

TEST_CASE("Birge-ratio scaling multiplies the covariance by chi2/dof only when above 1",
          "[drift]") {
  const PilotData pilot = ExamplePilot();
  DriftOptions options;
  options.scale_by_birge = true;
  const DriftFit scaled = keycomp::FitDrift(pilot, options);
  const Line line = FitLine(kPilot, Day(2023, 1, 10));
  const double rb2 = line.chi2 / 4;
  INFO("R_B^2 = " << rb2);
  if (rb2 > 1) {
    CHECK(scaled.covariance_scaled);
    CheckClose(scaled.covariance(1, 1), rb2 * line.var_b);
  } else {
    CHECK_FALSE(scaled.covariance_scaled);
    CheckClose(scaled.covariance(1, 1), line.var_b);
  }
  // Inflate the scatter tenfold: R_B > 1 for sure, and the scaling follows chi2.
  std::vector<Point> scattered = kPilot;
  for (std::size_t k = 0; k < scattered.size(); ++k) scattered[k].u /= 10;
  const PilotData data = keycomp::ParsePilotCsv(PilotCsv(scattered), "scattered.csv");
  const DriftFit fit = keycomp::FitDrift(data, options);
  const Line l2 = FitLine(scattered, fit.t_ref);
  REQUIRE(l2.chi2 / 4 > 1);
  CHECK(fit.covariance_scaled);
  CheckClose(fit.covariance(1, 1), l2.var_b * l2.chi2 / 4);
  CheckClose(fit.values(1), l2.b);
}

TEST_CASE("piecewise drift: continuous, and equal to the hinge-basis normal equations", "[drift]") {
  // Slope changes at 2023-05-03; the hinge basis a + b (t - t_ref) + c (t - tau)_+ spans the
  // same continuous functions, with slopes b (before tau) and b + c (after).
  const PilotData pilot = ExamplePilot();
  const double tau = Day(2023, 5, 3);
  for (double t_ref : {Day(2023, 1, 10), Day(2023, 7, 1)}) {
    DriftOptions options;
    options.model = DriftModelKind::kPiecewise;
    options.breakpoints = {tau};
    options.t_ref = t_ref;
    const DriftFit fit = keycomp::FitDrift(pilot, options);
    REQUIRE(fit.status == keycomp::Status::kOk);
    REQUIRE(fit.values.size() == 3);

    Eigen::MatrixXd x(kPilot.size(), 3);
    Eigen::VectorXd y(kPilot.size()), w(kPilot.size());
    for (std::size_t k = 0; k < kPilot.size(); ++k) {
      x.row(k) << 1, kPilot[k].t - t_ref,
          std::max(0.0, kPilot[k].t - tau) - std::max(0.0, t_ref - tau);
      y(k) = kPilot[k].y;
      w(k) = 1 / (kPilot[k].u * kPilot[k].u);
    }
    const Eigen::MatrixXd normal = x.transpose() * w.asDiagonal() * x;
    const Eigen::FullPivLU<Eigen::MatrixXd> lu(normal);
    const Eigen::VectorXd hinge = lu.solve(x.transpose() * w.asDiagonal() * y);
    const Eigen::MatrixXd hinge_cov = lu.inverse();
    Eigen::Matrix3d to_slopes;
    to_slopes << 1, 0, 0, 0, 1, 0, 0, 1, 1;
    const Eigen::Vector3d expected = to_slopes * hinge;
    const Eigen::Matrix3d expected_cov = to_slopes * hinge_cov * to_slopes.transpose();
    for (int j = 0; j < 3; ++j) {
      CheckClose(fit.values(j), expected(j));
      for (int k = 0; k < 3; ++k) {
        CHECK(std::abs(fit.covariance(j, k) - expected_cov(j, k)) <
              kTol * std::sqrt(expected_cov(j, j) * expected_cov(k, k)));
      }
    }
    CHECK(fit.parameters[1].name == "slope[1]");
    CHECK(fit.parameters[2].name == "slope[2]");
    // Continuity at the breakpoint, and the correction at any t is the hinge model's change.
    const double eps = 1e-7;
    CHECK(std::abs(fit.Correction(tau - eps, 0) - fit.Correction(tau + eps, 0)) < 1e-9);
    for (double t : {Day(2023, 1, 24), tau, Day(2023, 8, 16)}) {
      const double hinge_change =
          hinge(1) * (t - t_ref) + hinge(2) * (std::max(0.0, t - tau) - std::max(0.0, t_ref - tau));
      CheckClose(fit.Correction(t, 0), hinge_change, 1e-6);
    }
    CHECK(fit.Correction(t_ref, 0) == 0);
  }
}

TEST_CASE(
    "several standards: shared drift by the normal equations, separate drift as "
    "independent lines",
    "[drift]") {
  // Two standards with different values; S2 measured at its own times.
  const std::vector<Point> s1 = {
      {0, 10.0, 0.1}, {30, 10.21, 0.1}, {60, 10.38, 0.12}, {90, 10.62, 0.1}};
  const std::vector<Point> s2 = {{5, 3.0, 0.05}, {50, 3.17, 0.08}, {95, 3.41, 0.06}};
  std::vector<Point> all = s1;
  all.insert(all.end(), s2.begin(), s2.end());
  std::vector<std::string> names(s1.size(), "S1");
  names.insert(names.end(), s2.size(), "S2");
  const PilotData pilot = keycomp::ParsePilotCsv(PilotCsv(all, names), "two.csv");
  REQUIRE_FALSE(pilot.dates);

  DriftOptions shared;
  shared.t_ref = 40;
  const DriftFit fit = keycomp::FitDrift(pilot, shared);
  REQUIRE(fit.standards == std::vector<std::string>{"S1", "S2"});
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(all.size(), 3);
  Eigen::VectorXd y(all.size()), w(all.size());
  for (std::size_t k = 0; k < all.size(); ++k) {
    x(k, k < s1.size() ? 0 : 1) = 1;
    x(k, 2) = all[k].t - 40;
    y(k) = all[k].y;
    w(k) = 1 / (all[k].u * all[k].u);
  }
  const Eigen::FullPivLU<Eigen::MatrixXd> lu(x.transpose() * w.asDiagonal() * x);
  const Eigen::VectorXd expected = lu.solve(x.transpose() * w.asDiagonal() * y);
  const Eigen::MatrixXd expected_cov = lu.inverse();
  for (int j = 0; j < 3; ++j) {
    CheckClose(fit.values(j), expected(j));
    for (int k = 0; k < 3; ++k) {
      CHECK(std::abs(fit.covariance(j, k) - expected_cov(j, k)) <
            kTol * std::sqrt(expected_cov(j, j) * expected_cov(k, k)));
    }
  }
  CHECK(fit.parameters[0].name == "offset[S1]");
  CHECK(fit.dof == 4);

  DriftOptions separate = shared;
  separate.separate_drift = true;
  const DriftFit sep = keycomp::FitDrift(pilot, separate);
  REQUIRE(sep.values.size() == 4);  // a1, a2, b1, b2
  const Line l1 = FitLine(s1, 40), l2 = FitLine(s2, 40);
  CheckClose(sep.values(0), l1.a);
  CheckClose(sep.values(1), l2.a);
  CheckClose(sep.values(2), l1.b);
  CheckClose(sep.values(3), l2.b);
  CheckClose(sep.covariance(2, 2), l1.var_b);
  CheckClose(sep.covariance(3, 3), l2.var_b);
  CHECK(std::abs(sep.covariance(2, 3)) < kTol * std::sqrt(l1.var_b * l2.var_b));
  CheckClose(sep.chi2, l1.chi2 + l2.chi2);
  CHECK(sep.parameters[3].name == "slope[S2]");
  CheckClose(sep.Correction(70, 1), l2.b * 30);
}

TEST_CASE("propagation: corrected values, u and correlations from the common drift", "[drift]") {
  const PilotData pilot = ExamplePilot();
  const keycomp::Comparison comparison = keycomp::ReadComparisonFile(
      keycomp::testing::SourcePath("datasets/drift_example/comparison.csv"));
  DriftOptions options;
  const DriftFit fit = keycomp::FitDrift(pilot, options);
  const auto corrected = keycomp::ApplyDrift(comparison, fit, pilot, options);
  const Line line = FitLine(kPilot, Day(2023, 1, 10));
  const std::vector<double> t = {Day(2023, 1, 24), Day(2023, 2, 14), Day(2023, 3, 8),
                                 Day(2023, 3, 29), Day(2023, 6, 5),  Day(2023, 6, 28),
                                 Day(2023, 7, 19), Day(2023, 8, 16)};
  const auto& in = comparison.results();
  const auto& out = corrected.comparison.results();
  REQUIRE(out.size() == t.size());
  std::vector<double> u(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double g = t[i] - Day(2023, 1, 10);
    CheckClose(out[i].value, in[i].value - line.b * g);
    u[i] = std::sqrt(in[i].u * in[i].u + g * g * line.var_b);
    CheckClose(out[i].u, u[i]);
    CheckClose(corrected.labs[i].u_correction, std::abs(g) * std::sqrt(line.var_b));
    CHECK(out[i].lab == in[i].lab);
    CHECK(out[i].included == in[i].included);
  }
  // Every pair is correlated through the slope: r_ij = g_i g_j var(b) / (u_i' u_j').
  REQUIRE(corrected.comparison.correlations().size() == t.size() * (t.size() - 1) / 2);
  for (const auto& c : corrected.comparison.correlations()) {
    const std::size_t i = comparison.IndexOf(c.lab_a), j = comparison.IndexOf(c.lab_b);
    const double expected =
        (t[i] - Day(2023, 1, 10)) * (t[j] - Day(2023, 1, 10)) * line.var_b / (u[i] * u[j]);
    CheckClose(c.r, expected);
  }
  // The covariance of the corrected comparison is V + G C G'.
  const Eigen::MatrixXd v = corrected.comparison.Covariance();
  for (std::size_t i = 0; i < t.size(); ++i) {
    for (std::size_t j = 0; j < t.size(); ++j) {
      const double expected = (i == j ? in[i].u * in[i].u : 0.0) +
                              (t[i] - Day(2023, 1, 10)) * (t[j] - Day(2023, 1, 10)) * line.var_b;
      CheckClose(v(i, j), expected);
    }
  }
}

TEST_CASE("zero drift leaves the values unchanged; no time lag leaves u and r unchanged",
          "[drift]") {
  // Constant pilot values: the fitted slope is zero, so no value moves; the slope's
  // uncertainty still enters u and the correlations.
  const std::string pilot_text = "t,value,u\n0,5.0,0.1\n10,5.0,0.1\n20,5.0,0.1\n30,5.0,0.1\n";
  const PilotData pilot = keycomp::ParsePilotCsv(pilot_text, "flat.csv");
  const auto comparison = keycomp::ParseComparisonCsv(
      "lab,value,u,t\nA,5.1,0.2,5\nB,4.9,0.3,25\nC,5.05,0.25,15\n", "cmp.csv");
  DriftOptions options;
  const DriftFit fit = keycomp::FitDrift(pilot, options);
  CHECK(std::abs(fit.values(1)) < 1e-15);
  const auto corrected = keycomp::ApplyDrift(comparison, fit, pilot, options);
  const Line line = FitLine({{0, 5, 0.1}, {10, 5, 0.1}, {20, 5, 0.1}, {30, 5, 0.1}}, 0);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(std::abs(corrected.comparison.results()[i].value - comparison.results()[i].value) <
          1e-14);
  }
  CheckClose(corrected.comparison.results()[1].u, std::sqrt(0.09 + 625 * line.var_b));

  // Every lab measured at t_ref: nothing changes and no correlation appears.
  DriftOptions at_ref;
  at_ref.t_ref = 12;
  const DriftFit fit_ref = keycomp::FitDrift(pilot, at_ref);
  const auto same_time = keycomp::ParseComparisonCsv(
      "lab,value,u,t\nA,5.1,0.2,12\nB,4.9,0.3,12\nC,5.05,0.25,12\n", "cmp.csv");
  const auto unchanged = keycomp::ApplyDrift(same_time, fit_ref, pilot, at_ref);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(unchanged.comparison.results()[i].value == same_time.results()[i].value);
    CHECK(unchanged.comparison.results()[i].u == same_time.results()[i].u);
  }
  CHECK(unchanged.comparison.correlations().empty());
}

TEST_CASE("correlations already in the comparison are kept and added to", "[drift]") {
  const PilotData pilot =
      keycomp::ParsePilotCsv("t,value,u\n0,1.0,0.1\n10,1.2,0.1\n20,1.35,0.1\n", "p.csv");
  const auto comparison = keycomp::ParseComparisonJson(
      R"({"results": [{"lab": "A", "value": 1, "u": 0.2, "t": 5},
                      {"lab": "B", "value": 2, "u": 0.4, "t": 15}],
          "correlations": [{"a": "A", "b": "B", "r": 0.5}]})",
      "cmp.json");
  DriftOptions options;
  const DriftFit fit = keycomp::FitDrift(pilot, options);
  const auto corrected = keycomp::ApplyDrift(comparison, fit, pilot, options);
  const Line line = FitLine({{0, 1.0, 0.1}, {10, 1.2, 0.1}, {20, 1.35, 0.1}}, 0);
  const double ua = std::sqrt(0.04 + 25 * line.var_b), ub = std::sqrt(0.16 + 225 * line.var_b);
  REQUIRE(corrected.comparison.correlations().size() == 1);
  CheckClose(corrected.comparison.correlations()[0].r,
             (0.5 * 0.2 * 0.4 + 5 * 15 * line.var_b) / (ua * ub));
}

TEST_CASE("bad input is refused with the file, line and field", "[drift]") {
  const PilotData pilot = ExamplePilot();
  SECTION("too few pilot points for the model") {
    const PilotData one = keycomp::ParsePilotCsv("t,value,u\n1,2,0.1\n", "one.csv");
    CHECK_THROWS_WITH(keycomp::FitDrift(one, {}),
                      Catch::Contains("one.csv") && Catch::Contains("too few pilot measurements"));
    DriftOptions piecewise;
    piecewise.model = DriftModelKind::kPiecewise;
    // 6 points, 5 parameters, and a segment with no data between two with data: still
    // determined (the slope of 2023-06-01..08-01 follows from continuity).
    piecewise.breakpoints = {Day(2023, 3, 1), Day(2023, 6, 1), Day(2023, 8, 1)};
    CHECK(keycomp::FitDrift(pilot, piecewise).status == keycomp::Status::kOk);
    // 6 points, 4 parameters, but no measurement separates the slopes before 2023-01-11 and
    // between 2023-01-11 and 2023-01-12: every time after both sees only their sum.
    piecewise.breakpoints = {Day(2023, 1, 11), Day(2023, 1, 12)};
    CHECK_THROWS_WITH(keycomp::FitDrift(pilot, piecewise),
                      Catch::Contains("do not determine") && Catch::Contains("2023-01-11"));
    piecewise.breakpoints = {Day(2023, 2, 1), Day(2023, 3, 1), Day(2023, 6, 1),
                             Day(2023, 8, 1), Day(2023, 9, 1), Day(2023, 9, 19)};
    CHECK_THROWS_WITH(keycomp::FitDrift(pilot, piecewise),
                      Catch::Contains("too few pilot measurements"));
  }
  SECTION("breakpoints: not increasing, outside the span, or with the linear model") {
    DriftOptions options;
    options.model = DriftModelKind::kPiecewise;
    options.breakpoints = {Day(2023, 6, 1), Day(2023, 3, 1)};
    CHECK_THROWS_WITH(keycomp::FitDrift(pilot, options),
                      Catch::Contains("'--breakpoints'") && Catch::Contains("increase strictly"));
    options.breakpoints = {Day(2023, 6, 1), Day(2023, 6, 1)};
    CHECK_THROWS_AS(keycomp::FitDrift(pilot, options), InputError);
    options.breakpoints = {Day(2023, 10, 1)};
    CHECK_THROWS_WITH(keycomp::FitDrift(pilot, options),
                      Catch::Contains("not strictly inside") && Catch::Contains("2023-10-01"));
    options.breakpoints = {};
    CHECK_THROWS_WITH(keycomp::FitDrift(pilot, options),
                      Catch::Contains("at least one breakpoint"));
    options.model = DriftModelKind::kLinear;
    options.breakpoints = {Day(2023, 6, 1)};
    CHECK_THROWS_WITH(keycomp::FitDrift(pilot, options), Catch::Contains("--model piecewise"));
  }
  SECTION("a lab's time outside the pilot's span, unless extrapolation is allowed") {
    const auto comparison = keycomp::ParseComparisonCsv(
        "lab,value,u,date\nA,0.52,0.01,2023-02-01\nB,0.53,0.01,2023-10-02\n", "late.csv");
    DriftOptions options;
    const DriftFit fit = keycomp::FitDrift(pilot, options);
    CHECK_THROWS_WITH(keycomp::ApplyDrift(comparison, fit, pilot, options),
                      Catch::Contains("late.csv:line 3") && Catch::Contains("field 'date'") &&
                          Catch::Contains("outside the pilot's measurements"));
    options.allow_extrapolation = true;
    CHECK_NOTHROW(keycomp::ApplyDrift(comparison, fit, pilot, options));
    DriftOptions late_ref;
    late_ref.t_ref = Day(2024, 1, 1);
    CHECK_THROWS_WITH(keycomp::FitDrift(pilot, late_ref), Catch::Contains("'--t-ref'"));
  }
  SECTION("a lab without a time, with a number for a date, or a bad date") {
    const DriftFit fit = keycomp::FitDrift(pilot, {});
    const auto no_time = keycomp::ParseComparisonCsv("lab,value,u\nA,0.52,0.01\n", "nt.csv");
    CHECK_THROWS_WITH(keycomp::ApplyDrift(no_time, fit, pilot, {}),
                      Catch::Contains("nt.csv:line 2") && Catch::Contains("'t'") &&
                          Catch::Contains("no measurement time"));
    const auto number = keycomp::ParseComparisonCsv("lab,value,u,t\nA,0.52,0.01,19400\n", "n.csv");
    CHECK_THROWS_WITH(keycomp::ApplyDrift(number, fit, pilot, {}),
                      Catch::Contains("n.csv:line 2") && Catch::Contains("a number"));
    const auto bad = keycomp::ParseComparisonCsv(
        "lab,value,u,date\nA,0.52,0.01,2023-02-01\nB,0.5,0.01,2023-04-31\n", "b.csv");
    CHECK_THROWS_WITH(keycomp::ApplyDrift(bad, fit, pilot, {}),
                      Catch::Contains("b.csv:line 3") && Catch::Contains("not a valid date"));
    const auto json = keycomp::ParseComparisonJson(
        R"({"results": [{"lab": "A", "value": 1, "u": 0.2}]})", "c.json");
    CHECK_THROWS_WITH(keycomp::ApplyDrift(json, fit, pilot, {}),
                      Catch::Contains("c.json") && Catch::Contains("results[0] (lab 'A').t"));
  }
  SECTION("pilot file errors name the line and field") {
    CHECK_THROWS_WITH(keycomp::ParsePilotCsv("t,value,u\n1,2,0.1\n2,3,0\n", "p.csv"),
                      Catch::Contains("p.csv:line 3") && Catch::Contains("'u'"));
    CHECK_THROWS_WITH(keycomp::ParsePilotCsv("t,value\n1,2\n", "p.csv"),
                      Catch::Contains("line 1") && Catch::Contains("missing required column 'u'"));
    CHECK_THROWS_WITH(
        keycomp::ParsePilotCsv("date,value,u\n2023-01-01,2,0.1\n17,3,0.1\n", "p.csv"),
        Catch::Contains("line 3") && Catch::Contains("'date'") && Catch::Contains("mixes"));
    CHECK_THROWS_WITH(keycomp::ParsePilotCsv("t,value,u\n1,x,0.1\n", "p.csv"),
                      Catch::Contains("line 2") && Catch::Contains("'value'"));
  }
  SECTION("separate drift needs each lab's standard; units must agree; no double correction") {
    const PilotData two = keycomp::ParsePilotCsv(
        "t,value,u,standard\n0,1,0.1,S1\n10,1.1,0.1,S1\n0,2,0.1,S2\n10,2.2,0.1,S2\n", "two.csv");
    DriftOptions separate;
    separate.separate_drift = true;
    const DriftFit fit = keycomp::FitDrift(two, separate);
    const auto cmp = keycomp::ParseComparisonCsv("lab,value,u,t\nA,1,0.1,5\n", "c.csv");
    CHECK_THROWS_WITH(keycomp::ApplyDrift(cmp, fit, two, separate),
                      Catch::Contains("c.csv:line 2") && Catch::Contains("'standard'"));
    const auto unknown =
        keycomp::ParseComparisonCsv("lab,value,u,t,standard\nA,1,0.1,5,S3\n", "c.csv");
    CHECK_THROWS_WITH(keycomp::ApplyDrift(unknown, fit, two, separate),
                      Catch::Contains("standard 'S3'"));
    const auto ok = keycomp::ParseComparisonCsv("lab,value,u,t,standard\nA,1,0.1,5,S2\n", "c.csv");
    const auto corrected = keycomp::ApplyDrift(ok, fit, two, separate);
    CheckClose(corrected.comparison.results()[0].value, 1 - 0.02 * 5);

    const auto grams = keycomp::ParseComparisonCsv(
        "# unit: g\nlab,value,u,date\nA,0.52,0.01,2023-02-01\n", "g.csv");
    const DriftFit example = keycomp::FitDrift(pilot, {});
    CHECK_THROWS_WITH(keycomp::ApplyDrift(grams, example, pilot, {}),
                      Catch::Contains("pilot.csv") && Catch::Contains("'unit'"));
    const auto twice = keycomp::ParseComparisonJson(
        R"({"comparison": {"drift_corrected": "linear drift"},
            "results": [{"lab": "A", "value": 1, "u": 0.2, "date": "2023-02-01"}]})",
        "twice.json");
    CHECK_THROWS_WITH(keycomp::ApplyDrift(twice, example, pilot, {}),
                      Catch::Contains("already drift-corrected"));
  }
  SECTION("no degrees of freedom: no Birge ratio to scale by") {
    const PilotData two_points = keycomp::ParsePilotCsv("t,value,u\n0,1,0.1\n5,2,0.1\n", "p.csv");
    const DriftFit exact = keycomp::FitDrift(two_points, {});
    CHECK(exact.dof == 0);
    CHECK(std::isnan(exact.birge_ratio));
    DriftOptions options;
    options.scale_by_birge = true;
    CHECK_THROWS_WITH(keycomp::FitDrift(two_points, options), Catch::Contains("--scale-by-birge"));
  }
}

TEST_CASE("worst relative error against the closed forms", "[drift]") {
  // Runs last (--order decl): the accuracy of every comparison above, in digits.
  WARN("worst relative error " << worst_relative_error << " ("
                               << -std::log10(std::max(worst_relative_error, 1e-17)) << " digits)");
  CHECK(worst_relative_error < kTol);
}

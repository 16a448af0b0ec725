// Helpers shared by the tests of algorithm_a, weighted_median, cox_procedure_b,
// largest_consistent_subset and power_moderated_mean: samples, golden-file runner, accuracy in
// digits, and the exact distribution of the median of three independent normal results (the
// closed-form reference for the Monte Carlo estimators).
#pragma once

#include <fmt/format.h>

#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/estimator.h"
#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

namespace rob_test {

/// Owns the arrays a LabSample points into.
struct SampleData {
  std::vector<double> x, u, dof;
  SampleData(std::vector<double> x_in, std::vector<double> u_in, std::vector<double> dof_in = {})
      : x(std::move(x_in)), u(std::move(u_in)), dof(std::move(dof_in)) {
    if (dof.empty()) dof.assign(x.size(), std::numeric_limits<double>::infinity());
  }
  keycomp::LabSample view() const { return keycomp::LabSample{x, u, dof}; }
  /// a + b x, |b| u.
  SampleData Transformed(double a, double b) const {
    SampleData t = *this;
    for (double& v : t.x) v = a + b * v;
    for (double& v : t.u) v *= std::abs(b);
    return t;
  }
};

/// Number of correct significant digits of `got` against `want` (Ceres' LRE), capped at 16.
inline double Digits(double got, double want) {
  if (got == want) return 16;
  const double rel = std::abs(got - want) / std::max(std::abs(want), 1e-300);
  return std::min(16.0, -std::log10(rel));
}

inline double ExtraValue(const keycomp::EstimatorResult& r, const std::string& name) {
  for (const auto& e : r.extra) {
    if (e.name == name) return e.value;
  }
  FAIL("no extra value " << name);
  return 0;
}

/// One row of tests/estimators/data/rob_golden.csv.
struct GoldenRow {
  std::string estimator, case_name, path, setting;
  double value = 0, u = 0, extra = 0;
};

inline std::vector<GoldenRow> ReadGolden() {
  std::ifstream in(std::string(KEYCOMP_SOURCE_DIR) + "/tests/estimators/data/rob_golden.csv");
  REQUIRE(in.good());
  std::vector<GoldenRow> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    if (line.back() == ',') f.push_back("");
    REQUIRE(f.size() == 7);
    rows.push_back({f[0], f[1], f[2], f[3], std::stod(f[4]), std::stod(f[5]), std::stod(f[6])});
  }
  return rows;
}

/// Runs every golden row of `estimator` through RunEstimator and checks value, u and the extra
/// value named `extra_name` to `min_digits` significant digits (absolute 1e-12 for zero).
inline void CheckGolden(const std::string& estimator, const std::string& extra_name,
                        double min_digits) {
  const keycomp::Estimator* e = keycomp::FindEstimator(estimator);
  REQUIRE(e != nullptr);
  double worst = 16;
  std::string worst_case;
  int cases = 0;
  for (const GoldenRow& row : ReadGolden()) {
    if (row.estimator != estimator) continue;
    ++cases;
    const auto comparison =
        keycomp::ReadComparisonFile(std::string(KEYCOMP_SOURCE_DIR) + "/" + row.path);
    keycomp::EstimatorOptions options;
    if (!row.setting.empty()) {
      const auto eq = row.setting.find('=');
      options.settings[row.setting.substr(0, eq)] = row.setting.substr(eq + 1);
    }
    const auto r = keycomp::RunEstimator(*e, comparison, options);
    INFO(estimator << " case " << row.case_name << " " << row.setting);
    REQUIRE(r.status == keycomp::Status::kOk);
    const double extra = ExtraValue(r, extra_name);
    const double d_extra =
        row.extra == 0 ? (std::abs(extra) <= 1e-12 ? 16.0 : 0.0) : Digits(extra, row.extra);
    const double d = std::min({Digits(r.value, row.value), Digits(r.u, row.u), d_extra});
    CHECK(d >= min_digits);
    if (d < worst) {
      worst = d;
      worst_case = row.case_name + " " + row.setting;
    }
  }
  CHECK(cases > 0);
  WARN(fmt::format("{}: {} golden cases, worst {:.1f} digits ({})", estimator, cases, worst,
                   worst_case));
}

// The median of three independent N(m_i, s_i^2): P(med <= t) = P(at least two below t).
struct Median3 {
  double m[3];
  double s[3];
  double Cdf(double t) const {
    double p[3];
    for (int i = 0; i < 3; ++i) p[i] = boost::math::cdf(boost::math::normal(m[i], s[i]), t);
    return p[0] * p[1] + p[0] * p[2] + p[1] * p[2] - 2 * p[0] * p[1] * p[2];
  }
  double Pdf(double t) const {
    double p[3], f[3];
    for (int i = 0; i < 3; ++i) {
      const boost::math::normal d(m[i], s[i]);
      p[i] = boost::math::cdf(d, t);
      f[i] = boost::math::pdf(d, t);
    }
    return f[0] * (p[1] + p[2] - 2 * p[1] * p[2]) + f[1] * (p[0] + p[2] - 2 * p[0] * p[2]) +
           f[2] * (p[0] + p[1] - 2 * p[0] * p[1]);
  }
  /// E[g(med)] by composite Simpson over +-14 of the largest sd around the means.
  double Expect(const std::function<double(double)>& g) const {
    const double smax = std::max({s[0], s[1], s[2]});
    const double lo = std::min({m[0], m[1], m[2]}) - 14 * smax;
    const double hi = std::max({m[0], m[1], m[2]}) + 14 * smax;
    const int k = 20000;
    const double h = (hi - lo) / k;
    double sum = 0;
    for (int j = 0; j <= k; ++j) {
      const double t = lo + j * h;
      const double c = (j == 0 || j == k) ? 1 : (j % 2 ? 4 : 2);
      sum += c * g(t) * Pdf(t);
    }
    return sum * h / 3;
  }
  double Mean() const {
    return Expect([](double t) { return t; });
  }
  double Sd() const {
    const double mu = Mean();
    return std::sqrt(Expect([mu](double t) { return (t - mu) * (t - mu); }));
  }
  double Quantile(double p) const {
    double lo = -1e3, hi = 1e3;
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (lo + hi);
      (Cdf(mid) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
  }
};

/// Relative tolerance for a Monte Carlo standard deviation from M draws: 5 standard errors,
/// the standard error of a sample sd being sigma sqrt((kappa - 1)/(4M)) for a distribution of
/// kurtosis kappa (pass an upper bound: 3 for normal, below 3.5 for a median of normals,
/// 3 + 6/(nu - 4) for Student t_nu).
inline double SdTolerance(std::size_t m, double kurtosis) {
  return 5 * std::sqrt((kurtosis - 1) / (4.0 * static_cast<double>(m)));
}

/// Tolerance for a Monte Carlo p-quantile from M draws: 5 sqrt(p (1 - p) / M) / f(q).
inline double QuantileTolerance(std::size_t m, double p, double density) {
  return 5 * std::sqrt(p * (1 - p) / static_cast<double>(m)) / density;
}

}  // namespace rob_test

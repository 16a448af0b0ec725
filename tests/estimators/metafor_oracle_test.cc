// Generic runner over the metafor golden file (tests/oracle/metafor_golden.csv, made by
// tests/oracle/generate_metafor.R with metafor 3.8.1 at full-precision convergence settings).
// Every row (case, method, test) is run through the library as a user would run it
// (ReadComparisonFile + RunEstimator) and compared with metafor:
//   FE -> weighted_mean, DL -> dersimonian_laird, PM -> paule_mandel, REML -> reml, ML -> ml;
//   test z -> u=default, knha -> u=knapp_hartung, adhoc -> u=modified_knapp_hartung.
// For FE, metafor's knha se is the Birge-scaled (external) u of the weighted mean and its adhoc
// se is max(1, R_B)/sqrt(W), i.e. birge_weighted_mean; keycomp gives those with a normal
// interval, so only value and u are compared for FE knha/adhoc.
//
// Error measures (printed as digits = -log10(error)):
//   value, interval ends: |diff| less 2 ulp of the value (the representation limit of a result
//     such as 1.000000012 kg), in units of metafor's se; tolerance 1e-9.
//   u: relative; tolerance 1e-9 (1e-7 for ML/REML at the tau^2 = 0 boundary).
//   tau: |diff| / max(tau, median u); tolerance 1e-7 (metafor's boundary tau2 is a tiny
//     positive number instead of 0, see tests/oracle/README.md).
//   tau^2 Q-profile ends, Q: |diff| / max(value, median(u)^2) resp. relative; tolerance 1e-9.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/comparison.h"
#include "core/numeric.h"
#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/random_effects_common.h"
#include "estimators/registry.h"

namespace {

const std::string kOracleDir = std::string(KEYCOMP_SOURCE_DIR) + "/tests/oracle";

struct GoldenRow {
  std::size_t line = 0;
  std::map<std::string, std::string> fields;

  const std::string& Text(const std::string& key) const { return fields.at(key); }
  bool IsNa(const std::string& key) const { return fields.at(key) == "NA"; }
  double Number(const std::string& key) const {
    const std::string& t = fields.at(key);
    if (t == "NA") return std::numeric_limits<double>::quiet_NaN();
    return std::stod(t);
  }
};

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::vector<GoldenRow> ReadGolden(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = SplitCsvLine(line);
  std::vector<GoldenRow> rows;
  std::size_t number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    const std::vector<std::string> cells = SplitCsvLine(line);
    REQUIRE(cells.size() == header.size());
    GoldenRow row;
    row.line = number;
    for (std::size_t k = 0; k < header.size(); ++k) row.fields[header[k]] = cells[k];
    rows.push_back(std::move(row));
  }
  return rows;
}

double Digits(double error) { return -std::log10(std::max(error, 1e-17)); }

double Ulp(double v) {
  const double a = std::abs(v);
  return std::nextafter(a, std::numeric_limits<double>::infinity()) - a;
}

double ExtraValue(const keycomp::EstimatorResult& r, const std::string& name) {
  for (const auto& e : r.extra) {
    if (e.name == name) return e.value;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// Worst error per (estimator, quantity), for the closing table.
struct Worst {
  double error = 0;
  std::string where;
  std::size_t count = 0;
  void Note(double e, const std::string& at) {
    ++count;
    if (e > error || std::isnan(e)) {
      error = e;
      where = at;
    }
  }
};

}  // namespace

TEST_CASE("keycomp reproduces metafor on every golden row", "[oracle][metafor]") {
  const std::vector<GoldenRow> rows = ReadGolden(kOracleDir + "/metafor_golden.csv");
  REQUIRE(rows.size() >= 900);  // 61 cases x 5 methods x 3 tests when written

  const std::map<std::string, std::string> estimator_of = {{"FE", "weighted_mean"},
                                                           {"DL", "dersimonian_laird"},
                                                           {"PM", "paule_mandel"},
                                                           {"REML", "reml"},
                                                           {"ML", "ml"}};
  const std::map<std::string, std::string> setting_of = {
      {"z", "default"}, {"knha", "knapp_hartung"}, {"adhoc", "modified_knapp_hartung"}};

  std::map<std::string, keycomp::Comparison> cases;
  // estimator -> quantity -> worst
  std::map<std::string, std::map<std::string, Worst>> worst;
  std::size_t checked_rows = 0;
  std::size_t skipped_rows = 0;
  std::vector<std::string> skipped;

  for (const GoldenRow& row : rows) {
    const std::string& case_id = row.Text("case");
    const std::string& method = row.Text("method");
    const std::string& test = row.Text("test");
    const std::string at =
        fmt::format("{} {} {} (golden line {})", case_id, method, test, row.line);
    INFO(at);
    if (row.Text("converged") != "1") {
      skipped.push_back(at + ": metafor did not converge");
      ++skipped_rows;
      continue;
    }
    if (row.IsNa("mu") || row.IsNa("se")) {
      skipped.push_back(at + ": mu or se is NA");
      ++skipped_rows;
      continue;
    }
    auto found = cases.find(case_id);
    if (found == cases.end()) {
      found = cases
                  .emplace(case_id,
                           keycomp::ReadComparisonFile(kOracleDir + "/cases/" + case_id + ".csv"))
                  .first;
    }
    const keycomp::Comparison& comparison = found->second;
    REQUIRE(comparison.n_included() == static_cast<std::size_t>(row.Number("n")));

    // FE knha/adhoc are the weighted mean's external and Birge u (see the header comment).
    std::string estimator_name = estimator_of.at(method);
    keycomp::EstimatorOptions options;
    if (method == "FE") {
      if (test == "knha") options.settings["u"] = "external";
      if (test == "adhoc") estimator_name = "birge_weighted_mean";
    } else {
      options.settings["u"] = setting_of.at(test);
    }
    const keycomp::Estimator* estimator = keycomp::FindEstimator(estimator_name);
    REQUIRE(estimator != nullptr);
    const keycomp::EstimatorResult r = keycomp::RunEstimator(*estimator, comparison, options);
    REQUIRE(r.status == keycomp::Status::kOk);
    ++checked_rows;

    std::vector<double> u;
    for (const auto& lab : comparison.results()) u.push_back(lab.u);
    const double median_u = keycomp::Median(u);
    const double se = row.Number("se");
    const bool boundary = (method == "ML" || method == "REML") && r.tau && *r.tau == 0;
    auto& w = worst[estimator_name];

    auto location_error = [&](double ours, double theirs) {
      const double diff = std::abs(ours - theirs);
      return std::max(0.0, diff - 2 * Ulp(std::max(std::abs(ours), std::abs(theirs)))) / se;
    };

    const double value_error = location_error(r.value, row.Number("mu"));
    CHECK(value_error <= 1e-9);
    w["value"].Note(value_error, at);

    const double u_error = std::abs(r.u - se) / se;
    CHECK(u_error <= (boundary ? 1e-7 : 1e-9));
    w["u"].Note(u_error, at);

    const bool intervals_comparable = method != "FE" || test == "z";
    if (intervals_comparable) {
      const double ci_error = std::max(location_error(r.interval_low, row.Number("ci_lb")),
                                       location_error(r.interval_high, row.Number("ci_ub")));
      CHECK(ci_error <= 1e-9);
      w["interval"].Note(ci_error, at);
      if (test != "z") {
        CHECK(r.interval_method == fmt::format("student_t({})", comparison.n_included() - 1));
      }
    }

    if (method == "FE") {
      CHECK_FALSE(r.tau.has_value());
      CHECK(row.Number("tau2") == 0);
      continue;
    }

    REQUIRE(r.tau.has_value());
    const double tau_error =
        std::abs(*r.tau - row.Number("tau")) / std::max(row.Number("tau"), median_u);
    CHECK(tau_error <= 1e-7);
    // At the boundary metafor's tau is sqrt of a tiny positive tau2 (<= 7.7e-17 s^2), ours 0.
    w[boundary ? "tau@boundary" : "tau"].Note(tau_error, at);

    const double tau2_scale = median_u * median_u;
    const double tau2_error = std::abs(ExtraValue(r, "tau2") - row.Number("tau2")) /
                              std::max(row.Number("tau2"), tau2_scale);
    CHECK(tau2_error <= (boundary ? 1e-7 : 1e-9));
    w["tau2"].Note(tau2_error, at);

    const double q_error =
        std::abs(ExtraValue(r, "cochran_q") - row.Number("QE")) / row.Number("QE");
    CHECK(q_error <= 1e-9);
    w["Q"].Note(q_error, at);

    if (row.IsNa("tau2_ci_lb") || row.IsNa("tau2_ci_ub")) {
      skipped.push_back(at + ": Q-profile interval is NA");
    } else {
      REQUIRE(r.tau_interval.has_value());
      const double lb = row.Number("tau2_ci_lb");
      const double ub = row.Number("tau2_ci_ub");
      const double qp_error =
          std::max(std::abs(ExtraValue(r, "tau2_interval_low") - lb) / std::max(lb, tau2_scale),
                   std::abs(ExtraValue(r, "tau2_interval_high") - ub) / std::max(ub, tau2_scale));
      CHECK(qp_error <= 1e-9);
      w["tau2_qprofile"].Note(qp_error, at);
      // tau_interval is the same interval in tau units.
      CHECK(r.tau_interval->first == Approx(std::sqrt(ExtraValue(r, "tau2_interval_low"))));
      CHECK(r.tau_interval->second == Approx(std::sqrt(ExtraValue(r, "tau2_interval_high"))));
    }
  }

  std::cout << fmt::format("metafor oracle: {} rows checked, {} skipped, {} notes\n", checked_rows,
                           skipped_rows, skipped.size());
  for (const std::string& s : skipped) std::cout << "  not compared: " << s << "\n";
  std::cout << fmt::format("{:<19} {:<14} {:>6} {:>7}  {}\n", "estimator", "quantity", "checks",
                           "digits", "worst case");
  for (const auto& [name, quantities] : worst) {
    for (const auto& [quantity, wq] : quantities) {
      std::cout << fmt::format("{:<19} {:<14} {:>6} {:>7.1f}  {}\n", name, quantity, wq.count,
                               Digits(wq.error), wq.where);
    }
  }
  CHECK(checked_rows + skipped_rows == rows.size());
}

TEST_CASE("tau is exactly 0 where metafor's estimate lies on the boundary", "[oracle][metafor]") {
  // tests/oracle/metafor_boundary.csv lists the (case, method) pairs whose tau^2 estimate is at
  // the tau^2 = 0 boundary by metafor's own criteria (DL: Q <= n-1; PM: Q(0) <= n-1; ML/REML:
  // score at 0 <= 0). keycomp returns exactly 0 there, and a positive tau elsewhere.
  const std::vector<GoldenRow> rows = ReadGolden(kOracleDir + "/metafor_boundary.csv");
  REQUIRE(rows.size() >= 60);
  const std::map<std::string, std::string> estimator_of = {
      {"DL", "dersimonian_laird"}, {"PM", "paule_mandel"}, {"REML", "reml"}, {"ML", "ml"}};
  std::map<std::pair<std::string, std::string>, bool> at_boundary;
  for (const GoldenRow& row : rows) at_boundary[{row.Text("case"), row.Text("method")}] = true;

  const std::vector<GoldenRow> golden = ReadGolden(kOracleDir + "/metafor_golden.csv");
  std::size_t zero = 0;
  for (const GoldenRow& row : golden) {
    if (row.Text("method") == "FE" || row.Text("test") != "z") continue;
    INFO(row.Text("case") << " " << row.Text("method"));
    const keycomp::Comparison comparison =
        keycomp::ReadComparisonFile(kOracleDir + "/cases/" + row.Text("case") + ".csv");
    const keycomp::EstimatorResult r = keycomp::RunEstimator(
        *keycomp::FindEstimator(estimator_of.at(row.Text("method"))), comparison, {});
    REQUIRE(r.tau.has_value());
    if (at_boundary.count({row.Text("case"), row.Text("method")})) {
      CHECK(*r.tau == 0);
      ++zero;
    } else {
      CHECK(*r.tau > 0);
    }
  }
  CHECK(zero == rows.size());
}

TEST_CASE("reml and ml find every local maximum metafor finds from a good start, and the highest",
          "[oracle][metafor][multimodal]") {
  // tests/oracle/multimodal/multimodal_golden.csv (generate_multimodal.R): per case and method,
  // one row per local maximum of the (restricted) likelihood, metafor's Fisher scoring started
  // at it; `global` marks the highest by metafor's logLik.
  const std::string dir = kOracleDir + "/multimodal";
  const std::vector<GoldenRow> rows = ReadGolden(dir + "/multimodal_golden.csv");
  REQUIRE(rows.size() >= 20);
  double worst_global = 0, worst_local = 0;
  for (const GoldenRow& row : rows) {
    const std::string restricted_name = row.Text("method") == "REML" ? "reml" : "ml";
    const bool restricted = restricted_name == "reml";
    INFO(row.Text("case") << " " << row.Text("method") << " maximum " << row.Text("maximum"));
    const keycomp::Comparison comparison =
        keycomp::ReadComparisonFile(dir + "/cases/" + row.Text("case") + ".csv");
    const double tau = row.Number("tau");
    auto tau_error = [&](double ours) { return tau == 0 ? ours : std::abs(ours - tau) / tau; };

    // Every maximum: the library's search on the data as the estimators see them.
    std::vector<double> x, u, dof;
    for (const auto& lab : comparison.results()) x.push_back(lab.value), u.push_back(lab.u);
    const double centre = keycomp::Median(x), scale = keycomp::Median(u);
    for (auto& v : x) v = (v - centre) / scale;
    for (auto& v : u) v /= scale;
    dof.assign(x.size(), INFINITY);
    keycomp::LabSample sample{x, u, dof, centre, scale};
    const auto max = keycomp::random_effects::MaximiseLikelihood(sample, restricted);
    REQUIRE(max.converged);
    REQUIRE(max.local_maxima == static_cast<int>(row.Number("n_maxima")));
    const auto& m = max.listed.at(static_cast<std::size_t>(row.Number("maximum")) - 1);
    const double local_tau_error = tau_error(scale * std::sqrt(m.tau2));
    const double ll =
        keycomp::random_effects::LogLikelihoodInDataUnits(sample, m.log_likelihood, restricted);
    const double ll_error = std::abs(ll - row.Number("loglik")) / std::max(1.0, std::abs(ll));
    CHECK(local_tau_error <= 1e-9);
    CHECK(ll_error <= 1e-9);
    worst_local = std::max({worst_local, local_tau_error, ll_error});
    if (row.Text("global") != "1") continue;

    // The global one: what the estimator reports, through RunEstimator as the CLI runs it.
    const keycomp::EstimatorResult r = keycomp::RunEstimator(
        *keycomp::FindEstimator(restricted_name), comparison, keycomp::EstimatorOptions{});
    REQUIRE(r.status == keycomp::Status::kOk);
    const double se = row.Number("se");
    const double errors[] = {tau_error(*r.tau), std::abs(r.value - row.Number("mu")) / se,
                             std::abs(r.u - se) / se};
    for (const double e : errors) CHECK(e <= 1e-9);
    worst_global = std::max({worst_global, errors[0], errors[1], errors[2]});
    CHECK(ExtraValue(r, "local_maxima") == row.Number("n_maxima"));
  }
  std::cout << fmt::format(
      "metafor multimodal: worst error, global maximum (tau, KCRV in se, u) {:.1e}; every "
      "maximum (tau, log-likelihood) {:.1e}\n",
      worst_global, worst_local);
}

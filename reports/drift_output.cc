#include "reports/drift_output.h"

#include <fmt/format.h>

#include <cmath>

#include "reports/analysis_output.h"

namespace keycomp {
namespace {

using Json = nlohmann::json;

Json NumberOrNull(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }

std::string TimeUnit(const DriftFit& fit) { return fit.dates ? "day" : "time unit"; }

}  // namespace

Json DriftToJson(const DriftCorrectedComparison& corrected, const DriftFit& fit,
                 const PilotData& pilot) {
  const Comparison& c = corrected.comparison;
  const ComparisonInfo& info = c.info();
  Json comparison = Json::object();
  if (!info.id.empty()) comparison["id"] = info.id;
  if (!info.measurand.empty()) comparison["measurand"] = info.measurand;
  if (!info.unit.empty()) comparison["unit"] = info.unit;
  if (!info.pilot.empty()) comparison["pilot"] = info.pilot;
  for (const auto& [key, value] : info.extra) comparison[key] = value;
  comparison["drift_corrected"] =
      fmt::format("{} drift from {}, values referred to {}", ToString(fit.model), pilot.source,
                  FormatTime(fit.t_ref, fit.dates));

  Json results = Json::array();
  for (const LabResult& r : c.results()) {
    Json row = {{"lab", r.lab}, {"value", r.value}, {"u", r.u}};
    row["dof"] = std::isfinite(r.dof) ? Json(r.dof) : Json("inf");
    row["include"] = r.included;
    for (const auto& [key, value] : r.attributes) row[key] = value;
    results.push_back(std::move(row));
  }
  Json correlations = Json::array();
  for (const Correlation& k : c.correlations()) {
    correlations.push_back({{"a", k.lab_a}, {"b", k.lab_b}, {"r", k.r}});
  }

  Json parameters = Json::array();
  for (const DriftParameter& p : fit.parameters) {
    Json par = {{"name", p.name},
                {"value", p.value},
                {"u", p.u},
                {"kind", p.is_slope ? "slope" : "offset"}};
    if (!p.standard.empty()) par["standard"] = p.standard;
    if (p.is_slope) par["segment"] = p.segment + 1;
    parameters.push_back(std::move(par));
  }
  Json covariance = Json::array();
  for (Eigen::Index i = 0; i < fit.covariance.rows(); ++i) {
    Json row = Json::array();
    for (Eigen::Index j = 0; j < fit.covariance.cols(); ++j) row.push_back(fit.covariance(i, j));
    covariance.push_back(std::move(row));
  }
  Json breakpoints = Json::array();
  for (double b : fit.breakpoints) breakpoints.push_back(FormatTime(b, fit.dates));
  Json pilot_rows = Json::array();
  for (std::size_t k = 0; k < pilot.measurements.size(); ++k) {
    const PilotMeasurement& m = pilot.measurements[k];
    Json row = {{"t", FormatTime(m.t, fit.dates)},
                {"value", m.value},
                {"u", m.u},
                {"normalised_residual", fit.normalised_residuals[k]}};
    if (!m.standard.empty()) row["standard"] = m.standard;
    pilot_rows.push_back(std::move(row));
  }
  Json labs = Json::array();
  for (std::size_t i = 0; i < corrected.labs.size(); ++i) {
    const LabDriftCorrection& l = corrected.labs[i];
    Json row = {{"lab", l.lab},
                {"t", l.time_text},
                {"value_reported", l.value},
                {"u_reported", l.u},
                {"correction", l.correction},
                {"u_correction", l.u_correction},
                {"value", c.results()[i].value},
                {"u", c.results()[i].u}};
    if (!fit.standards[l.standard].empty()) row["standard"] = fit.standards[l.standard];
    labs.push_back(std::move(row));
  }
  Json drift = {
      {"model", ToString(fit.model)},
      {"drift", fit.separate_drift ? "separate" : "shared"},
      {"pilot_file", pilot.source},
      {"t_ref", FormatTime(fit.t_ref, fit.dates)},
      {"time_unit", TimeUnit(fit)},
      {"breakpoints", breakpoints},
      {"parameters", parameters},
      {"covariance", covariance},
      {"covariance_scaled_by_birge", fit.covariance_scaled},
      {"n", fit.n},
      {"dof", fit.dof},
      {"chi2", fit.chi2},
      {"birge_ratio", NumberOrNull(fit.birge_ratio)},
      {"solver",
       {{"status", ToString(fit.status)},
        {"iterations", fit.iterations},
        {"report", fit.solver_report}}},
      {"pilot_measurements", pilot_rows},
      {"labs", labs},
  };
  return Json{{"comparison", comparison},
              {"results", results},
              {"correlations", correlations},
              {"drift", drift}};
}

std::string DriftToTable(const DriftCorrectedComparison& corrected, const DriftFit& fit,
                         const PilotData& pilot) {
  std::string out;
  const std::string unit = corrected.comparison.info().unit;
  out += fmt::format("Drift of the travelling standard: {} model, {} drift, from {}\n",
                     ToString(fit.model), fit.separate_drift ? "separate" : "shared", pilot.source);
  out += fmt::format("  reference time t_ref = {}", FormatTime(fit.t_ref, fit.dates));
  if (!fit.breakpoints.empty()) {
    std::string b;
    for (double t : fit.breakpoints) b += (b.empty() ? "" : ", ") + FormatTime(t, fit.dates);
    out += fmt::format("; breakpoints {}", b);
  }
  out += fmt::format(
      "\n  {} pilot measurements, {} parameters, chi2 = {:.4g} on {} dof, Birge "
      "ratio = {}{}\n\n",
      fit.n, fit.parameters.size(), fit.chi2, fit.dof,
      std::isfinite(fit.birge_ratio) ? fmt::format("{:.4g}", fit.birge_ratio) : std::string("n/a"),
      fit.covariance_scaled ? " (covariance scaled by its square)" : "");
  std::size_t width = 9;
  for (const auto& p : fit.parameters) width = std::max(width, p.name.size());
  out += fmt::format("  {:<{}}  {:>22}  {:>12}  {}\n", "parameter", width, "value", "u", "unit");
  for (const auto& p : fit.parameters) {
    const std::string u = p.is_slope ? fmt::format("{} per {}", unit, TimeUnit(fit)) : unit;
    out += fmt::format("  {:<{}}  {:>22.12g}  {:>12.4g}  {}\n", p.name, width, p.value, p.u, u);
  }
  out += "\n";
  std::size_t lab_width = 3;
  for (const auto& l : corrected.labs) lab_width = std::max(lab_width, l.lab.size());
  out +=
      fmt::format("  {:<{}}  {:>10}  {:>14}  {:>10}  {:>12}  {:>12}  {:>14}  {:>10}\n", "lab",
                  lab_width, "t", "x reported", "u", "correction", "u(corr.)", "x corrected", "u");
  for (std::size_t i = 0; i < corrected.labs.size(); ++i) {
    const auto& l = corrected.labs[i];
    const auto& r = corrected.comparison.results()[i];
    const double resolution = l.u / 100;
    out +=
        fmt::format("  {:<{}}  {:>10}  {:>14}  {:>10.4g}  {:>12}  {:>12.4g}  {:>14}  {:>10.4g}\n",
                    l.lab, lab_width, l.time_text, FormatMeasured(l.value, resolution), l.u,
                    FormatMeasured(l.correction, resolution), l.u_correction,
                    FormatMeasured(r.value, resolution), r.u);
  }
  const auto& correlations = corrected.comparison.correlations();
  if (!correlations.empty()) {
    double lo = 1, hi = -1;
    for (const auto& k : correlations) {
      lo = std::min(lo, k.r);
      hi = std::max(hi, k.r);
    }
    out += fmt::format(
        "\n  {} correlations between the corrected results, r from {:.3g} to "
        "{:.3g} (in the JSON output)\n",
        correlations.size(), lo, hi);
  }
  return out;
}

}  // namespace keycomp

#include "reports/mc_output.h"

#include <fmt/format.h>

#include <cmath>

#include "keycomp/version.h"
#include "reports/analysis_output.h"

namespace keycomp {
namespace {

using Json = nlohmann::json;

Json Number(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }

std::string ModelText(const mc::MeasurementModel& model) {
  return model.builtin.empty() ? model.expression : "builtin:" + model.builtin;
}

}  // namespace

nlohmann::json McResultToJson(const mc::MeasurementModel& model, const mc::McResult& r) {
  Json out = {{"keycomp_version", kVersion},
              {"source", model.source},
              {"quantity", model.quantity},
              {"unit", model.unit},
              {"model", ModelText(model)},
              {"status", ToString(r.status)}};
  if (!r.message.empty()) out["message"] = r.message;
  out["mean"] = Number(r.mean);
  out["u"] = Number(r.u);
  const bool summarised = std::isfinite(r.mean);
  out["interval"] = summarised ? Json::array({Number(r.intervals.symmetric_low),
                                              Number(r.intervals.symmetric_high)})
                               : Json(nullptr);
  out["shortest_interval"] = summarised ? Json::array({Number(r.intervals.shortest_low),
                                                       Number(r.intervals.shortest_high)})
                                        : Json(nullptr);
  out["coverage"] = r.coverage;
  out["trials"] = r.trials;
  out["seed"] = r.seed;
  out["nonfinite_trials"] = r.nonfinite;
  out["adaptive"] = r.adaptive;
  if (r.adaptive) {
    const mc::AdaptiveSummary& a = r.adaptive_summary;
    out["adaptive_procedure"] = {{"batch_trials", a.batch_trials},
                                 {"batches", a.batches},
                                 {"stabilised", a.stabilised},
                                 {"tolerance", Number(a.tolerance)},
                                 {"sd_mean", Number(a.sd_mean)},
                                 {"sd_u", Number(a.sd_u)},
                                 {"sd_low", Number(a.sd_low)},
                                 {"sd_high", Number(a.sd_high)}};
  }
  if (summarised) {
    out["range"] = {Number(r.intervals.minimum), Number(r.intervals.maximum)};
  }

  const mc::GumResult& g = r.gum;
  Json sensitivity = Json::object();
  Json contributions = Json::array();
  for (const mc::GumContribution& c : g.contributions) {
    sensitivity[c.input] = Number(c.sensitivity);
    contributions.push_back({{"input", c.input},
                             {"estimate", Number(c.estimate)},
                             {"u", Number(c.u)},
                             {"sensitivity", Number(c.sensitivity)},
                             {"contribution", Number(c.contribution)},
                             {"dof", Number(c.dof)}});
  }
  out["gum"] = {{"status", ToString(g.status)},
                {"value", Number(g.value)},
                {"u", Number(g.u)},
                {"interval", {Number(g.low), Number(g.high)}},
                {"coverage_factor", Number(g.coverage_factor)},
                {"dof_effective", Number(g.dof_effective)},
                {"sensitivity", sensitivity},
                {"contributions", contributions}};
  if (!g.message.empty()) out["gum"]["message"] = g.message;
  if (summarised && g.status == Status::kOk) {
    const mc::GumValidation& v = r.validation;
    out["validation"] = {{"method", "JCGM 101 section 8"},
                         {"agrees", v.agrees},
                         {"digits", v.digits},
                         {"tolerance", Number(v.tolerance)},
                         {"d_low", Number(v.d_low)},
                         {"d_high", Number(v.d_high)},
                         {"compared_with", v.interval}};
  }
  if (summarised) {
    const mc::Histogram& h = r.histogram;
    out["histogram"] = {{"low", Number(h.low)},
                        {"high", Number(h.high)},
                        {"bins", h.counts.size()},
                        {"counts", h.counts},
                        {"below", h.below},
                        {"above", h.above}};
  }
  out["warnings"] = r.warnings;
  return out;
}

std::string McResultToTable(const mc::MeasurementModel& model, const mc::McResult& r) {
  std::string out;
  const std::string unit = model.unit.empty() ? "" : " " + model.unit;
  out += fmt::format("{} = {}{}\n", model.quantity, ModelText(model),
                     model.unit.empty() ? "" : fmt::format("  [{}]", model.unit));
  const double resolution = std::isfinite(r.u) && r.u > 0 ? r.u / 10 : r.gum.u / 10;
  const double p = 100 * r.coverage;
  out += fmt::format("{} trials{}, seed {}\n", r.trials,
                     r.adaptive ? fmt::format(" (adaptive, {} batches of {})",
                                              r.adaptive_summary.batches,
                                              r.adaptive_summary.batch_trials)
                                : "",
                     r.seed);
  out += fmt::format("\n{:<22} {:>18} {:>14}  {}\n", "", "value", "u",
                     fmt::format("{:g} % interval", p));
  if (std::isfinite(r.mean)) {
    out += fmt::format("{:<22} {:>18} {:>14}  [{}, {}]\n", "Monte Carlo (symmetric)",
                       FormatMeasured(r.mean, resolution), FormatMeasured(r.u, resolution),
                       FormatMeasured(r.intervals.symmetric_low, resolution),
                       FormatMeasured(r.intervals.symmetric_high, resolution));
    out += fmt::format("{:<22} {:>18} {:>14}  [{}, {}]\n", "Monte Carlo (shortest)", "", "",
                       FormatMeasured(r.intervals.shortest_low, resolution),
                       FormatMeasured(r.intervals.shortest_high, resolution));
  } else {
    out += fmt::format("{:<22} {}\n", "Monte Carlo", r.message);
  }
  const mc::GumResult& g = r.gum;
  if (g.status == Status::kOk) {
    out += fmt::format("{:<22} {:>18} {:>14}  [{}, {}]  k = {:.3f}, nu_eff = {}\n", "GUM (first order)",
                       FormatMeasured(g.value, resolution), FormatMeasured(g.u, resolution),
                       FormatMeasured(g.low, resolution), FormatMeasured(g.high, resolution),
                       g.coverage_factor,
                       std::isfinite(g.dof_effective) ? fmt::format("{:.1f}", g.dof_effective)
                                                      : "inf");
    out += fmt::format("\nGUM budget\n{:<16} {:>16} {:>12} {:>14} {:>12} {:>8}\n", "input",
                       "estimate", "u", "sensitivity", "|c| u", "dof");
    for (const mc::GumContribution& c : g.contributions) {
      out += fmt::format("{:<16} {:>16.8g} {:>12.4g} {:>14.6g} {:>12.4g} {:>8}\n", c.input,
                         c.estimate, c.u, c.sensitivity, c.contribution,
                         std::isfinite(c.dof) ? fmt::format("{:g}", c.dof) : "inf");
    }
    if (std::isfinite(r.mean)) {
      const mc::GumValidation& v = r.validation;
      out += fmt::format(
          "\nJCGM 101 section 8: d_low = {:.3g}, d_high = {:.3g}, tolerance {:.3g} ({} digits "
          "of u): the GUM interval {} the Monte Carlo shortest interval\n",
          v.d_low, v.d_high, v.tolerance, v.digits,
          v.agrees ? "agrees with" : "DOES NOT agree with");
    }
  } else {
    out += fmt::format("{:<22} {}\n", "GUM (first order)", g.message);
  }
  if (r.nonfinite > 0) out += fmt::format("\n{} trials gave NaN or infinity\n", r.nonfinite);
  for (const std::string& w : r.warnings) out += fmt::format("warning: {}\n", w);
  return out;
}

}  // namespace keycomp

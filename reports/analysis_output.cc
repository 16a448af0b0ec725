#include "reports/analysis_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/text_fields.h"
#include "keycomp/version.h"

namespace keycomp {
namespace {

using Json = nlohmann::json;

Json Number(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }
Json OptionalNumber(const std::optional<double>& x) { return x ? Number(*x) : Json(nullptr); }

Json ComparisonJson(const Comparison& comparison) {
  const ComparisonInfo& info = comparison.info();
  Json c = {{"id", info.id},
            {"measurand", info.measurand},
            {"unit", info.unit},
            {"n", comparison.size()},
            {"n_included", comparison.n_included()},
            {"source", comparison.source()}};
  if (!info.pilot.empty()) c["pilot"] = info.pilot;
  if (!info.extra.empty()) {
    Json meta = Json::object();
    for (const auto& [k, v] : info.extra) meta[k] = v;
    c["metadata"] = meta;
  }
  return c;
}

Json ConsistencyJson(const Consistency& c) {
  Json out = {{"chi2", Number(c.chi2)},       {"dof", c.dof},
              {"p_value", Number(c.p_value)}, {"birge_ratio", Number(c.birge_ratio)},
              {"I2", Number(c.i2)},           {"weighted_mean", Number(c.weighted_mean)}};
  // Only correlated comparisons say how the covariance entered (chi2 with V^-1 about the GLS
  // mean), so the output of independent ones is unchanged.
  if (c.covariance != "independent") out["covariance"] = c.covariance;
  if (!c.note.empty()) out["note"] = c.note;
  out["over"] = c.over;
  if (c.over == "all") {
    out.erase("weighted_mean");
    out["reference"] = Number(c.reference);
  }
  return out;
}

// The reported check: over all results about the KCRV (--chi2-over all), with the check of the
// included results beside it, or the included results' check alone.
Json ReportedConsistencyJson(const Analysis& analysis) {
  if (!analysis.consistency_all) return ConsistencyJson(analysis.consistency);
  Json out = ConsistencyJson(*analysis.consistency_all);
  out["included"] = ConsistencyJson(analysis.consistency);
  return out;
}

/// Adds the DoE, pairwise DoE and their method to an estimator's JSON object.
Json FinishDoe(const Comparison& comparison, const EstimatorAnalysis& entry,
               DoeUncertainty uncertainty, Json& out) {
  const EstimatorResult& r = entry.result;
  if (r.status == Status::kOk) {
    const DoeResult& doe = entry.doe;
    out["doe_method"] = {{"convention", ToString(doe.convention)},
                         {"dark_uncertainty", ToString(doe.dark)},
                         {"coverage_factor", Number(doe.coverage_factor)},
                         {"covariance_with_kcrv", doe.covariance},
                         {"uncertainty", ToString(uncertainty)}};
    Json labs = Json::array();
    for (const LabDoe& d : doe.labs) {
      Json lab = {{"lab", d.lab},
                  {"d", Number(d.d)},
                  {"u", Number(d.u)},
                  {"U", Number(d.expanded)},
                  {"interval", {Number(d.low), Number(d.high)}},
                  {"En", Number(d.en)},
                  {"included", d.included}};
      if (std::isfinite(d.symmetric_low)) {
        lab["symmetric_interval"] = {Number(d.symmetric_low), Number(d.symmetric_high)};
      }
      if (std::isfinite(d.kcrv_without)) {
        lab["kcrv_without"] = Number(d.kcrv_without);
        lab["u_kcrv_without"] = Number(d.u_kcrv_without);
      }
      labs.push_back(std::move(lab));
    }
    out["doe"] = labs;
    Json pairs = Json::array();
    for (const PairwiseDoe& pd : doe.pairwise) {
      pairs.push_back({{"lab_a", comparison.results()[pd.a].lab},
                       {"lab_b", comparison.results()[pd.b].lab},
                       {"d", Number(pd.d)},
                       {"u", Number(pd.u)},
                       {"U", Number(pd.expanded)}});
    }
    out["pairwise"] = pairs;
  } else {
    out["doe"] = Json::array();
  }
  return out;
}

/// The pairwise DoE as a matrix: row lab minus column lab, "d (U)".
std::string PairwiseTable(const Comparison& comparison, const DoeResult& doe, double resolution) {
  const std::size_t n = comparison.size();
  if (doe.pairwise.empty()) return {};
  std::vector<std::string> cell(n * n, "");
  std::size_t width = 8;
  for (const PairwiseDoe& p : doe.pairwise) {
    cell[p.a * n + p.b] = fmt::format("{} ({})", FormatMeasured(p.d, resolution),
                                      FormatMeasured(p.expanded, resolution));
    cell[p.b * n + p.a] = fmt::format("{} ({})", FormatMeasured(-p.d, resolution),
                                      FormatMeasured(p.expanded, resolution));
    width = std::max({width, cell[p.a * n + p.b].size(), cell[p.b * n + p.a].size()});
  }
  std::size_t name_width = 6;
  for (const LabResult& r : comparison.results()) name_width = std::max(name_width, r.lab.size());
  std::string out = "\nPairwise degrees of equivalence: row lab minus column lab, d (U)\n";
  out += fmt::format("{:<{}}", "", name_width);
  for (const LabResult& r : comparison.results()) out += fmt::format(" {:>{}}", r.lab, width);
  out += "\n";
  for (std::size_t a = 0; a < n; ++a) {
    out += fmt::format("{:<{}}", comparison.results()[a].lab, name_width);
    for (std::size_t b = 0; b < n; ++b) {
      out += fmt::format(" {:>{}}", a == b ? "-" : cell[a * n + b], width);
    }
    out += "\n";
  }
  return out;
}

Json EstimatorJson(const Comparison& comparison, const EstimatorAnalysis& entry,
                   const AnalysisOptions& options) {
  const double coverage = options.estimator.coverage;
  const DoeUncertainty uncertainty = options.doe.uncertainty;
  const EstimatorResult& r = entry.result;
  Json kcrv = {{"value", Number(r.value)},
               {"u", Number(r.u)},
               {"interval", {Number(r.interval_low), Number(r.interval_high)}},
               {"coverage", coverage},
               {"interval_method", r.interval_method}};
  if (r.u_internal) kcrv["u_internal"] = Number(*r.u_internal);
  if (r.u_external) kcrv["u_external"] = Number(*r.u_external);
  if (!r.u_kind.empty()) kcrv["u_kind"] = r.u_kind;
  if (entry.estimated) {
    const ReportedKcrv& e = *entry.estimated;
    kcrv["origin"] = "given (--kcrv)";
    kcrv["estimated"] = {{"value", Number(e.value)},
                         {"u", Number(e.u)},
                         {"interval", {Number(e.low), Number(e.high)}},
                         {"interval_method", e.interval_method}};
  }

  Json out = {{"estimator", entry.estimator->info.name},
              {"status", ToString(r.status)},
              {"kcrv", kcrv},
              {"tau", OptionalNumber(r.tau)},
              {"uncertainty_method", entry.uncertainty_method}};
  if (!r.message.empty()) out["message"] = r.message;
  if (r.tau_interval) {
    out["tau_interval"] = {Number(r.tau_interval->first), Number(r.tau_interval->second)};
  }
  if (!r.dropped.empty()) {
    Json dropped = Json::array();
    for (std::size_t i : r.dropped) dropped.push_back(comparison.results()[i].lab);
    out["dropped"] = dropped;
  }
  if (!r.extra.empty()) {
    Json extra = Json::object();
    for (const ExtraValue& e : r.extra) extra[e.name] = Number(e.value);
    out["extra"] = extra;
  }
  if (r.iterations > 0) out["iterations"] = r.iterations;
  if (!r.warnings.empty()) out["warnings"] = r.warnings;
  if (entry.consistency_all) out["consistency"] = ConsistencyJson(*entry.consistency_all);

  if (entry.mc) {
    const McDoeResult& mc = *entry.mc;
    out["trials"] = mc.trials;
    out["seed"] = mc.seed;
    out["monte_carlo"] = {{"source", mc.source},
                          {"variant", ToString(mc.variant)},
                          {"kcrv_mean", Number(mc.kcrv.mean)},
                          {"histogram",
                           {{"low", Number(mc.kcrv.histogram.low)},
                            {"high", Number(mc.kcrv.histogram.high)},
                            {"counts", mc.kcrv.histogram.counts}}}};
    const ReportedKcrv reported = ReportKcrv(entry);
    if (!reported.bootstrapped) return FinishDoe(comparison, entry, uncertainty, out);
    Json& k = out["kcrv"];
    k["u_analytic"] = Number(r.u);
    k["u"] = Number(reported.u);
    k["interval"] = {Number(reported.low), Number(reported.high)};
    k["shortest_interval"] = {Number(mc.kcrv.intervals.shortest_low),
                              Number(mc.kcrv.intervals.shortest_high)};
    k["interval_method"] = reported.interval_method;
  }
  return FinishDoe(comparison, entry, uncertainty, out);
}

}  // namespace

Json AnalysisToJson(const Comparison& comparison, const Analysis& analysis,
                    const AnalysisOptions& options) {
  Json results = Json::array();
  for (const auto& entry : analysis.results) {
    results.push_back(EstimatorJson(comparison, entry, options));
  }
  Json out = {{"keycomp_version", kVersion},
              {"comparison", ComparisonJson(comparison)},
              {"consistency", ReportedConsistencyJson(analysis)},
              {"results", results}};
  if (!analysis.warnings.empty()) out["warnings"] = analysis.warnings;
  return out;
}

std::string FormatMeasured(double x, double resolution) {
  if (!std::isfinite(x)) return "-";
  if (!(resolution > 0) || !std::isfinite(resolution)) return fmt::format("{:.6g}", x);
  const int decimals = 2 - static_cast<int>(std::floor(std::log10(resolution)));
  if (decimals > 12 || std::abs(x) >= 1e15) return fmt::format("{:.6g}", x);
  return fmt::format("{:.{}f}", x, std::max(decimals, 0));
}

std::string AnalysisToTable(const Comparison& comparison, const Analysis& analysis,
                            const AnalysisOptions& options) {
  const ComparisonInfo& info = comparison.info();
  std::string out;
  const std::string unit = info.unit.empty() ? "" : fmt::format(" ({})", info.unit);
  out += fmt::format("{}{}{}\n", info.id.empty() ? comparison.source() : info.id,
                     info.measurand.empty() ? "" : ": " + info.measurand, unit);
  out += fmt::format("{} labs, {} included in the reference value\n", comparison.size(),
                     comparison.n_included());
  const Consistency& c = analysis.consistency;
  if (c.dof > 0) {
    out += fmt::format(
        "Consistency of the included results about their weighted mean: chi2 = {:.4g}, "
        "dof = {}, p = {:.3g}, Birge ratio = {:.4g}, I2 = {:.3g}{}\n",
        c.chi2, c.dof, c.p_value, c.birge_ratio, c.i2,
        c.Passes() ? "" : "  (inconsistent at the 5 % level)");
  }
  if (analysis.consistency_all && analysis.consistency_all->dof > 0) {
    const Consistency& a = *analysis.consistency_all;
    out += fmt::format(
        "Consistency of all results about the KCRV {:.6g}: chi2 = {:.4g}, dof = {}, p = {:.3g}, "
        "Birge ratio = {:.4g}{}\n",
        a.reference, a.chi2, a.dof, a.p_value, a.birge_ratio,
        a.Passes() ? "" : "  (inconsistent at the 5 % level)");
  }

  // Resolution for the displayed digits: the smallest stated uncertainty.
  double resolution = std::numeric_limits<double>::infinity();
  for (const LabResult& r : comparison.results()) resolution = std::min(resolution, r.u);
  resolution /= 10;

  const double percent = 100 * options.estimator.coverage;
  out += fmt::format("\n{:<26} {:>16} {:>12} {:>12}  {:<32} {}\n", "estimator", "KCRV", "u", "tau",
                     fmt::format("{:g} % interval", percent), "status");
  for (const auto& entry : analysis.results) {
    const EstimatorResult& r = entry.result;
    const McDoeResult* mc =
        entry.mc && entry.mc->source != "estimator_draws" ? &*entry.mc : nullptr;
    const double u = mc ? mc->kcrv.u : r.u;
    const double low = mc ? mc->kcrv.intervals.symmetric_low : r.interval_low;
    const double high = mc ? mc->kcrv.intervals.symmetric_high : r.interval_high;
    out += fmt::format(
        "{:<26} {:>16} {:>12} {:>12}  {:<32} {}\n", entry.estimator->info.name,
        FormatMeasured(r.value, resolution), FormatMeasured(u, resolution),
        r.tau ? FormatMeasured(*r.tau, resolution) : "-",
        fmt::format("[{}, {}]", FormatMeasured(low, resolution), FormatMeasured(high, resolution)),
        r.status == Status::kOk ? "ok" : ToString(r.status));
    if (entry.estimated) {
      out += fmt::format("    given KCRV (--kcrv); estimated by {}: {} (u {})\n",
                         entry.estimator->info.name,
                         FormatMeasured(entry.estimated->value, resolution),
                         FormatMeasured(entry.estimated->u, resolution));
    }
    if (!r.message.empty()) out += fmt::format("    {}\n", r.message);
    for (const auto& w : r.warnings) out += fmt::format("    warning: {}\n", w);
  }

  for (const auto& entry : analysis.results) {
    if (entry.result.status != Status::kOk) continue;
    const DoeResult& doe = entry.doe;
    const std::string expansion =
        entry.mc && options.doe.uncertainty == DoeUncertainty::kExact
            ? fmt::format("Monte Carlo, {} trials, seed {}, U = shortest symmetric interval",
                          entry.mc->trials, entry.mc->seed)
            : fmt::format("k = {:.4g}", doe.coverage_factor);
    out += fmt::format("\nDegrees of equivalence, {} ({} convention, dark uncertainty {}, {}",
                       entry.estimator->info.name, ToString(doe.convention), ToString(doe.dark),
                       expansion);
    out += doe.covariance == "neglected" ? "; covariance with the KCRV neglected)\n" : ")\n";
    if (options.doe.uncertainty == DoeUncertainty::kIndependent) {
      out += "u(d)^2 = u_i^2 + u^2(KCRV) for every lab (--doe-uncertainty independent)\n";
    }
    out += fmt::format("{:<16} {:>8} {:>14} {:>12} {:>12} {:>8}\n", "lab", "included", "d", "u(d)",
                       "U(d)", "E_n");
    for (const LabDoe& d : doe.labs) {
      out += fmt::format("{:<16} {:>8} {:>14} {:>12} {:>12} {:>8.3f}\n", d.lab,
                         d.included ? "yes" : "no", FormatMeasured(d.d, resolution),
                         FormatMeasured(d.u, resolution), FormatMeasured(d.expanded, resolution),
                         d.en);
    }
    out += PairwiseTable(comparison, doe, resolution);
  }
  for (const auto& w : analysis.warnings) out += fmt::format("\nwarning: {}\n", w);
  return out;
}

std::string AnalysisToCsv(const Comparison& comparison, const Analysis& analysis) {
  std::string out =
      "kind,estimator,status,kcrv,u_kcrv,tau,kcrv_low,kcrv_high,lab,lab_b,included,d,u,U,d_low,"
      "d_high,En\n";
  auto num = [](double x) { return std::isfinite(x) ? ShortestText(x) : ""; };
  auto quoted = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
  };
  for (const auto& entry : analysis.results) {
    const EstimatorResult& r = entry.result;
    const bool boot = entry.mc && entry.mc->source != "estimator_draws";
    const std::string head =
        fmt::format("{},{},{},{},{},{},{}", entry.estimator->info.name, ToString(r.status),
                    num(r.value), num(boot ? entry.mc->kcrv.u : r.u), r.tau ? num(*r.tau) : "",
                    num(boot ? entry.mc->kcrv.intervals.symmetric_low : r.interval_low),
                    num(boot ? entry.mc->kcrv.intervals.symmetric_high : r.interval_high));
    for (const LabDoe& d : entry.doe.labs) {
      out += fmt::format("unilateral,{},{},,{},{},{},{},{},{},{}\n", head, quoted(d.lab),
                         d.included ? 1 : 0, num(d.d), num(d.u), num(d.expanded), num(d.low),
                         num(d.high), num(d.en));
    }
    for (const PairwiseDoe& p : entry.doe.pairwise) {
      out += fmt::format("pairwise,{},{},{},,{},{},{},{},{},\n", head,
                         quoted(comparison.results()[p.a].lab),
                         quoted(comparison.results()[p.b].lab), num(p.d), num(p.u), num(p.expanded),
                         num(p.d - p.expanded), num(p.d + p.expanded));
    }
  }
  return out;
}

}  // namespace keycomp

#include "reports/link_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/text_fields.h"
#include "keycomp/version.h"
#include "reports/analysis_output.h"

namespace keycomp {
namespace {

using Json = nlohmann::json;

Json Number(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }

Json ComparisonJson(const Comparison& c) {
  return {{"id", c.info().id},
          {"measurand", c.info().measurand},
          {"unit", c.info().unit},
          {"n", c.size()},
          {"source", c.source()}};
}

std::string Csv(const std::string& field) {
  if (field.find_first_of(",\"\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char ch : field) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string Num(double x) { return std::isfinite(x) ? ShortestText(x) : ""; }

}  // namespace

Json LinkToJson(const Comparison& rmo, const Comparison& cipm, const LinkResult& link) {
  Json out;
  out["keycomp_version"] = kVersion;
  out["rmo_comparison"] = ComparisonJson(rmo);
  out["cipm_comparison"] = ComparisonJson(cipm);
  out["method"] = ToString(link.method);
  out["kcrv"] = {{"value", Number(link.reference.value)},
                 {"u", Number(link.reference.u)},
                 {"origin", link.reference.origin},
                 {"covariance_with_cipm_results",
                  link.reference.weights.size() > 0 ? "from the KCRV's weights" : "neglected"}};
  out["link"] = {{"kind", ToString(link.kind)},
                 {"value", Number(link.link)},
                 {"u", Number(link.u_link)},
                 {"U", Number(link.coverage_factor * link.u_link)},
                 {"cov_with_kcrv", Number(link.cov_link_reference)}};
  out["coverage"] = link.coverage;
  out["coverage_factor"] = Number(link.coverage_factor);
  Json labs = Json::array();
  for (const LinkingLab& l : link.linking) {
    labs.push_back({{"lab", l.lab},
                    {"rmo", {{"value", Number(l.rmo_value)}, {"u", Number(l.rmo_u)}}},
                    {"cipm", {{"value", Number(l.cipm_value)}, {"u", Number(l.cipm_u)}}},
                    {"r", Number(l.r)},
                    {"difference", Number(l.difference)},
                    {"u_difference", Number(l.u_difference)},
                    {"weight", Number(l.weight)},
                    {"residual", Number(l.residual)},
                    {"u_residual", Number(l.u_residual)},
                    {"En", Number(l.en)},
                    {"cipm_doe",
                     {{"d", Number(l.cipm_d)},
                      {"u", Number(l.cipm_d_u)},
                      {"U", Number(link.coverage_factor * l.cipm_d_u)}}}});
  }
  out["linking_labs"] = labs;
  Json consistency = {{"chi2", Number(link.consistency.chi2)},
                      {"dof", link.consistency.dof},
                      {"p_value", Number(link.consistency.p_value)},
                      {"birge_ratio", Number(link.consistency.birge_ratio)},
                      {"covariance", link.consistency.covariance}};
  if (!link.consistency.note.empty()) consistency["note"] = link.consistency.note;
  out["consistency"] = consistency;
  Json doe = Json::array();
  for (const LinkedDoe& d : link.doe) {
    doe.push_back({{"lab", d.lab},
                   {"linking", d.linking},
                   {"value", Number(d.value)},
                   {"u_value", Number(d.u_value)},
                   {"linked_value", Number(d.linked_value)},
                   {"d", Number(d.d)},
                   {"u", Number(d.u)},
                   {"U", Number(d.expanded)},
                   {"interval", {Number(d.low), Number(d.high)}},
                   {"En", Number(d.en)}});
  }
  out["doe"] = doe;
  Json cov = Json::array();
  for (Eigen::Index i = 0; i < link.doe_covariance.rows(); ++i) {
    Json row = Json::array();
    for (Eigen::Index j = 0; j < link.doe_covariance.cols(); ++j) {
      row.push_back(Number(link.doe_covariance(i, j)));
    }
    cov.push_back(std::move(row));
  }
  out["doe_covariance"] = cov;
  Json pairs = Json::array();
  for (const LinkedPairwise& p : link.pairwise) {
    pairs.push_back({{"lab_a", p.lab_a},
                     {"lab_b", p.lab_b},
                     {"comparison_b", p.comparison_b},
                     {"d", Number(p.d)},
                     {"u", Number(p.u)},
                     {"U", Number(p.expanded)}});
  }
  out["pairwise"] = pairs;
  out["warnings"] = link.warnings;
  return out;
}

std::string LinkToTable(const Comparison& rmo, const Comparison& cipm, const LinkResult& link) {
  double resolution = link.reference.u;
  for (const LinkedDoe& d : link.doe) resolution = std::min(resolution, d.u);
  const auto m = [&](double x) { return FormatMeasured(x, resolution); };
  const std::string unit = rmo.info().unit.empty() ? "" : " " + rmo.info().unit;
  std::string out;
  out += fmt::format("Link of {} to {} ({} link, method {})\n",
                     rmo.info().id.empty() ? rmo.source() : rmo.info().id,
                     cipm.info().id.empty() ? cipm.source() : cipm.info().id, ToString(link.kind),
                     ToString(link.method));
  out += fmt::format("CIPM KCRV: {} (u {}){}  [{}]\n", m(link.reference.value), m(link.reference.u),
                     unit, link.reference.origin);
  if (link.kind == LinkKind::kAdditive) {
    out += fmt::format("Link offset Delta = {} (u {}, U {}){}\n", m(link.link), m(link.u_link),
                       m(link.coverage_factor * link.u_link), unit);
  } else {
    out += fmt::format("Link ratio rho = {:.10g} (u {:.3g}, U {:.3g})\n", link.link, link.u_link,
                       link.coverage_factor * link.u_link);
  }
  const LinkConsistency& c = link.consistency;
  if (c.dof > 0) {
    out += fmt::format("Linking labs: chi2 = {:.4g}, dof = {}, p = {:.4g}, Birge ratio = {:.4g}\n",
                       c.chi2, c.dof, c.p_value, c.birge_ratio);
  } else {
    out += "Linking labs: " + c.note + "\n";
  }
  std::size_t w = 6;
  for (const LinkedDoe& d : link.doe) w = std::max(w, d.lab.size());
  out += fmt::format("\n{:<{}} {:>8} {:>14} {:>14} {:>10} {:>14} {:>14} {:>14} {:>8}\n", "link lab",
                     w, "r", "difference", "u", "weight", "residual", "CIPM DoE", "U", "En");
  for (const LinkingLab& l : link.linking) {
    const std::string diff =
        link.kind == LinkKind::kAdditive ? m(l.difference) : fmt::format("{:.10g}", l.difference);
    const std::string udiff = link.kind == LinkKind::kAdditive
                                  ? m(l.u_difference)
                                  : fmt::format("{:.3g}", l.u_difference);
    const std::string resid =
        link.kind == LinkKind::kAdditive ? m(l.residual) : fmt::format("{:.3g}", l.residual);
    out += fmt::format("{:<{}} {:>8.4g} {:>14} {:>14} {:>10.4f} {:>14} {:>14} {:>14} {:>8}\n",
                       l.lab, w, l.r, diff, udiff, l.weight, resid, m(l.cipm_d),
                       m(link.coverage_factor * l.cipm_d_u),
                       std::isfinite(l.en) ? fmt::format("{:.2f}", l.en) : "-");
  }
  out += fmt::format("\nDegrees of equivalence of the RMO participants w.r.t. the CIPM KCRV{}\n",
                     unit);
  out += fmt::format("{:<{}} {:>7} {:>14} {:>14} {:>14} {:>24} {:>8}\n", "lab", w, "linking", "d",
                     "u", "U", "interval", "En");
  for (const LinkedDoe& d : link.doe) {
    out += fmt::format("{:<{}} {:>7} {:>14} {:>14} {:>14} {:>24} {:>8.2f}\n", d.lab, w,
                       d.linking ? "yes" : "", m(d.d), m(d.u), m(d.expanded),
                       fmt::format("[{}, {}]", m(d.low), m(d.high)), d.en);
  }
  for (const std::string& warning : link.warnings) out += "warning: " + warning + "\n";
  return out;
}

std::string LinkToCsv(const LinkResult& link) {
  std::string out =
      "kind,lab,linking,value,u_value,d,u,U,d_low,d_high,En,r,difference,u_difference,weight,"
      "residual,u_residual\n";
  for (const LinkedDoe& d : link.doe) {
    out += fmt::format("linked_doe,{},{},{},{},{},{},{},{},{},{},,,,,,\n", Csv(d.lab),
                       d.linking ? 1 : 0, Num(d.value), Num(d.u_value), Num(d.d), Num(d.u),
                       Num(d.expanded), Num(d.low), Num(d.high), Num(d.en));
  }
  for (const LinkingLab& l : link.linking) {
    const double big_u = link.coverage_factor * l.cipm_d_u;
    out += fmt::format("linking_lab,{},1,{},{},{},{},{},{},{},,{},{},{},{},{},{}\n", Csv(l.lab),
                       Num(l.cipm_value), Num(l.cipm_u), Num(l.cipm_d), Num(l.cipm_d_u), Num(big_u),
                       Num(l.cipm_d - big_u), Num(l.cipm_d + big_u), Num(l.r), Num(l.difference),
                       Num(l.u_difference), Num(l.weight), Num(l.residual), Num(l.u_residual));
  }
  return out;
}

}  // namespace keycomp

#include "reports/dsi_xml_output.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <string_view>

#include "core/input_error.h"
#include "core/text_fields.h"
#include "keycomp/version.h"
#include "reports/dsi_units.h"

namespace keycomp {
namespace {

constexpr std::string_view kBipmPrefix = "BIPM.RI(II)-K1";

std::string Escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A number as xs:double-compatible decimal text, shortest form that reads back exactly.
std::string Num(double x) { return fmt::format("{}", x); }

std::optional<std::string> Extra(const ComparisonInfo& info, std::string_view key) {
  for (const auto& [k, v] : info.extra) {
    if (ToLower(k) == key) return v;
  }
  return std::nullopt;
}

// The comparison code: the id up to a parenthesised remark ("CCQM-K25 (PCB 28 subset)").
std::string ComparisonCode(const Comparison& comparison) {
  const std::string& id = comparison.info().id;
  if (id.empty()) return comparison.source();
  const auto paren = id.find(" (");
  return std::string(Trim(id.substr(0, paren)));
}

std::string UnitFor(const Comparison& comparison) {
  const ComparisonInfo& info = comparison.info();
  if (auto given = Extra(info, "unit_dsi")) {
    const std::string_view g = Trim(*given);
    if (g.empty() || g.front() != '\\') {
      throw InputError(comparison.source(), 0, "# unit_dsi",
                       fmt::format("'{}' is not a D-SI unit string (e.g. \\milli\\gram)", g));
    }
    return std::string(g);
  }
  if (auto dsi = DsiUnit(info.unit)) return *dsi;
  throw InputError(comparison.source(), 0, "# unit",
                   info.unit.empty()
                       ? std::string("the comparison has no unit; XML output needs one (give "
                                     "`# unit:` or a D-SI `# unit_dsi:` line)")
                       : fmt::format("unit '{}' has no known D-SI form; give it with a "
                                     "`# unit_dsi:` line (e.g. # unit_dsi: \\milli\\gram)",
                                     info.unit));
}

struct Writer {
  std::string out;
  int depth = 0;
  void Line(std::string_view text) { out += fmt::format("{:{}}{}\n", "", 2 * depth, text); }
  void Open(std::string_view tag) {
    Line(fmt::format("<{}>", tag));
    ++depth;
  }
  void Close(std::string_view tag) {
    --depth;
    Line(fmt::format("</{}>", tag));
  }
  void Leaf(std::string_view tag, std::string_view text) {
    Line(fmt::format("<{0}>{1}</{0}>", tag, Escape(text)));
  }
  void Lab(std::string_view tag, std::string_view acronym) {
    Open(tag);
    Leaf("kc:acronym", acronym);
    Close(tag);
  }
  // si:real with a standard uncertainty (k = 1).
  void StandardReal(std::string_view tag, double value, double u, const std::string& unit) {
    Open(tag);
    Leaf("dsi:value", Num(value));
    Leaf("dsi:unit", unit);
    Open("dsi:measurementUncertaintyUnivariate");
    Open("dsi:standardMU");
    Leaf("dsi:valueStandardMU", Num(u));
    Close("dsi:standardMU");
    Close("dsi:measurementUncertaintyUnivariate");
    Close(tag);
  }
  // si:real with an expanded uncertainty U = k u at coverage probability p.
  void ExpandedReal(std::string_view tag, double value, double expanded, double k, double p,
                    const std::string& unit) {
    Open(tag);
    Leaf("dsi:value", Num(value));
    Leaf("dsi:unit", unit);
    Open("dsi:measurementUncertaintyUnivariate");
    Open("dsi:expandedMU");
    Leaf("dsi:valueExpandedMU", Num(expanded));
    Leaf("dsi:coverageFactor", Num(k));
    Leaf("dsi:coverageProbability", Num(p));
    Close("dsi:expandedMU");
    Close("dsi:measurementUncertaintyUnivariate");
    Close(tag);
  }
};

void WriteGeneral(Writer& w, const Comparison& comparison, DsiSchema schema) {
  const ComparisonInfo& info = comparison.info();
  const std::string code = ComparisonCode(comparison);
  w.Open("kc:generalInformation");
  w.Leaf("kc:comparisonCode", code);
  const auto category = Extra(info, "service_category");
  if (schema == DsiSchema::kBipm) {
    w.Leaf("kc:serviceCategoryID", category.value_or(""));
    // The SI Digital Framework's radionuclide page, named like the comparison's nuclide (as in
    // the BIPM's own documents), unless `# radionuclide_uri:` gives it.
    const std::string nuclide =
        code.size() > kBipmPrefix.size() + 1 ? code.substr(kBipmPrefix.size() + 1) : std::string();
    w.Leaf("kc:siDigitalFrameworkRadionuclide",
           Extra(info, "radionuclide_uri")
               .value_or("https://si-digital-framework.org/kcdb-sc/nucl/" + nuclide));
    w.Lab("kc:pilot", info.pilot.empty() ? "BIPM" : info.pilot);
  } else {
    if (category) w.Leaf("kc:serviceCategoryID", *category);
    if (!info.measurand.empty()) w.Leaf("kc:measurand", info.measurand);
    if (!info.pilot.empty()) w.Lab("kc:pilot", info.pilot);
  }
  w.Close("kc:generalInformation");
}

void WriteRelease(Writer& w, const Comparison& comparison, const EstimatorAnalysis& entry,
                  const AnalysisOptions& options, DsiSchema schema, const std::string& unit) {
  const ComparisonInfo& info = comparison.info();
  const ReportedKcrv kcrv = ReportKcrv(entry);
  w.Open("kc:comparisonData");
  w.Open("kc:release");
  const auto doi = Extra(info, "doi");
  const auto year = Extra(info, "year");
  if (schema == DsiSchema::kBipm || doi) w.Leaf("kc:doi", doi.value_or(""));
  if (year) w.Leaf("kc:year", Trim(*year));
  w.StandardReal("kc:kcrv", kcrv.value, kcrv.u, unit);
  if (schema == DsiSchema::kKeycomp) w.Leaf("kc:kcrvMethod", entry.estimator->info.name);
  w.Open("kc:degreesOfEquivalence");
  const DoeResult& doe = entry.doe;
  for (const LabDoe& lab : doe.labs) {
    w.Open("kc:degreeOfEquivalence");
    w.Lab("kc:laboratory", lab.lab);
    w.ExpandedReal("kc:result", lab.d, lab.expanded, doe.coverage_factor,
                   options.estimator.coverage, unit);
    w.Close("kc:degreeOfEquivalence");
  }
  w.Close("kc:degreesOfEquivalence");
  w.Close("kc:release");
  w.Close("kc:comparisonData");
}

void WriteSubmissions(Writer& w, const Comparison& comparison, DsiSchema schema,
                      const std::string& unit) {
  w.Open("kc:comparisonMetadata");
  for (const LabResult& r : comparison.results()) {
    w.Open("kc:submission");
    w.Lab("kc:laboratory", r.lab);
    w.Leaf("kc:inKCRV", r.included ? "true" : "false");
    w.Open("kc:laboratoryMeasurements");
    w.Open("kc:measurement");
    if (schema == DsiSchema::kBipm) {
      w.Open("kc:activity");
      w.StandardReal("kc:measurementResult", r.value, r.u, unit);
      w.Close("kc:activity");
    } else {
      w.StandardReal("kc:result", r.value, r.u, unit);
    }
    w.Close("kc:measurement");
    w.Close("kc:laboratoryMeasurements");
    w.Close("kc:submission");
  }
  w.Close("kc:comparisonMetadata");
}

}  // namespace

bool StatesUnit(const Comparison& comparison) {
  return !Trim(comparison.info().unit).empty() || Extra(comparison.info(), "unit_dsi");
}

DsiSchema ChooseDsiSchema(const Comparison& comparison) {
  const std::string code = ComparisonCode(comparison);
  const bool bipm = code.compare(0, kBipmPrefix.size(), kBipmPrefix) == 0;
  return bipm && Extra(comparison.info(), "year") ? DsiSchema::kBipm : DsiSchema::kKeycomp;
}

std::string AnalysisToDsiXml(const Comparison& comparison, const Analysis& analysis,
                             const AnalysisOptions& options) {
  const std::string unit = UnitFor(comparison);
  const DsiSchema schema = ChooseDsiSchema(comparison);
  Writer w;
  w.out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  const EstimatorAnalysis* entry = analysis.results.empty() ? nullptr : &analysis.results.front();
  if (schema == DsiSchema::kBipm) {
    // The BIPM model has no element for these; a comment keeps them with the document.
    w.Line(fmt::format("<!-- written by keycomp {}; input {}; KCRV estimator {} -->", kVersion,
                       Escape(comparison.source()),
                       entry ? entry->estimator->info.name : std::string("none")));
  }
  w.Line("<kc:comparison xmlns:kc=\"KC_Schema\" xmlns:dsi=\"https://ptb.de/si\">");
  ++w.depth;
  WriteGeneral(w, comparison, schema);
  if (entry) WriteRelease(w, comparison, *entry, options, schema, unit);
  WriteSubmissions(w, comparison, schema, unit);
  if (schema == DsiSchema::kKeycomp) {
    w.Open("kc:provenance");
    w.Leaf("kc:software", "keycomp");
    w.Leaf("kc:version", kVersion);
    w.Leaf("kc:input", comparison.source());
    if (entry) {
      w.Line(fmt::format("<kc:setting name=\"estimator\">{}</kc:setting>",
                         Escape(entry->estimator->info.name)));
      w.Line(fmt::format("<kc:setting name=\"uncertainty_method\">{}</kc:setting>",
                         Escape(entry->uncertainty_method)));
      w.Line(fmt::format("<kc:setting name=\"doe_covariance\">{}</kc:setting>",
                         Escape(entry->doe.covariance)));
    }
    w.Line(fmt::format("<kc:setting name=\"coverage\">{}</kc:setting>",
                       Num(options.estimator.coverage)));
    w.Close("kc:provenance");
  }
  --w.depth;
  w.Line("</kc:comparison>");
  return w.out;
}

namespace {

nlohmann::json NumberOrNull(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

nlohmann::json RealToJson(const DsiReal& q) {
  return {{"value", NumberOrNull(q.value)}, {"unit", q.unit},
          {"u", NumberOrNull(q.u)},         {"U", NumberOrNull(q.expanded)},
          {"k", NumberOrNull(q.k)},         {"coverage", NumberOrNull(q.probability)}};
}

}  // namespace

nlohmann::json KcReleasesToJson(const KcDocument& document) {
  nlohmann::json releases = nlohmann::json::array();
  for (const KcRelease& r : document.releases) {
    nlohmann::json doe = nlohmann::json::array();
    for (const KcDoe& d : r.doe) {
      nlohmann::json entry = RealToJson(d.d);
      entry["lab"] = d.lab;
      doe.push_back(std::move(entry));
    }
    nlohmann::json release = {{"year", r.year}, {"doi", r.doi}, {"doe", std::move(doe)}};
    release["kcrv"] = r.has_kcrv ? RealToJson(r.kcrv) : nlohmann::json(nullptr);
    if (!r.kcrv_method.empty()) release["kcrv_method"] = r.kcrv_method;
    releases.push_back(std::move(release));
  }
  return {{"comparison", document.comparison_code}, {"releases", std::move(releases)}};
}

}  // namespace keycomp

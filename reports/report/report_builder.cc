#include "reports/report/report_builder.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>

#include "reports/analysis_output.h"
#include "reports/dsi_xml_output.h"
#include "reports/report/rounding.h"

namespace keycomp::report {
namespace {

using Json = nlohmann::json;

// ---------------------------------------------------------------- number formatting

// Decimals where no rule of docs/report.md "Rounding" applies (the pairwise map, the effect of
// correlations): two significant digits of the smallest stated standard uncertainty, the
// finest quantity the data resolve.
int LabDecimals(const Comparison& comparison) {
  double smallest = INFINITY;
  for (const LabResult& r : comparison.results()) smallest = std::min(smallest, r.u);
  if (!(smallest > 0) || !std::isfinite(smallest)) return 3;
  return std::clamp(1 - static_cast<int>(std::floor(std::log10(smallest))), 0, 15);
}

std::string Minus(std::string text) {
  if (!text.empty() && text[0] == '-') text = "\u2212" + text.substr(1);
  return text;
}

// Rounded ASCII text (rounding.h) for display: typographic minus, a dash when there is none.
std::string Shown(const std::string& text) { return text.empty() ? "\u2013" : Minus(text); }

// Fixed decimals (negative: tens, hundreds...) with a typographic minus (the CSV has its own
// ASCII formatting).
std::string Fixed(double x, int decimals) { return Shown(FixedText(x, decimals)); }

// Significant digits in general format, exponents as "× 10⁻¹³".
std::string Significant(double x, int digits) {
  if (!std::isfinite(x)) return "\u2013";
  const std::string text = fmt::format("{:.{}g}", x, digits);
  const std::size_t e = text.find('e');
  if (e == std::string::npos) return Minus(text);
  static const char* const kSuperscripts[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  const int exponent = std::stoi(text.substr(e + 1));
  std::string power;
  for (char c : std::to_string(std::abs(exponent))) power += kSuperscripts[c - '0'];
  return fmt::format("{} × 10{}{}", Minus(text.substr(0, e)), exponent < 0 ? "⁻" : "", power);
}

// The shortest text that reads back as the same double (for the data appendix).
std::string Exact(double x) {
  if (std::isinf(x)) return "∞";
  return Minus(fmt::format("{}", x));
}

std::string Percent(double coverage) { return fmt::format("{:g} %", 100 * coverage); }

std::string Interval(double low, double high, int decimals) {
  return fmt::format("[{}, {}]", Fixed(low, decimals), Fixed(high, decimals));
}

// "(ng/g)" after a column heading, nothing without a unit.
std::string InUnit(const std::string& unit) {
  return unit.empty() ? "" : fmt::format(" / ({})", unit);
}

std::string NumberWord(std::size_t n) {
  static const char* const kWords[] = {"no",    "one",  "two", "three", "four", "five",
                                       "six",   "seven", "eight", "nine", "ten"};
  return n < std::size(kWords) ? kWords[n] : std::to_string(n);
}

std::string Capitalised(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 32);
  return text;
}

bool Bootstrapped(const EstimatorAnalysis& e) { return ReportKcrv(e).bootstrapped; }

// The KCRV as reported, by the analyse JSON's rule (core/analysis.h, ReportKcrv), with the
// interval method in words when a bootstrap gave it.
struct KcrvSummary {
  double value = plots::kNaN;
  double u = plots::kNaN;
  double low = plots::kNaN;
  double high = plots::kNaN;
  std::string interval_method;
};

KcrvSummary SummaryOf(const EstimatorAnalysis& e) {
  const ReportedKcrv k = ReportKcrv(e);
  return {k.value, k.u, k.low, k.high,
          k.bootstrapped ? "Monte Carlo, probabilistically symmetric" : k.interval_method};
}

// Pairwise degrees of equivalence as an n x n matrix (row lab minus column lab), from the
// analysis' pairs a < b (d_ba = -d_ab, same U).
struct PairwiseDoeTable {
  std::vector<std::string> labs;
  std::vector<double> d;
  std::vector<double> expanded;
};

std::optional<PairwiseDoeTable> PairwiseFrom(const Comparison& comparison, const DoeResult& doe) {
  if (doe.pairwise.empty()) return std::nullopt;
  const std::size_t n = comparison.size();
  PairwiseDoeTable t;
  for (const LabResult& r : comparison.results()) t.labs.push_back(r.lab);
  t.d.assign(n * n, plots::kNaN);
  t.expanded.assign(n * n, plots::kNaN);
  for (const PairwiseDoe& p : doe.pairwise) {
    if (p.a >= n || p.b >= n) continue;
    t.d[p.a * n + p.b] = p.d;
    t.d[p.b * n + p.a] = -p.d;
    t.expanded[p.a * n + p.b] = t.expanded[p.b * n + p.a] = p.expanded;
  }
  return t;
}

// The KCRV without each included lab, when the analysis computed it (leave-one-out DoE).
struct LeaveOneOutValue {
  std::string lab;
  double value = plots::kNaN;
  double u = plots::kNaN;
};

std::vector<LeaveOneOutValue> LeaveOneOutFrom(const DoeResult& doe) {
  std::vector<LeaveOneOutValue> out;
  for (const LabDoe& d : doe.labs) {
    if (d.included && std::isfinite(d.kcrv_without)) {
      out.push_back({d.lab, d.kcrv_without, d.u_kcrv_without});
    }
  }
  return out;
}

// The rounding rule in words, under every table that follows it (docs/report.md).
constexpr const char* kRoundingNote =
    "Rounding: U to two significant digits, the other numbers of the row at the same decimal "
    "place, with more digits wherever fewer would put |D|/U on the other side of 1 than the "
    "unrounded ratio.";
constexpr const char* kPairwiseRoundingNote =
    "Rounding: in each cell U to two significant digits and d at the same decimal place, with "
    "more digits wherever fewer would put |d|/U on the other side of 1 than the unrounded "
    "ratio.";

// ---------------------------------------------------------------- the report

class Builder {
 public:
  explicit Builder(const ReportInputs& in)
      : in_(in),
        comparison_(*in.comparison),
        main_(in.main->results.front()),
        result_(main_.result),
        doe_(main_.doe),
        kcrv_(SummaryOf(main_)),
        pairwise_(PairwiseFrom(comparison_, doe_)),
        leave_one_out_(LeaveOneOutFrom(doe_)),
        unit_(comparison_.info().unit),
        lab_decimals_(LabDecimals(comparison_)),
        kcrv_decimals_(DecimalsFor(kcrv_.u)),
        coverage_(in.main_options->estimator.coverage) {
    id_ = in.settings.comparison_id.empty() ? comparison_.info().id : in.settings.comparison_id;
    if (id_.empty()) id_ = "Key comparison";
    for (const Exclusion& e : in.settings.exclusions) reasons_[e.lab] = e.reason;
  }

  ReportContent Build() {
    ReportContent content;
    Document& doc = content.document;
    doc.title = in_.settings.title.empty() ? fmt::format("{}: Draft A report", id_)
                                           : in_.settings.title;
    doc.subtitle = comparison_.info().measurand.empty()
                       ? "Draft A"
                       : Capitalised(comparison_.info().measurand);
    doc.front_matter = FrontMatter();

    MakeFigures(content.figures);
    // The order of the CC report templates (docs/report.md); SectionOrder() numbers them.
    doc.sections.push_back(Summary());
    doc.sections.push_back(Introduction());
    doc.sections.push_back(ParticipantsList());
    doc.sections.push_back(MeasurandSection());
    doc.sections.push_back(MethodsSection());
    doc.sections.push_back(Results());
    doc.sections.push_back(ReferenceValue());
    doc.sections.push_back(ConsistencySection());
    doc.sections.push_back(DegreesOfEquivalence());
    doc.sections.push_back(Pairwise());
    doc.sections.push_back(Sensitivity());
    if (in_.correlation_effect != nullptr) doc.sections.push_back(CorrelationEffectSection());
    doc.sections.push_back(Conclusions());
    CheckSectionOrder(doc);
    doc.appendices.push_back(Reproduce(content.figures));
    doc.appendices.push_back(InputData());
    if (Section notes = Notes(); !notes.blocks.empty()) doc.appendices.push_back(notes);

    content.results = ResultsJson();
    content.doe_csv = DoeCsv();
    content.pairwise_csv = PairwiseCsv();
    if (StatesUnit(*in_.comparison)) {
      content.results_xml = AnalysisToDsiXml(*in_.comparison, *in_.main, *in_.main_options);
    }
    return content;
  }

 private:
  // ------------------------------------------------------------ shared phrases

  std::string EstimatorName() const { return main_.estimator->info.name; }
  std::string WithUnit(const std::string& number) const {
    return unit_.empty() ? number : fmt::format("{} {}", number, unit_);
  }
  std::string KcrvText() const {
    return fmt::format("{} with standard uncertainty {}", WithUnit(Fixed(result_.value, kcrv_decimals_)),
                       WithUnit(Fixed(kcrv_.u, kcrv_decimals_)));
  }
  std::string ExclusionReason(const LabResult& lab) const {
    const auto it = reasons_.find(lab.lab);
    if (it != reasons_.end()) {
      return it->second.empty() ? "excluded by the working group (no reason recorded)"
                                : it->second;
    }
    return "excluded in the input file (include = 0)";
  }
  std::size_t CountOutside() const {
    return static_cast<std::size_t>(std::count_if(
        doe_.labs.begin(), doe_.labs.end(), [](const LabDoe& d) { return std::abs(d.en) > 1; }));
  }
  bool HasTau() const { return result_.tau.has_value() && std::isfinite(*result_.tau); }

  KeyValues FrontMatter() const {
    KeyValues kv;
    kv.items.emplace_back("Comparison", Literal(id_));
    if (!comparison_.info().measurand.empty()) {
      kv.items.emplace_back("Measurand", Literal(comparison_.info().measurand));
    }
    if (!unit_.empty()) kv.items.emplace_back("Unit", Literal(unit_));
    if (!comparison_.info().pilot.empty()) {
      kv.items.emplace_back("Pilot", Literal(comparison_.info().pilot));
    }
    if (!in_.settings.prepared_by.empty()) {
      kv.items.emplace_back("Prepared by", Literal(in_.settings.prepared_by));
    }
    kv.items.emplace_back("Status", "Draft A, for the participants' review");
    kv.items.emplace_back("Generated", fmt::format("{} by keycomp {}", in_.provenance.date,
                                                   in_.provenance.keycomp_version));
    return kv;
  }

  // ------------------------------------------------------------ figures

  void MakeFigures(std::vector<NamedFigure>& figures) const {
    // Display bars of the stated uncertainties at the analytic DoE's coverage factor.
    const double k = DoeCoverageFactor(coverage_);
    const std::string k_text = fmt::format("{:g}", k);
    plots::LabIntervalsData results;
    results.y_label = unit_.empty() ? "measured value" : fmt::format("measured value / ({})", unit_);
    results.reference = result_.value;
    results.band = plots::Span{kcrv_.low, kcrv_.high};
    results.reference_label = fmt::format("KCRV ({})", EstimatorName());
    results.band_label = fmt::format("{} interval of the KCRV", Percent(coverage_));
    results.inner_label = fmt::format("xᵢ ± {}·uᵢ", k_text);
    if (HasTau() && *result_.tau > 0) {
      results.outer_label = fmt::format("xᵢ ± {}·√(uᵢ² + τ²)", k_text);
    }
    for (const LabResult& r : comparison_.results()) {
      plots::LabPoint p;
      p.label = r.lab;
      p.value = r.value;
      // Display bars: the stated uncertainty at the DoE's coverage factor, and with the
      // estimated between-lab term added in quadrature.
      p.inner = {r.value - k * r.u, r.value + k * r.u};
      if (!results.outer_label.empty()) {
        const double wide = k * std::hypot(r.u, *result_.tau);
        p.outer = plots::Span{r.value - wide, r.value + wide};
      }
      p.included = r.included;
      results.labs.push_back(p);
    }
    figures.push_back({"fig-results", plots::LabIntervalsPlot(results)});

    plots::LabIntervalsData doe;
    doe.y_label = unit_.empty() ? "Dᵢ" : fmt::format("Dᵢ / ({})", unit_);
    doe.reference = 0;
    doe.reference_label = "Dᵢ = 0";
    doe.point_label = "Dᵢ";
    doe.inner_label = fmt::format("{} interval, Dᵢ ± U(Dᵢ)", Percent(coverage_));
    for (const LabDoe& d : doe_.labs) {
      plots::LabPoint p;
      p.label = d.lab;
      p.value = d.d;
      p.inner = {d.low, d.high};
      p.included = d.included;
      doe.labs.push_back(p);
    }
    figures.push_back({"fig-doe", plots::LabIntervalsPlot(doe)});

    figures.push_back({"fig-estimators", plots::IntervalPanel(EstimatorPanel())});

    if (pairwise_) {
      plots::PairwiseDoeData data;
      data.labels = pairwise_->labs;
      data.d = pairwise_->d;
      data.expanded = pairwise_->expanded;
      data.unit = unit_;
      data.decimals = lab_decimals_;
      figures.push_back({"fig-pairwise-doe", plots::PairwiseDoeMap(data)});
    }
    if (!leave_one_out_.empty()) {
      plots::IntervalPanelData data;
      data.x_label = fmt::format("KCRV without the lab{}", InUnit(unit_));
      data.reference = result_.value;
      data.band = plots::Span{kcrv_.low, kcrv_.high};
      data.reference_label = "KCRV with every included lab";
      data.interval_label = fmt::format("± {:g}·u", k);
      // Bars: the KCRV without the lab -/+ k u (k as for the results' bars).
      for (const LeaveOneOutValue& v : leave_one_out_) {
        const double low = v.value - k * v.u;
        const double high = v.value + k * v.u;
        const int decimals = DecimalsFor(v.u);
        const std::string text =
            fmt::format("{} {}", Fixed(v.value, decimals), Interval(low, high, decimals));
        data.rows.push_back({fmt::format("without {}", v.lab), v.value, {low, high}, false, text});
      }
      figures.push_back({"fig-leave-one-out", plots::IntervalPanel(data)});
    }
    if (main_.mc && !main_.mc->kcrv.histogram.counts.empty()) {
      const McKcrv& mc = main_.mc->kcrv;
      plots::HistogramData data;
      data.x_label = fmt::format("KCRV{}", InUnit(unit_));
      data.low = mc.histogram.low;
      data.high = mc.histogram.high;
      data.counts = mc.histogram.counts;
      data.total = main_.mc->trials;
      data.marks.push_back({"KCRV", {result_.value, result_.value}, plots::palette::kGreen, false});
      data.marks.push_back({fmt::format("{} probabilistically symmetric interval", Percent(coverage_)),
                            {mc.intervals.symmetric_low, mc.intervals.symmetric_high},
                            plots::palette::kVermillion, true});
      data.marks.push_back({fmt::format("{} shortest interval", Percent(coverage_)),
                            {mc.intervals.shortest_low, mc.intervals.shortest_high},
                            plots::palette::kBlue, true});
      figures.push_back({"fig-kcrv-draws", plots::DrawsHistogram(data)});
    }
  }

  plots::IntervalPanelData EstimatorPanel() const {
    plots::IntervalPanelData data;
    data.x_label = fmt::format("KCRV{}", InUnit(unit_));
    data.reference = result_.value;
    data.band = plots::Span{kcrv_.low, kcrv_.high};
    data.reference_label = fmt::format("report's KCRV ({})", EstimatorName());
    for (const EstimatorAnalysis& e : in_.sensitivity->results) {
      plots::IntervalRow row;
      row.label = e.estimator->info.name;
      row.highlight = e.estimator == main_.estimator;
      if (e.result.status == Status::kOk) {
        const KcrvSummary k = SummaryOf(e);
        row.value = k.value;
        row.interval = {k.low, k.high};
        row.text = fmt::format("{} {}", Fixed(k.value, DecimalsFor(k.u)),
                               Interval(k.low, k.high, DecimalsFor(k.u)));
      } else {
        row.text = ToString(e.result.status);
      }
      data.rows.push_back(row);
    }
    return data;
  }

  // ------------------------------------------------------------ sections

  Section Summary() const {
    Section s{"summary", "Summary", {}, {}};
    const std::size_t n = comparison_.size();
    const std::size_t n_in = comparison_.n_included();
    std::string text = fmt::format(
        "{} laboratories took part in {}; {} of their results {} the key comparison reference "
        "value (KCRV). ",
        Capitalised(NumberWord(n)), Literal(id_), n_in == n ? "all" : NumberWord(n_in),
        n_in == 1 ? "defines" : "define");
    text += fmt::format("The KCRV, {} ({}), is {}; its {} coverage interval is {}{}.",
                        main_.estimated ? "given on the command line (--kcrv)"
                                        : "from the estimator " + Code(EstimatorName()),
                        Ref("kcrv"), KcrvText(), Percent(coverage_),
                        Interval(kcrv_.low, kcrv_.high, kcrv_decimals_),
                        unit_.empty() ? "" : " " + unit_);
    if (HasTau()) {
      text += fmt::format(" The between-laboratory standard deviation (dark uncertainty) is "
                          "τ = {}.",
                          WithUnit(Fixed(*result_.tau, kcrv_decimals_)));
    }
    s.blocks.push_back(Paragraph{text});
    s.blocks.push_back(Paragraph{ConsistencySentence()});
    const std::size_t outside = CountOutside();
    s.blocks.push_back(Paragraph{fmt::format(
        "{} of the {} degrees of equivalence {} larger in magnitude than {} expanded "
        "uncertainty (|Eₙ| > 1, Eₙ = Dᵢ / U(Dᵢ)).",
        outside == 0 ? std::string("None") : Capitalised(NumberWord(outside)), doe_.labs.size(),
        outside == 1 ? "is" : "are",
        outside == 1 ? "its" : "their")});
    s.blocks.push_back(FigureRef{
        "fig-results",
        fmt::format("Participants' results xᵢ with bars xᵢ ± {:g}·uᵢ{}; the line is the KCRV "
                    "({}) and the band its {} coverage interval.{}",
                    DoeCoverageFactor(coverage_),
                    HasTau() && *result_.tau > 0
                        ? fmt::format(" and, wider and lighter, ± {:g}·√(uᵢ² + τ²)",
                                      DoeCoverageFactor(coverage_))
                        : "",
                    Code(EstimatorName()), Percent(coverage_),
                    comparison_.n_included() < comparison_.size()
                        ? " Open diamonds: results excluded from the KCRV."
                        : "")});
    s.blocks.push_back(FigureRef{
        "fig-doe", fmt::format("Degrees of equivalence Dᵢ = {} with their expanded "
                               "uncertainties U(Dᵢ) ({} coverage).",
                               DoeDefinition(), Percent(coverage_))});
    return s;
  }

  std::string ConsistencySentence() const {
    const Consistency& c = in_.main->consistency;
    if (c.dof <= 0) {
      return "With a single included result there is no consistency check.";
    }
    return fmt::format(
        "The included results are {} with their stated uncertainties at the 5 % level: "
        "χ² = {} on {} degrees of freedom, p = {}, Birge ratio {}.",
        c.Passes() ? "consistent" : "not consistent", Significant(c.chi2, 4), c.dof,
        Significant(c.p_value, 2), Significant(c.birge_ratio, 3));
  }

  // The attribute columns of the input (method...), in order of first appearance.
  std::vector<std::string> AttributeNames() const {
    std::vector<std::string> names;
    for (const LabResult& r : comparison_.results()) {
      for (const auto& [name, value] : r.attributes) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
    }
    return names;
  }

  // The text a lab reported, or for a comparison built without input text (in code) the
  // number itself in full.
  static std::string AsReported(const std::string& text, double x) {
    return text.empty() ? Exact(x) : Literal(text);
  }
  static bool DerivedU(const LabResult& r) {
    return !r.computed && r.reported.u.empty() && !r.reported.expanded_u.empty() &&
           !r.reported.k.empty();
  }

  // A lab's standard uncertainty as the table shows it: as reported, else derived from the U
  // and k it reported (one significant digit more than U, marked), else computed by its model.
  static std::string ReportedU(const LabResult& r) {
    if (r.computed) return Fixed(r.u, DecimalsFor(r.u)) + " (computed)";
    if (!DerivedU(r)) return AsReported(r.reported.u, r.u);
    return Fixed(r.u, DecimalsFor(r.u, SignificantDigits(r.reported.expanded_u) + 1)) + " (U/k)";
  }

  // Significant digits written in a number's text (0.0440 -> 3), at least 1.
  static int SignificantDigits(const std::string& text) {
    int digits = 0;
    bool leading = true;
    for (char c : text.substr(0, text.find_first_of("eE"))) {
      if (c < '0' || c > '9' || (leading && c == '0')) continue;
      leading = false;
      ++digits;
    }
    return std::max(digits, 1);
  }

  // What the "results as reported" table needs besides one row per lab.
  struct ReportedColumns {
    bool expanded = false;  ///< some lab gave U or k: show both columns
    bool derived = false;   ///< some u is U/k
    bool computed = false;  ///< some result comes from a model file
    bool no_dof = false;    ///< some lab gave no dof
  };

  ReportedColumns ReportedColumnsOf() const {
    ReportedColumns c;
    for (const LabResult& r : comparison_.results()) {
      c.expanded |= !r.reported.expanded_u.empty() || !r.reported.k.empty();
      c.derived |= DerivedU(r);
      c.computed |= r.computed;
      c.no_dof |= !r.computed && r.reported.dof.empty() && std::isinf(r.dof);
    }
    return c;
  }

  std::vector<std::string> ReportedRow(const LabResult& r, const ReportedColumns& columns,
                                       const std::vector<std::string>& attributes) const {
    std::vector<std::string> row = {Literal(r.lab),
                                    r.computed ? Fixed(r.value, DecimalsFor(r.u)) + " (computed)"
                                               : AsReported(r.reported.value, r.value),
                                    ReportedU(r)};
    if (columns.expanded) {
      row.push_back(Literal(r.reported.expanded_u));
      row.push_back(Literal(r.reported.k));
    }
    row.push_back(r.computed                ? "∞"
                  : !r.reported.dof.empty() ? Literal(r.reported.dof)
                  : std::isinf(r.dof)       ? "\u2013"
                                            : Exact(r.dof));
    row.push_back(r.included ? "yes" : "no");
    for (const std::string& a : attributes) {
      std::string value;
      for (const auto& [name, v] : r.attributes) {
        if (name == a) value = v;
      }
      row.push_back(Literal(value));
    }
    return row;
  }

  static std::string ReportedNote(const ReportedColumns& columns) {
    std::vector<std::string> notes;
    if (columns.derived) {
      notes.push_back(
          "uᵢ marked (U/k) was not reported: it is Uᵢ/kᵢ as the laboratory gave them, "
          "shown to one significant digit more than Uᵢ.");
    }
    if (columns.computed) {
      notes.push_back(
          "Values marked (computed) were not reported: they are the Monte Carlo mean "
          "and standard deviation of the laboratory's measurement model (infinite "
          "degrees of freedom), uᵢ to two significant digits.");
    }
    if (columns.no_dof) notes.push_back("νᵢ \u2013: not reported, taken as infinite.");
    notes.push_back("Appendix B lists the numbers the analysis used in full precision.");
    return fmt::format("{}", fmt::join(notes, " "));
  }

  // Each number exactly as the lab wrote it: the digits a lab reports are part of its result.
  Table ReportedTable() const {
    const ReportedColumns columns = ReportedColumnsOf();
    Table t;
    t.caption = "Results as reported: value xᵢ, standard uncertainty uᵢ, ";
    if (columns.expanded) t.caption += "expanded uncertainty Uᵢ and coverage factor kᵢ, ";
    t.caption +=
        "degrees of freedom νᵢ, each exactly as written in the input file, and whether "
        "the result takes part in the KCRV.";
    t.header = {"Lab", "xᵢ" + InUnit(unit_), "uᵢ" + InUnit(unit_)};
    t.align = "lrr";
    if (columns.expanded) {
      t.header.insert(t.header.end(), {"Uᵢ" + InUnit(unit_), "kᵢ"});
      t.align += "rr";
    }
    t.header.insert(t.header.end(), {"νᵢ", "In KCRV"});
    t.align += "rc";
    const std::vector<std::string> attributes = AttributeNames();
    for (const std::string& a : attributes) {
      t.header.push_back(Literal(a));
      t.align += 'l';
    }
    for (const LabResult& r : comparison_.results()) {
      t.rows.push_back(ReportedRow(r, columns, attributes));
    }
    t.note = ReportedNote(columns);
    return t;
  }

  // ------------------------------------------------ Draft A text blocks

  /// The sections in the order Build() adds them: Ref() numbers cross-references by it.
  std::vector<std::string> SectionOrder() const {
    std::vector<std::string> ids = {"summary",  "introduction", "participants", "measurand",
                                    "methods",  "results",      "kcrv",         "consistency",
                                    "doe",      "pairwise",     "sensitivity"};
    if (in_.correlation_effect != nullptr) ids.push_back("correlation-effect");
    ids.push_back("conclusions");
    return ids;
  }

  std::string Ref(const std::string& id) const {
    const std::vector<std::string> ids = SectionOrder();
    const auto it = std::find(ids.begin(), ids.end(), id);
    if (it == ids.end()) throw std::logic_error("report: no section '" + id + "'");
    return fmt::format("Section {}", it - ids.begin() + 1);
  }

  void CheckSectionOrder(const Document& doc) const {
    const std::vector<std::string> ids = SectionOrder();
    bool same = ids.size() == doc.sections.size();
    for (std::size_t i = 0; same && i < ids.size(); ++i) same = ids[i] == doc.sections[i].id;
    if (!same) throw std::logic_error("report: the sections are not in SectionOrder()");
  }

  /// A block the working group has not written yet: marked, never dropped.
  static Paragraph Placeholder(const std::string& what, const std::string& key) {
    return Paragraph{fmt::format("[To be written: {} (report configuration field {}).]", what,
                                 Code(key))};
  }

  /// The configuration's text, one paragraph per blank-line-separated part, or the placeholder.
  static void AddText(Section& s, const std::optional<std::string>& text, const std::string& what,
                      const std::string& key) {
    std::vector<std::string> parts;
    if (text) {
      std::string part;
      std::istringstream lines(*text);
      for (std::string line; std::getline(lines, line);) {
        const bool blank = line.find_first_not_of(" \t\r") == std::string::npos;
        if (blank) {
          if (!part.empty()) parts.push_back(part);
          part.clear();
        } else {
          part += part.empty() ? line : " " + line;
        }
      }
      if (!part.empty()) parts.push_back(part);
    }
    if (parts.empty()) {
      s.blocks.push_back(Placeholder(what, key));
      return;
    }
    for (const std::string& p : parts) s.blocks.push_back(Paragraph{Literal(p)});
  }

  Section Introduction() const {
    Section s{"introduction", "Introduction", {}, {}};
    AddText(s, in_.settings.draft_a.introduction,
            "the comparison's background, purpose, pilot laboratory and timetable",
            "introduction");
    return s;
  }

  Section ParticipantsList() const {
    Section s{"participants", "Participants", {}, {}};
    const auto& listed = in_.settings.draft_a.participants;
    Table t;
    t.caption = "Participating laboratories.";
    t.header = {"Laboratory", "Institute", "Country", "Measurement dates"};
    const std::string missing = "[to be given]";
    for (const LabResult& r : comparison_.results()) {
      const Participant* p = nullptr;
      if (listed) {
        for (const Participant& q : *listed) {
          if (q.lab == r.lab) p = &q;
        }
      }
      auto field = [&](const std::string Participant::*member) {
        return p != nullptr && !(p->*member).empty() ? Literal(p->*member) : missing;
      };
      t.rows.push_back({Literal(r.lab), field(&Participant::institute),
                        field(&Participant::country), field(&Participant::measurement_dates)});
    }
    if (!listed) {
      s.blocks.push_back(Placeholder("each participant's institute, country and measurement "
                                     "dates",
                                     "participants"));
    }
    s.blocks.push_back(t);
    return s;
  }

  Section MeasurandSection() const {
    Section s{"measurand", "Measurand and transfer standard", {}, {}};
    const std::string& named = comparison_.info().measurand;
    if (!in_.settings.draft_a.measurand && !named.empty()) {
      s.blocks.push_back(Paragraph{"The input file names the measurand: " + Literal(named) + "."});
    }
    AddText(s, in_.settings.draft_a.measurand, "the definition of the measurand", "measurand");
    AddText(s, in_.settings.draft_a.transfer_standard,
            "the samples or travelling standard: preparation, homogeneity, stability, shipping",
            "transfer_standard");
    return s;
  }

  Section MethodsSection() const {
    Section s{"methods", "Measurement methods", {}, {}};
    AddText(s, in_.settings.draft_a.methods, "the measurement methods the participants used",
            "methods");
    const auto& listed = in_.settings.draft_a.participants;
    if (listed && std::any_of(listed->begin(), listed->end(),
                              [](const Participant& p) { return !p.method.empty(); })) {
      Table t;
      t.caption = "Each participant's method.";
      t.header = {"Laboratory", "Method"};
      for (const LabResult& r : comparison_.results()) {
        std::string method = "[to be given]";
        for (const Participant& p : *listed) {
          if (p.lab == r.lab && !p.method.empty()) method = Literal(p.method);
        }
        t.rows.push_back({Literal(r.lab), method});
      }
      s.blocks.push_back(t);
    }
    return s;
  }

  Section Conclusions() const {
    Section s{"conclusions", "Conclusions", {}, {}};
    AddText(s, in_.settings.draft_a.conclusions, "the working group's conclusions",
            "conclusions");
    return s;
  }

  // ------------------------------------------------ numbers

  Section Results() const {
    Section s{"results", "Participants' results", {}, {}};
    s.blocks.push_back(ReportedTable());

    BulletList excluded;
    for (const LabResult& r : comparison_.results()) {
      if (!r.included) excluded.items.push_back(fmt::format("{}: {}", Literal(r.lab), Literal(ExclusionReason(r))));
    }
    if (!excluded.items.empty()) {
      s.blocks.push_back(Paragraph{"Results not used for the KCRV (they still receive a degree "
                                   "of equivalence):"});
      s.blocks.push_back(excluded);
    }
    return s;
  }

  Section ReferenceValue() const {
    Section s{"kcrv", "Key comparison reference value", {}, {}};
    const EstimatorInfo& info = main_.estimator->info;
    s.blocks.push_back(Paragraph{fmt::format(
        "Method: {} ({}). Reference: {}.", Code(info.name), Literal(info.description),
        Literal(info.reference))});
    std::string why;
    if (!in_.settings.kcrv_rationale.empty()) {
      why = "Why this method (the working group's reasons): " + Literal(in_.settings.kcrv_rationale);
    } else {
      why = fmt::format("The estimator was chosen {}; no reason was recorded in the report "
                        "configuration (field kcrv_rationale).",
                        in_.settings.estimator_source);
    }
    s.blocks.push_back(Paragraph{why});
    const Consistency& c = in_.main->consistency;
    std::string fit;
    if (c.dof > 0 && !c.Passes() && !info.between_lab_term) {
      fit = fmt::format(
          "The consistency check fails (p = {}) and {} has no between-laboratory term: its "
          "uncertainty relies on the stated uncertainties, which do not explain the dispersion "
          "of the results. {} compares estimators that model it.",
          Significant(c.p_value, 2), Code(info.name), Ref("sensitivity"));
    } else if (c.dof > 0 && !c.Passes()) {
      fit = fmt::format(
          "The consistency check fails (p = {}); {} models the excess dispersion as a "
          "between-laboratory standard deviation τ, which enters the uncertainty of the KCRV and "
          "of the degrees of equivalence.",
          Significant(c.p_value, 2), Code(info.name));
    } else if (c.dof > 0 && info.between_lab_term) {
      fit = fmt::format("The results are consistent (p = {}); {} still estimates a "
                        "between-laboratory standard deviation τ.",
                        Significant(c.p_value, 2), Code(info.name));
    } else if (c.dof > 0) {
      fit = fmt::format("The results are consistent with their stated uncertainties (p = {}), "
                        "which supports a KCRV that relies on them.",
                        Significant(c.p_value, 2));
    }
    if (!fit.empty()) s.blocks.push_back(Paragraph{fit});

    Table t;
    t.caption = main_.estimated
                    ? fmt::format("The KCRV given on the command line (--kcrv); {} was run for "
                                  "the covariances and the sensitivity section.",
                                  Code(info.name))
                    : fmt::format("The KCRV from {}.", Code(info.name));
    t.header = {"Quantity", "Value"};
    t.align = "lr";
    t.rows.push_back({"KCRV" + InUnit(unit_), Fixed(result_.value, kcrv_decimals_)});
    t.rows.push_back({fmt::format("u(KCRV){}{}", InUnit(unit_),
                                  result_.u_kind.empty() ? "" : " (" + Code(result_.u_kind) + ")"),
                      Fixed(kcrv_.u, kcrv_decimals_)});
    if (Bootstrapped(main_)) {
      t.rows.push_back({"analytic u" + InUnit(unit_), Fixed(result_.u, kcrv_decimals_)});
    }
    if (result_.u_internal) {
      t.rows.push_back({"internal u" + InUnit(unit_), Fixed(*result_.u_internal, kcrv_decimals_)});
    }
    if (result_.u_external) {
      t.rows.push_back({"external u" + InUnit(unit_), Fixed(*result_.u_external, kcrv_decimals_)});
    }
    t.rows.push_back({fmt::format("{} coverage interval{}{}", Percent(coverage_), InUnit(unit_),
                                  kcrv_.interval_method.empty()
                                      ? ""
                                      : fmt::format(" ({})", kcrv_.interval_method)),
                      Interval(kcrv_.low, kcrv_.high, kcrv_decimals_)});
    if (HasTau()) {
      t.rows.push_back({"τ" + InUnit(unit_), Fixed(*result_.tau, kcrv_decimals_)});
      if (result_.tau_interval) {
        t.rows.push_back({"interval for τ" + InUnit(unit_),
                          Interval(result_.tau_interval->first, result_.tau_interval->second,
                                   kcrv_decimals_)});
      }
    }
    for (const ExtraValue& e : result_.extra) {
      t.rows.push_back({Literal(e.name), Significant(e.value, 6)});
    }
    if (main_.mc) {
      t.rows.push_back({"shortest interval of the draws" + InUnit(unit_),
                        Interval(main_.mc->kcrv.intervals.shortest_low,
                                 main_.mc->kcrv.intervals.shortest_high, kcrv_decimals_)});
    }
    t.rows.push_back({"uncertainty evaluation", Literal(main_.uncertainty_method)});
    if (main_.mc) {
      t.rows.push_back({"Monte Carlo trials", fmt::format("{} (seed {}, {})", main_.mc->trials,
                                                          main_.mc->seed,
                                                          Literal(main_.mc->source))});
    }
    if (result_.iterations > 0) t.rows.push_back({"iterations", std::to_string(result_.iterations)});
    s.blocks.push_back(t);
    if (!result_.message.empty()) s.blocks.push_back(Paragraph{"Note: " + Literal(result_.message)});
    return s;
  }

  Section ConsistencySection() const {
    Section s{"consistency", "Consistency check", {}, {}};
    const Consistency& c = in_.main->consistency;
    s.blocks.push_back(Paragraph{
        "The chi-squared test of the included results about their weighted mean (Cox 2002, "
        "Procedure A): χ² = Σ ((xᵢ − x_w)/uᵢ)², compared with the chi-squared distribution on "
        "n − 1 degrees of freedom; the Birge ratio is √(χ²/(n − 1)) and I² = (χ² − (n − 1))/χ² "
        "the share of the dispersion not explained by the stated uncertainties."});
    Table t = ChiSquaredTable(c, "Consistency of the included results.",
                              "weighted mean x_w" + InUnit(unit_), c.weighted_mean);
    t.rows.push_back({"I²", std::isfinite(c.i2) ? fmt::format("{:.1f} %", 100 * c.i2) : "\u2013"});
    s.blocks.push_back(t);
    s.blocks.push_back(Paragraph{ConsistencySentence()});
    if (in_.main->consistency_all) AllResultsCheck(*in_.main->consistency_all, s);
    return s;
  }

  // The statistics of one chi-squared check, headed by the value the residuals are taken about.
  Table ChiSquaredTable(const Consistency& c, const std::string& caption,
                        const std::string& about_label, double about) const {
    Table t;
    t.caption = caption;
    t.header = {"Statistic", "Value"};
    t.align = "lr";
    t.rows.push_back({about_label, Fixed(about, kcrv_decimals_)});
    t.rows.push_back({"χ²", Significant(c.chi2, 4)});
    t.rows.push_back({"degrees of freedom", std::to_string(c.dof)});
    t.rows.push_back({"p = P(χ² > observed)", Significant(c.p_value, 2)});
    t.rows.push_back({"Birge ratio", Significant(c.birge_ratio, 3)});
    return t;
  }

  // --chi2-over all: every result about the KCRV on N - 1 degrees of freedom.
  void AllResultsCheck(const Consistency& a, Section& s) const {
    s.blocks.push_back(Paragraph{
        "The check of all results, included in the KCRV or not, about the KCRV "
        "(--chi2-over all): χ² = Σ ((xᵢ − KCRV)/uᵢ)² on N − 1 degrees of freedom."});
    s.blocks.push_back(ChiSquaredTable(a, "Consistency of all results about the KCRV.",
                                       "KCRV" + InUnit(unit_), a.reference));
    if (a.dof > 0) {
      s.blocks.push_back(Paragraph{fmt::format(
          "All results are {} with the KCRV at the 5 % level (p = {}).",
          a.Passes() ? "consistent" : "not consistent", Significant(a.p_value, 2))});
    }
  }

  const char* DoeDefinition() const {
    return doe_.convention == DoeConvention::kLeaveOneOut ? "xᵢ − KCRV(without lab i)"
                                                          : "xᵢ − KCRV";
  }

  std::string DoeMethodNote() const {
    const char* definition = DoeDefinition();
    std::string note;
    const bool independent =
        in_.main_options->doe.uncertainty == DoeUncertainty::kIndependent;
    if (main_.mc && !independent) {
      note = fmt::format(
          "Dᵢ = {}; u(Dᵢ) and U(Dᵢ) from {} Monte Carlo trials ({}, seed {}): U(Dᵢ) is the "
          "half-width of the shortest interval symmetric about Dᵢ that holds {} of the draws. ",
          definition, main_.mc->trials, Literal(main_.mc->source), main_.mc->seed,
          Percent(coverage_));
    } else {
      note = fmt::format("Dᵢ = {}; U(Dᵢ) = k·u(Dᵢ) with k = {:g}; the interval is the {} coverage "
                         "interval for Dᵢ. ",
                         definition, doe_.coverage_factor, Percent(coverage_));
    }
    note += doe_.dark == DarkUncertainty::kRecognised
                ? "Dark uncertainty recognised: u²(Dᵢ) includes τ². "
                : "Dark uncertainty not included in u(Dᵢ). ";
    const std::optional<GivenKcrv>& given = in_.main_options->given_kcrv;
    if (doe_.covariance == "linear" && given &&
        given->covariance == GivenKcrv::Covariance::kWeightedMean) {
      note += "The covariance of each result with the given KCRV is that of an inverse-variance "
              "weighted mean of the included results whose variance is u²(KCRV) "
              "(--kcrv-covariance weighted_mean).";
    } else if (doe_.covariance == "linear") {
      note += "The covariance of each result with the KCRV is taken from the estimator's weights.";
    } else if (doe_.covariance == "monte_carlo") {
      note += "The covariance of each result with the KCRV is carried by the Monte Carlo draws.";
    } else if (doe_.covariance == "independent") {
      note += "Each result is independent of the KCRV computed without it.";
    } else if (in_.main_options->doe.uncertainty == DoeUncertainty::kIndependent) {
      note += "The covariance of each result with the KCRV is neglected by choice "
              "(--doe-uncertainty independent): u²(Dᵢ) = uᵢ² + u²(KCRV) for every participant.";
    } else {
      note += "The covariance of each result with the KCRV is neglected (non-linear estimator).";
    }
    if (main_.estimated) {
      note += fmt::format(
          " The KCRV is the given (published) value {} with standard uncertainty {} "
          "(--kcrv); {} gives {} with standard uncertainty {}.",
          Fixed(result_.value, kcrv_decimals_), Fixed(result_.u, kcrv_decimals_),
          Code(EstimatorName()), Fixed(main_.estimated->value, kcrv_decimals_),
          Fixed(main_.estimated->u, kcrv_decimals_));
    }
    return note;
  }

  Section DegreesOfEquivalence() const {
    Section s{"doe", "Degrees of equivalence", {}, {}};
    s.blocks.push_back(Paragraph{
        "Unilateral degrees of equivalence of every participant, included in the KCRV or not "
        "(CIPM MRA), in the form of the key comparison database (KCDB). The same table is "
        "written as doe.csv."});
    Table t;
    t.caption = fmt::format("Degrees of equivalence with respect to the KCRV ({}).",
                            Code(EstimatorName()));
    t.header = {"Lab", "Dᵢ" + InUnit(unit_), "u(Dᵢ)" + InUnit(unit_), "U(Dᵢ)" + InUnit(unit_),
                fmt::format("{} interval", Percent(coverage_)), "Eₙ", "In KCRV"};
    t.align = "lrrrrrc";
    for (const LabDoe& d : doe_.labs) {
      const RoundedDoe r = RoundDoe(d.d, d.u, d.expanded, d.en);
      t.rows.push_back({Literal(d.lab), Shown(r.d), Shown(r.u), Shown(r.expanded),
                        Interval(d.low, d.high, r.decimals), Shown(r.en),
                        d.included ? "yes" : "no"});
    }
    t.note = DoeMethodNote() + " " + kRoundingNote;
    s.blocks.push_back(t);
    s.blocks.push_back(FigureRef{
        "fig-doe", fmt::format("Degrees of equivalence Dᵢ with their {} intervals (± U(Dᵢ)); "
                               "open diamonds: results excluded from the KCRV.",
                               Percent(coverage_))});
    return s;
  }

  Section Pairwise() const {
    Section s{"pairwise", "Pairwise degrees of equivalence", {}, {}};
    if (!pairwise_) {
      s.blocks.push_back(Paragraph{
          "The analysis did not compute pairwise degrees of equivalence dᵢⱼ = xᵢ − xⱼ."});
      return s;
    }
    const PairwiseDoeTable& p = *pairwise_;
    const std::size_t n = p.labs.size();
    s.blocks.push_back(Paragraph{fmt::format(
        "Bilateral degrees of equivalence dᵢⱼ = xᵢ − xⱼ of every pair of participants with their "
        "expanded uncertainties U(dᵢⱼ) at {} coverage, also written as pairwise-doe.csv.",
        Percent(coverage_))});
    if (n <= 8) {
      Table t;
      t.caption = fmt::format("Pairwise degrees of equivalence dᵢⱼ (U(dᵢⱼ)){}: row i, column j.",
                              InUnit(unit_));
      t.header.push_back("");
      t.align = "l";
      for (const std::string& lab : p.labs) {
        t.header.push_back(Literal(lab));
        t.align += 'r';
      }
      for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::string> row = {Literal(p.labs[i])};
        for (std::size_t j = 0; j < n; ++j) {
          const RoundedDoe r = RoundPair(i * n + j);
          row.push_back(i == j ? "" : fmt::format("{} ({})", Shown(r.d), Shown(r.expanded)));
        }
        t.rows.push_back(row);
      }
      t.note = kPairwiseRoundingNote;
      s.blocks.push_back(t);
    }
    s.blocks.push_back(FigureRef{
        "fig-pairwise-doe", "Pairwise degrees of equivalence: each cell is coloured by "
                            "dᵢⱼ / U(dᵢⱼ) and outlined where |dᵢⱼ| > U(dᵢⱼ)."});
    return s;
  }

  Section Sensitivity() const {
    Section s{"sensitivity", "Estimator sensitivity", {}, {}};
    s.blocks.push_back(Paragraph{fmt::format(
        "How much the KCRV depends on the choice of estimator: every estimator below was run "
        "on the same included results with the same options ({} coverage). The report's KCRV "
        "is the one from {}.",
        Percent(coverage_), Code(EstimatorName()))});
    Table t;
    t.caption = "The KCRV from each estimator.";
    t.header = {"Estimator", "KCRV" + InUnit(unit_), "u" + InUnit(unit_),
                fmt::format("{} interval", Percent(coverage_)), "τ" + InUnit(unit_), "Status"};
    t.align = "lrrrrl";
    for (const EstimatorAnalysis& e : in_.sensitivity->results) {
      const EstimatorResult& r = e.result;
      const KcrvSummary k = SummaryOf(e);
      const bool ok = r.status == Status::kOk;
      // Each estimator's KCRV by the rule of its own u (docs/report.md).
      const int decimals = DecimalsFor(k.u);
      t.rows.push_back(
          {Code(e.estimator->info.name) + (e.estimator == main_.estimator ? " (report)" : ""),
           ok ? Fixed(k.value, decimals) : "\u2013", ok ? Fixed(k.u, decimals) : "\u2013",
           ok ? Interval(k.low, k.high, decimals) : "\u2013",
           ok && r.tau ? Fixed(*r.tau, decimals) : "\u2013", ToString(r.status)});
    }
    std::vector<std::string> skipped;
    for (const std::string& w : in_.sensitivity->warnings) skipped.push_back(Literal(w));
    if (!skipped.empty()) {
      t.note = "Not run: " + fmt::format("{}", fmt::join(skipped, "; ")) + ".";
    }
    s.blocks.push_back(t);
    // An estimator of the panel that failed (in some Monte Carlo trials, say) is reported with
    // its reason; only the report's own estimator failing stops the report.
    for (const EstimatorAnalysis& e : in_.sensitivity->results) {
      if (e.result.status == Status::kOk) continue;
      s.blocks.push_back(Paragraph{fmt::format("{} {}: {}", Code(e.estimator->info.name),
                                               ToString(e.result.status),
                                               Literal(e.result.message))});
    }
    s.blocks.push_back(FigureRef{
        "fig-estimators",
        fmt::format("The KCRV and its {} coverage interval from each estimator; the dashed line "
                    "and the band are the report's KCRV and its interval.",
                    Percent(coverage_))});
    if (!leave_one_out_.empty()) {
      Section loo{"leave-one-out", "Leave-one-out", {}, {}};
      loo.blocks.push_back(Paragraph{fmt::format(
          "The KCRV from {} recomputed with each included participant left out in turn.",
          Code(EstimatorName()))});
      loo.blocks.push_back(FigureRef{
          "fig-leave-one-out",
          fmt::format("The KCRV without each included participant, with bars ± {:g}·u; the "
                      "dashed line and the band are the KCRV with every included participant.",
                      DoeCoverageFactor(coverage_))});
      s.subsections.push_back(loo);
    }
    if (main_.mc && !main_.mc->kcrv.histogram.counts.empty()) {
      Section mc{"kcrv-distribution", "Monte Carlo distribution of the KCRV", {}, {}};
      mc.blocks.push_back(Paragraph{fmt::format(
          "{} trials ({}, seed {}) of the KCRV from {}; the KCRV's uncertainty and the degrees "
          "of equivalence come from the same draws.",
          main_.mc->trials, Literal(main_.mc->source), main_.mc->seed, Code(EstimatorName()))});
      mc.blocks.push_back(FigureRef{
          "fig-kcrv-draws", fmt::format("Histogram of the Monte Carlo draws of the KCRV with its "
                                        "{} coverage intervals.",
                                        Percent(coverage_))});
      s.subsections.push_back(mc);
    }
    return s;
  }

  Section CorrelationEffectSection() const {
    const CorrelationEffect& effect = *in_.correlation_effect;
    const EstimatorAnalysis& with = effect.with_correlations.results.front();
    const EstimatorAnalysis& without = effect.without_correlations.results.front();
    Section s{"correlation-effect", "Effect of correlations", {}, {}};
    s.blocks.push_back(Paragraph{fmt::format(
        "The input states {} correlation coefficient{} between participants' results (Appendix "
        "B). To show what they do, the KCRV and the degrees of equivalence from {} were computed "
        "twice, analytically: with the stated covariance of the results, and with the "
        "correlations ignored (the same values, uncertainties and estimator, the results taken "
        "as independent). When the correlation comes from a link common to every result, such "
        "as the pilot's working standards, it cancels in Dᵢ: ignoring it overstates u(Dᵢ).",
        comparison_.correlations().size(), comparison_.correlations().size() == 1 ? "" : "s",
        Code(with.estimator->info.name))});
    Table k;
    k.caption = "The KCRV with the stated covariance and with the correlations ignored.";
    k.header = {"Covariance of the results", "KCRV" + InUnit(unit_), "u" + InUnit(unit_)};
    k.align = "lrr";
    k.rows.push_back({"stated (with correlations)", Fixed(with.result.value, kcrv_decimals_),
                      Fixed(with.result.u, kcrv_decimals_)});
    k.rows.push_back({"correlations ignored", Fixed(without.result.value, kcrv_decimals_),
                      Fixed(without.result.u, kcrv_decimals_)});
    s.blocks.push_back(k);
    Table t;
    t.caption = fmt::format(
        "Degrees of equivalence ({}) with the stated covariance and with the correlations "
        "ignored.",
        Code(with.estimator->info.name));
    t.header = {"Lab", "Dᵢ" + InUnit(unit_), "u(Dᵢ)" + InUnit(unit_),
                "Dᵢ, ignored" + InUnit(unit_), "u(Dᵢ), ignored" + InUnit(unit_),
                "ratio of u(Dᵢ)"};
    t.align = "lrrrrr";
    for (std::size_t i = 0; i < with.doe.labs.size(); ++i) {
      const LabDoe& a = with.doe.labs[i];
      const LabDoe& b = without.doe.labs[i];
      t.rows.push_back({Literal(a.lab), Fixed(a.d, lab_decimals_), Fixed(a.u, lab_decimals_),
                        Fixed(b.d, lab_decimals_), Fixed(b.u, lab_decimals_),
                        a.u > 0 ? Fixed(b.u / a.u, 2) : "\u2013"});
    }
    t.note = "Ratio: u(Dᵢ) with the correlations ignored divided by u(Dᵢ) with the stated "
             "covariance. Both analyses are analytic";
    t.note += main_.mc ? fmt::format(" (the Monte Carlo evaluation of {} is not repeated here).",
                                     Ref("doe"))
                       : ".";
    s.blocks.push_back(t);
    return s;
  }

  Section Reproduce(const std::vector<NamedFigure>& figures) const {
    Section s{"reproduce", "Reproducing this report", {}, {}};
    s.blocks.push_back(Paragraph{
        "Everything needed to reproduce the numbers of this report: the input file (its SHA-256 "
        "digest identifies it), the options and the software version. This command, run with "
        "the same keycomp version on the same input, writes the same report:"});
    s.blocks.push_back(CodeBlock{in_.provenance.command_line});
    const AnalysisOptions& o = *in_.main_options;
    KeyValues kv;
    kv.items.emplace_back("keycomp version", in_.provenance.keycomp_version);
    kv.items.emplace_back("Input file", Literal(in_.provenance.input_path));
    kv.items.emplace_back("Input SHA-256", in_.provenance.input_sha256);
    if (!in_.provenance.config_path.empty()) {
      kv.items.emplace_back("Report configuration", Literal(in_.provenance.config_path));
      kv.items.emplace_back("Configuration SHA-256", in_.provenance.config_sha256);
    }
    kv.items.emplace_back("Estimator", Code(EstimatorName()));
    std::vector<std::string> names;
    for (const EstimatorAnalysis& e : in_.sensitivity->results) names.push_back(Code(e.estimator->info.name));
    kv.items.emplace_back("Sensitivity estimators", fmt::format("{}", fmt::join(names, ", ")));
    kv.items.emplace_back("Coverage probability", fmt::format("{:g}", o.estimator.coverage));
    kv.items.emplace_back("DoE convention", Literal(ToString(doe_.convention)));
    kv.items.emplace_back("Dark uncertainty in the DoE", Literal(ToString(doe_.dark)));
    std::vector<std::string> settings;
    for (const auto& [key, value] : in_.sensitivity_options->estimator.settings) {
      settings.push_back(Code(key + "=" + value));
    }
    kv.items.emplace_back("Estimator settings",
                          settings.empty() ? "none" : fmt::format("{}", fmt::join(settings, ", ")));
    kv.items.emplace_back("Monte Carlo trials",
                          in_.settings.mc_trials == 0 ? "0 (analytic uncertainties)"
                                                      : std::to_string(in_.settings.mc_trials));
    kv.items.emplace_back("Seed", std::to_string(in_.settings.seed));
    kv.items.emplace_back("Date", in_.provenance.date);
    s.blocks.push_back(kv);
    std::vector<std::string> files = {"report.html", "report.md", "report.tex",
                                      "report.pdf (when pdflatex is available)", "results.json",
                                      "doe.csv"};
    if (pairwise_) files.push_back("pairwise-doe.csv");
    for (const NamedFigure& f : figures) {
      files.push_back(fmt::format("{0}.svg, {0}.pdf, {0}.png", f.name));
    }
    s.blocks.push_back(Paragraph{"Files of this report:"});
    BulletList list;
    for (const std::string& f : files) list.items.push_back(Code(f));
    s.blocks.push_back(list);
    return s;
  }

  Section InputData() const {
    Section s{"input-data", "Input data", {}, {}};
    s.blocks.push_back(Paragraph{fmt::format(
        "The numbers the analysis used, in full precision (the shortest decimal that reads back "
        "as the same double; uᵢ derived from Uᵢ/kᵢ or computed by a model where {0} says "
        "so). {0} shows the results as the laboratories reported them.",
        Ref("results"))});
    Table t;
    t.caption = fmt::format("Input data ({}).", Literal(in_.provenance.input_path));
    t.header = {"Lab", "value" + InUnit(unit_), "u" + InUnit(unit_), "dof", "include"};
    t.align = "lrrrc";
    const std::vector<std::string> attributes = AttributeNames();
    for (const std::string& a : attributes) {
      t.header.push_back(Literal(a));
      t.align += 'l';
    }
    for (const LabResult& r : comparison_.results()) {
      std::vector<std::string> row = {Literal(r.lab), Exact(r.value), Exact(r.u), Exact(r.dof),
                                      r.included ? "1" : "0"};
      for (const std::string& a : attributes) {
        std::string value;
        for (const auto& [name, v] : r.attributes) {
          if (name == a) value = v;
        }
        row.push_back(Literal(value));
      }
      t.rows.push_back(row);
    }
    t.note = "include = 0 marks a result excluded from the KCRV, by the input file or by the "
             "report's exclusions.";
    s.blocks.push_back(t);
    if (comparison_.has_correlations()) {
      Table c;
      c.caption = "Correlations between participants' results.";
      c.header = {"Lab a", "Lab b", "r"};
      c.align = "llr";
      for (const Correlation& r : comparison_.correlations()) {
        c.rows.push_back({Literal(r.lab_a), Literal(r.lab_b), Exact(r.r)});
      }
      s.blocks.push_back(c);
    }
    KeyValues meta;
    const ComparisonInfo& info = comparison_.info();
    if (!info.id.empty()) meta.items.emplace_back("comparison", Literal(info.id));
    if (!info.measurand.empty()) meta.items.emplace_back("measurand", Literal(info.measurand));
    if (!info.unit.empty()) meta.items.emplace_back("unit", Literal(info.unit));
    if (!info.pilot.empty()) meta.items.emplace_back("pilot", Literal(info.pilot));
    for (const auto& [k, v] : info.extra) meta.items.emplace_back(Literal(k), Literal(v));
    if (!meta.items.empty()) {
      s.blocks.push_back(Paragraph{"Metadata of the input file:"});
      s.blocks.push_back(meta);
    }
    return s;
  }

  Section Notes() const {
    Section s{"notes", "Notes and warnings", {}, {}};
    BulletList list;
    for (const std::string& w : in_.main->warnings) list.items.push_back(Literal(w));
    for (const EstimatorAnalysis& e : in_.sensitivity->results) {
      if (e.result.status != Status::kOk) {
        list.items.push_back(fmt::format("{} ({}): {}", Code(e.estimator->info.name),
                                         ToString(e.result.status), Literal(e.result.message)));
      }
      for (const std::string& w : e.result.warnings) {
        list.items.push_back(fmt::format("{}: {}", Code(e.estimator->info.name), Literal(w)));
      }
    }
    if (!list.items.empty()) {
      s.blocks.push_back(Paragraph{"Estimators that gave no result, and warnings from the "
                                   "analysis:"});
      s.blocks.push_back(list);
    }
    return s;
  }

  // ------------------------------------------------------------ data files

  Json ResultsJson() const {
    Json out = AnalysisToJson(comparison_, *in_.main, *in_.main_options);
    if (!in_.settings.comparison_id.empty() && in_.settings.comparison_id != comparison_.info().id) {
      out["comparison"]["input_id"] = comparison_.info().id;
      out["comparison"]["id"] = in_.settings.comparison_id;
    }
    Json exclusions = Json::array();
    for (const LabResult& r : comparison_.results()) {
      if (!r.included) exclusions.push_back({{"lab", r.lab}, {"reason", ExclusionReason(r)}});
    }
    std::vector<std::string> sensitivity;
    for (const EstimatorAnalysis& e : in_.sensitivity->results) sensitivity.push_back(e.estimator->info.name);
    Json settings = Json::object();
    for (const auto& [key, value] : in_.sensitivity_options->estimator.settings) settings[key] = value;
    const Provenance& p = in_.provenance;
    out["report"] = {
        {"title", in_.settings.title.empty() ? fmt::format("{}: Draft A report", id_)
                                             : in_.settings.title},
        {"keycomp_version", p.keycomp_version},
        {"date", p.date},
        {"input", {{"path", p.input_path}, {"sha256", p.input_sha256}}},
        {"config", p.config_path.empty()
                       ? Json(nullptr)
                       : Json{{"path", p.config_path}, {"sha256", p.config_sha256}}},
        {"estimator", EstimatorName()},
        {"sensitivity_estimators", sensitivity},
        {"options",
         {{"coverage", in_.main_options->estimator.coverage},
          {"mc_trials", in_.settings.mc_trials},
          {"seed", in_.settings.seed},
          {"doe_convention", ToString(doe_.convention)},
          {"dark_uncertainty", ToString(doe_.dark)},
          {"settings", settings}}},
        {"exclusions", exclusions},
        {"command", p.command_line}};
    Json sens = AnalysisToJson(comparison_, *in_.sensitivity, *in_.sensitivity_options);
    out["estimator_sensitivity"] = sens["results"];
    if (const CorrelationEffect* effect = in_.correlation_effect) {
      const EstimatorAnalysis& with = effect->with_correlations.results.front();
      const EstimatorAnalysis& without = effect->without_correlations.results.front();
      Json labs = Json::array();
      for (std::size_t i = 0; i < with.doe.labs.size(); ++i) {
        labs.push_back({{"lab", with.doe.labs[i].lab},
                        {"d", with.doe.labs[i].d},
                        {"u", with.doe.labs[i].u},
                        {"d_ignored", without.doe.labs[i].d},
                        {"u_ignored", without.doe.labs[i].u}});
      }
      out["correlation_effect"] = {
          {"estimator", with.estimator->info.name},
          {"uncertainty_method", "analytic"},
          {"kcrv", {{"value", with.result.value}, {"u", with.result.u}}},
          {"kcrv_ignored", {{"value", without.result.value}, {"u", without.result.u}}},
          {"doe", std::move(labs)}};
    }
    return out;
  }

  std::string DoeCsv() const {
    // KCDB form: one row per lab with D_i and U_i, in the comparison's unit, rounded as in the
    // report's table.
    std::string csv = "lab,D_i,U_i,unit\n";
    auto quoted = [](const std::string& s) {
      if (s.find_first_of(",\"\n") == std::string::npos) return s;
      std::string q = "\"";
      for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      return q + "\"";
    };
    for (const LabDoe& d : doe_.labs) {
      const RoundedDoe r = RoundDoe(d.d, d.u, d.expanded, d.en);
      csv += fmt::format("{},{},{},{}\n", quoted(d.lab), r.d, r.expanded, quoted(unit_));
    }
    return csv;
  }

  // A pairwise cell by the DoE rounding rule; its E_n is the ratio d/U the reader would form.
  RoundedDoe RoundPair(std::size_t cell) const {
    const double d = pairwise_->d[cell];
    const double expanded = pairwise_->expanded[cell];
    return RoundDoe(d, plots::kNaN, expanded, d / expanded);
  }

  std::string PairwiseCsv() const {
    if (!pairwise_) return {};
    const PairwiseDoeTable& p = *pairwise_;
    const std::size_t n = p.labs.size();
    std::string csv = "lab_i,lab_j,d_ij,U_ij,unit\n";
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        if (i == j) continue;
        const RoundedDoe r = RoundPair(i * n + j);
        csv += fmt::format("{},{},{},{},{}\n", p.labs[i], p.labs[j], r.d, r.expanded, unit_);
      }
    }
    return csv;
  }

  const ReportInputs& in_;
  const Comparison& comparison_;
  const EstimatorAnalysis& main_;
  const EstimatorResult& result_;
  const DoeResult& doe_;
  const KcrvSummary kcrv_;
  const std::optional<PairwiseDoeTable> pairwise_;
  const std::vector<LeaveOneOutValue> leave_one_out_;
  const std::string unit_;
  const int lab_decimals_;
  const int kcrv_decimals_;
  const double coverage_;
  std::string id_;
  std::map<std::string, std::string> reasons_;
};

}  // namespace

ReportContent BuildReport(const ReportInputs& inputs) { return Builder(inputs).Build(); }

}  // namespace keycomp::report

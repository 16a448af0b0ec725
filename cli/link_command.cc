#include "cli/link_command.h"

#include <fmt/format.h>

#include <cmath>
#include <ostream>

#include "cli/option_checks.h"
#include "cli/output_format.h"
#include "core/input_error.h"
#include "core/kc_document.h"
#include "core/link.h"
#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "core/text_fields.h"
#include "estimators/registry.h"
#include "reports/atomic_file.h"
#include "reports/dsi_units.h"
#include "reports/json_writer.h"
#include "reports/link_output.h"

namespace keycomp {

CLI::App* AddLinkCommand(CLI::App& app, LinkArguments& args) {
  CLI::App* link = app.add_subcommand(
      "link", "link an RMO key comparison to its CIPM key comparison through the linking labs");
  link->add_option("RMO_INPUT", args.rmo_input, "the RMO (or follow-up) comparison, CSV or JSON")
      ->required();
  link->add_option("CIPM_INPUT", args.cipm_input, "the CIPM key comparison, CSV or JSON")
      ->required();
  link->add_option("--linking-labs", args.linking_labs,
                   "labs that took part in both comparisons (comma-separated or repeated)")
      ->delimiter(',');
  link->add_option("--method", args.method,
                   "weighted_mean (Delahaye & Witt 2002, default) or gls (Elster, Link & "
                   "Woeger 2003; full covariance of the differences)")
      ->check(CLI::IsMember({"weighted_mean", "gls"}));
  link->add_option("--link", args.kind,
                   "additive (x_RMO = x_CIPM + Delta, default) or multiplicative (x_RMO = rho "
                   "x_CIPM)")
      ->check(CLI::IsMember({"additive", "multiplicative"}));
  link->add_option("-e,--estimator", args.estimator,
                   "estimator of the CIPM KCRV, run on the CIPM input (default weighted_mean)");
  link->add_option("--set", args.settings, "estimator setting ESTIMATOR.NAME=VALUE");
  link->add_option("--kcrv", args.kcrv, "take the published CIPM KCRV instead of computing it");
  link->add_option("--kcrv-u", args.kcrv_u, "standard uncertainty of the published KCRV");
  link->add_option("--kcrv-from", args.kcrv_from,
                   "take the published CIPM KCRV and its u from a BIPM key-comparison document "
                   "(XML, D-SI; the latest release with a KCRV unless --kcrv-release)");
  link->add_option("--kcrv-release", args.kcrv_release,
                   "with --kcrv-from: the release, by its year or DOI");
  link->add_option("--kcrv-covariance", args.kcrv_covariance,
                   "with --kcrv: its covariance with the CIPM results, weighted_mean "
                   "(cov = u_ref^2 for included labs, default) or none")
      ->check(CLI::IsMember({"weighted_mean", "none"}));
  link->add_option("--link-correlation", args.link_correlation,
                   "correlation r between each linking lab's RMO and CIPM results (default 0)");
  link->add_option("--link-correlations", args.link_correlations,
                   "CSV per linking lab: lab,r or lab,u_common (overrides --link-correlation)");
  link->add_option("--rmo-correlations", args.rmo_correlations,
                   "CSV lab_a,lab_b,r of correlations within the RMO comparison");
  link->add_option("--cipm-correlations", args.cipm_correlations,
                   "CSV lab_a,lab_b,r of correlations within the CIPM comparison");
  link->add_option("--coverage", args.coverage, "coverage probability (default 0.95: U = 2u)");
  link->add_option("--format", args.format, "json, table or csv")
      ->check(CLI::IsMember({"json", "table", "csv"}));
  link->add_option("-o,--output", args.output,
                   "write the output to FILE (atomically; - for standard output)")
      ->transform(OutputFile());
  link->footer(
      "Examples:\n"
      "  keycomp link rmo.csv cipm.csv --linking-labs PTB,NIST --format table\n"
      "  keycomp link rmo.csv cipm.csv --linking-labs PTB,NIST --method gls \\\n"
      "      --link-correlations link_r.csv -o linked.json\n"
      "  keycomp link rmo.json cipm.json --linking-labs NMIJ --kcrv 132.77 --kcrv-u 0.14\n"
      "  keycomp link rmo.csv Ce-139_database_FAIR.xml --linking-labs CMI \\\n"
      "      --kcrv-from Ce-139_database_FAIR.xml --kcrv-release 2022\n"
      "Output: the link (offset or ratio) and its u, each linking lab's difference, weight and\n"
      "residual, the chi-squared check of the linking labs, and every RMO participant's DoE\n"
      "with respect to the CIPM KCRV (d, u, U, interval), their covariance and pairwise DoE.\n"
      "See docs/link.md. Exit codes: 0 success, 1 the KCRV estimator did not converge,\n"
      "2 bad input.");
  args.command = link;
  return link;
}

namespace {

// A comparison file, or a key-comparison document's submissions (notes on `err`).
Comparison ReadLinkInput(const std::string& path, std::ostream& err) {
  if (!IsKcDocumentPath(path)) return ReadComparisonFile(path);
  std::vector<std::string> notes;
  Comparison comparison = ComparisonFromKcDocument(ReadKcDocument(path), path, notes);
  for (const std::string& note : notes) err << "keycomp: note: " << note << "\n";
  return comparison;
}

std::string ComparableUnit(const std::string& unit) {
  return DsiUnit(unit).value_or(unit);
}

/// The KCRV and its standard uncertainty of one release of a BIPM key-comparison document,
/// into args.kcrv / args.kcrv_u. The unit must be the CIPM comparison's when it states one.
struct DocumentKcrv {
  std::string origin;  ///< "published (FILE, release YEAR)"
  std::string unit;
  std::size_t line = 0;
};

/// Read before the comparisons, so that a wrong release is the only message.
DocumentKcrv KcrvFromDocument(LinkArguments& args) {
  const KcDocument doc = ReadKcDocument(args.kcrv_from);
  const KcRelease* chosen = nullptr;
  std::string available;
  for (const KcRelease& r : doc.releases) {
    if (!r.has_kcrv) continue;
    available += fmt::format("{}{}", available.empty() ? "" : ", ", r.year.empty() ? r.doi : r.year);
    if (args.kcrv_release.empty() || r.year == args.kcrv_release || r.doi == args.kcrv_release) {
      chosen = &r;  // the BIPM lists releases oldest first: the last match is the latest
    }
  }
  if (chosen == nullptr) {
    if (args.kcrv_release.empty()) {
      throw InputError(args.kcrv_from, 0, "kcrv", "the document gives no KCRV in any release");
    }
    throw InputError("", 0, "--kcrv-release",
                     fmt::format("no release '{}' with a KCRV in {} (releases with a KCRV: {})",
                                 args.kcrv_release, args.kcrv_from,
                                 available.empty() ? "none" : available));
  }
  const DsiReal& k = chosen->kcrv;
  double u = k.u;
  if (!std::isfinite(u) && std::isfinite(k.expanded) && std::isfinite(k.k) && k.k > 0) {
    u = k.expanded / k.k;
  }
  if (!std::isfinite(u) || !(u > 0)) {
    throw InputError(args.kcrv_from, k.line, "kcrv",
                     "the KCRV has no positive standard uncertainty");
  }
  args.kcrv = k.value;
  args.kcrv_u = u;
  return {fmt::format("published ({}, release {})", args.kcrv_from,
                      chosen->year.empty() ? chosen->doi : chosen->year),
          k.unit, k.line};
}

/// The document's KCRV must be in the CIPM comparison's unit when both state one.
void CheckKcrvUnit(const DocumentKcrv& kcrv, const std::string& source, const Comparison& cipm) {
  const std::string& unit = cipm.info().unit;
  if (!unit.empty() && !kcrv.unit.empty() && ComparableUnit(unit) != ComparableUnit(kcrv.unit)) {
    throw InputError(source, kcrv.line, "kcrv",
                     fmt::format("the KCRV is in '{}', the CIPM comparison in '{}'", kcrv.unit,
                                 unit));
  }
}

}  // namespace

int RunLink(const LinkArguments& given, std::ostream& out, std::ostream& err,
            bool stdout_is_terminal) {
  LinkArguments args = given;
  // Options first, before any file is read.
  const bool from_document = !args.kcrv_from.empty();
  const bool has_kcrv = args.command != nullptr && args.command->count("--kcrv") > 0;
  const bool has_kcrv_u = args.command != nullptr && args.command->count("--kcrv-u") > 0;
  if (from_document && (has_kcrv || has_kcrv_u)) {
    throw InputError("", 0, "--kcrv-from", "give either --kcrv-from or --kcrv/--kcrv-u, not both");
  }
  if (!from_document && !args.kcrv_release.empty()) {
    throw InputError("", 0, "--kcrv-release", "applies to --kcrv-from only");
  }
  const bool published = has_kcrv || has_kcrv_u || from_document;
  if (published && !from_document && !(has_kcrv && has_kcrv_u)) {
    throw InputError("", 0, has_kcrv ? "--kcrv-u" : "--kcrv",
                     "a published KCRV needs both --kcrv and --kcrv-u");
  }
  if (published && !args.estimator.empty()) {
    throw InputError("", 0, "--estimator", "give either --estimator or --kcrv, not both");
  }
  if (published && !args.settings.empty()) {
    throw InputError("", 0, "--set", "--set configures the KCRV estimator; with --kcrv none runs");
  }
  if (!published && args.command != nullptr && args.command->count("--kcrv-covariance") > 0) {
    throw InputError("", 0, "--kcrv-covariance", "applies to a published KCRV (--kcrv) only");
  }
  LinkOptions options;
  options.method = LinkMethodFromString(args.method).value();
  options.kind = LinkKindFromString(args.kind).value();
  options.coverage = args.coverage;
  options.default_r = args.link_correlation;
  for (const std::string& lab : args.linking_labs) {
    const std::string name(Trim(lab));
    if (!name.empty()) options.linking_labs.push_back(name);
  }

  DocumentKcrv document_kcrv;
  if (from_document) document_kcrv = KcrvFromDocument(args);

  Comparison rmo = ReadLinkInput(args.rmo_input, err);
  if (!args.rmo_correlations.empty()) {
    rmo = rmo.WithCorrelations(ReadCorrelationsCsv(args.rmo_correlations));
  }
  Comparison cipm = ReadLinkInput(args.cipm_input, err);
  if (!args.cipm_correlations.empty()) {
    cipm = cipm.WithCorrelations(ReadCorrelationsCsv(args.cipm_correlations));
  }
  if (!args.link_correlations.empty()) {
    options.correlations = ReadLinkCorrelationsCsv(args.link_correlations);
  }

  if (from_document) CheckKcrvUnit(document_kcrv, args.kcrv_from, cipm);

  LinkReference reference;
  if (published) {
    reference =
        PublishedReference(args.kcrv, args.kcrv_u, cipm, args.kcrv_covariance == "weighted_mean");
    if (from_document) reference.origin = document_kcrv.origin;
  } else {
    const std::string name =
        args.estimator.empty() ? "weighted_mean" : std::string(Trim(args.estimator));
    const Estimator* estimator = FindEstimator(name);
    if (estimator == nullptr) {
      throw InputError("", 0, "--estimator", fmt::format("unknown estimator '{}'", name));
    }
    EstimatorOptions eo;
    eo.coverage = args.coverage;
    if (std::string why = eo.Validate(); !why.empty()) throw InputError("", 0, "--coverage", why);
    const std::string prefix = name + ".";
    for (const std::string& s : args.settings) {
      const auto eq = s.find('=');
      const std::string key(Trim(s.substr(0, eq == std::string::npos ? 0 : eq)));
      if (eq == std::string::npos || key.rfind(prefix, 0) != 0 || key.size() == prefix.size()) {
        throw InputError("", 0, "--set",
                         fmt::format("'{}' is not {}NAME=VALUE for the KCRV estimator", s, prefix));
      }
      eo.settings[key.substr(prefix.size())] = std::string(Trim(s.substr(eq + 1)));
    }
    const EstimatorResult result = RunEstimator(*estimator, cipm, eo);
    if (result.status != Status::kOk) {
      err << fmt::format("keycomp: {}: CIPM KCRV: {}: {}\n", name, ToString(result.status),
                         result.message);
      return 1;
    }
    reference = ReferenceFromEstimator(result, cipm, name);
  }

  const LinkResult link = LinkComparisons(rmo, cipm, reference, options);

  const std::string format = ChooseOutputFormat(args.format, args.output, stdout_is_terminal);
  std::string text;
  if (format == "json") {
    text = DumpJson(LinkToJson(rmo, cipm, link));
  } else if (format == "csv") {
    text = LinkToCsv(link);
  } else {
    text = LinkToTable(rmo, cipm, link);
  }
  if (args.output.empty()) {
    out << text;
  } else {
    WriteFileAtomically(args.output, text);
  }
  return 0;
}

}  // namespace keycomp

// The machine-readable result (`analyse --format dsi-xml`, the report's results.xml): the
// comparison, its KCRV and every lab's degree of equivalence in the structure of the BIPM
// key-comparison model, each quantity a D-SI si:real. See docs/dsi-xml.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/analysis.h"
#include "core/comparison.h"
#include "core/kc_document.h"

namespace keycomp {

/// The schema a document follows: the BIPM model (BIPM.RI(II)-K1-type comparisons whose
/// metadata give what it requires) or keycomp's own (schemas/keycomp/keycomp_kc.xsd).
enum class DsiSchema { kBipm, kKeycomp };

/// Which schema `comparison` is written in.
DsiSchema ChooseDsiSchema(const Comparison& comparison);

/// Whether the comparison states a unit at all (`# unit:` or `# unit_dsi:`). The report writes
/// no results.xml for a comparison without one (and says so); a stated unit with no D-SI form
/// is an error.
bool StatesUnit(const Comparison& comparison);

/// The document for the first estimator of `analysis`. Throws InputError (naming the field
/// `# unit`) when the comparison's unit has no D-SI form and no `# unit_dsi:` line gives one.
std::string AnalysisToDsiXml(const Comparison& comparison, const Analysis& analysis,
                             const AnalysisOptions& options);

/// What a key-comparison document publishes, as `analyse DOC.xml --format json` shows it under
/// `published`: every release (year, DOI) with its KCRV (value, u, unit) and each lab's D_i with
/// U_i, k and the coverage probability, exactly as the document gives them (null where it gives
/// none).
nlohmann::json KcReleasesToJson(const KcDocument& document);

}  // namespace keycomp

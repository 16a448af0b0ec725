// Reader of key-comparison documents in the BIPM key-comparison model (KC_Schema namespace,
// D-SI quantities): the BIPM's own BIPM.RI(II)-K1 documents and those keycomp writes
// (`analyse --format dsi-xml`, the report's results.xml). See docs/dsi-xml.md.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "core/comparison.h"

namespace keycomp {

/// A D-SI si:real as read: value, unit and its uncertainty as a standard uncertainty and, when
/// the document gives one, the expanded uncertainty with its coverage factor and probability.
struct DsiReal {
  double value = 0;
  std::string unit;
  double u = std::numeric_limits<double>::quiet_NaN();         ///< standard uncertainty
  double expanded = std::numeric_limits<double>::quiet_NaN();  ///< U, when given
  double k = std::numeric_limits<double>::quiet_NaN();         ///< coverage factor
  double probability = std::numeric_limits<double>::quiet_NaN();
  std::size_t line = 0;  ///< line of the element in the document
};

struct KcDoe {
  std::string lab;
  DsiReal d;  ///< D_i with U_i
};

struct KcRelease {
  std::string doi;
  std::string year;
  bool has_kcrv = false;
  DsiReal kcrv;
  std::string kcrv_method;  ///< keycomp documents only
  std::vector<KcDoe> doe;   ///< every degreesOfEquivalence block, in document order
};

struct KcSubmission {
  std::string lab;
  std::string year;
  bool in_kcrv = false;
  std::vector<DsiReal> results;      ///< the lab's measurement results (activity or result)
  std::vector<DsiReal> sir_results;  ///< BIPM documents: the SIR equivalent activities
};

struct KcDocument {
  std::string comparison_code;
  std::string measurand;
  std::string pilot;
  std::vector<KcRelease> releases;  ///< in document order (the BIPM's: oldest first)
  std::vector<KcSubmission> submissions;
};

/// Reads `path`. Throws InputError naming the file, line and element on a document that is not
/// well-formed XML, is not a kc:comparison, or holds a quantity without a numeric value.
KcDocument ReadKcDocument(const std::string& path);

/// The comparison of a document's submissions: each lab's SIR equivalent activity (BIPM
/// documents) or its result (keycomp's), included as inKCRV says. A submission without exactly
/// one such quantity with a standard uncertainty is left out, with a note in `notes`; labs that
/// submitted more than once are named LAB-YEAR. Throws InputError when no submission is usable.
Comparison ComparisonFromKcDocument(const KcDocument& doc, const std::string& source,
                                    std::vector<std::string>& notes);

/// Whether `path` names a key-comparison document (by its extension, .xml), which commands read
/// with ReadKcDocument instead of the CSV/JSON comparison reader.
bool IsKcDocumentPath(const std::string& path);

/// Parses the document text (`source` names it in messages).
KcDocument ParseKcDocument(const std::string& text, const std::string& source);

}  // namespace keycomp

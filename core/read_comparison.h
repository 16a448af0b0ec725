// Readers for the contract's comparison formats (CSV and JSON) and for correlation files.
// Every error is an InputError naming the file, the 1-based line (CSV) or the JSON path, and
// the field.
#pragma once

#include <string>
#include <vector>

#include "core/comparison.h"

namespace keycomp {

/// Reads a comparison file; JSON when the name ends in .json or the text starts with '{',
/// CSV otherwise.
Comparison ReadComparisonFile(const std::string& path);

/// Parses the CSV format. `source` names the input in error messages.
Comparison ParseComparisonCsv(const std::string& text, const std::string& source);

/// Parses the JSON format. `source` names the input in error messages.
Comparison ParseComparisonJson(const std::string& text, const std::string& source);

/// Reads a correlation CSV with columns lab_a, lab_b, r (any order, any case). Labs are
/// checked when the correlations are attached to a comparison.
std::vector<Correlation> ReadCorrelationsCsv(const std::string& path);

/// Reads a whole file; throws InputError if it cannot be opened.
std::string ReadTextFile(const std::string& path);

}  // namespace keycomp

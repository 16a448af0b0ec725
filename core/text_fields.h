// Parsing of single fields of user input (numbers, flags, CSV lines), with errors that name
// the file, line and field.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace keycomp {

/// Where a field comes from, for error messages.
struct FieldPlace {
  const std::string& file;
  std::size_t line;  ///< 1-based, 0 when unknown
  std::string field;
};

/// Removes leading and trailing blanks (spaces, tabs, CR).
std::string_view Trim(std::string_view text);
/// ASCII lower case.
std::string ToLower(std::string_view text);

/// A finite double; the whole field must be the number. Throws InputError otherwise.
double ParseFinite(std::string_view text, const FieldPlace& place);
/// A degrees-of-freedom field: empty, "inf" or "infinity" mean infinite; else a number > 0.
double ParseDof(std::string_view text, const FieldPlace& place);
/// The shortest decimal text that reads back (ParseFinite, strtod) as exactly `x`: 0.95, not
/// 0.94999999999999996. Scientific notation when shorter (1e-05). Non-finite: "inf", "-inf",
/// "nan". Output files use it so that they neither lose nor invent digits.
std::string ShortestText(double x);

/// 1/0, true/false, yes/no (any case). Throws InputError otherwise.
bool ParseFlag(std::string_view text, const FieldPlace& place);

/// Splits one CSV record on commas; double quotes protect commas, "" is a literal quote.
/// Throws InputError on an unterminated quote.
std::vector<std::string> SplitCsvRecord(std::string_view line, const FieldPlace& place);

}  // namespace keycomp

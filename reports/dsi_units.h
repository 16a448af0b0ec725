// D-SI unit strings (PTB Digital System of Units) for the unit strings keycomp's inputs use.
#pragma once

#include <optional>
#include <string>

namespace keycomp {

/// The D-SI unit string of `unit` ("mg/kg" -> "\milli\gram\per\kilo\gram", "MBq" ->
/// "\mega\becquerel", "%" -> "\percent"), or nullopt when the unit is not known. A string that
/// already is a D-SI unit (starts with a backslash) is returned unchanged.
std::optional<std::string> DsiUnit(const std::string& unit);

}  // namespace keycomp

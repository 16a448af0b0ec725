// Parsing of JSON input files with syntax errors reported as InputError naming the line.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace keycomp {

/// Parses `text`; on a syntax error throws InputError(source, line, "", what), where `what` is
/// `message` or, when empty, "invalid JSON (<parser's explanation>)".
nlohmann::json ParseJsonInput(const std::string& text, const std::string& source,
                              const std::string& message = "");

}  // namespace keycomp

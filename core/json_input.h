// Parsing of JSON input files with syntax errors reported as InputError naming the line.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace keycomp {

/// The text of every number of a JSON document as written in it, by JSON pointer
/// ("/results/0/value"). A parsed double forgets how it was written (34.30 and 34.3 are the same
/// double); reports that show what a lab reported need the text.
using JsonNumberTexts = std::map<std::string, std::string>;

/// The JSON pointer of member `key` of the value at `parent` ("~" and "/" escaped).
std::string JsonPointerChild(const std::string& parent, const std::string& key);

/// Parses `text`; on a syntax error throws InputError(source, line, "", what), where `what` is
/// `message` or, when empty, "invalid JSON (<parser's explanation>)". When `number_texts` is
/// given, it receives the text of every number.
nlohmann::json ParseJsonInput(const std::string& text, const std::string& source,
                              const std::string& message = "",
                              JsonNumberTexts* number_texts = nullptr);

}  // namespace keycomp

// The output format of a subcommand that prints results (analyse, link): --format when given,
// else the extension of -o FILE, else table on a terminal and JSON when piped.
#pragma once

#include <string>

namespace keycomp {

/// `format` is --format ("" when not given), `output` is -o FILE ("" for stdout). Returns
/// "json", "table", "csv" or "dsi-xml".
std::string ChooseOutputFormat(const std::string& format, const std::string& output,
                               bool stdout_is_terminal);

}  // namespace keycomp

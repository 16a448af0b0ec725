#include "cli/output_format.h"

#include "core/text_fields.h"

namespace keycomp {

std::string ChooseOutputFormat(const std::string& format, const std::string& output,
                               bool stdout_is_terminal) {
  if (!format.empty()) return format;
  if (!output.empty()) {
    const std::string lower = ToLower(output);
    auto ends_with = [&](const char* suffix) {
      const std::string s(suffix);
      return lower.size() >= s.size() && lower.compare(lower.size() - s.size(), s.size(), s) == 0;
    };
    if (ends_with(".csv")) return "csv";
    if (ends_with(".txt")) return "table";
    if (ends_with(".xml")) return "dsi-xml";
    return "json";
  }
  return stdout_is_terminal ? "table" : "json";
}

}  // namespace keycomp

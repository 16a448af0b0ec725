#include "reports/json_writer.h"

#include <fmt/format.h>

#include <cmath>

#include "core/text_fields.h"

namespace keycomp {
namespace {

void Write(const nlohmann::json& v, int indent, int depth, std::string& out) {
  const bool pretty = indent >= 0;
  auto newline = [&](int d) {
    if (!pretty) return;
    out += '\n';
    out.append(static_cast<std::size_t>(d * indent), ' ');
  };
  switch (v.type()) {
    case nlohmann::json::value_t::number_float: {
      const double d = v.get<double>();
      if (!std::isfinite(d)) {
        out += "null";
      } else {
        out += ShortestText(d);
      }
      return;
    }
    case nlohmann::json::value_t::object: {
      if (v.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        out += nlohmann::json(it.key()).dump();
        out += pretty ? ": " : ":";
        Write(it.value(), indent, depth + 1, out);
      }
      newline(depth);
      out += '}';
      return;
    }
    case nlohmann::json::value_t::array: {
      if (v.empty()) {
        out += "[]";
        return;
      }
      // Arrays of numbers stay on one line: intervals, matrices' rows.
      bool scalars = true;
      for (const auto& e : v) scalars &= !e.is_structured();
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += scalars && pretty ? ", " : ",";
        first = false;
        if (!scalars) newline(depth + 1);
        Write(e, indent, depth + 1, out);
      }
      if (!scalars) newline(depth);
      out += ']';
      return;
    }
    default:
      out += v.dump();
  }
}

}  // namespace

std::string DumpJson(const nlohmann::json& value, int indent) {
  std::string out;
  Write(value, indent, 0, out);
  if (indent >= 0) out += '\n';
  return out;
}

}  // namespace keycomp

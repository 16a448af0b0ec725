#include "core/read_comparison.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "core/input_error.h"
#include "core/json_input.h"
#include "core/text_fields.h"

namespace keycomp {
namespace {

using Json = nlohmann::json;

/// Column roles of the CSV format. Names are case-insensitive except `u` (standard
/// uncertainty) and `U` (expanded uncertainty), which the contract tells apart by case.
enum class Column { kLab, kValue, kU, kExpandedU, kK, kDof, kInclude, kAttribute };

Column ClassifyColumn(const std::string& name) {
  if (name == "U") return Column::kExpandedU;
  if (name == "u") return Column::kU;
  const std::string lower = ToLower(name);
  if (lower == "lab" || lower == "laboratory" || lower == "participant") return Column::kLab;
  if (lower == "value" || lower == "x") return Column::kValue;
  if (lower == "standard_uncertainty" || lower == "u_std") return Column::kU;
  if (lower == "expanded_uncertainty" || lower == "u_expanded") return Column::kExpandedU;
  if (lower == "k" || lower == "coverage_factor") return Column::kK;
  if (lower == "dof" || lower == "nu" || lower == "df") return Column::kDof;
  // `in_kcrv` is the spelling of the shared CCQM-K30 file (from metRology).
  if (lower == "include" || lower == "included" || lower == "in_kcrv") return Column::kInclude;
  return Column::kAttribute;
}

const char* ColumnName(Column c) {
  switch (c) {
    case Column::kLab:
      return "lab";
    case Column::kValue:
      return "value";
    case Column::kU:
      return "u";
    case Column::kExpandedU:
      return "U";
    case Column::kK:
      return "k";
    case Column::kDof:
      return "dof";
    case Column::kInclude:
      return "include";
    case Column::kAttribute:
      return "attribute";
  }
  return "?";
}

/// Applies a `key: value` metadata pair to the comparison's description.
void ApplyMetadata(ComparisonInfo& info, const std::string& key, const std::string& value) {
  const std::string k = ToLower(key);
  if (k == "comparison" || k == "id") {
    info.id = value;
  } else if (k == "measurand") {
    info.measurand = value;
  } else if (k == "unit") {
    info.unit = value;
  } else if (k == "pilot") {
    info.pilot = value;
  } else {
    info.extra.emplace_back(key, value);
  }
}

/// Recognises `# key: value` (key made of letters, digits, '_', '-', ' ', '.').
bool ParseMetadataLine(std::string_view body, std::string& key, std::string& value) {
  const auto colon = body.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view k = Trim(body.substr(0, colon));
  if (k.empty() || k.size() > 40) return false;
  for (char c : k) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ' ' ||
          c == '.')) {
      return false;
    }
  }
  key = std::string(k);
  value = std::string(Trim(body.substr(colon + 1)));
  return true;
}

/// Standard uncertainty of a row from u or from U and k.
double RowUncertainty(const std::optional<std::string>& u_text,
                      const std::optional<std::string>& big_u_text,
                      const std::optional<std::string>& k_text, const std::string& source,
                      std::size_t line, const std::string& lab) {
  if (u_text && !Trim(*u_text).empty()) {
    const double u = ParseFinite(*u_text, {source, line, "u"});
    if (!(u > 0)) {
      throw InputError(source, line, "u", fmt::format("lab '{}': u must be > 0, got {}", lab, u));
    }
    return u;
  }
  const bool have_big_u = big_u_text && !Trim(*big_u_text).empty();
  const bool have_k = k_text && !Trim(*k_text).empty();
  if (!have_big_u || !have_k) {
    throw InputError(source, line, have_big_u ? "k" : (u_text ? "u" : "U"),
                     fmt::format("lab '{}': missing uncertainty (give u, or U and k)", lab));
  }
  const double big_u = ParseFinite(*big_u_text, {source, line, "U"});
  const double k = ParseFinite(*k_text, {source, line, "k"});
  if (!(big_u > 0)) {
    throw InputError(source, line, "U", fmt::format("lab '{}': U must be > 0, got {}", lab, big_u));
  }
  if (!(k > 0)) {
    throw InputError(source, line, "k", fmt::format("lab '{}': k must be > 0, got {}", lab, k));
  }
  return big_u / k;
}

}  // namespace

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", "cannot open file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw InputError(path, 0, "", "cannot read file");
  return buffer.str();
}

Comparison ParseComparisonCsv(const std::string& text_in, const std::string& source) {
  std::string_view text = text_in;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark

  ComparisonInfo info;
  std::vector<std::string> header;
  std::vector<Column> roles;
  std::size_t header_line = 0;
  std::map<Column, std::size_t> column_of;
  std::vector<LabResult> results;

  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    const std::string_view line = Trim(raw);
    if (line.empty()) {
      if (end == text.size()) break;
      continue;
    }
    if (line.front() == '#') {
      std::string key, value;
      if (header.empty() && ParseMetadataLine(line.substr(1), key, value)) {
        ApplyMetadata(info, key, value);
      }
      if (end == text.size()) break;
      continue;
    }
    const FieldPlace place{source, line_no, ""};
    if (header.empty()) {
      header = SplitCsvRecord(line, place);
      header_line = line_no;
      for (std::size_t c = 0; c < header.size(); ++c) {
        if (header[c].empty()) {
          throw InputError(source, line_no, fmt::format("column {}", c + 1), "empty column name");
        }
        const Column role = ClassifyColumn(header[c]);
        roles.push_back(role);
        if (role == Column::kAttribute) continue;
        if (!column_of.emplace(role, c).second) {
          throw InputError(source, line_no, header[c],
                           fmt::format("column '{}' given twice", ColumnName(role)));
        }
      }
      for (Column required : {Column::kLab, Column::kValue}) {
        if (!column_of.count(required)) {
          throw InputError(source, line_no, ColumnName(required),
                           fmt::format("missing required column '{}'", ColumnName(required)));
        }
      }
      if (!column_of.count(Column::kU) &&
          !(column_of.count(Column::kExpandedU) && column_of.count(Column::kK))) {
        throw InputError(source, line_no, "u", "missing required column 'u' (or both 'U' and 'k')");
      }
      if (end == text.size()) break;
      continue;
    }

    const std::vector<std::string> fields = SplitCsvRecord(line, place);
    if (fields.size() != header.size()) {
      throw InputError(source, line_no, "",
                       fmt::format("expected {} fields as in the header (line {}), got {}",
                                   header.size(), header_line, fields.size()));
    }
    auto field = [&](Column c) -> std::optional<std::string> {
      auto it = column_of.find(c);
      if (it == column_of.end()) return std::nullopt;
      return fields[it->second];
    };
    LabResult r;
    r.source_line = line_no;
    r.lab = *field(Column::kLab);
    if (r.lab.empty()) throw InputError(source, line_no, "lab", "empty lab name");
    r.value = ParseFinite(*field(Column::kValue), {source, line_no, "value"});
    r.u = RowUncertainty(field(Column::kU), field(Column::kExpandedU), field(Column::kK), source,
                         line_no, r.lab);
    if (auto dof = field(Column::kDof)) r.dof = ParseDof(*dof, {source, line_no, "dof"});
    auto as_written = [&](Column c) { return std::string(Trim(field(c).value_or(""))); };
    r.reported = {as_written(Column::kValue), as_written(Column::kU),
                  as_written(Column::kExpandedU), as_written(Column::kK), as_written(Column::kDof)};
    if (auto inc = field(Column::kInclude); inc && !Trim(*inc).empty()) {
      r.included = ParseFlag(*inc, {source, line_no, header[column_of[Column::kInclude]]});
    }
    for (std::size_t c = 0; c < header.size(); ++c) {
      if (roles[c] == Column::kAttribute) {
        r.attributes.emplace_back(header[c], fields[c]);
      }
    }
    results.push_back(std::move(r));
    if (end == text.size()) break;
  }
  if (header.empty()) throw InputError(source, 0, "", "no header line (lab,value,u,...)");
  if (results.empty()) throw InputError(source, header_line, "", "no results after the header");
  return Comparison::Create(source, std::move(info), std::move(results));
}

namespace {

// A scalar as text: a string's content, a number as written in the file (`pointer` locates it
// in `texts`), anything else as JSON.
std::string JsonScalarText(const Json& j, const JsonNumberTexts& texts,
                           const std::string& pointer) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number()) {
    if (auto it = texts.find(pointer); it != texts.end()) return it->second;
  }
  return j.dump();
}

// What a result gave for `key`, as written (empty when absent or null).
std::string WrittenText(const Json& row, const char* key, const JsonNumberTexts& texts,
                        const std::string& pointer) {
  auto it = row.find(key);
  if (it == row.end() || it->is_null()) return "";
  return JsonScalarText(*it, texts, JsonPointerChild(pointer, key));
}

double JsonNumber(const Json& j, const std::string& source, const std::string& path,
                  const std::string& field) {
  if (!j.is_number()) {
    throw InputError(source, 0, path + "." + field,
                     fmt::format("expected a number, got {}", j.dump()));
  }
  const double v = j.get<double>();
  if (!std::isfinite(v)) throw InputError(source, 0, path + "." + field, "not a finite number");
  return v;
}

}  // namespace

Comparison ParseComparisonJson(const std::string& text, const std::string& source) {
  JsonNumberTexts texts;
  const Json root = ParseJsonInput(text, source, "", &texts);
  if (!root.is_object()) throw InputError(source, 0, "", "expected a JSON object at the top");

  ComparisonInfo info;
  if (auto it = root.find("comparison"); it != root.end()) {
    if (!it->is_object()) throw InputError(source, 0, "comparison", "expected an object");
    for (auto& [key, value] : it->items()) {
      ApplyMetadata(info, key, JsonScalarText(value, texts, JsonPointerChild("/comparison", key)));
    }
  }

  auto results_it = root.find("results");
  if (results_it == root.end() || !results_it->is_array()) {
    throw InputError(source, 0, "results", "missing required array 'results'");
  }
  std::vector<LabResult> results;
  for (std::size_t i = 0; i < results_it->size(); ++i) {
    const Json& row = (*results_it)[i];
    const std::string path = fmt::format("results[{}]", i);
    const std::string pointer = fmt::format("/results/{}", i);
    if (!row.is_object()) throw InputError(source, 0, path, "expected an object");
    LabResult r;
    auto lab = row.find("lab");
    if (lab == row.end() || !lab->is_string() || lab->get<std::string>().empty()) {
      throw InputError(source, 0, path + ".lab", "missing lab name");
    }
    r.lab = lab->get<std::string>();
    const std::string where = fmt::format("{} (lab '{}')", path, r.lab);
    auto value = row.find("value");
    if (value == row.end()) throw InputError(source, 0, where + ".value", "missing value");
    r.value = JsonNumber(*value, source, where, "value");
    if (auto u = row.find("u"); u != row.end() && !u->is_null()) {
      r.u = JsonNumber(*u, source, where, "u");
      if (!(r.u > 0))
        throw InputError(source, 0, where + ".u", fmt::format("u must be > 0, got {}", r.u));
    } else {
      auto big_u = row.find("U");
      auto k = row.find("k");
      if (big_u == row.end() || k == row.end()) {
        throw InputError(source, 0, where + ".u", "missing uncertainty (give u, or U and k)");
      }
      const double bu = JsonNumber(*big_u, source, where, "U");
      const double kk = JsonNumber(*k, source, where, "k");
      if (!(bu > 0))
        throw InputError(source, 0, where + ".U", fmt::format("U must be > 0, got {}", bu));
      if (!(kk > 0))
        throw InputError(source, 0, where + ".k", fmt::format("k must be > 0, got {}", kk));
      r.u = bu / kk;
    }
    if (auto dof = row.find("dof"); dof != row.end() && !dof->is_null()) {
      const FieldPlace place{source, 0, where + ".dof"};
      r.dof = dof->is_string() ? ParseDof(dof->get<std::string>(), place)
                               : ParseDof(dof->dump(), place);
    }
    if (auto inc = row.find("include"); inc != row.end() && !inc->is_null()) {
      r.included = inc->is_boolean() ? inc->get<bool>()
                                     : ParseFlag(JsonScalarText(*inc, texts, pointer + "/include"),
                                                 {source, 0, where + ".include"});
    }
    r.reported = {WrittenText(row, "value", texts, pointer), WrittenText(row, "u", texts, pointer),
                  WrittenText(row, "U", texts, pointer), WrittenText(row, "k", texts, pointer),
                  WrittenText(row, "dof", texts, pointer)};
    for (auto& [key, val] : row.items()) {
      if (key == "lab" || key == "value" || key == "u" || key == "U" || key == "k" ||
          key == "dof" || key == "include") {
        continue;
      }
      r.attributes.emplace_back(key, JsonScalarText(val, texts, JsonPointerChild(pointer, key)));
    }
    results.push_back(std::move(r));
  }
  if (results.empty()) throw InputError(source, 0, "results", "no results");

  std::vector<Correlation> correlations;
  if (auto corr = root.find("correlations"); corr != root.end() && !corr->is_null()) {
    if (!corr->is_array()) throw InputError(source, 0, "correlations", "expected an array");
    for (std::size_t i = 0; i < corr->size(); ++i) {
      const Json& c = (*corr)[i];
      const std::string path = fmt::format("correlations[{}]", i);
      if (!c.is_object()) throw InputError(source, 0, path, "expected an object");
      Correlation cc;
      for (auto [key, target] : {std::pair<const char*, std::string*>{"a", &cc.lab_a},
                                 std::pair<const char*, std::string*>{"b", &cc.lab_b}}) {
        auto it = c.find(key);
        if (it == c.end() || !it->is_string()) {
          throw InputError(source, 0, path + "." + key, "missing lab name");
        }
        *target = it->get<std::string>();
      }
      auto r = c.find("r");
      if (r == c.end()) throw InputError(source, 0, path + ".r", "missing correlation r");
      cc.r = JsonNumber(*r, source, path, "r");
      correlations.push_back(std::move(cc));
    }
  }
  return Comparison::Create(source, std::move(info), std::move(results), std::move(correlations));
}

Comparison ReadComparisonFile(const std::string& path) {
  const std::string text = ReadTextFile(path);
  const bool json_name = path.size() >= 5 && ToLower(path.substr(path.size() - 5)) == ".json";
  const std::string_view start = Trim(text);
  if (json_name || (!start.empty() && start.front() == '{')) return ParseComparisonJson(text, path);
  return ParseComparisonCsv(text, path);
}

std::vector<Correlation> ReadCorrelationsCsv(const std::string& path) {
  const std::string text = ReadTextFile(path);
  std::vector<Correlation> out;
  std::vector<std::string> header;
  std::size_t ia = 0, ib = 0, ir = 0;
  std::istringstream in(text);
  std::string raw;
  std::size_t line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const FieldPlace place{path, line_no, ""};
    auto fields = SplitCsvRecord(line, place);
    if (header.empty()) {
      header = fields;
      std::map<std::string, std::size_t> idx;
      for (std::size_t c = 0; c < fields.size(); ++c) idx[ToLower(fields[c])] = c;
      for (auto [name, target] : {std::pair<const char*, std::size_t*>{"lab_a", &ia},
                                  std::pair<const char*, std::size_t*>{"lab_b", &ib},
                                  std::pair<const char*, std::size_t*>{"r", &ir}}) {
        auto it = idx.find(name);
        if (it == idx.end()) {
          throw InputError(path, line_no, name, fmt::format("missing required column '{}'", name));
        }
        *target = it->second;
      }
      continue;
    }
    if (fields.size() != header.size()) {
      throw InputError(path, line_no, "",
                       fmt::format("expected {} fields, got {}", header.size(), fields.size()));
    }
    Correlation c;
    c.lab_a = fields[ia];
    c.lab_b = fields[ib];
    c.r = ParseFinite(fields[ir], {path, line_no, "r"});
    c.source_line = line_no;
    c.source_file = path;
    out.push_back(std::move(c));
  }
  if (header.empty()) throw InputError(path, line_no, "", "no header line (lab_a,lab_b,r)");
  return out;
}

}  // namespace keycomp

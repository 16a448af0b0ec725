#include "core/mc/lab_models.h"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/input_error.h"
#include "core/mc/engine.h"
#include "core/mc/model_file.h"
#include "core/read_comparison.h"
#include "core/text_fields.h"

namespace keycomp::mc {
namespace {

std::string ModelPath(const std::string& comparison_path, const std::string& model) {
  const std::filesystem::path p(model);
  if (p.is_absolute()) return model;
  return (std::filesystem::path(comparison_path).parent_path() / p).lexically_normal().string();
}

LabModelResult RunLabModel(const std::string& comparison_path, std::size_t line,
                           const std::string& lab, const std::string& model, std::size_t row,
                           const LabModelOptions& options) {
  LabModelResult out;
  out.lab = lab;
  out.model_path = ModelPath(comparison_path, model);
  const ModelFile file = ReadModelFile(out.model_path);
  const auto compiled = CompileModel(file.model);
  McOptions mc;
  mc.adaptive = file.run.adaptive.value_or(false);
  mc.trials = file.run.trials.value_or(options.default_trials);
  mc.digits = file.run.digits.value_or(2);
  mc.seed = file.run.seed.value_or(options.seed + row);
  mc.threads = options.threads;
  mc.coverage = file.model.coverage;
  const McResult r = RunMonteCarlo(file.model, *compiled, mc);
  if (r.status != Status::kOk) {
    throw InputError(comparison_path, line, "model",
                     fmt::format("lab '{}': model {}: {}", lab, out.model_path, r.message));
  }
  out.value = r.mean;
  out.u = r.u;
  out.trials = r.trials;
  out.seed = r.seed;
  if (!(out.u > 0)) {
    throw InputError(
        comparison_path, line, "model",
        fmt::format("lab '{}': model {} gives a zero standard uncertainty", lab, out.model_path));
  }
  return out;
}

std::string CsvField(const std::string& f) {
  if (f.find_first_of(",\"") == std::string::npos) return f;
  std::string quoted = "\"";
  for (char c : f) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::optional<std::string> ResolveCsv(const std::string& path, const std::string& text,
                                      const LabModelOptions& options,
                                      std::vector<LabModelResult>* results) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  std::optional<std::size_t> header_line;
  std::vector<std::string> header;
  auto column = [&](std::initializer_list<const char*> names) -> std::optional<std::size_t> {
    for (std::size_t c = 0; c < header.size(); ++c) {
      for (const char* n : names) {
        const std::string name = n;
        // `u` and `U` differ by case (standard vs expanded uncertainty).
        if (name == "u" || name == "U" ? header[c] == name : ToLower(header[c]) == name) return c;
      }
    }
    return std::nullopt;
  };
  std::optional<std::size_t> model_col, value_col, u_col, big_u_col, k_col, dof_col, lab_col;
  std::size_t row = 0;
  std::size_t original_columns = 0;
  bool any = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = Trim(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    const FieldPlace place{path, i + 1, ""};
    std::vector<std::string> fields = SplitCsvRecord(line, place);
    if (!header_line) {
      header_line = i;
      header = fields;
      original_columns = header.size();
      model_col = column({"model"});
      if (!model_col) return std::nullopt;
      lab_col = column({"lab", "laboratory", "participant"});
      value_col = column({"value", "x"});
      u_col = column({"u", "standard_uncertainty", "u_std"});
      big_u_col = column({"U", "expanded_uncertainty", "u_expanded"});
      k_col = column({"k", "coverage_factor"});
      dof_col = column({"dof", "nu", "df"});
      if (!value_col) {
        value_col = header.size();
        header.push_back("value");
      }
      if (!u_col) {
        u_col = header.size();
        header.push_back("u");
      }
      std::string out;
      for (const std::string& h : header) out += (out.empty() ? "" : ",") + CsvField(h);
      lines[i] = out;
      continue;
    }
    // Rows get empty cells for the columns added above; a row of the wrong length is left as
    // it is for the reader to report.
    if (fields.size() == original_columns) fields.resize(header.size());
    if (fields.size() != header.size()) {
      ++row;
      continue;
    }
    const std::string model(Trim(fields[*model_col]));
    if (!model.empty()) {
      const std::string lab = lab_col ? fields[*lab_col] : fmt::format("row {}", row + 1);
      const LabModelResult r = RunLabModel(path, i + 1, lab, model, row, options);
      if (results) results->push_back(r);
      fields[*value_col] = ShortestText(r.value);
      fields[*u_col] = ShortestText(r.u);
      for (auto c : {big_u_col, k_col, dof_col}) {
        if (c) fields[*c].clear();
      }
      any = true;
    }
    std::string out;
    for (std::size_t c = 0; c < fields.size(); ++c) out += (c ? "," : "") + CsvField(fields[c]);
    lines[i] = out;
    ++row;
  }
  if (!any) return std::nullopt;
  std::string joined;
  for (std::size_t i = 0; i < lines.size(); ++i)
    joined += lines[i] + (i + 1 < lines.size() ? "\n" : "");
  return joined;
}

std::optional<std::string> ResolveJson(const std::string& path, const std::string& text,
                                       const LabModelOptions& options,
                                       std::vector<LabModelResult>* results) {
  using Json = nlohmann::ordered_json;
  Json root = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) return std::nullopt;  // the reader reports it
  auto it = root.find("results");
  if (it == root.end() || !it->is_array()) return std::nullopt;
  bool any = false;
  for (std::size_t i = 0; i < it->size(); ++i) {
    Json& r = (*it)[i];
    if (!r.is_object() || !r.contains("model")) continue;
    if (!r["model"].is_string()) {
      throw InputError(path, 0, fmt::format("results[{}].model", i), "expected a file name");
    }
    const std::string lab = r.contains("lab") && r["lab"].is_string()
                                ? r["lab"].get<std::string>()
                                : fmt::format("results[{}]", i);
    const LabModelResult m = RunLabModel(path, 0, lab, r["model"].get<std::string>(), i, options);
    if (results) results->push_back(m);
    r["value"] = m.value;
    r["u"] = m.u;
    r.erase("U");
    r.erase("k");
    r.erase("dof");
    any = true;
  }
  if (!any) return std::nullopt;
  return root.dump();
}

bool IsJson(const std::string& path, const std::string& text) {
  const bool json_name = path.size() >= 5 && ToLower(path.substr(path.size() - 5)) == ".json";
  const std::string_view start = Trim(text);
  return json_name || (!start.empty() && start.front() == '{');
}

}  // namespace

std::optional<std::string> ResolveLabModels(const std::string& path, const std::string& text,
                                            const LabModelOptions& options,
                                            std::vector<LabModelResult>* results) {
  return IsJson(path, text) ? ResolveJson(path, text, options, results)
                            : ResolveCsv(path, text, options, results);
}

Comparison ReadComparisonWithLabModels(const std::string& path, const LabModelOptions& options,
                                       std::vector<LabModelResult>* results) {
  const std::string text = ReadTextFile(path);
  std::vector<LabModelResult> ran;
  const std::optional<std::string> resolved = ResolveLabModels(path, text, options, &ran);
  if (results) results->insert(results->end(), ran.begin(), ran.end());
  if (!resolved) return ReadComparisonFile(path);
  const Comparison c = IsJson(path, text) ? ParseComparisonJson(*resolved, path)
                                          : ParseComparisonCsv(*resolved, path);
  // The substituted numbers are the Monte Carlo's, not anything the lab wrote: the reports
  // must not present them as reported.
  std::vector<LabResult> labs = c.results();
  for (const LabModelResult& m : ran) {
    const std::size_t i = c.IndexOf(m.lab);
    if (i == c.size()) continue;
    labs[i].computed = true;
    labs[i].reported = {};
  }
  return Comparison::Create(c.source(), c.info(), std::move(labs), c.correlations());
}

}  // namespace keycomp::mc

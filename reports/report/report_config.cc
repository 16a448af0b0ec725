#include "reports/report/report_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/input_error.h"
#include "core/json_input.h"

namespace keycomp::report {
namespace {

using Json = nlohmann::json;

const char* const kKnownKeys[] = {"title",         "comparison_id", "prepared_by",
                                  "estimator",     "kcrv_rationale", "exclusions",
                                  "coverage",      "mc_trials",     "seed",
                                  "sensitivity_estimators", "settings",
                                  "introduction",  "participants",  "measurand",
                                  "transfer_standard", "methods",   "conclusions"};
const char* const kParticipantKeys[] = {"lab", "institute", "country", "measurement_dates",
                                        "method"};

struct Reader {
  const std::string& source;

  [[noreturn]] void Fail(const std::string& field, const std::string& why) const {
    throw InputError(source, 0, field, why);
  }

  std::string String(const Json& value, const std::string& field) const {
    if (!value.is_string()) Fail(field, "expected a string");
    return value.get<std::string>();
  }

  std::uint64_t Unsigned(const Json& value, const std::string& field) const {
    if (value.is_number_unsigned()) return value.get<std::uint64_t>();
    if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
      return static_cast<std::uint64_t>(value.get<std::int64_t>());
    }
    Fail(field, "expected a non-negative integer");
  }

  std::vector<Participant> Participants(const Json& value, const std::string& key) const {
    const char* const shape =
        "expected an array of {\"lab\", \"institute\", \"country\", \"measurement_dates\", "
        "\"method\"}";
    if (!value.is_array()) Fail(key, shape);
    std::vector<Participant> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string field = fmt::format("{}[{}]", key, i);
      const Json& item = value[i];
      if (!item.is_object() || !item.contains("lab")) Fail(field, shape);
      Participant p;
      for (const auto& [k, v] : item.items()) {
        if (std::find(std::begin(kParticipantKeys), std::end(kParticipantKeys), k) ==
            std::end(kParticipantKeys)) {
          Fail(field + "." + k,
               "unknown key (lab, institute, country, measurement_dates, method)");
        }
        const std::string text = String(v, field + "." + k);
        if (k == "lab") p.lab = text;
        if (k == "institute") p.institute = text;
        if (k == "country") p.country = text;
        if (k == "measurement_dates") p.measurement_dates = text;
        if (k == "method") p.method = text;
      }
      if (p.lab.empty()) Fail(field + ".lab", "must not be empty");
      for (const Participant& earlier : out) {
        if (earlier.lab == p.lab) Fail(field + ".lab", "lab '" + p.lab + "' is listed twice");
      }
      out.push_back(std::move(p));
    }
    return out;
  }

  std::vector<std::string> Strings(const Json& value, const std::string& field) const {
    if (!value.is_array()) Fail(field, "expected an array of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
      out.push_back(String(value[i], fmt::format("{}[{}]", field, i)));
    }
    return out;
  }
};

}  // namespace

ReportConfig ParseReportConfig(const std::string& text, const std::string& source) {
  const Json root = ParseJsonInput(text, source, "not valid JSON");
  const Reader read{source};
  if (!root.is_object()) read.Fail("", "the configuration must be a JSON object");

  ReportConfig config;
  config.source = source;
  for (const auto& [key, value] : root.items()) {
    if (std::find(std::begin(kKnownKeys), std::end(kKnownKeys), key) == std::end(kKnownKeys)) {
      std::string known;
      for (const char* k : kKnownKeys) known += known.empty() ? k : fmt::format(", {}", k);
      read.Fail(key, fmt::format("unknown key (known: {})", known));
    }
    if (key == "title") config.title = read.String(value, key);
    if (key == "comparison_id") config.comparison_id = read.String(value, key);
    if (key == "prepared_by") config.prepared_by = read.String(value, key);
    if (key == "estimator") config.estimator = read.String(value, key);
    if (key == "kcrv_rationale") config.kcrv_rationale = read.String(value, key);
    if (key == "coverage") {
      if (!value.is_number()) read.Fail(key, "expected a number in (0, 1)");
      const double p = value.get<double>();
      if (!(p > 0 && p < 1)) read.Fail(key, "expected a number in (0, 1)");
      config.coverage = p;
    }
    if (key == "mc_trials") config.mc_trials = read.Unsigned(value, key);
    if (key == "seed") config.seed = read.Unsigned(value, key);
    if (key == "sensitivity_estimators") {
      config.sensitivity_estimators = read.Strings(value, key);
    }
    if (key == "exclusions") {
      if (!value.is_array()) read.Fail(key, "expected an array of {\"lab\": ..., \"reason\": ...}");
      std::vector<Exclusion> exclusions;
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string field = fmt::format("exclusions[{}]", i);
        const Json& item = value[i];
        if (!item.is_object() || !item.contains("lab")) {
          read.Fail(field, "expected {\"lab\": ..., \"reason\": ...}");
        }
        for (const auto& [k, v] : item.items()) {
          if (k != "lab" && k != "reason") read.Fail(field + "." + k, "unknown key (lab, reason)");
        }
        Exclusion e;
        e.lab = read.String(item["lab"], field + ".lab");
        if (item.contains("reason")) e.reason = read.String(item["reason"], field + ".reason");
        exclusions.push_back(std::move(e));
      }
      config.exclusions = std::move(exclusions);
    }
    if (key == "introduction") config.draft_a.introduction = read.String(value, key);
    if (key == "measurand") config.draft_a.measurand = read.String(value, key);
    if (key == "transfer_standard") config.draft_a.transfer_standard = read.String(value, key);
    if (key == "methods") config.draft_a.methods = read.String(value, key);
    if (key == "conclusions") config.draft_a.conclusions = read.String(value, key);
    if (key == "participants") config.draft_a.participants = read.Participants(value, key);
    if (key == "settings") {
      if (!value.is_object()) read.Fail(key, "expected an object {\"ESTIMATOR.NAME\": \"VALUE\"}");
      std::map<std::string, std::string> settings;
      for (const auto& [name, v] : value.items()) {
        const std::string field = "settings." + name;
        if (v.is_string()) {
          settings[name] = v.get<std::string>();
        } else if (v.is_number() || v.is_boolean()) {
          settings[name] = v.dump();
        } else {
          read.Fail(field, "expected a string, number or boolean");
        }
      }
      config.settings = std::move(settings);
    }
  }
  return config;
}

ReportConfig ReadReportConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "--config", "cannot read the report configuration");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseReportConfig(text.str(), path);
}

}  // namespace keycomp::report

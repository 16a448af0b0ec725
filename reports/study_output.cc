#include "reports/study_output.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/input_error.h"
#include "core/json_input.h"
#include "reports/json_writer.h"

namespace keycomp {
namespace {

using nlohmann::json;

json ScenarioJson(const StudyScenario& s) {
  json j;
  j["n"] = s.n;
  j["tau_over_u"] = s.tau_over_u;
  j["u_ratio"] = s.u_ratio;
  j["dof"] = std::isinf(s.dof) ? json("inf") : json(s.dof);
  j["outliers"] = {{"count", s.outliers.count},
                   {"shift", s.outliers.shift},
                   {"u_factor", s.outliers.u_factor}};
  j["correlation"] = s.correlation;
  return j;
}

json MetricsJson(const StudyMetrics& m) {
  return {{"repetitions", m.reps},
          {"failures", m.failures},
          {"failure_rate", m.failure_rate},
          {"bias", m.bias},
          {"rmse", m.rmse},
          {"coverage", m.coverage},
          {"coverage_se", m.coverage_se},
          {"mean_interval_length", m.mean_length},
          {"doe_coverage_good", m.doe_coverage_good},
          {"doe_coverage_outlier", m.doe_coverage_outlier},
          {"en_rate_good", m.en_rate_good},
          {"en_rate_outlier", m.en_rate_outlier}};
}

// The tally fields in a fixed order: counts, then sums.
std::vector<std::uint64_t> Counts(const StudyTally& t) {
  return {t.reps,         t.ok,           t.covered,         t.good_labs,
          t.good_doe_covered, t.good_en_exceed, t.outlier_labs, t.outlier_doe_covered,
          t.outlier_en_exceed};
}
std::vector<double> Sums(const StudyTally& t) { return {t.sum_error, t.sum_error2, t.sum_length}; }

StudyTally TallyFrom(const std::vector<std::uint64_t>& c, const std::vector<double>& s) {
  StudyTally t;
  t.reps = c[0];
  t.ok = c[1];
  t.covered = c[2];
  t.good_labs = c[3];
  t.good_doe_covered = c[4];
  t.good_en_exceed = c[5];
  t.outlier_labs = c[6];
  t.outlier_doe_covered = c[7];
  t.outlier_en_exceed = c[8];
  t.sum_error = s[0];
  t.sum_error2 = s[1];
  t.sum_length = s[2];
  return t;
}

json TallyJson(const StudyTally& t) {
  return {{"repetitions", t.reps},          {"ok", t.ok},
          {"covered", t.covered},           {"sum_error", t.sum_error},
          {"sum_error2", t.sum_error2},     {"sum_length", t.sum_length},
          {"good_labs", t.good_labs},       {"good_doe_covered", t.good_doe_covered},
          {"good_en_exceed", t.good_en_exceed}, {"outlier_labs", t.outlier_labs},
          {"outlier_doe_covered", t.outlier_doe_covered},
          {"outlier_en_exceed", t.outlier_en_exceed}};
}

std::string Csv(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }

}  // namespace

std::string StudyToJson(const StudyOptions& spec,
                        const std::vector<std::vector<StudyTally>>& totals) {
  json doc;
  doc["keycomp_study"] = 1;
  doc["spec"] = json::parse(StudySpecJson(spec));
  doc["scenarios"] = json::array();
  const std::vector<StudyScenario> scenarios = spec.Scenarios();
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    json sj = ScenarioJson(scenarios[s]);
    sj["index"] = s;
    sj["estimators"] = json::array();
    for (std::size_t e = 0; e < spec.estimators.size(); ++e) {
      json ej = MetricsJson(ComputeStudyMetrics(totals[s][e]));
      ej["label"] = spec.estimators[e].label;
      ej["estimator"] = spec.estimators[e].estimator;
      ej["tally"] = TallyJson(totals[s][e]);
      sj["estimators"].push_back(ej);
    }
    doc["scenarios"].push_back(sj);
  }
  return DumpJson(doc) + "\n";
}

std::string StudyToCsv(const StudyOptions& spec,
                       const std::vector<std::vector<StudyTally>>& totals) {
  std::string out =
      "scenario,n,tau_over_u,u_ratio,dof,outliers,outlier_shift,outlier_u_factor,correlation,"
      "estimator,label,repetitions,failures,failure_rate,bias,rmse,coverage,coverage_se,"
      "mean_interval_length,doe_coverage_good,doe_coverage_outlier,en_rate_good,"
      "en_rate_outlier\n";
  const std::vector<StudyScenario> scenarios = spec.Scenarios();
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    const StudyScenario& sc = scenarios[s];
    for (std::size_t e = 0; e < spec.estimators.size(); ++e) {
      const StudyMetrics m = ComputeStudyMetrics(totals[s][e]);
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                         s, sc.n, sc.tau_over_u, sc.u_ratio,
                         std::isinf(sc.dof) ? std::string("inf") : fmt::format("{}", sc.dof),
                         sc.outliers.count, sc.outliers.shift, sc.outliers.u_factor,
                         sc.correlation, spec.estimators[e].estimator, spec.estimators[e].label,
                         m.reps, m.failures, Csv(m.failure_rate), Csv(m.bias), Csv(m.rmse),
                         Csv(m.coverage), Csv(m.coverage_se), Csv(m.mean_length),
                         Csv(m.doe_coverage_good), Csv(m.doe_coverage_outlier),
                         Csv(m.en_rate_good), Csv(m.en_rate_outlier));
    }
  }
  return out;
}

std::string StudyShardToJson(const StudyOptions& spec, std::size_t shard, std::size_t shards,
                             const std::vector<StudyChunk>& chunks) {
  json doc;
  doc["keycomp_study_shard"] = 1;
  doc["shard"] = fmt::format("{}/{}", shard + 1, shards);
  doc["spec"] = json::parse(StudySpecJson(spec));
  doc["chunks"] = json::array();
  for (const StudyChunk& c : chunks) {
    json cj = {{"index", c.index}, {"tallies", json::array()}};
    for (const StudyTally& t : c.tallies) {
      json sums = json::array();
      for (double v : Sums(t)) sums.push_back(fmt::format("{:a}", v));
      cj["tallies"].push_back({{"counts", Counts(t)}, {"sums", sums}});
    }
    doc["chunks"].push_back(cj);
  }
  return doc.dump() + "\n";
}

StudyShard ReadStudyShard(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", "cannot read the shard file");
  std::ostringstream text;
  text << in.rdbuf();
  const json doc = ParseJsonInput(text.str(), path);
  auto fail = [&](const std::string& field, const std::string& what) -> void {
    throw InputError(path, 0, field, what);
  };
  if (!doc.is_object() || !doc.contains("keycomp_study_shard") || !doc.contains("spec") ||
      !doc.contains("chunks") || !doc["chunks"].is_array()) {
    fail("keycomp_study_shard", "not a shard file of `keycomp study --shard`");
  }
  StudyShard shard;
  shard.spec_json = doc["spec"].dump();
  shard.spec = ParseStudySpec(shard.spec_json, path);
  for (std::size_t i = 0; i < doc["chunks"].size(); ++i) {
    const json& cj = doc["chunks"][i];
    const std::string field = fmt::format("chunks[{}]", i);
    try {
      StudyChunk c;
      c.index = cj.at("index").get<std::size_t>();
      for (const json& tj : cj.at("tallies")) {
        const auto counts = tj.at("counts").get<std::vector<std::uint64_t>>();
        std::vector<double> sums;
        for (const json& v : tj.at("sums")) {
          const std::string hex = v.get<std::string>();
          char* end = nullptr;
          sums.push_back(std::strtod(hex.c_str(), &end));
          if (end == hex.c_str() || *end != '\0') fail(field, "bad number " + hex);
        }
        if (counts.size() != 9 || sums.size() != 3) fail(field, "a tally has the wrong size");
        c.tallies.push_back(TallyFrom(counts, sums));
      }
      shard.chunks.push_back(std::move(c));
    } catch (const json::exception& e) {
      fail(field, e.what());
    }
  }
  return shard;
}

}  // namespace keycomp

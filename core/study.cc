#include "core/study.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/analysis.h"
#include "core/comparison.h"
#include "core/input_error.h"
#include "core/json_input.h"
#include "core/mc/random.h"

namespace keycomp {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using nlohmann::json;

// ---- Reading the spec ------------------------------------------------------------------------

struct SpecReader {
  std::string source;

  [[noreturn]] void Fail(const std::string& field, const std::string& what) const {
    throw InputError(source, 0, field, what);
  }
  double Number(const json& v, const std::string& field) const {
    if (v.is_string() && (v == "inf" || v == "Infinity")) return kInf;
    if (!v.is_number()) Fail(field, "must be a number");
    return v.get<double>();
  }
  std::size_t Count(const json& v, const std::string& field) const {
    const double d = Number(v, field);
    if (!(d >= 0) || d != std::floor(d) || d > 1e15) {
      Fail(field, fmt::format("must be a whole number >= 0, got {}", v.dump()));
    }
    return static_cast<std::size_t>(d);
  }
  template <typename T, typename F>
  std::vector<T> List(const json& v, const std::string& field, F read) const {
    if (!v.is_array()) Fail(field, "must be a list");
    std::vector<T> out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(read(v[i], fmt::format("{}[{}]", field, i)));
    return out;
  }
  void OnlyKeys(const json& v, const std::string& field,
                std::initializer_list<const char*> keys) const {
    if (!v.is_object()) Fail(field, "must be an object");
    for (const auto& [key, value] : v.items()) {
      if (std::find_if(keys.begin(), keys.end(), [&](const char* k) { return key == k; }) ==
          keys.end()) {
        Fail(field.empty() ? key : field + "." + key, "unknown key");
      }
    }
  }
};

StudyOutliers ReadOutliers(const SpecReader& r, const json& v, const std::string& field) {
  r.OnlyKeys(v, field, {"count", "shift", "u_factor"});
  StudyOutliers o;
  if (v.contains("count")) o.count = r.Count(v["count"], field + ".count");
  if (v.contains("shift")) o.shift = r.Number(v["shift"], field + ".shift");
  if (v.contains("u_factor")) o.u_factor = r.Number(v["u_factor"], field + ".u_factor");
  return o;
}

StudyEstimator ReadEstimator(const SpecReader& r, const json& v, const std::string& field) {
  StudyEstimator e;
  if (v.is_string()) {
    e.estimator = e.label = v.get<std::string>();
    return e;
  }
  r.OnlyKeys(v, field, {"label", "estimator", "settings"});
  if (!v.contains("estimator") || !v["estimator"].is_string()) {
    r.Fail(field + ".estimator", "must be an estimator name (see `keycomp estimators`)");
  }
  e.estimator = v["estimator"].get<std::string>();
  e.label = e.estimator;
  if (v.contains("label")) {
    if (!v["label"].is_string()) r.Fail(field + ".label", "must be a string");
    e.label = v["label"].get<std::string>();
  }
  if (v.contains("settings")) {
    const json& s = v["settings"];
    if (!s.is_object()) r.Fail(field + ".settings", "must be an object of NAME: VALUE");
    for (const auto& [key, value] : s.items()) {
      if (value.is_string()) {
        e.settings[key] = value.get<std::string>();
      } else if (value.is_number()) {
        e.settings[key] = value.dump();
      } else {
        r.Fail(field + ".settings." + key, "must be a string or a number");
      }
    }
  }
  return e;
}

json NumberJson(double v) { return std::isinf(v) ? json("inf") : json(v); }

}  // namespace

StudyOptions ParseStudySpec(const std::string& text, const std::string& source) {
  const json doc = ParseJsonInput(text, source);
  const SpecReader r{source};
  r.OnlyKeys(doc, "",
             {"seed", "repetitions", "coverage", "u", "grid", "estimators", "mc_doe_trials",
              "description"});
  StudyOptions spec;
  spec.n.clear();
  spec.tau_over_u.clear();
  if (doc.contains("seed")) {
    if (!doc["seed"].is_number_unsigned()) r.Fail("seed", "must be a whole number >= 0");
    spec.seed = doc["seed"].get<std::uint64_t>();
  }
  if (doc.contains("repetitions")) spec.repetitions = r.Count(doc["repetitions"], "repetitions");
  if (doc.contains("coverage")) spec.coverage = r.Number(doc["coverage"], "coverage");
  if (doc.contains("u")) spec.u = r.Number(doc["u"], "u");
  if (doc.contains("mc_doe_trials")) {
    spec.mc_doe_trials = r.Count(doc["mc_doe_trials"], "mc_doe_trials");
  }
  if (!doc.contains("grid")) r.Fail("grid", "missing: the scenario grid");
  const json& g = doc["grid"];
  r.OnlyKeys(g, "grid", {"n", "tau_over_u", "u_ratio", "dof", "outliers", "correlation"});
  auto count = [&](const json& v, const std::string& f) { return r.Count(v, f); };
  auto number = [&](const json& v, const std::string& f) { return r.Number(v, f); };
  if (g.contains("n")) spec.n = r.List<std::size_t>(g["n"], "grid.n", count);
  if (g.contains("tau_over_u")) {
    spec.tau_over_u = r.List<double>(g["tau_over_u"], "grid.tau_over_u", number);
  }
  if (g.contains("u_ratio")) spec.u_ratio = r.List<double>(g["u_ratio"], "grid.u_ratio", number);
  if (g.contains("dof")) spec.dof = r.List<double>(g["dof"], "grid.dof", number);
  if (g.contains("correlation")) {
    spec.correlation = r.List<double>(g["correlation"], "grid.correlation", number);
  }
  if (g.contains("outliers")) {
    spec.outliers = r.List<StudyOutliers>(
        g["outliers"], "grid.outliers",
        [&](const json& v, const std::string& f) { return ReadOutliers(r, v, f); });
  }
  if (!doc.contains("estimators")) r.Fail("estimators", "missing: the estimators to study");
  spec.estimators = r.List<StudyEstimator>(
      doc["estimators"], "estimators",
      [&](const json& v, const std::string& f) { return ReadEstimator(r, v, f); });
  return spec;
}

StudyOptions ReadStudySpec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", "cannot read the study spec");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseStudySpec(text.str(), path);
}

std::string StudySpecJson(const StudyOptions& spec) {
  json doc;
  doc["seed"] = spec.seed;
  doc["repetitions"] = spec.repetitions;
  doc["coverage"] = spec.coverage;
  doc["u"] = spec.u;
  doc["mc_doe_trials"] = spec.mc_doe_trials;
  json g;
  g["n"] = spec.n;
  g["tau_over_u"] = spec.tau_over_u;
  g["u_ratio"] = spec.u_ratio;
  g["dof"] = json::array();
  for (double d : spec.dof) g["dof"].push_back(NumberJson(d));
  g["correlation"] = spec.correlation;
  g["outliers"] = json::array();
  for (const StudyOutliers& o : spec.outliers) {
    g["outliers"].push_back({{"count", o.count}, {"shift", o.shift}, {"u_factor", o.u_factor}});
  }
  doc["grid"] = g;
  doc["estimators"] = json::array();
  for (const StudyEstimator& e : spec.estimators) {
    doc["estimators"].push_back(
        {{"label", e.label}, {"estimator", e.estimator}, {"settings", e.settings}});
  }
  return doc.dump();
}

// ---- Validation ----------------------------------------------------------------------------

std::vector<StudyScenario> StudyOptions::Scenarios() const {
  std::vector<StudyScenario> out;
  for (std::size_t labs : n)
    for (double t : tau_over_u)
      for (double ratio : u_ratio)
        for (double d : dof)
          for (const StudyOutliers& o : outliers)
            for (double rho : correlation) out.push_back({labs, t, ratio, d, o, rho});
  return out;
}

double StudyOptions::Runs() const {
  return static_cast<double>(Scenarios().size()) * static_cast<double>(repetitions) *
         static_cast<double>(estimators.size()) * (1.0 + static_cast<double>(mc_doe_trials));
}

namespace {

AnalysisOptions StudyAnalysisOptions(const StudyOptions& spec, const Estimator& e,
                                     const StudyEstimator& se, std::uint64_t seed) {
  AnalysisOptions options;
  options.estimators = {&e};
  options.estimator.coverage = spec.coverage;
  options.estimator.seed = seed;
  options.estimator.threads = 1;
  for (const auto& [key, value] : se.settings) {
    options.estimator.settings[se.estimator + "." + key] = value;
  }
  options.mc.trials = spec.mc_doe_trials;
  options.mc.seed = seed;
  options.mc.threads = 1;
  return options;
}

// Runs the estimator once on a fixed comparison so that unknown or bad settings are refused
// before the study starts.
StudyIssue ProbeSettings(const StudyOptions& spec, const Estimator& e, const StudyEstimator& se,
                         const std::string& field) {
  const std::size_t n = std::max<std::size_t>(5, e.info.min_labs);
  std::vector<LabResult> labs;
  for (std::size_t i = 0; i < n; ++i) {
    LabResult r;
    r.lab = fmt::format("L{}", i + 1);
    r.value = 0.3 * std::sin(1.7 * static_cast<double>(i + 1));
    r.u = 0.2 + 0.05 * static_cast<double>(i % 3);
    labs.push_back(r);
  }
  const Comparison c = Comparison::Create("probe", {}, labs);
  StudyOptions probe = spec;
  probe.mc_doe_trials = 0;
  try {
    Analyse(c, StudyAnalysisOptions(probe, e, se, 1));
  } catch (const InputError& error) {
    return {field + ".settings", fmt::format("{} ({})", error.what(), error.field())};
  } catch (const std::exception&) {
    // A numerical failure on the probe data is not a settings problem.
  }
  return {};
}

template <typename T, typename F>
StudyIssue CheckAll(const std::vector<T>& values, const std::string& field, F bad_reason) {
  if (values.empty()) return {field, "is empty: the grid needs at least one value"};
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::string why = bad_reason(values[i]);
    if (!why.empty()) return {fmt::format("{}[{}]", field, i), why};
  }
  return {};
}

}  // namespace

StudyIssue StudyOptions::Validate(bool force) const {
  if (repetitions < 1) return {"repetitions", "must be at least 1"};
  if (!(coverage > 0 && coverage < 1)) {
    return {"coverage", fmt::format("must lie in (0, 1), got {}", coverage)};
  }
  if (!(u > 0 && std::isfinite(u))) return {"u", fmt::format("must be > 0, got {}", u)};
  const auto finite_nonneg = [](double v) {
    return std::isfinite(v) && v >= 0 ? std::string() : fmt::format("must be >= 0, got {}", v);
  };
  std::vector<StudyIssue> issues = {
      CheckAll(n, "grid.n",
               [](std::size_t v) {
                 return v >= 2 && v <= kStudyMaxLabs
                            ? std::string()
                            : fmt::format("must lie in [2, {}], got {}", kStudyMaxLabs, v);
               }),
      CheckAll(tau_over_u, "grid.tau_over_u", finite_nonneg),
      CheckAll(u_ratio, "grid.u_ratio",
               [](double v) {
                 return std::isfinite(v) && v >= 1 ? std::string()
                                                   : fmt::format("must be >= 1, got {}", v);
               }),
      CheckAll(dof, "grid.dof",
               [](double v) {
                 return v >= 1 ? std::string()
                               : fmt::format("must be >= 1 (or \"inf\"), got {}", v);
               }),
      CheckAll(correlation, "grid.correlation",
               [](double v) {
                 return v >= 0 && v < 1 ? std::string()
                                        : fmt::format("must lie in [0, 1), got {}", v);
               }),
      CheckAll(outliers, "grid.outliers",
               [&](const StudyOutliers& o) {
                 if (!std::isfinite(o.shift)) return std::string("shift must be finite");
                 if (!(o.u_factor > 0 && std::isfinite(o.u_factor))) {
                   return fmt::format("u_factor must be > 0, got {}", o.u_factor);
                 }
                 for (std::size_t labs : n) {
                   if (o.count >= labs) {
                     return fmt::format("count {} leaves no good lab when n = {}", o.count, labs);
                   }
                 }
                 return std::string();
               }),
  };
  for (const StudyIssue& issue : issues) {
    if (!issue.empty()) return issue;
  }
  if (estimators.empty()) return {"estimators", "is empty: name at least one estimator"};
  for (std::size_t i = 0; i < estimators.size(); ++i) {
    const std::string field = fmt::format("estimators[{}]", i);
    const StudyEstimator& se = estimators[i];
    const Estimator* e = find_estimator ? find_estimator(se.estimator) : nullptr;
    if (e == nullptr) {
      return {field + ".estimator",
              fmt::format("unknown estimator '{}' (see `keycomp estimators`)", se.estimator)};
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (estimators[j].label == se.label) {
        return {field + ".label", fmt::format("'{}' is used twice", se.label)};
      }
    }
    for (std::size_t labs : n) {
      if (labs < e->info.min_labs) {
        return {"grid.n", fmt::format("estimator '{}' needs at least {} labs, the grid has n = {}",
                                      se.estimator, e->info.min_labs, labs)};
      }
    }
    if (StudyIssue issue = ProbeSettings(*this, *e, se, field); !issue.empty()) return issue;
  }
  if (mc_doe_trials > 0 && mc_doe_trials < 100) {
    return {"mc_doe_trials", "needs at least 100 trials (or 0: analytic DoE)"};
  }
  if (!force && Runs() > kStudyMaxRuns) {
    return {"repetitions",
            fmt::format("the study needs {:.3g} estimator runs (scenarios x repetitions x "
                        "estimators x (1 + mc_doe_trials)), above the limit of {:.3g}; pass "
                        "--force to run it anyway, or shard it (--shard I/N)",
                        Runs(), kStudyMaxRuns)};
  }
  return {};
}

// ---- Simulation ----------------------------------------------------------------------------

void StudyTally::Add(const StudyTally& o) {
  reps += o.reps;
  ok += o.ok;
  covered += o.covered;
  sum_error += o.sum_error;
  sum_error2 += o.sum_error2;
  sum_length += o.sum_length;
  good_labs += o.good_labs;
  good_doe_covered += o.good_doe_covered;
  good_en_exceed += o.good_en_exceed;
  outlier_labs += o.outlier_labs;
  outlier_doe_covered += o.outlier_doe_covered;
  outlier_en_exceed += o.outlier_en_exceed;
}

namespace {

// One synthetic comparison (true value 0) of scenario `s`, drawn from `rng`. Lab i: true u_i
// log-uniform about spec.u, x_i = b_i + e_i (+ shift u for an outlier), b_i ~ N(0, tau^2),
// e_i ~ N(0, u_i^2) equicorrelated with rho; stated u: u_i (x u_factor for an outlier), times
// sqrt(chi2_nu / nu) when the dof are finite.
Comparison DrawComparison(const StudyOptions& spec, const StudyScenario& s,
                          mc::Xoshiro256pp& rng) {
  const double tau = s.tau_over_u * spec.u;
  const double log_ratio = std::log(s.u_ratio);
  const double common = mc::StandardNormal(rng);
  const double rho = s.correlation;
  std::vector<LabResult> labs(s.n);
  for (std::size_t i = 0; i < s.n; ++i) {
    const bool outlier = i < s.outliers.count;
    const double u_true = spec.u * std::exp(log_ratio * (mc::Uniform01(rng) - 0.5));
    const double z = mc::StandardNormal(rng);
    const double b = mc::StandardNormal(rng);
    double u_stated = u_true * (outlier ? s.outliers.u_factor : 1.0);
    if (std::isfinite(s.dof)) {
      u_stated *= std::sqrt(2 * mc::StandardGamma(rng, s.dof / 2) / s.dof);
      labs[i].dof = s.dof;
    }
    LabResult& r = labs[i];
    r.lab = fmt::format("L{:03}", i + 1);
    r.value = tau * b + u_true * (std::sqrt(rho) * common + std::sqrt(1 - rho) * z) +
              (outlier ? s.outliers.shift * spec.u : 0.0);
    r.u = u_stated;
  }
  std::vector<Correlation> correlations;
  if (rho > 0) {
    for (std::size_t a = 0; a < s.n; ++a)
      for (std::size_t b = a + 1; b < s.n; ++b)
        correlations.push_back({labs[a].lab, labs[b].lab, rho, 0, ""});
  }
  return Comparison::Create("study", {}, std::move(labs), std::move(correlations));
}

void TallyRun(const StudyScenario& s, double u, const EstimatorAnalysis& entry, StudyTally& t) {
  if (entry.result.status != Status::kOk) return;
  const ReportedKcrv k = ReportKcrv(entry);
  if (!std::isfinite(k.value) || !std::isfinite(k.low) || !std::isfinite(k.high)) return;
  ++t.ok;
  t.covered += k.low <= 0 && 0 <= k.high;
  t.sum_error += k.value;
  t.sum_error2 += k.value * k.value;
  t.sum_length += k.high - k.low;
  for (std::size_t i = 0; i < entry.doe.labs.size(); ++i) {
    const LabDoe& d = entry.doe.labs[i];
    const bool outlier = i < s.outliers.count;
    const double truth = outlier ? s.outliers.shift * u : 0.0;
    const bool covered = d.low <= truth && truth <= d.high;
    const bool exceed = std::fabs(d.en) > 1;
    if (outlier) {
      ++t.outlier_labs;
      t.outlier_doe_covered += covered;
      t.outlier_en_exceed += exceed;
    } else {
      ++t.good_labs;
      t.good_doe_covered += covered;
      t.good_en_exceed += exceed;
    }
  }
}

StudyChunk RunChunk(const StudyOptions& spec, const std::vector<StudyScenario>& scenarios,
                    const std::vector<const Estimator*>& estimators, std::size_t index) {
  const std::size_t per = spec.ChunksPerScenario();
  const std::size_t s = index / per;
  const std::size_t first = (index % per) * kStudyChunk;
  const std::size_t last = std::min(first + kStudyChunk, spec.repetitions);
  StudyChunk chunk;
  chunk.index = index;
  chunk.tallies.resize(estimators.size());
  for (std::size_t rep = first; rep < last; ++rep) {
    mc::Xoshiro256pp rng = mc::BlockGenerator(spec.seed, s, rep);
    const std::uint64_t estimator_seed = rng();
    const Comparison c = DrawComparison(spec, scenarios[s], rng);
    for (std::size_t e = 0; e < estimators.size(); ++e) {
      StudyTally& t = chunk.tallies[e];
      ++t.reps;
      try {
        const Analysis a = Analyse(
            c, StudyAnalysisOptions(spec, *estimators[e], spec.estimators[e], estimator_seed));
        TallyRun(scenarios[s], spec.u, a.results.front(), t);
      } catch (const std::exception&) {
        // A run that cannot be done counts as a failure.
      }
    }
  }
  return chunk;
}

}  // namespace

std::vector<StudyChunk> RunStudyChunks(const StudyOptions& spec, std::size_t first,
                                       std::size_t last, unsigned threads,
                                       const std::function<void(double)>& progress) {
  const std::vector<StudyScenario> scenarios = spec.Scenarios();
  std::vector<const Estimator*> estimators;
  for (const StudyEstimator& se : spec.estimators) {
    const Estimator* e = spec.find_estimator ? spec.find_estimator(se.estimator) : nullptr;
    if (e == nullptr) throw InputError("", 0, "estimators", "unknown estimator " + se.estimator);
    estimators.push_back(e);
  }
  std::vector<StudyChunk> chunks(last - first);
  std::atomic<std::size_t> done{0};
  mc::ParallelForBlocks(chunks.size(), threads, [&](std::size_t block, unsigned) {
    chunks[block] = RunChunk(spec, scenarios, estimators, first + block);
    const std::size_t d = ++done;
    if (progress) progress(static_cast<double>(d) / static_cast<double>(chunks.size()));
  });
  return chunks;
}

std::pair<std::size_t, std::size_t> StudyShardRange(std::size_t chunks, std::size_t shard,
                                                    std::size_t shards) {
  return {chunks * shard / shards, chunks * (shard + 1) / shards};
}

std::vector<std::vector<StudyTally>> ReduceStudyChunks(const StudyOptions& spec,
                                                       std::vector<StudyChunk> chunks,
                                                       const std::string& source) {
  std::sort(chunks.begin(), chunks.end(),
            [](const StudyChunk& a, const StudyChunk& b) { return a.index < b.index; });
  const std::size_t total = spec.ChunkCount();
  for (std::size_t i = 0; i < total; ++i) {
    if (i >= chunks.size() || chunks[i].index != i) {
      const bool twice = i < chunks.size() && i > 0 && chunks[i].index == i - 1;
      throw InputError(source, 0, "chunks",
                       twice ? fmt::format("chunk {} is given twice (overlapping shards)", i - 1)
                             : fmt::format("chunk {} of {} is missing (a shard not given?)", i,
                                           total));
    }
    if (chunks[i].tallies.size() != spec.estimators.size()) {
      throw InputError(source, 0, "chunks", fmt::format("chunk {} has the wrong size", i));
    }
  }
  if (chunks.size() > total) {
    throw InputError(source, 0, "chunks", "more chunks than the spec has (overlapping shards)");
  }
  const std::size_t per = spec.ChunksPerScenario();
  std::vector<std::vector<StudyTally>> totals(total / per,
                                              std::vector<StudyTally>(spec.estimators.size()));
  for (const StudyChunk& c : chunks) {
    for (std::size_t e = 0; e < c.tallies.size(); ++e) totals[c.index / per][e].Add(c.tallies[e]);
  }
  return totals;
}

StudyMetrics ComputeStudyMetrics(const StudyTally& t) {
  StudyMetrics m;
  auto ratio = [](double a, std::uint64_t b) { return b == 0 ? kNaN : a / static_cast<double>(b); };
  m.reps = t.reps;
  m.failures = t.reps - t.ok;
  m.failure_rate = ratio(static_cast<double>(m.failures), t.reps);
  m.bias = ratio(t.sum_error, t.ok);
  m.rmse = std::sqrt(ratio(t.sum_error2, t.ok));
  m.coverage = ratio(static_cast<double>(t.covered), t.ok);
  m.coverage_se = std::sqrt(m.coverage * (1 - m.coverage) / static_cast<double>(t.ok));
  m.mean_length = ratio(t.sum_length, t.ok);
  m.doe_coverage_good = ratio(static_cast<double>(t.good_doe_covered), t.good_labs);
  m.doe_coverage_outlier = ratio(static_cast<double>(t.outlier_doe_covered), t.outlier_labs);
  m.en_rate_good = ratio(static_cast<double>(t.good_en_exceed), t.good_labs);
  m.en_rate_outlier = ratio(static_cast<double>(t.outlier_en_exceed), t.outlier_labs);
  return m;
}

}  // namespace keycomp

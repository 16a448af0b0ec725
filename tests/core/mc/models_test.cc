// Built-in models (core/mc/models/): each compiled loop against its own expression form, the
// dPCR counting uncertainty against exact binomial sums and Bhat's first-order formula, the
// Kibble and XRCD GUM uncertainties against the closed-form relative-uncertainty sums, and
// per-lab model files resolved into a comparison.
#include <boost/math/distributions/binomial.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/input_error.h"
#include "core/mc/lab_models.h"
#include "core/mc/models/builtin_models.h"
#include "core/mc/models/xrcd_sphere.h"
#include "tests/core/mc/mc_test_support.h"
#include "tests/test_support.h"

namespace keycomp::mc {
namespace {

using keycomp::testing::SourcePath;

ModelFile ReadDataset(const std::string& relative) { return ReadModelFile(SourcePath(relative)); }

McResult Run(const MeasurementModel& model, std::size_t trials, std::uint64_t seed) {
  const auto compiled = CompileModel(model);
  McOptions options;
  options.trials = trials;
  options.seed = seed;
  options.coverage = model.coverage;
  return RunMonteCarlo(model, *compiled, options);
}

TEST_CASE("each built-in model agrees with its expression form on the same draws") {
  for (const char* dataset : {"datasets/dpcr_example/LabD.json",
                              "datasets/kibble_balance_example/model.json",
                              "datasets/xrcd_sphere_example/model.json"}) {
    ModelFile file = ReadDataset(dataset);
    const BuiltinModel* builtin = FindBuiltinModel(file.model.builtin);
    REQUIRE(builtin != nullptr);
    const McResult compiled = Run(file.model, 100000, 11);
    MeasurementModel as_expression = file.model;
    as_expression.builtin.clear();
    as_expression.expression = builtin->expression;
    // The expression names roles; give absent optional roles and prefixed ones their values.
    std::string dilution;
    for (const ModelInput& in : file.model.inputs) {
      if (in.name.rfind("dilution", 0) == 0) dilution += (dilution.empty() ? "" : " * ") + in.name;
    }
    if (file.model.builtin == "rt_dpcr") {
      as_expression.expression = "-ln(1 - k/n) / (V * 1e-3) * (" +
                                 (dilution.empty() ? std::string("1") : dilution) + ")";
    }
    if (file.model.builtin == "xrcd_sphere" && file.model.IndexOf("m_deficit") == file.model.inputs.size()) {
      as_expression.expression = "8 * M * V_core / (6.02214076e23 * a^3) + m_SL";
    }
    const McResult expression = Run(as_expression, 100000, 11);
    INFO(dataset);
    REQUIRE(compiled.status == Status::kOk);
    CHECK(compiled.mean == Approx(expression.mean).epsilon(1e-12));
    CHECK(compiled.u == Approx(expression.u).epsilon(1e-6));
  }
}

TEST_CASE("rt_dpcr: counting uncertainty against exact binomial sums and Bhat 2009") {
  // Only the count is uncertain: c = -ln(1 - K/n) / V, K ~ binomial(n, k/n).
  const double n = 20000, k = 5146, volume_nl = 0.85;
  const std::string model = R"({"builtin": "rt_dpcr", "inputs": {
      "k": {"dist": "binomial", "n": 20000, "k": 5146},
      "n": 20000, "V": 0.85}})";
  const auto b = testing::RunBatches(model, 20, 50000, 500);
  // Exact moments of -ln(1 - K/n) by summing over the binomial pmf (K = n has probability
  // p^n, below the smallest double).
  const boost::math::binomial_distribution<> binomial(n, k / n);
  double m1 = 0, m2 = 0;
  for (double j = 0; j < n; ++j) {
    const double w = pdf(binomial, j);
    const double c = -std::log1p(-j / n) / (volume_nl * 1e-3);
    m1 += w * c;
    m2 += w * c * c;
  }
  const double sd = std::sqrt(m2 - m1 * m1);
  CHECK(std::abs(b.mean.value - m1) <= 5 * b.mean.se);
  CHECK(std::abs(b.u.value - sd) <= 5 * b.u.se);
  // GUM first order = Bhat's u(lambda) = sqrt(p / (n (1 - p))), over V.
  const double p = k / n;
  const double bhat = std::sqrt(p / (n * (1 - p))) / (volume_nl * 1e-3);
  CHECK(b.first.gum.u == Approx(bhat).epsilon(1e-6));
  CHECK(b.first.gum.value == Approx(-std::log1p(-p) / (volume_nl * 1e-3)).epsilon(1e-14));
}

TEST_CASE("kibble_balance and xrcd_sphere: GUM u equals the closed-form relative sums") {
  {
    const ModelFile f = ReadDataset("datasets/kibble_balance_example/model.json");
    const McResult r = Run(f.model, 100000, 12);
    double rel2 = 0;  // m = U I / (g v): u_rel^2 = sum of the inputs' u_rel^2
    for (const ModelInput& in : f.model.inputs) {
      rel2 += std::pow(in.distribution.sd / in.distribution.mean, 2);
    }
    const auto at = [&](const char* name) {
      return f.model.inputs[f.model.IndexOf(name)].distribution.mean;
    };
    const double m = at("U") * at("I") / (at("g") * at("v"));
    CHECK(r.gum.value == Approx(m).epsilon(1e-15));
    CHECK(r.gum.u == Approx(m * std::sqrt(rel2)).epsilon(1e-5));
    // Relative uncertainties of 1e-8: the model is linear to ~1e-16, MC u = GUM u.
    CHECK(std::abs(r.u - r.gum.u) <= 5 * r.gum.u / std::sqrt(2 * 100000.0));
  }
  {
    const ModelFile f = ReadDataset("datasets/xrcd_sphere_example/model.json");
    const McResult r = Run(f.model, 100000, 13);
    const auto d = [&](const char* name) { return f.model.inputs[f.model.IndexOf(name)].distribution; };
    const double core = 8 * d("M").mean * d("V_core").mean / (kAvogadro * std::pow(d("a").mean, 3));
    // u^2 = core^2 (u_rel(M)^2 + u_rel(V)^2 + 9 u_rel(a)^2) + u(m_SL)^2 + u(m_deficit)^2.
    const double u_deficit = (d("m_deficit").high - d("m_deficit").low) / std::sqrt(12.0);
    const double u = std::sqrt(core * core *
                                   (std::pow(d("M").sd / d("M").mean, 2) +
                                    std::pow(d("V_core").sd / d("V_core").mean, 2) +
                                    9 * std::pow(d("a").sd / d("a").mean, 2)) +
                               std::pow(d("m_SL").sd, 2) + u_deficit * u_deficit);
    CHECK(r.gum.value == Approx(core + d("m_SL").mean - d("m_deficit").Expectation()).epsilon(1e-15));
    CHECK(r.gum.u == Approx(u).epsilon(1e-5));
  }
}

TEST_CASE("a built-in model names its missing and unknown inputs") {
  const std::string missing = R"({"builtin": "kibble_balance", "inputs": {
      "U": {"dist": "normal", "mean": 1, "sd": 1e-9}, "I": 0.01, "g": 9.8}})";
  CHECK_THROWS_WITH(CompileModel(ParseModelJson(missing, "m.json").model),
                    Catch::Contains("inputs.v"));
  const std::string extra = R"({"builtin": "kibble_balance", "inputs": {
      "U": {"dist": "normal", "mean": 1, "sd": 1e-9}, "I": 0.01, "g": 9.8, "v": 0.002, "w": 1}})";
  CHECK_THROWS_WITH(CompileModel(ParseModelJson(extra, "m.json").model),
                    Catch::Contains("inputs.w") && Catch::Contains("unknown variable 'w'"));
  const std::string unknown = R"({"builtin": "watt", "inputs": {"U": {"dist": "normal", "mean": 1, "sd": 1}}})";
  CHECK_THROWS_WITH(CompileModel(ParseModelJson(unknown, "m.json").model),
                    Catch::Contains("builtin") && Catch::Contains("kibble_balance"));
}

TEST_CASE("per-lab model files become the labs' results in a comparison") {
  std::vector<LabModelResult> labs;
  const Comparison c = ReadComparisonWithLabModels(
      SourcePath("datasets/dpcr_example/comparison.csv"), {7, 2}, &labs);
  REQUIRE(c.size() == 4);
  REQUIRE(labs.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    // Each lab's value and u are its own Monte Carlo result, run on its own.
    const ModelFile f = ReadModelFile(labs[i].model_path);
    const auto compiled = CompileModel(f.model);
    McOptions o;
    o.trials = *f.run.trials;
    o.seed = 7 + i;
    const McResult r = RunMonteCarlo(f.model, *compiled, o);
    CHECK(c.results()[i].lab == labs[i].lab);
    CHECK(c.results()[i].value == r.mean);
    CHECK(c.results()[i].u == r.u);
    CHECK(std::isinf(c.results()[i].dof));
    // Computed, not reported: no text of the lab's to show.
    CHECK(c.results()[i].computed);
    CHECK(c.results()[i].reported.value.empty());
    CHECK(c.results()[i].reported.u.empty());
  }
  // The JSON form gives the same numbers.
  const Comparison j =
      ReadComparisonWithLabModels(SourcePath("datasets/dpcr_example/comparison.json"), {7, 1});
  for (std::size_t i = 0; i < 4; ++i) CHECK(j.results()[i].value == c.results()[i].value);
  // A comparison without models reads as before.
  CHECK(ReadComparisonWithLabModels(SourcePath("datasets/ccqm_k25_pcb28/results.csv"), {}).size() > 0);
}

TEST_CASE("a lab model that cannot be evaluated stops the comparison with the lab named") {
  const std::string dir = std::string(KEYCOMP_BINARY) + "_labmodel_tmp";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/bad.json") << R"j({"model": "ln(x)", "inputs": {"x": {"dist": "normal", "mean": 0, "sd": 1}}, "trials": 1000})j";
  std::ofstream(dir + "/c.csv") << "lab,value,u,model\nA,1,0.1,\nB,,,bad.json\n";
  CHECK_THROWS_WITH(ReadComparisonWithLabModels(dir + "/c.csv", {}),
                    Catch::Contains("lab 'B'") && Catch::Contains("NaN or infinity"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace keycomp::mc

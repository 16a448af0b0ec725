// `keycomp mc` end to end: bad model files (exit 2, the message names the field, no output file
// left), a model giving NaN (exit 1 with the count), JSON identical for --threads 1 and 2, the
// contract's JSON fields.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/keycomp_cli.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using keycomp::testing::RunBinary;
using keycomp::testing::SourcePath;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

CliRun Keycomp(std::vector<std::string> args) {
  args.insert(args.begin(), "keycomp");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  CliRun r;
  r.code = keycomp::RunKeycomp(static_cast<int>(argv.size()), argv.data(), out, err, false);
  r.out = out.str();
  r.err = err.str();
  return r;
}

fs::path TempDir() {
  const fs::path dir = fs::path(KEYCOMP_BINARY).parent_path() / "mc_command_test_tmp";
  fs::create_directories(dir);
  return dir;
}

struct BadModel {
  const char* name;
  const char* json;
  const char* message;  ///< what stderr must contain
};

// One normal and one rectangular input unless the case says otherwise.
const BadModel kBadModels[] = {
    {"unknown variable", R"({"model": "a + c", "inputs": {"a": {"dist": "normal", "mean": 0, "sd": 1}}})",
     "field 'model': unknown variable 'c'"},
    {"syntax error", R"({"model": "a * (2 +", "inputs": {"a": {"dist": "normal", "mean": 0, "sd": 1}}})",
     "field 'model': syntax error"},
    {"assignment", R"({"model": "a = 3", "inputs": {"a": {"dist": "normal", "mean": 0, "sd": 1}}})",
     "field 'model': the expression may not assign"},
    {"sd zero", R"({"model": "a", "inputs": {"a": {"dist": "normal", "mean": 0, "sd": 0}}})",
     "field 'inputs.a.sd': must be > 0"},
    {"sd negative", R"({"model": "a", "inputs": {"a": {"dist": "normal", "mean": 0, "sd": -1}}})",
     "field 'inputs.a.sd'"},
    {"low >= high", R"({"model": "a", "inputs": {"a": {"dist": "rectangular", "low": 2, "high": 2}}})",
     "field 'inputs.a.high': low must be < high"},
    {"mode outside", R"({"model": "a", "inputs": {"a": {"dist": "triangular", "low": 0, "mode": 3, "high": 2}}})",
     "field 'inputs.a.mode'"},
    {"t dof zero", R"({"model": "a", "inputs": {"a": {"dist": "student_t", "mean": 0, "scale": 1, "dof": 0}}})",
     "field 'inputs.a.dof'"},
    {"beta outside", R"({"model": "a", "inputs": {"a": {"dist": "trapezoidal", "low": 0, "high": 1, "beta": 1.5}}})",
     "field 'inputs.a.beta'"},
    {"binomial p", R"({"model": "a", "inputs": {"a": {"dist": "binomial", "n": 10, "p": 1.2}}})",
     "field 'inputs.a.p'"},
    {"gamma shape", R"({"model": "a", "inputs": {"a": {"dist": "gamma", "shape": -1, "scale": 1}}})",
     "field 'inputs.a.shape'"},
    {"missing parameter", R"({"model": "a", "inputs": {"a": {"dist": "normal", "mean": 0}}})",
     "field 'inputs.a.sd': missing parameter 'sd'"},
    {"misspelt parameter", R"({"model": "a", "inputs": {"a": {"dist": "normal", "mean": 0, "sdd": 1}}})",
     "field 'inputs.a.sdd'"},
    {"unknown distribution", R"({"model": "a", "inputs": {"a": {"dist": "cauchy", "mean": 0}}})",
     "field 'inputs.a.dist': unknown distribution 'cauchy'"},
    {"non-numeric parameter", R"({"model": "a", "inputs": {"a": {"dist": "normal", "mean": "x", "sd": 1}}})",
     "field 'inputs.a.mean': expected a number"},
    {"unknown field", R"({"modle": "a", "inputs": {"a": {"dist": "normal", "mean": 0, "sd": 1}}})",
     "field 'modle'"},
    {"no random input", R"({"model": "a", "inputs": {"a": 3}})", "field 'inputs'"},
    {"correlation outside [-1, 1]", R"({"model": "a + b", "inputs": {"a": {"dist": "normal", "mean": 0, "sd": 1},
      "b": {"dist": "normal", "mean": 0, "sd": 1}}, "correlations": [{"a": "a", "b": "b", "r": 1.5}]})",
     "field 'correlations[0].r'"},
    {"correlation unknown input", R"({"model": "a + b", "inputs": {"a": {"dist": "normal", "mean": 0, "sd": 1},
      "b": {"dist": "normal", "mean": 0, "sd": 1}}, "correlations": [{"a": "a", "b": "z", "r": 0.5}]})",
     "field 'correlations[0].b': unknown input 'z'"},
    {"correlation not PSD", R"({"model": "a + b + c", "inputs": {"a": {"dist": "normal", "mean": 0, "sd": 1},
      "b": {"dist": "normal", "mean": 0, "sd": 1}, "c": {"dist": "normal", "mean": 0, "sd": 1}},
      "correlations": [{"a": "a", "b": "b", "r": 0.9}, {"a": "b", "b": "c", "r": 0.9},
                       {"a": "a", "b": "c", "r": -0.9}]})",
     "field 'correlations': the correlation matrix is not positive semi-definite"},
    {"invalid JSON", "{\"model\": \"a\",\n \"inputs\": {\n", "line 3"},
    {"coverage", R"({"model": "a", "coverage": 1.5, "inputs": {"a": {"dist": "normal", "mean": 0, "sd": 1}}})",
     "field 'coverage'"},
};

TEST_CASE("bad model files: exit 2, the message names the field, no output file") {
  const fs::path dir = TempDir();
  for (const BadModel& c : kBadModels) {
    const fs::path model = dir / "bad_model.json";
    std::ofstream(model) << c.json;
    const fs::path out = dir / "out.json";
    fs::remove(out);
    const CliRun r = Keycomp({"mc", model.string(), "--trials", "1000", "-o", out.string()});
    INFO(c.name << ": " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
    CHECK_THAT(r.err, Catch::Contains("bad_model.json"));
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("bad options: exit 2") {
  const std::string model = SourcePath("datasets/jcgm101_mass_calibration/model.json");
  CHECK(Keycomp({"mc", model, "--trials", "1"}).code == 2);
  CHECK(Keycomp({"mc", model, "--trials", "1000", "--adaptive"}).code == 2);
  CHECK(Keycomp({"mc", model, "--digits", "0", "--adaptive"}).code == 2);
  CHECK(Keycomp({"mc", model, "--coverage", "1"}).code == 2);
  CHECK(Keycomp({"mc", "no/such/file.json"}).code == 2);
}

TEST_CASE("a model giving NaN in some trials: exit 1 with the count, no output file") {
  const fs::path dir = TempDir();
  const fs::path model = dir / "nan_model.json";
  std::ofstream(model) << R"j({"model": "sqrt(x)", "inputs": {"x": {"dist": "normal", "mean": 2, "sd": 1}}})j";
  const fs::path out = dir / "nan_out.json";
  fs::remove(out);
  const CliRun r = Keycomp({"mc", model.string(), "--trials", "20000", "-o", out.string()});
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("NaN or infinity in") && Catch::Contains("of 20000 trials"));
  CHECK_FALSE(fs::exists(out));
  const CliRun dropped = Keycomp({"mc", model.string(), "--trials", "20000", "--drop-nonfinite"});
  CHECK(dropped.code == 0);
  const auto j = nlohmann::json::parse(dropped.out);
  CHECK(j["nonfinite_trials"].get<int>() > 0);
}

TEST_CASE("the JSON output is identical for --threads 1 and --threads 2") {
  for (const char* dataset : {"datasets/jcgm101_mass_calibration/model.json",
                              "datasets/dpcr_example/LabD.json"}) {
    const std::string model = SourcePath(dataset);
    const auto one = RunBinary("mc '" + model + "' --trials 200000 --seed 4 --threads 1 --format json");
    const auto two = RunBinary("mc '" + model + "' --trials 200000 --seed 4 --threads 2 --format json");
    INFO(dataset);
    REQUIRE(one.exit_code == 0);
    CHECK(one.out == two.out);
    const auto adaptive1 = Keycomp({"mc", model, "--adaptive", "--seed", "4", "--threads", "1"});
    const auto adaptive2 = Keycomp({"mc", model, "--adaptive", "--seed", "4", "--threads", "2"});
    CHECK(adaptive1.out == adaptive2.out);
  }
}

TEST_CASE("the JSON holds the contract's fields") {
  const CliRun r = Keycomp({"mc", SourcePath("datasets/jcgm101_mass_calibration/model.json"),
                            "--trials", "100000", "--seed", "3"});
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"mean", "u", "interval", "shortest_interval", "coverage", "trials",
                          "seed", "gum", "validation", "histogram"}) {
    INFO(key);
    CHECK(j.contains(key));
  }
  CHECK(j["trials"] == 100000);
  CHECK(j["seed"] == 3);
  CHECK(j["interval"].size() == 2);
  CHECK(j["gum"]["sensitivity"].contains("mR_c"));
  CHECK(j["gum"].contains("value"));
  CHECK(j["gum"].contains("u"));
  std::size_t counted = j["histogram"]["below"].get<std::size_t>() + j["histogram"]["above"].get<std::size_t>();
  for (const auto& c : j["histogram"]["counts"]) counted += c.get<std::size_t>();
  CHECK(counted == 100000);
  CHECK(Keycomp({"mc", "--help"}).out.find("Example") != std::string::npos);
  CHECK(Keycomp({"mc", "--list-builtins"}).out.find("rt_dpcr") != std::string::npos);
}

TEST_CASE("analyse runs a dPCR comparison from partition counts in one command") {
  const auto r = RunBinary("analyse '" + SourcePath("datasets/dpcr_example/comparison.csv") +
                           "' --format json --seed 1");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["comparison"]["n"] == 4);
  CHECK(j["results"][0]["doe"].size() == 4);
}

}  // namespace

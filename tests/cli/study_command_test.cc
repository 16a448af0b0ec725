// `keycomp study` through the binary: closed-form coverage of the weighted mean, bit-identical
// results for any thread count and shard split, bad specs refused with exit 2 naming the field.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using keycomp::testing::RunBinary;
using keycomp::testing::SourcePath;

fs::path TempDir() {
  const fs::path dir = fs::path(KEYCOMP_BINARY).parent_path() / "study_command_test_tmp";
  fs::create_directories(dir);
  return dir;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string WriteSpec(const std::string& name, const std::string& text) {
  const fs::path path = TempDir() / name;
  std::ofstream(path) << text;
  return path.string();
}

double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

const nlohmann::json& Metrics(const nlohmann::json& doc, std::size_t n, double tau,
                              std::size_t outliers, const std::string& label) {
  for (const auto& s : doc["scenarios"]) {
    if (s["n"] != n || s["tau_over_u"] != tau || s["outliers"]["count"] != outliers) continue;
    for (const auto& e : s["estimators"]) {
      if (e["label"] == label) return e;
    }
  }
  FAIL("scenario not found");
  static nlohmann::json none;
  return none;
}

}  // namespace

TEST_CASE("study: weighted mean coverage matches the closed form") {
  const auto run = RunBinary("study '" + SourcePath("examples/study-small.json") + "' --threads 2");
  REQUIRE(run.exit_code == 0);
  const auto doc = nlohmann::json::parse(run.out);
  for (std::size_t n : {5, 10}) {
    // tau = 0, correct u: the interval x_ref -/+ 1.96 u_ref is exact, coverage 0.95.
    const auto& m0 = Metrics(doc, n, 0, 0, "weighted_mean");
    const double r = m0["repetitions"].get<double>();
    const double se = std::sqrt(0.95 * 0.05 / r);
    CHECK(std::fabs(m0["coverage"].get<double>() - 0.95) < 4 * se);
    CHECK(m0["failures"] == 0);
    // tau = 2u, equal u: the error has variance (1 + 4) u^2 / n while the interval uses u^2 / n,
    // so coverage = 2 Phi(1.96 / sqrt 5) - 1 = 0.619, well below 0.95.
    const auto& m2 = Metrics(doc, n, 2, 0, "weighted_mean");
    const double p2 = 2 * NormalCdf(1.959963984540054 / std::sqrt(5.0)) - 1;
    const double se2 = std::sqrt(p2 * (1 - p2) / r);
    CHECK(std::fabs(m2["coverage"].get<double>() - p2) < 4 * se2);
    CHECK(m2["coverage"].get<double>() < 0.95 - 10 * se);
    // Bias of the mean under no outlier: 0 within 4 standard errors (sd = sqrt(5/n) u).
    CHECK(std::fabs(m2["bias"].get<double>()) < 4 * std::sqrt(5.0 / n / r));
    // E_n rate of good labs at tau = 0: |d| / (2 u(d)) > 1 with d ~ N(0, u(d)^2): 2 Phi(-2).
    // The n labs of one repetition are not independent (their d sum to zero), so the binomial
    // standard error over lab-repetitions is widened threefold.
    const double en = 2 * NormalCdf(-2);
    const double labs = r * static_cast<double>(n);
    CHECK(std::fabs(m0["en_rate_good"].get<double>() - en) < 4 * std::sqrt(en * (1 - en) / labs) * 3);
  }
  // One outlier 5 u high among n = 5 labs of equal u: the weighted mean is biased by 5/5 = 1 u.
  const auto& mo = Metrics(doc, 5, 0, 1, "weighted_mean");
  CHECK(std::fabs(mo["bias"].get<double>() - 1.0) < 4 * std::sqrt(1.0 / 5 / 2000));
}

TEST_CASE("study: same bytes for any threads and any shard split") {
  const std::string spec = SourcePath("examples/study-small.json");
  const fs::path dir = TempDir();
  const auto one = RunBinary("study '" + spec + "' --threads 1 -o '" + (dir / "one.json").string() + "'");
  const auto two = RunBinary("study '" + spec + "' --threads 2 -o '" + (dir / "two.json").string() + "'");
  REQUIRE(one.exit_code == 0);
  REQUIRE(two.exit_code == 0);
  CHECK(Slurp(dir / "one.json") == Slurp(dir / "two.json"));
  std::string shards;
  for (int i = 1; i <= 3; ++i) {
    const fs::path part = dir / ("part" + std::to_string(i) + ".json");
    const auto r = RunBinary("study '" + spec + "' --threads 2 --shard " + std::to_string(i) +
                             "/3 -o '" + part.string() + "'");
    REQUIRE(r.exit_code == 0);
    shards += " '" + part.string() + "'";
  }
  const auto merged = RunBinary("study merge" + shards + " -o '" + (dir / "merged.json").string() +
                                "' --csv '" + (dir / "merged.csv").string() + "'");
  REQUIRE(merged.exit_code == 0);
  CHECK(Slurp(dir / "merged.json") == Slurp(dir / "one.json"));
  // A missing shard is bad input, not a silently partial result.
  const auto partial = RunBinary("study merge '" + (dir / "part1.json").string() + "' '" +
                                 (dir / "part3.json").string() + "'");
  CHECK(partial.exit_code == 2);
  CHECK_THAT(partial.err, Catch::Contains("missing"));
}

TEST_CASE("study: bad specs exit 2 naming the field, leaving no output") {
  const std::string grid = R"("grid": {"n": [5], "tau_over_u": [0]})";
  struct Bad {
    const char* name;
    std::string spec;
    const char* field;
    std::string extra = "";
  };
  const Bad bad[] = {
      {"unknown_estimator.json", "{" + grid + R"(, "estimators": ["wieghted_mean"]})",
       "estimators[0].estimator"},
      {"unknown_setting.json",
       "{" + grid + R"(, "estimators": [{"estimator": "dersimonian_laird", "settings": {"uu": "x"}}]})",
       "estimators[0].settings"},
      {"bad_setting_value.json",
       "{" + grid + R"(, "estimators": [{"estimator": "dersimonian_laird", "settings": {"u": "x"}}]})",
       "estimators[0].settings"},
      {"empty_grid.json", R"({"grid": {"n": [], "tau_over_u": [0]}, "estimators": ["median"]})",
       "grid.n"},
      {"negative_tau.json", R"({"grid": {"n": [5], "tau_over_u": [0, -1]}, "estimators": ["median"]})",
       "grid.tau_over_u[1]"},
      {"negative_u.json", "{\"u\": -1, " + grid + R"(, "estimators": ["median"]})", "u"},
      {"too_big.json", "{\"repetitions\": 3000000, " + grid + R"(, "estimators": ["median"]})",
       "repetitions"},
      {"unknown_key.json", "{\"repetitons\": 10, " + grid + R"(, "estimators": ["median"]})",
       "repetitons"},
  };
  for (const Bad& b : bad) {
    INFO(b.name);
    const std::string path = WriteSpec(b.name, b.spec);
    const fs::path out = TempDir() / "never.json";
    fs::remove(out);
    const auto r = RunBinary("study '" + path + "' -o '" + out.string() + "'");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(b.field));
    CHECK_THAT(r.err, Catch::Contains(b.name));
    CHECK_FALSE(fs::exists(out));
  }
  const auto shard = RunBinary("study '" + SourcePath("examples/study-small.json") + "' --shard 4/3");
  CHECK(shard.exit_code == 2);
  CHECK_THAT(shard.err, Catch::Contains("--shard"));
}

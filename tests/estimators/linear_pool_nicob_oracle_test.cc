// Parity of linear_pool with the NIST Consensus Builder's own code: golden.csv in
// tests/oracle/nicob_linear_pool holds, for each of the Consensus Builder's example files, the
// run-to-run distribution of what its linearOP.R gives (1000 independent runs of its default
// 10^5 draws; generate.R, README.md). keycomp runs the same data (cases/*.csv) with the same
// number of draws and fixed seeds.
//
// Tolerances come from the Consensus Builder's Monte Carlo error, never from normal theory
// where the tails forbid it:
//   KCRV and interval ends: keycomp's are exact (mixture mean, mixture quantiles by a root
//     finder); they must lie within 4 batch-means standard errors of the mean over the runs.
//   u, all components with finite variance (keycomp's closed form): within 4 standard errors.
//   u, some lab with dof <= 2 (no finite variance; u is the sd of the draws, a sample figure):
//     the median of keycomp's u over 64 seeds must lie between the quartiles of the Consensus
//     Builder's u over its runs. If both come from the same distribution that fails with
//     probability below 1e-5 (the median of 64 falls below the lower quartile only if 32 of 64
//     do, Binomial(64, 1/4): 4.6 sd). The default seed's own u must lie within the runs'
//     0.5 % and 99.5 % quantiles.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

namespace {

const std::string kDir = std::string(KEYCOMP_SOURCE_DIR) + "/tests/oracle/nicob_linear_pool";

using Row = std::map<std::string, std::string>;

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::vector<Row> ReadGolden() {
  std::ifstream in(kDir + "/golden.csv");
  std::vector<Row> rows;
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header.empty()) {
      header = Split(line);
      continue;
    }
    const auto fields = Split(line);
    REQUIRE(fields.size() == header.size());
    Row row;
    for (std::size_t k = 0; k < header.size(); ++k) row[header[k]] = fields[k];
    rows.push_back(row);
  }
  return rows;
}

double Number(const Row& row, const std::string& key) { return std::stod(row.at(key)); }

// Checks the case file against the golden row's digest of the lab-level data.
void CheckDigest(const keycomp::Comparison& c, const Row& row) {
  double sum_x = 0, sum_u = 0, sum_dof = 0;
  for (const auto& r : c.results()) {
    sum_x += r.value;
    sum_u += r.u;
    sum_dof += r.dof;
  }
  CHECK(c.size() == static_cast<std::size_t>(Number(row, "n")));
  CHECK(sum_x == Approx(Number(row, "sum_x")).epsilon(1e-13).margin(1e-13));
  CHECK(sum_u == Approx(Number(row, "sum_u")).epsilon(1e-13));
  if (row.at("sum_dof") == "inf") {
    CHECK(std::isinf(sum_dof));
  } else {
    CHECK(sum_dof == Approx(Number(row, "sum_dof")).epsilon(1e-13));
  }
}

// |keycomp - NICOB's mean over runs| in units of NICOB's standard error.
double InSe(double keycomp, const Row& row, const std::string& what) {
  return std::abs(keycomp - Number(row, what + "_mean")) / Number(row, what + "_se");
}

}  // namespace

TEST_CASE("linear_pool agrees with the NIST Consensus Builder's linearOP.R on its examples",
          "[linear_pool][nicob]") {
  const auto golden = ReadGolden();
  REQUIRE(golden.size() == 6);
  const keycomp::Estimator& pool = *keycomp::FindEstimator("linear_pool");
  for (const Row& row : golden) {
    const std::string name = row.at("example");
    INFO("example " << name);
    const auto c = keycomp::ReadComparisonFile(kDir + "/cases/" + name + ".csv");
    CheckDigest(c, row);
    keycomp::EstimatorOptions o;
    o.settings = {{"draws", row.at("draws")}};
    const auto r = keycomp::RunEstimator(pool, c, o);
    REQUIRE(r.status == keycomp::Status::kOk);
    const bool heavy = !row.at("dof_le2").empty();
    CHECK(r.warnings.size() == (heavy ? 1u : 0u));

    const double kcrv_se = InSe(r.value, row, "kcrv");
    const double low_se = InSe(r.interval_low, row, "low");
    const double high_se = InSe(r.interval_high, row, "high");
    CHECK(kcrv_se < 4);
    CHECK(low_se < 4);
    CHECK(high_se < 4);
    std::string u_text;
    if (!heavy) {
      const double u_se = InSe(r.u, row, "u");
      CHECK(u_se < 4);
      u_text = fmt::format("u {:.6g} ({:.2f} se)", r.u, u_se);
    } else {
      CHECK(r.u > Number(row, "u_q005"));
      CHECK(r.u < Number(row, "u_q995"));
      std::vector<double> us;
      for (std::uint64_t seed = 1; seed <= 64; ++seed) {
        keycomp::EstimatorOptions s = o;
        s.seed = seed;
        us.push_back(keycomp::RunEstimator(pool, c, s).u);
      }
      std::sort(us.begin(), us.end());
      const double median = 0.5 * (us[31] + us[32]);
      CHECK(median > Number(row, "u_q25"));
      CHECK(median < Number(row, "u_q75"));
      u_text = fmt::format("u {:.6g}, median over 64 seeds {:.6g} (NICOB quartiles {:.6g}, {:.6g})",
                           r.u, median, Number(row, "u_q25"), Number(row, "u_q75"));
    }
    WARN(fmt::format(
        "{}: kcrv {:.8g} ({:.2f} se), interval [{:.8g} ({:.2f} se), {:.8g} ({:.2f} se)], {}", name,
        r.value, kcrv_se, r.interval_low, low_se, r.interval_high, high_se, u_text));
  }
}

// The CCM kilogram consensus-value rule: the published values of 2021, 2023 and 2026 from the
// published inputs (datasets/ccm_kg_consensus_value/, numbers from published.json), and
// closed-form cases of the limit and the rounding.
#include "core/kg_consensus.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/input_error.h"
#include "test_support.h"

using keycomp::ComputeConsensusValues;
using keycomp::ConsensusOptions;
using keycomp::KcrvEntry;
using keycomp::KcrvHistory;
using keycomp::LimitOrder;
using keycomp::RoundToStep;
using keycomp::testing::SourcePath;

namespace {

KcrvHistory MakeHistory(const std::vector<double>& values) {
  KcrvHistory h;
  h.source = "test";
  int year = 2000;
  for (double v : values) {
    KcrvEntry e;
    e.label = "K" + std::to_string(year);
    e.date = std::to_string(year++);
    e.value = v;
    h.entries.push_back(e);
  }
  return h;
}

nlohmann::json Published() {
  std::ifstream in(SourcePath("datasets/ccm_kg_consensus_value/published.json"));
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("kg consensus: the published 2021, 2023 and 2026 values from the published KCRVs",
          "[kg_consensus]") {
  const auto published = Published();
  const auto& expected = published.at("history");
  REQUIRE(expected.size() == 3);

  // Inputs: the dataset's history file, checked against the windows of published.json.
  const KcrvHistory history =
      keycomp::ReadKcrvHistoryFile(SourcePath("datasets/ccm_kg_consensus_value/kcrv_history.csv"));
  REQUIRE(history.unit == "ug");
  REQUIRE(history.entries.size() == 5);

  for (LimitOrder order : {LimitOrder::kLimitThenRound, LimitOrder::kRoundThenLimit}) {
    ConsensusOptions options;  // the CCM rule: window 3, limit 5 ug, 1 ug steps, u 20 ug
    options.order = order;
    const auto result = ComputeConsensusValues(history, options);
    REQUIRE(result.status == keycomp::Status::kOk);
    REQUIRE(result.revisions.size() == expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
      const auto& want = expected[k];
      const auto& rev = result.revisions[k];
      INFO("year " << want.at("year").get<int>() << ", order " << keycomp::ToString(order));
      const auto& window = want.at("window");
      REQUIRE(rev.window.size() == window.size());
      for (std::size_t i = 0; i < window.size(); ++i) {
        CHECK(history.entries[rev.window[i]].label == window[i].at("label").get<std::string>());
        CHECK(history.entries[rev.window[i]].value == window[i].at("value").get<double>());
      }
      // The calculated means are printed to 0.1 ug.
      CHECK(std::abs(rev.mean - want.at("calculated").get<double>()) <= 0.05 + 1e-12);
      CHECK(rev.published == want.at("published").get<double>());
      CHECK(rev.u == want.at("u_published").get<double>());
      CHECK(rev.label.substr(0, 4) == std::to_string(want.at("year").get<int>()));
    }
    // 2026: -14.9 limited to -7 - 5 = -12 (whatever the order).
    CHECK(result.revisions[2].limit_applied);
    CHECK_FALSE(result.revisions[0].previous.has_value());
    CHECK(*result.revisions[2].previous == -7.0);
    // 2023: the unrounded mean -7.2 is 5.2 below -2 and is limited to -7; rounded first, -7 is
    // exactly at the limit.
    CHECK(result.revisions[1].limit_applied == (order == LimitOrder::kLimitThenRound));
  }
  // The adopted 2026 value of published.json.
  ConsensusOptions options;
  const auto result = ComputeConsensusValues(history, options);
  CHECK(result.revisions.back().published == published.at("adopted_consensus_value").get<double>());
  CHECK(result.revisions.back().u == published.at("u_adopted").get<double>());
  // For information: 2026 mean -14.9 = (-18.8 - 15.2 - 10.7)/3 exactly in decimal.
  CHECK(result.revisions.back().mean == Approx(-44.7 / 3).epsilon(1e-14));
  CHECK(result.revisions.back().u_mean ==
        Approx(std::sqrt(7.5 * 7.5 + 7.4 * 7.4 + 6.4 * 6.4) / 3).epsilon(1e-14));
  CHECK(std::isnan(result.revisions[0].u_mean));  // the pilot study's u is unknown
}

TEST_CASE("kg consensus: limit up, down, exactly at the limit, and none", "[kg_consensus]") {
  ConsensusOptions options;
  options.window = 1;
  options.rounding_step = 0;
  options.initial_previous = 0.0;
  // previous 0 -> 5 (exactly at the limit), -> 1 (within), -> -7 (down, limited to -4), -> 3
  // (up, limited to 1), -> -4 (exactly at the limit from 1, downwards).
  const std::vector<double> values{5, 1, -7, 3, -4};
  const auto result = ComputeConsensusValues(MakeHistory(values), options);
  REQUIRE(result.revisions.size() == 5);
  const double want[] = {5, 1, -4, 1, -4};
  const bool applied[] = {false, false, true, true, false};
  for (std::size_t k = 0; k < 5; ++k) {
    INFO("revision " << k);
    CHECK(result.revisions[k].published == want[k]);
    CHECK(result.revisions[k].limit_applied == applied[k]);
    CHECK(result.revisions[k].u == 20);
  }
  CHECK(result.revisions[2].change == -8.0);
  CHECK(result.revisions[2].published_change == -5.0);
  CHECK(result.revisions[3].change == 7.0);
  CHECK(result.revisions[3].published_change == 5.0);
  CHECK(result.revisions[4].published_change == -5.0);

  // No limit: the means themselves.
  options.limit = std::numeric_limits<double>::infinity();
  const auto free = ComputeConsensusValues(MakeHistory(values), options);
  for (std::size_t k = 0; k < 5; ++k) CHECK_FALSE(free.revisions[k].limit_applied);
  CHECK(free.revisions[2].published == -7);
  CHECK(free.revisions[3].published == 3);

  // Without an initial previous value, the first revision is free.
  options.limit = 5;
  options.initial_previous.reset();
  const auto first = ComputeConsensusValues(MakeHistory({40, 30}), options);
  CHECK(first.revisions[0].published == 40);
  CHECK_FALSE(first.revisions[0].limit_applied);
  CHECK(first.revisions[1].published == 35);
  CHECK(first.revisions[1].limit_applied);
}

TEST_CASE("kg consensus: a change at the limit up to the last bit is not flagged",
          "[kg_consensus]") {
  // (1.1 + 2.2 + 3.3)/3 is 2.2000000000000006 in binary; from -2.8 the change is 5 in decimal.
  ConsensusOptions options;
  options.rounding_step = 0;
  options.initial_previous = -2.8;
  const auto result = ComputeConsensusValues(MakeHistory({1.1, 2.2, 3.3}), options);
  CHECK_FALSE(result.revisions[0].limit_applied);
  CHECK(result.revisions[0].published == Approx(2.2).epsilon(1e-15));
  // A real excess, 1e-9 above the limit, is limited.
  options.initial_previous = -2.8 - 1e-9;
  CHECK(ComputeConsensusValues(MakeHistory({1.1, 2.2, 3.3}), options).revisions[0].limit_applied);
}

TEST_CASE("kg consensus: window, rounding step and the order of limit and rounding",
          "[kg_consensus]") {
  // Window 2 over 0, 3, 8, -4: means 1.5, 5.5, 2; steps of 1, halves away from zero.
  ConsensusOptions options;
  options.window = 2;
  options.limit = 3;
  const auto result = ComputeConsensusValues(MakeHistory({0, 3, 8, -4}), options);
  REQUIRE(result.revisions.size() == 3);
  CHECK(result.revisions[0].mean == 1.5);
  CHECK(result.revisions[0].published == 2);  // 1.5 -> 2
  CHECK(result.revisions[1].mean == 5.5);
  CHECK(result.revisions[1].limited == 5);  // 2 + 3
  CHECK(result.revisions[1].published == 5);
  CHECK(result.revisions[1].limit_applied);
  CHECK(result.revisions[2].mean == 2);
  CHECK(result.revisions[2].published == 2);  // change -3: at the limit
  CHECK_FALSE(result.revisions[2].limit_applied);

  // Round then limit, limit 2.5, step 1 from previous 0: mean 3.4 rounds to 3, limited to 2.5;
  // limit then round: 3.4 -> 2.5 -> 3 (a half, away from zero).
  options.window = 1;
  options.limit = 2.5;
  options.initial_previous = 0.0;
  options.order = LimitOrder::kRoundThenLimit;
  CHECK(ComputeConsensusValues(MakeHistory({3.4}), options).revisions[0].published == 2.5);
  options.order = LimitOrder::kLimitThenRound;
  CHECK(ComputeConsensusValues(MakeHistory({3.4}), options).revisions[0].published == 3);
}

TEST_CASE("kg consensus: RoundToStep", "[kg_consensus]") {
  CHECK(RoundToStep(-2.1333, 1) == -2);
  CHECK(RoundToStep(-7.2, 1) == -7);
  CHECK(RoundToStep(2.5, 1) == 3);
  CHECK(RoundToStep(-2.5, 1) == -3);
  CHECK(RoundToStep(0.35, 0.1) == Approx(0.4).epsilon(1e-15));
  CHECK(RoundToStep(-0.35, 0.1) == Approx(-0.4).epsilon(1e-15));
  CHECK(RoundToStep(12.4, 5) == 10);
  CHECK(RoundToStep(12.5, 5) == 15);
  CHECK(RoundToStep(1.23456, 0) == 1.23456);
  CHECK_FALSE(std::signbit(RoundToStep(-0.4, 1)));  // 0, not -0
}

TEST_CASE("kg consensus: bad options and input", "[kg_consensus]") {
  using keycomp::InputError;
  const KcrvHistory h = MakeHistory({1, 2, 3});
  ConsensusOptions options;
  options.window = 0;
  CHECK_THROWS_AS(ComputeConsensusValues(h, options), InputError);
  options = {};
  options.limit = 0;
  CHECK_THROWS_AS(ComputeConsensusValues(h, options), InputError);
  options = {};
  options.rounding_step = -1;
  CHECK_THROWS_AS(ComputeConsensusValues(h, options), InputError);
  options = {};
  options.u_assigned = 0;
  CHECK_THROWS_AS(ComputeConsensusValues(h, options), InputError);
  options = {};
  options.window = 4;
  CHECK_THROWS_WITH(ComputeConsensusValues(h, options),
                    Catch::Matchers::Contains("fewer than the window of 4"));

  CHECK_THROWS_WITH(keycomp::ParseKcrvHistoryCsv("label,value\nA,1\n", "h.csv"),
                    Catch::Matchers::Contains("missing required column 'date'"));
  CHECK_THROWS_WITH(
      keycomp::ParseKcrvHistoryCsv("label,date,value\nA,2019,1\nB,2018,2\n", "h.csv"),
      Catch::Matchers::Contains("line 3") && Catch::Matchers::Contains("chronological"));
  CHECK_THROWS_WITH(keycomp::ParseKcrvHistoryCsv("label,date,value\nA,2019-13,1\n", "h.csv"),
                    Catch::Matchers::Contains("not a date"));
  CHECK_THROWS_WITH(keycomp::ParseKcrvHistoryCsv("label,date,value,u\nA,2019,1,-2\n", "h.csv"),
                    Catch::Matchers::Contains("field 'u'"));
  CHECK_THROWS_WITH(keycomp::ParseKcrvHistoryCsv("label,date,value\nA,2019,nan\n", "h.csv"),
                    Catch::Matchers::Contains("field 'value'"));
  // Same year, later month, and bare years are in order.
  const auto ok = keycomp::ParseKcrvHistoryCsv(
      "label,year,value\nA,2019,1\nB,2019-05,2\nC,2019-05-20,3\nD,2020,4\n", "h.csv");
  CHECK(ok.entries.size() == 4);
}

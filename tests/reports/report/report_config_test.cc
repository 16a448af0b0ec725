#include "reports/report/report_config.h"

#include <catch2/catch.hpp>

#include "core/input_error.h"

namespace keycomp::report {
namespace {

TEST_CASE("a full report configuration is read field by field") {
  const ReportConfig c = ParseReportConfig(R"({
    "title": "T", "comparison_id": "CCQM-K1", "prepared_by": "WG",
    "estimator": "paule_mandel", "kcrv_rationale": "because",
    "exclusions": [{"lab": "A", "reason": "drift"}, {"lab": "B"}],
    "coverage": 0.9, "mc_trials": 1000, "seed": 42,
    "sensitivity_estimators": ["median", "reml"],
    "settings": {"weighted_mean.u": "external", "reml.tol": 1e-12, "x.flag": true}
  })", "c.json");
  CHECK(c.source == "c.json");
  CHECK(*c.title == "T");
  CHECK(*c.comparison_id == "CCQM-K1");
  CHECK(*c.prepared_by == "WG");
  CHECK(*c.estimator == "paule_mandel");
  CHECK(*c.kcrv_rationale == "because");
  REQUIRE(c.exclusions->size() == 2);
  CHECK((*c.exclusions)[0].lab == "A");
  CHECK((*c.exclusions)[0].reason == "drift");
  CHECK((*c.exclusions)[1].reason.empty());
  CHECK(*c.coverage == 0.9);
  CHECK(*c.mc_trials == 1000);
  CHECK(*c.seed == 42);
  CHECK(*c.sensitivity_estimators == std::vector<std::string>{"median", "reml"});
  CHECK(c.settings->at("weighted_mean.u") == "external");
  CHECK(c.settings->at("reml.tol") == "1e-12");
  CHECK(c.settings->at("x.flag") == "true");
}

TEST_CASE("an empty configuration sets nothing") {
  const ReportConfig c = ParseReportConfig("{}", "c.json");
  CHECK_FALSE(c.title);
  CHECK_FALSE(c.estimator);
  CHECK_FALSE(c.exclusions);
  CHECK_FALSE(c.coverage);
  CHECK_FALSE(c.seed);
}

TEST_CASE("bad configurations name the file, line or field") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(ParseReportConfig("{\n\"title\": \"x\",\n\"seed\": ,\n}", "c.json"),
                    Contains("c.json:line 3"));
  CHECK_THROWS_WITH(ParseReportConfig("[1, 2]", "c.json"), Contains("JSON object"));
  CHECK_THROWS_WITH(ParseReportConfig(R"({"titel": "x"})", "c.json"),
                    Contains("field 'titel': unknown key"));
  CHECK_THROWS_WITH(ParseReportConfig(R"({"coverage": 1.5})", "c.json"),
                    Contains("field 'coverage'"));
  CHECK_THROWS_WITH(ParseReportConfig(R"({"seed": -1})", "c.json"), Contains("field 'seed'"));
  CHECK_THROWS_WITH(ParseReportConfig(R"({"mc_trials": 2.5})", "c.json"),
                    Contains("field 'mc_trials'"));
  CHECK_THROWS_WITH(ParseReportConfig(R"({"exclusions": [{"reason": "r"}]})", "c.json"),
                    Contains("field 'exclusions[0]'"));
  CHECK_THROWS_WITH(ParseReportConfig(R"({"exclusions": [{"lab": "A", "why": "r"}]})", "c.json"),
                    Contains("field 'exclusions[0].why'"));
  CHECK_THROWS_WITH(ParseReportConfig(R"({"sensitivity_estimators": ["a", 1]})", "c.json"),
                    Contains("field 'sensitivity_estimators[1]'"));
  CHECK_THROWS_WITH(ParseReportConfig(R"({"settings": {"a.b": [1]}})", "c.json"),
                    Contains("field 'settings.a.b'"));
  CHECK_THROWS_AS(ReadReportConfig("/nonexistent/report.json"), InputError);
}

}  // namespace
}  // namespace keycomp::report

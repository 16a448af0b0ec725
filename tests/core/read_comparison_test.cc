#include "core/read_comparison.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "core/input_error.h"
#include "test_support.h"

using keycomp::InputError;
using keycomp::ParseComparisonCsv;
using keycomp::ParseComparisonJson;
using Catch::Matchers::Contains;

TEST_CASE("CSV: metadata, any column order and case, U and k, flags, dof, attributes",
          "[read]") {
  const std::string text =
      "\xEF\xBB\xBF# comparison: CCQM-K25\n"
      "# measurand: mass fraction of PCB 28 in sediment\n"
      "# unit: ng/g\n"
      "# pilot: IRMM\n"
      "# matrix: sediment\n"
      "# a comment without key\n"
      "\n"
      "Include,LAB,Method,U,k,Value,DOF\r\n"
      "yes,IRMM,IDMS,2.06,2,34.30,60\r\n"
      "0,NIST,GC-MS,0.58,2,32.42,inf\r\n"
      "# trailing comment\n"
      "true,\"Lab, Inc.\",x,1.0,2.5,33,\n";
  const auto c = ParseComparisonCsv(text, "k25.csv");
  CHECK(c.info().id == "CCQM-K25");
  CHECK(c.info().measurand == "mass fraction of PCB 28 in sediment");
  CHECK(c.info().unit == "ng/g");
  CHECK(c.info().pilot == "IRMM");
  REQUIRE(c.info().extra.size() == 1);
  CHECK(c.info().extra[0].first == "matrix");
  REQUIRE(c.size() == 3);
  CHECK(c.results()[0].lab == "IRMM");
  CHECK(c.results()[0].value == 34.30);
  CHECK(c.results()[0].u == 2.06 / 2);
  CHECK(c.results()[0].dof == 60);
  CHECK(c.results()[0].included);
  CHECK(c.results()[0].source_line == 9);
  CHECK_FALSE(c.results()[1].included);
  CHECK(std::isinf(c.results()[1].dof));
  CHECK(c.results()[2].lab == "Lab, Inc.");
  CHECK(c.results()[2].u == 1.0 / 2.5);
  CHECK(std::isinf(c.results()[2].dof));
  REQUIRE(c.results()[0].attributes.size() == 1);
  CHECK(c.results()[0].attributes[0] == std::pair<std::string, std::string>{"Method", "IDMS"});
  CHECK(c.n_included() == 2);
  CHECK(c.included_indices() == std::vector<std::size_t>{0, 2});
}

TEST_CASE("CSV: u wins over U and k; include defaults to 1", "[read]") {
  const auto c = ParseComparisonCsv("lab,value,u,U,k\nA,1,0.5,3,2\nB,2,,3,2\n", "x.csv");
  CHECK(c.results()[0].u == 0.5);
  CHECK(c.results()[1].u == 1.5);
  CHECK(c.n_included() == 2);
}

TEST_CASE("CSV: the shared CCQM-K30 file's in_kcrv column is the include flag", "[read]") {
  const auto c = keycomp::ReadComparisonFile(
      keycomp::testing::SourcePath("datasets/ccqm_k30_pb_wine/results.csv"));
  CHECK(c.size() == 11);
  CHECK(c.n_included() == 9);
}

namespace {

// Expects an InputError whose message names the file, the line and the field.
void ExpectCsvError(const std::string& text, std::size_t line, const std::string& field,
                    const std::string& words) {
  try {
    ParseComparisonCsv(text, "bad.csv");
    FAIL("no error for:\n" << text);
  } catch (const InputError& e) {
    INFO(e.what());
    CHECK(e.file() == "bad.csv");
    CHECK(e.line() == line);
    CHECK(e.field() == field);
    CHECK_THAT(e.what(), Contains(words));
    CHECK_THAT(e.what(), Contains("bad.csv"));
  }
}

}  // namespace

TEST_CASE("CSV: every bad input of the contract names file, line and field", "[read][bad]") {
  ExpectCsvError("lab,u\nA,1\n", 1, "value", "missing required column 'value'");
  ExpectCsvError("value,u\n1,1\n", 1, "lab", "missing required column 'lab'");
  ExpectCsvError("lab,value\nA,1\n", 1, "u", "missing required column 'u'");
  ExpectCsvError("lab,value,U\nA,1,2\n", 1, "u", "missing required column 'u'");
  ExpectCsvError("lab,value,u\nA,1,1\nB,abc,1\n", 3, "value", "'abc' is not a number");
  ExpectCsvError("lab,value,u\nA,1,1\nB,nan,1\n", 3, "value", "not a finite number");
  ExpectCsvError("lab,value,u\nA,1,inf\n", 2, "u", "not a finite number");
  ExpectCsvError("lab,value,u\nA,1,1\nB,2,0\n", 3, "u", "u must be > 0");
  ExpectCsvError("lab,value,u\nA,1,-1\n", 2, "u", "u must be > 0");
  ExpectCsvError("lab,value,U,k\nA,1,1,0\n", 2, "k", "k must be > 0");
  ExpectCsvError("lab,value,U,k\nA,1,1,-2\n", 2, "k", "k must be > 0");
  ExpectCsvError("lab,value,U,k\nA,1,0,2\n", 2, "U", "U must be > 0");
  ExpectCsvError("lab,value,u,dof\nA,1,1,0\n", 2, "dof", "dof must be > 0");
  ExpectCsvError("lab,value,u,dof\nA,1,1,-4\n", 2, "dof", "dof must be > 0");
  ExpectCsvError("lab,value,u\nA,1,1\nB,2,1\nA,3,1\n", 4, "lab", "duplicate lab 'A'");
  ExpectCsvError("lab,value,u,include\nA,1,1,perhaps\n", 2, "include", "not a flag");
  ExpectCsvError("lab,value,u\nA,1\n", 2, "", "expected 3 fields");
  ExpectCsvError("lab,value,u\n,1,1\n", 2, "lab", "empty lab name");
  ExpectCsvError("lab,value,u,Value\nA,1,1,2\n", 1, "Value", "given twice");
  ExpectCsvError("# only comments\n", 0, "", "no header");
  ExpectCsvError("# c\nlab,value,u\n", 2, "", "no results");
}

TEST_CASE("JSON: the contract's example with correlations", "[read]") {
  const std::string text = R"({
    "comparison": {"id": "CCQM-K25", "measurand": "PCB 28", "unit": "ng/g", "year": 2003},
    "results": [
      {"lab": "IRMM", "value": 34.30, "u": 1.03, "dof": 60, "include": true, "method": "IDMS"},
      {"lab": "NIST", "value": 32.42, "U": 0.58, "k": 2, "dof": null, "include": 0},
      {"lab": "NMIJ", "value": 33.0, "u": 0.5, "dof": "inf"}
    ],
    "correlations": [{"a": "IRMM", "b": "NMIJ", "r": 0.2}]
  })";
  const auto c = ParseComparisonJson(text, "k25.json");
  CHECK(c.info().id == "CCQM-K25");
  CHECK(c.info().extra.at(0) == std::pair<std::string, std::string>{"year", "2003"});
  REQUIRE(c.size() == 3);
  CHECK(c.results()[0].dof == 60);
  CHECK(c.results()[1].u == 0.29);
  CHECK(std::isinf(c.results()[1].dof));
  CHECK_FALSE(c.results()[1].included);
  CHECK(c.results()[0].attributes.at(0).second == "IDMS");
  CHECK(c.correlation_matrix()(0, 2) == 0.2);
  CHECK(c.correlation_matrix()(2, 0) == 0.2);
  CHECK(c.Covariance()(0, 2) == Approx(0.2 * 1.03 * 0.5).epsilon(1e-15));
}

namespace {

void ExpectJsonError(const std::string& text, const std::string& field,
                     const std::string& words) {
  try {
    ParseComparisonJson(text, "bad.json");
    FAIL("no error for:\n" << text);
  } catch (const InputError& e) {
    INFO(e.what());
    CHECK(e.file() == "bad.json");
    CHECK_THAT(e.field(), Contains(field));
    CHECK_THAT(e.what(), Contains(words));
  }
}

const std::string kTwoLabs =
    R"("results": [{"lab": "A", "value": 1, "u": 1}, {"lab": "B", "value": 2, "u": 1}])";

}  // namespace

TEST_CASE("JSON: bad input names the field", "[read][bad]") {
  ExpectJsonError(R"({"results": [{"lab": "A", "u": 1}]})", "results[0] (lab 'A').value",
                  "missing value");
  ExpectJsonError(R"({"results": [{"lab": "A", "value": "x", "u": 1}]})", ".value",
                  "expected a number");
  ExpectJsonError(R"({"results": [{"lab": "A", "value": 1, "u": 0}]})", ".u", "u must be > 0");
  ExpectJsonError(R"({"results": [{"lab": "A", "value": 1, "U": 1, "k": 0}]})", ".k",
                  "k must be > 0");
  ExpectJsonError(R"({"results": [{"lab": "A", "value": 1, "u": 1, "dof": 0}]})", ".dof",
                  "dof must be > 0");
  ExpectJsonError(R"({"results": [{"lab": "A", "value": 1, "u": 1}, {"lab": "A", "value": 1, "u": 1}]})",
                  "lab", "duplicate lab 'A'");
  ExpectJsonError("{" + kTwoLabs + R"(, "correlations": [{"a": "A", "b": "B", "r": 1.5}]})", "r",
                  "must lie in [-1, 1]");
  ExpectJsonError("{" + kTwoLabs + R"(, "correlations": [{"a": "A", "b": "Z", "r": 0.5}]})", "b",
                  "unknown lab 'Z'");
  ExpectJsonError(R"({"results": [{"lab": "A", "value": 1, "u": 1}, {"lab": "B", "value": 2, "u": 1},
                  {"lab": "C", "value": 2, "u": 1}], "correlations": [{"a": "A", "b": "B", "r": 0.9},
                  {"a": "A", "b": "C", "r": 0.9}, {"a": "B", "b": "C", "r": -0.9}]})",
                  "correlations", "not positive semi-definite");
  ExpectJsonError(R"({"comparison": {}})", "results", "missing required array");
  ExpectJsonError("{\n  \"results\": [\n  {\"lab\": }\n]}", "", "invalid JSON");
}

TEST_CASE("JSON: a syntax error reports its line", "[read][bad]") {
  try {
    ParseComparisonJson("{\n  \"results\": [\n    {\"lab\": }\n  ]\n}", "bad.json");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.line() == 3);
  }
}

TEST_CASE("Correlation CSV: labs, range and definiteness are checked on attaching", "[read][bad]") {
  const auto c = ParseComparisonCsv("lab,value,u\nA,1,1\nB,2,1\nC,3,1\n", "c.csv");
  const std::string good = keycomp::testing::SourcePath("tests/cli/data/correlations_ok.csv");
  const auto with = c.WithCorrelations(keycomp::ReadCorrelationsCsv(good));
  CHECK(with.correlation_matrix()(0, 1) == 0.3);
  const std::string unknown = keycomp::testing::SourcePath("tests/cli/data/correlations_unknown_lab.csv");
  try {
    c.WithCorrelations(keycomp::ReadCorrelationsCsv(unknown));
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.file() == unknown);
    CHECK(e.line() == 3);
    CHECK_THAT(e.what(), Contains("unknown lab 'Q'"));
  }
}

TEST_CASE("Excluding labs by name", "[read]") {
  const auto c = ParseComparisonCsv("lab,value,u\nA,1,1\nB,2,1\nC,3,1\n", "c.csv");
  const auto e = c.WithExcluded({"B"});
  CHECK(e.n_included() == 2);
  CHECK_FALSE(e.results()[1].included);
  CHECK_THROWS_AS(c.WithExcluded({"Z"}), InputError);
}

TEST_CASE("CSV: each number's text is kept as the lab wrote it", "[read][reported]") {
  const std::string text =
      "lab,value,u,U,k,dof\n"
      "A, -17.8 ,0.00012300,,,\n"
      "B,195.8,1.2e-5,,,10\n"
      "C,34.30,,0.70,2.00,inf\n";
  const auto c = ParseComparisonCsv(text, "r.csv");
  const auto& a = c.results()[0].reported;
  CHECK(a.value == "-17.8");  // trimmed, digits untouched
  CHECK(a.u == "0.00012300");
  CHECK(a.expanded_u.empty());
  CHECK(a.dof.empty());
  CHECK(c.results()[1].reported.u == "1.2e-5");
  CHECK(c.results()[1].reported.dof == "10");
  const auto& r = c.results()[2];
  CHECK(r.reported.value == "34.30");
  CHECK(r.reported.u.empty());
  CHECK(r.reported.expanded_u == "0.70");
  CHECK(r.reported.k == "2.00");
  CHECK(r.reported.dof == "inf");
  // The numbers used to compute are the parsed doubles, as before.
  CHECK(r.u == 0.70 / 2.00);
  CHECK(c.results()[0].value == -17.8);
  CHECK_FALSE(r.computed);
}

TEST_CASE("JSON: each number's text is kept as the file wrote it", "[read][reported]") {
  const std::string text = R"({
    "comparison": {"id": "T", "unit": "ng/g", "lot": 1.50},
    "results": [
      {"lab": "A", "value": -17.8, "u": 0.00012300, "dof": 60, "include": true},
      {"lab": "B", "value": 195.80, "u": 1.2e-5, "dof": "inf", "mass": 1.000},
      {"lab": "C/D~", "value": 1E3, "U": 0.70, "k": 2.00}
    ]
  })";
  const auto c = ParseComparisonJson(text, "r.json");
  CHECK(c.results()[0].reported.value == "-17.8");
  CHECK(c.results()[0].reported.u == "0.00012300");
  CHECK(c.results()[0].reported.dof == "60");
  CHECK(c.results()[1].reported.value == "195.80");
  CHECK(c.results()[1].reported.u == "1.2e-5");
  CHECK(c.results()[1].reported.dof == "inf");
  CHECK(c.results()[2].reported.value == "1E3");
  CHECK(c.results()[2].reported.u.empty());
  CHECK(c.results()[2].reported.expanded_u == "0.70");
  CHECK(c.results()[2].reported.k == "2.00");
  CHECK(c.results()[2].value == 1000);
  CHECK(c.results()[2].u == 0.70 / 2.00);
  // Other numbers (attributes, metadata) keep their text too.
  REQUIRE(c.results()[1].attributes.size() == 1);
  CHECK(c.results()[1].attributes[0].second == "1.000");
  REQUIRE(c.info().extra.size() == 1);
  CHECK(c.info().extra[0].second == "1.50");
}

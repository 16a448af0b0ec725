#include "core/text_fields.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>

#include "core/input_error.h"

using keycomp::FieldPlace;
using keycomp::InputError;

namespace {
const std::string kFile = "f.csv";
}

TEST_CASE("ParseFinite reads whole fields and refuses the rest", "[text_fields]") {
  const FieldPlace place{kFile, 3, "value"};
  CHECK(keycomp::ParseFinite("1.5", place) == 1.5);
  CHECK(keycomp::ParseFinite(" -2e-9 ", place) == -2e-9);
  CHECK(keycomp::ParseFinite("+7", place) == 7);
  CHECK_THROWS_AS(keycomp::ParseFinite("", place), InputError);
  CHECK_THROWS_AS(keycomp::ParseFinite("1.5x", place), InputError);
  CHECK_THROWS_AS(keycomp::ParseFinite("abc", place), InputError);
  CHECK_THROWS_AS(keycomp::ParseFinite("nan", place), InputError);
  CHECK_THROWS_AS(keycomp::ParseFinite("inf", place), InputError);
  CHECK_THROWS_AS(keycomp::ParseFinite("1e999", place), InputError);
  try {
    keycomp::ParseFinite("oops", place);
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == "f.csv:line 3: field 'value': 'oops' is not a number");
    CHECK(e.line() == 3);
    CHECK(e.field() == "value");
  }
}

TEST_CASE("ParseDof takes empty and inf as infinite and refuses non-positive", "[text_fields]") {
  const FieldPlace place{kFile, 2, "dof"};
  CHECK(std::isinf(keycomp::ParseDof("", place)));
  CHECK(std::isinf(keycomp::ParseDof("Inf", place)));
  CHECK(std::isinf(keycomp::ParseDof("infinity", place)));
  CHECK(keycomp::ParseDof("12", place) == 12);
  CHECK_THROWS_AS(keycomp::ParseDof("0", place), InputError);
  CHECK_THROWS_AS(keycomp::ParseDof("-3", place), InputError);
  CHECK_THROWS_AS(keycomp::ParseDof("many", place), InputError);
}

TEST_CASE("ParseFlag accepts the contract's spellings", "[text_fields]") {
  const FieldPlace place{kFile, 2, "include"};
  for (const char* yes : {"1", "true", "TRUE", "yes", "Yes"}) CHECK(keycomp::ParseFlag(yes, place));
  for (const char* no : {"0", "false", "no", "NO"}) CHECK_FALSE(keycomp::ParseFlag(no, place));
  CHECK_THROWS_AS(keycomp::ParseFlag("maybe", place), InputError);
}

TEST_CASE("SplitCsvRecord handles quotes", "[text_fields]") {
  const FieldPlace place{kFile, 1, ""};
  using V = std::vector<std::string>;
  CHECK(keycomp::SplitCsvRecord("a, b ,c", place) == V{"a", "b", "c"});
  CHECK(keycomp::SplitCsvRecord("\"x, y\",2,\"say \"\"hi\"\"\"", place) ==
        V{"x, y", "2", "say \"hi\""});
  CHECK(keycomp::SplitCsvRecord("a,,", place) == V{"a", "", ""});
  CHECK_THROWS_AS(keycomp::SplitCsvRecord("\"open,1", place), InputError);
}

namespace {

// An independent shortest form: the fewest significant digits (1..17) of printf's %.*g that
// strtod reads back as the same double.
std::string FewestDigits(double x) {
  char text[40];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, x);
    if (std::strtod(text, nullptr) == x) break;
  }
  return text;
}

}  // namespace

TEST_CASE("ShortestText prints the shortest text that reads back as the same double",
          "[text_fields]") {
  CHECK(keycomp::ShortestText(0.95) == "0.95");
  CHECK(keycomp::ShortestText(0.1 + 0.2) == "0.30000000000000004");
  CHECK(keycomp::ShortestText(-17.8) == "-17.8");
  CHECK(keycomp::ShortestText(195.8) == "195.8");
  CHECK(keycomp::ShortestText(2) == "2");
  CHECK(keycomp::ShortestText(1.2e-5) == "1.2e-05");
  CHECK(keycomp::ShortestText(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(keycomp::ShortestText(std::nan("")) == "nan");

  // Random doubles over many magnitudes: the text reads back exactly and is as short as the
  // shortest printf form that does.
  std::mt19937_64 random(20261123);
  std::uniform_real_distribution<double> mantissa(-10, 10);
  std::uniform_int_distribution<int> exponent(-30, 30);
  const FieldPlace place{kFile, 0, "x"};
  for (int i = 0; i < 20000; ++i) {
    const double x = std::ldexp(mantissa(random), exponent(random) * 3);
    const std::string text = keycomp::ShortestText(x);
    INFO(text);
    REQUIRE(keycomp::ParseFinite(text, place) == x);
    // No longer than the fewest digits printf needs. (A large integral double may print as
    // its exact integer, 131981453503852528, when that is shorter than 1.3198145350385253e+17.)
    CHECK(text.size() <= FewestDigits(x).size());
  }
}

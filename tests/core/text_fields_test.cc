#include "core/text_fields.h"

#include <catch2/catch.hpp>
#include <cmath>

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

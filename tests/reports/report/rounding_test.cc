// The report's rounding rule on closed-form cases: every expected text below follows from the
// rule in docs/report.md by hand.
#include "reports/report/rounding.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace keycomp::report {
namespace {

TEST_CASE("DecimalsFor gives two significant digits after rounding", "[rounding]") {
  CHECK(DecimalsFor(0.0746) == 3);   // 0.075
  CHECK(DecimalsFor(0.0996) == 2);   // rounds up to 0.10, not 0.100
  CHECK(DecimalsFor(0.001) == 4);    // 0.0010, a power of ten exactly
  CHECK(DecimalsFor(20.4) == 0);     // 20
  CHECK(DecimalsFor(1234) == -2);    // 1200
  CHECK(DecimalsFor(9960) == -3);    // 10000
  CHECK(DecimalsFor(-0.35) == 2);    // the sign does not matter
  CHECK(DecimalsFor(0.35, 3) == 3);  // 0.350
  CHECK(DecimalsFor(0) == 3);
  CHECK(DecimalsFor(std::nan("")) == 3);
}

TEST_CASE("FixedText rounds to decimal places, tens and hundreds", "[rounding]") {
  CHECK(FixedText(-17.84, 1) == "-17.8");
  CHECK(FixedText(195.8, 2) == "195.80");
  CHECK(FixedText(1234, -2) == "1200");
  CHECK(FixedText(-1510, -1) == "-1510");
  CHECK(FixedText(-0.004, 2) == "0.00");  // no sign on a rounded zero
  CHECK(FixedText(INFINITY, 2).empty());
}

TEST_CASE("EnText has two decimals, more when it would read 1.00 but is not 1", "[rounding]") {
  CHECK(EnText(1.02) == "1.02");
  CHECK(EnText(0.5) == "0.50");
  CHECK(EnText(1) == "1.00");
  CHECK(EnText(-1) == "-1.00");
  CHECK(EnText(0.997) == "0.997");
  CHECK(EnText(1.004) == "1.004");
  CHECK(EnText(-0.9996) == "-0.9996");
  CHECK(EnText(std::nan("")).empty());
}

TEST_CASE("RoundDoe: U to two digits, D and u at the same place", "[rounding]") {
  // U = 4.0 -> one decimal; D = 0.7/4 = 0.175 lies well below 1 either way.
  const RoundedDoe r = RoundDoe(0.7, 2.0, 4.0, 0.175);
  CHECK(r.decimals == 1);
  CHECK(r.d == "0.7");
  CHECK(r.u == "2.0");
  CHECK(r.expanded == "4.0");
}

TEST_CASE("RoundDoe never hides a finding: D = 20, U = 20 but E_n = 1.02", "[rounding]") {
  // Two digits of U = 20.0 give D = 20, U = 20: a ratio of 1 where E_n = 20.4/20 = 1.02 > 1.
  // One decimal more shows 20.4 against 20.0.
  const RoundedDoe r = RoundDoe(20.4, 10.0, 20.0, 1.02);
  CHECK(r.decimals == 1);
  CHECK(r.d == "20.4");
  CHECK(r.u == "10.0");
  CHECK(r.expanded == "20.0");
  CHECK(r.en == "1.02");

  // The same with a negative D: |D|/U is what counts.
  const RoundedDoe n = RoundDoe(-20.4, 10.0, 20.0, -1.02);
  CHECK(n.d == "-20.4");
  CHECK(n.expanded == "20.0");
  CHECK(n.en == "-1.02");

  // Below 1: D = 19.6, U = 20.4 round to 20 and 20 (ratio 1) although E_n = 0.961 < 1.
  const RoundedDoe below = RoundDoe(19.6, 10.2, 20.4, 19.6 / 20.4);
  CHECK(below.d == "19.6");
  CHECK(below.expanded == "20.4");
  CHECK(below.en == "0.96");
}

TEST_CASE("RoundDoe keeps a ratio of exactly 1 when E_n is 1", "[rounding]") {
  const RoundedDoe r = RoundDoe(20.4, 10.2, 20.4, 1.0);
  CHECK(r.decimals == 0);
  CHECK(r.d == "20");
  CHECK(r.expanded == "20");
  CHECK(r.en == "1.00");
}

TEST_CASE("RoundDoe adds as many digits as the finding needs", "[rounding]") {
  // E_n = 0.9996/1.0004 = 0.9992: 1.0/1.0, 1.00/1.00 and 1.000/1.000 all read 1; four
  // decimals show 0.9996 against 1.0004.
  const RoundedDoe r = RoundDoe(0.9996, 0.5002, 1.0004, 0.9996 / 1.0004);
  CHECK(r.decimals == 4);
  CHECK(r.d == "0.9996");
  CHECK(r.expanded == "1.0004");
  CHECK(r.en == "0.999");

  // Large numbers, negative D: U = 1480 -> 1500, D = -1510 -> -1500 read |D|/U = 1 while
  // E_n = -1.02; rounding to tens shows -1510 against 1480.
  const RoundedDoe big = RoundDoe(-1510, 740, 1480, -1510.0 / 1480);
  CHECK(big.decimals == -1);
  CHECK(big.d == "-1510");
  CHECK(big.u == "740");
  CHECK(big.expanded == "1480");
  CHECK(big.en == "-1.02");
}

}  // namespace
}  // namespace keycomp::report

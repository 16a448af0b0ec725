// The plots render from plain data to SVG, PDF and PNG; the axes helpers give round ticks; a
// drawing lands where the figure's coordinates say (checked on the PNG's pixels).
#include "reports/plots/plots.h"

#include <cairo.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace keycomp::plots {
namespace {

namespace fs = std::filesystem;

fs::path Scratch(const std::string& name) {
  return fs::temp_directory_path() /
         ("keycomp-plots-" + std::to_string(::getpid()) + "-" + name);
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Share of pixels that are not white in a PNG.
double Ink(const fs::path& png) {
  cairo_surface_t* image = cairo_image_surface_create_from_png(png.c_str());
  REQUIRE(cairo_surface_status(image) == CAIRO_STATUS_SUCCESS);
  const int w = cairo_image_surface_get_width(image);
  const int h = cairo_image_surface_get_height(image);
  const int stride = cairo_image_surface_get_stride(image);
  const unsigned char* data = cairo_image_surface_get_data(image);
  std::size_t ink = 0;
  for (int y = 0; y < h; ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(data + y * stride);
    for (int x = 0; x < w; ++x) ink += (row[x] & 0xFFFFFF) != 0xFFFFFF;
  }
  cairo_surface_destroy(image);
  return static_cast<double>(ink) / (static_cast<double>(w) * h);
}

// Renders `figure` three ways and checks each file.
void CheckRenders(const Figure& figure, const std::string& name) {
  const fs::path png = Scratch(name + ".png");
  const fs::path pdf = Scratch(name + ".pdf");
  WritePng(figure, png.string(), 1.0);
  WritePdf(figure, pdf.string());
  const std::string svg = RenderSvg(figure);
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(Slurp(pdf).rfind("%PDF-", 0) == 0);
  const double ink = Ink(png);
  CHECK(ink > 0.01);  // axes, labels and data drawn
  CHECK(ink < 0.9);   // and not a filled square
  fs::remove(png);
  fs::remove(pdf);
}

TEST_CASE("nice ticks are round numbers covering the range") {
  CHECK(NiceTicks(0, 10, 5) == std::vector<double>{0, 2, 4, 6, 8, 10});
  const std::vector<double> tenths = NiceTicks(0.1, 0.9, 4);  // step 0.2 >= 0.8/4
  REQUIRE(tenths.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(tenths[i] == Approx(0.2 * (i + 1)));
  const std::vector<double> t = NiceTicks(-3.7, 5.2, 6);
  REQUIRE(t.size() >= 2);
  const double step = t[1] - t[0];
  CHECK(step == Approx(2.0));
  CHECK(t.front() == Approx(-2.0));
  CHECK(t.back() == Approx(4.0));
  // Span 3.9 over 6 ticks: 0.65 per tick, rounded up to a step of 1.
  double lo = 31.9;
  double hi = 35.8;
  ExpandToTicks(lo, hi);
  CHECK(lo == Approx(31.0));
  CHECK(hi == Approx(36.0));
}

TEST_CASE("tick labels carry just the decimals their step needs, with a real minus sign") {
  CHECK(TickLabel(2, 1) == "2");
  CHECK(TickLabel(0.5, 0.5) == "0.5");
  CHECK(TickLabel(37.5, 2.5) == "37.5");
  CHECK(TickLabel(-0.25, 0.25) == "\u22120.25");
  CHECK(TickLabel(-1e-17, 0.1) == "0.0");
}

TEST_CASE("a rectangle lands where the figure's coordinates say, at any pixel density") {
  Figure f;
  f.width = 100;
  f.height = 50;
  f.draw = [](cairo_t* cr) { Canvas(cr).FillRect(10, 10, 20, 20, Color{0, 0, 0}); };
  const fs::path png = Scratch("rect.png");
  WritePng(f, png.string(), 2.0);
  cairo_surface_t* image = cairo_image_surface_create_from_png(png.c_str());
  REQUIRE(cairo_image_surface_get_width(image) == 200);
  REQUIRE(cairo_image_surface_get_height(image) == 100);
  const int stride = cairo_image_surface_get_stride(image);
  const unsigned char* data = cairo_image_surface_get_data(image);
  auto pixel = [&](int x, int y) {
    return *reinterpret_cast<const std::uint32_t*>(data + y * stride + 4 * x) & 0xFFFFFF;
  };
  CHECK(pixel(40, 40) == 0x000000);  // inside: (10..30) pt = (20..60) px
  CHECK(pixel(10, 10) == 0xFFFFFF);  // outside: white background
  CHECK(pixel(70, 40) == 0xFFFFFF);
  cairo_surface_destroy(image);
  fs::remove(png);
}

TEST_CASE("every plot renders from plain data") {
  LabIntervalsData labs;
  labs.y_label = "measured value / (ng/g)";
  labs.reference = 33.6;
  labs.band = Span{32.1, 35.1};
  labs.reference_label = "KCRV";
  labs.band_label = "95 % interval";
  labs.inner_label = "xᵢ ± 2uᵢ";
  labs.outer_label = "xᵢ ± 2√(uᵢ² + τ²)";
  const double x[] = {34.3, 32.9, 34.5, 32.4, 31.9, 35.8, 80.0};
  for (int i = 0; i < 7; ++i) {
    LabPoint p;
    p.label = i == 6 ? "A-very-long-laboratory-name" : "LAB" + std::to_string(i);
    p.value = x[i];
    p.inner = {x[i] - 1, x[i] + 1};
    p.outer = Span{x[i] - 3, x[i] + 3};
    p.included = i != 6;  // far off and excluded: drawn off-scale
    labs.labs.push_back(p);
  }
  CheckRenders(LabIntervalsPlot(labs), "labs");

  IntervalPanelData panel;
  panel.x_label = "KCRV / (ng/g)";
  panel.reference = 33.6;
  panel.band = Span{32.1, 35.1};
  panel.reference_label = "report's KCRV";
  panel.rows = {{"weighted_mean", 33.3, {32.9, 33.7}, false, "33.3 [32.9, 33.7]"},
                {"dersimonian_laird", 33.6, {32.1, 35.1}, true, "33.6 [32.1, 35.1]"},
                {"linear_pool", kNaN, {}, false, "failed"}};
  CheckRenders(IntervalPanel(panel), "panel");

  PairwiseDoeData pairwise;
  pairwise.labels = {"A", "B", "C"};
  pairwise.d = {0, 1.0, -2.0, -1.0, 0, -3.0, 2.0, 3.0, 0};
  pairwise.expanded = {0, 1.5, 1.5, 1.5, 0, 1.5, 1.5, 1.5, 0};
  pairwise.unit = "ng/g";
  CheckRenders(PairwiseDoeMap(pairwise), "pairwise");

  HistogramData histogram;
  histogram.x_label = "KCRV / (ng/g)";
  histogram.low = -2;
  histogram.high = 2;
  histogram.counts = {1, 4, 10, 30, 60, 90, 100, 90, 60, 30, 10, 4, 1};
  histogram.total = 500;
  histogram.marks = {{"KCRV", {0.0, 0.0}, palette::kGreen, false},
                     {"95 % interval", {-1.6, 1.6}, palette::kVermillion, true}};
  CheckRenders(DrawsHistogram(histogram), "histogram");
}

TEST_CASE("a plot's files cannot be written into a missing folder") {
  Figure f;
  CHECK_THROWS(WritePng(f, "/nonexistent-folder/x.png"));
}

}  // namespace
}  // namespace keycomp::plots

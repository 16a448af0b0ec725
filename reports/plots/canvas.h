// The drawing layer of the report plots: one drawing function per figure, rendered by cairo to
// SVG, PDF and PNG, so that the three files of a figure always show the same thing.
//
// Sizes are in PostScript points (1/72 in). A figure is drawn at its publication size (about
// 16 cm wide for a full-width figure), so 8-10 pt text stays readable when printed.
#pragma once

#include <cairo.h>

#include <functional>
#include <string>
#include <vector>

namespace keycomp::plots {

struct Color {
  double r = 0, g = 0, b = 0, a = 1;
};

/// The palette every plot uses (colour-blind safe: Okabe-Ito).
namespace palette {
inline constexpr Color kInk{0.10, 0.10, 0.10};
inline constexpr Color kGrid{0.88, 0.88, 0.88};
inline constexpr Color kBlue{0.000, 0.447, 0.698};
inline constexpr Color kOrange{0.902, 0.624, 0.000};
inline constexpr Color kVermillion{0.835, 0.369, 0.000};
inline constexpr Color kGreen{0.000, 0.620, 0.451};
inline constexpr Color kSky{0.337, 0.706, 0.914};
inline constexpr Color kGrey{0.55, 0.55, 0.55};
inline constexpr Color kBand{0.000, 0.620, 0.451, 0.16};
inline constexpr Color kWhite{1, 1, 1};
}  // namespace palette

/// A figure: its size in points and the code that draws it on a cairo context whose user
/// space is that size.
struct Figure {
  double width = 460;
  double height = 300;
  std::function<void(cairo_t*)> draw;
};

/// The SVG text of the figure (cairo's SVG surface).
std::string RenderSvg(const Figure& figure);
/// Writes the figure as PDF. Throws InputError naming the path when it cannot be written.
void WritePdf(const Figure& figure, const std::string& path);
/// Writes the figure as PNG at `pixels_per_point` (2.5 gives 180 dpi). Throws InputError.
void WritePng(const Figure& figure, const std::string& path, double pixels_per_point = 2.5);

enum class HAlign { kLeft, kCenter, kRight };
enum class VAlign { kTop, kMiddle, kBaseline, kBottom };

/// Thin helpers over a cairo context: lines, markers and text placed by an anchor.
class Canvas {
 public:
  explicit Canvas(cairo_t* cr);

  cairo_t* cairo() const { return cr_; }

  void Line(double x0, double y0, double x1, double y1, Color color, double width = 1,
            bool dashed = false);
  void FillRect(double x, double y, double w, double h, Color color);
  void StrokeRect(double x, double y, double w, double h, Color color, double width = 1);
  /// A circle marker: filled with `fill` when `filled`, else white with a `fill` outline.
  void Circle(double x, double y, double radius, Color fill, bool filled = true);
  /// A diamond marker (excluded results).
  void Diamond(double x, double y, double radius, Color color, bool filled);
  /// A small filled triangle pointing up (`up`) or down at (x, y): an off-scale mark.
  void Arrow(double x, double y, bool up, double size, Color color);

  /// Text with its anchor at (x, y); `angle` in degrees, counter-clockwise.
  void Text(double x, double y, const std::string& text, double size,
            HAlign h = HAlign::kLeft, VAlign v = VAlign::kBaseline, Color color = palette::kInk,
            bool bold = false, double angle = 0);
  double TextWidth(const std::string& text, double size, bool bold = false);

 private:
  void SelectFont(double size, bool bold);
  cairo_t* cr_;
};

/// Maps data values to page coordinates linearly.
struct LinearScale {
  double d0 = 0, d1 = 1;  ///< data range
  double r0 = 0, r1 = 1;  ///< page range
  double operator()(double v) const { return r0 + (v - d0) / (d1 - d0) * (r1 - r0); }
};

/// About `target` round tick values (1, 2, 2.5, 5 x 10^k steps) covering [lo, hi].
std::vector<double> NiceTicks(double lo, double hi, int target = 6);
/// A tick label with just the decimals the step needs.
std::string TickLabel(double value, double step);

/// [lo, hi] widened to the nice ticks around it (and by a margin when lo == hi).
void ExpandToTicks(double& lo, double& hi, int target = 6);

/// One entry of a legend: a symbol and its text.
struct LegendItem {
  enum class Symbol { kFilledMarker, kOpenMarker, kBar, kWideBar, kLine, kDashedLine, kBand };
  Symbol symbol = Symbol::kLine;
  std::string text;
  Color color = palette::kInk;
};

/// Lays the legend out in rows from (x, y) within `width`; returns the height it takes.
/// With `draw` false it only measures.
double DrawLegend(Canvas& canvas, double x, double y, double width,
                  const std::vector<LegendItem>& items, bool draw = true);

/// A value axis with grid lines: vertical (ticks on the left at `edge`, grid across to
/// `other_edge`) or horizontal (ticks below `edge`). `label` is centred along the axis.
void DrawValueAxis(Canvas& canvas, const LinearScale& scale, bool vertical, double edge,
                   double other_edge, const std::string& label, double font_size = 8.5);

}  // namespace keycomp::plots

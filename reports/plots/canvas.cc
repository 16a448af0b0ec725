#include "reports/plots/canvas.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>

#include "core/input_error.h"

#if defined(__SANITIZE_ADDRESS__)
// Drawing text makes fontconfig load its configuration, which it keeps for the life of the
// process (a fixed few kB, not per figure); LeakSanitizer reports it as leaked at exit. The
// suppression lives here, beside the only code that brings fontconfig in.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
#endif

namespace keycomp::plots {
namespace {

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using ContextPtr = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

// Draws the figure on `surface` over a white background, scaled by `scale`; a vector surface
// is finished (written out), an image surface is left for writing to PNG.
cairo_status_t DrawOn(cairo_surface_t* surface, const Figure& figure, double scale) {
  ContextPtr cr(cairo_create(surface), &cairo_destroy);
  cairo_scale(cr.get(), scale, scale);
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_rectangle(cr.get(), 0, 0, figure.width, figure.height);
  cairo_fill(cr.get());
  if (figure.draw) figure.draw(cr.get());
  const cairo_status_t status = cairo_status(cr.get());
  cr.reset();
  if (cairo_surface_get_type(surface) != CAIRO_SURFACE_TYPE_IMAGE) cairo_surface_finish(surface);
  return status != CAIRO_STATUS_SUCCESS ? status : cairo_surface_status(surface);
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void Check(cairo_status_t status, const std::string& path) {
  if (status != CAIRO_STATUS_SUCCESS) {
    throw InputError(path, 0, "-o",
                     fmt::format("cannot write the plot ({})", cairo_status_to_string(status)));
  }
}

}  // namespace

std::string RenderSvg(const Figure& figure) {
  std::string svg;
  SurfacePtr surface(cairo_svg_surface_create_for_stream(&AppendToString, &svg, figure.width,
                                                         figure.height),
                     &cairo_surface_destroy);
  cairo_svg_surface_restrict_to_version(surface.get(), CAIRO_SVG_VERSION_1_1);
  Check(DrawOn(surface.get(), figure, 1), "<svg>");
  surface.reset();
  return svg;
}

void WritePdf(const Figure& figure, const std::string& path) {
  SurfacePtr surface(cairo_pdf_surface_create(path.c_str(), figure.width, figure.height),
                     &cairo_surface_destroy);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "keycomp");
  Check(DrawOn(surface.get(), figure, 1), path);
}

void WritePng(const Figure& figure, const std::string& path, double pixels_per_point) {
  const int width = static_cast<int>(std::lround(figure.width * pixels_per_point));
  const int height = static_cast<int>(std::lround(figure.height * pixels_per_point));
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height),
                     &cairo_surface_destroy);
  Check(DrawOn(surface.get(), figure, pixels_per_point), path);
  Check(cairo_surface_write_to_png(surface.get(), path.c_str()), path);
}

Canvas::Canvas(cairo_t* cr) : cr_(cr) {}

namespace {
void SetColor(cairo_t* cr, Color c) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a); }
}  // namespace

void Canvas::Line(double x0, double y0, double x1, double y1, Color color, double width,
                  bool dashed) {
  cairo_save(cr_);
  SetColor(cr_, color);
  cairo_set_line_width(cr_, width);
  cairo_set_line_cap(cr_, CAIRO_LINE_CAP_BUTT);
  if (dashed) {
    const double dash[] = {4 * width + 1, 2.5 * width + 1};
    cairo_set_dash(cr_, dash, 2, 0);
  }
  cairo_move_to(cr_, x0, y0);
  cairo_line_to(cr_, x1, y1);
  cairo_stroke(cr_);
  cairo_restore(cr_);
}

void Canvas::FillRect(double x, double y, double w, double h, Color color) {
  cairo_save(cr_);
  SetColor(cr_, color);
  cairo_rectangle(cr_, x, y, w, h);
  cairo_fill(cr_);
  cairo_restore(cr_);
}

void Canvas::StrokeRect(double x, double y, double w, double h, Color color, double width) {
  cairo_save(cr_);
  SetColor(cr_, color);
  cairo_set_line_width(cr_, width);
  cairo_rectangle(cr_, x, y, w, h);
  cairo_stroke(cr_);
  cairo_restore(cr_);
}

void Canvas::Circle(double x, double y, double radius, Color fill, bool filled) {
  cairo_save(cr_);
  cairo_new_sub_path(cr_);
  cairo_arc(cr_, x, y, radius, 0, 2 * std::numbers::pi);
  SetColor(cr_, filled ? fill : palette::kWhite);
  cairo_fill_preserve(cr_);
  SetColor(cr_, filled ? palette::kInk : fill);
  cairo_set_line_width(cr_, filled ? 0.6 : 1.3);
  cairo_stroke(cr_);
  cairo_restore(cr_);
}

void Canvas::Diamond(double x, double y, double radius, Color color, bool filled) {
  cairo_save(cr_);
  cairo_move_to(cr_, x, y - radius * 1.25);
  cairo_line_to(cr_, x + radius, y);
  cairo_line_to(cr_, x, y + radius * 1.25);
  cairo_line_to(cr_, x - radius, y);
  cairo_close_path(cr_);
  SetColor(cr_, filled ? color : palette::kWhite);
  cairo_fill_preserve(cr_);
  SetColor(cr_, color);
  cairo_set_line_width(cr_, 1.3);
  cairo_stroke(cr_);
  cairo_restore(cr_);
}

void Canvas::Arrow(double x, double y, bool up, double size, Color color) {
  cairo_save(cr_);
  const double tip = up ? -size : size;
  cairo_move_to(cr_, x, y + tip);
  cairo_line_to(cr_, x - size * 0.6, y);
  cairo_line_to(cr_, x + size * 0.6, y);
  cairo_close_path(cr_);
  SetColor(cr_, color);
  cairo_fill(cr_);
  cairo_restore(cr_);
}

void Canvas::SelectFont(double size, bool bold) {
  cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
}

double Canvas::TextWidth(const std::string& text, double size, bool bold) {
  cairo_save(cr_);
  SelectFont(size, bold);
  cairo_text_extents_t extents;
  cairo_text_extents(cr_, text.c_str(), &extents);
  cairo_restore(cr_);
  return extents.x_advance;
}

void Canvas::Text(double x, double y, const std::string& text, double size, HAlign h, VAlign v,
                  Color color, bool bold, double angle) {
  if (text.empty()) return;
  cairo_save(cr_);
  SelectFont(size, bold);
  cairo_text_extents_t extents;
  cairo_text_extents(cr_, text.c_str(), &extents);
  double dx = 0;
  if (h == HAlign::kCenter) dx = -extents.x_advance / 2;
  if (h == HAlign::kRight) dx = -extents.x_advance;
  // Vertical placement from the font size (cap height ~0.72 em, descent ~0.24 em), so that
  // labels line up whatever letters they hold.
  double dy = 0;
  if (v == VAlign::kTop) dy = 0.74 * size;
  if (v == VAlign::kMiddle) dy = 0.36 * size;
  if (v == VAlign::kBottom) dy = -0.24 * size;
  cairo_translate(cr_, x, y);
  cairo_rotate(cr_, -angle * std::numbers::pi / 180);
  cairo_move_to(cr_, dx, dy);
  SetColor(cr_, color);
  cairo_show_text(cr_, text.c_str());
  cairo_restore(cr_);
}

std::vector<double> NiceTicks(double lo, double hi, int target) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  const double raw = (hi - lo) / std::max(target, 2);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  // Integer multiples of the step (no accumulated rounding).
  std::vector<double> ticks;
  const double first = std::ceil(lo / step - 1e-9);
  const double last = std::floor(hi / step + 1e-9);
  for (double i = first; i <= last && ticks.size() <= 50; ++i) {
    ticks.push_back(i == 0 ? 0.0 : i * step);
  }
  return ticks;
}

std::string TickLabel(double value, double step) {
  const int decimals =
      step > 0 ? std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9))) : 0;
  // 2.5-steps need one more decimal than their magnitude says.
  const double scaled = step * std::pow(10.0, decimals);
  const int extra = std::abs(scaled - std::round(scaled)) > 1e-6 ? 1 : 0;
  std::string label = fmt::format("{:.{}f}", value, decimals + extra);
  if (label.rfind("-0", 0) == 0 && std::stod(label) == 0) label.erase(0, 1);
  // A real minus sign reads better than a hyphen.
  if (!label.empty() && label[0] == '-') label = "\u2212" + label.substr(1);
  return label;
}

void ExpandToTicks(double& lo, double& hi, int target) {
  if (!(hi > lo)) {
    const double pad = lo != 0 ? std::abs(lo) * 0.05 : 1;
    lo -= pad;
    hi += pad;
  }
  const std::vector<double> ticks = NiceTicks(lo, hi, target);
  if (ticks.size() < 2) return;
  const double step = ticks[1] - ticks[0];
  lo = std::floor(lo / step + 1e-9) * step;
  hi = std::ceil(hi / step - 1e-9) * step;
}

double DrawLegend(Canvas& canvas, double x, double y, double width,
                  const std::vector<LegendItem>& items, bool draw) {
  constexpr double kFont = 8;
  constexpr double kSymbol = 18;
  constexpr double kRow = 12;
  double cx = x;
  double cy = y;
  for (const LegendItem& item : items) {
    const double w = kSymbol + 4 + canvas.TextWidth(item.text, kFont) + 12;
    if (cx > x && cx + w > x + width) {
      cx = x;
      cy += kRow;
    }
    if (draw) {
      const double mid = cy + kRow / 2;
      const double sx = cx + kSymbol / 2;
      using S = LegendItem::Symbol;
      switch (item.symbol) {
        case S::kFilledMarker: canvas.Circle(sx, mid, 3.2, item.color, true); break;
        case S::kOpenMarker: canvas.Diamond(sx, mid, 3.2, item.color, false); break;
        case S::kBar:
          canvas.Line(cx + 2, mid, cx + kSymbol - 2, mid, item.color, 1.6);
          canvas.Line(cx + 2, mid - 3, cx + 2, mid + 3, item.color, 1.2);
          canvas.Line(cx + kSymbol - 2, mid - 3, cx + kSymbol - 2, mid + 3, item.color, 1.2);
          break;
        case S::kWideBar:
          canvas.FillRect(cx + 1, mid - 2.5, kSymbol - 2, 5, item.color);
          break;
        case S::kLine: canvas.Line(cx, mid, cx + kSymbol, mid, item.color, 1.4); break;
        case S::kDashedLine: canvas.Line(cx, mid, cx + kSymbol, mid, item.color, 1.2, true); break;
        case S::kBand: canvas.FillRect(cx, mid - 4, kSymbol, 8, item.color); break;
      }
      canvas.Text(cx + kSymbol + 4, mid, item.text, kFont, HAlign::kLeft, VAlign::kMiddle);
    }
    cx += w;
  }
  return items.empty() ? 0 : cy - y + kRow;
}

void DrawValueAxis(Canvas& canvas, const LinearScale& scale, bool vertical, double edge,
                   double other_edge, const std::string& label, double font_size) {
  const std::vector<double> ticks = NiceTicks(std::min(scale.d0, scale.d1),
                                              std::max(scale.d0, scale.d1));
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
  double widest = 0;
  for (double t : ticks) {
    const double p = scale(t);
    const std::string text = TickLabel(t, step);
    if (vertical) {
      canvas.Line(edge, p, other_edge, p, palette::kGrid, 0.6);
      canvas.Line(edge - 3, p, edge, p, palette::kInk, 0.8);
      canvas.Text(edge - 5, p, text, font_size, HAlign::kRight, VAlign::kMiddle);
      widest = std::max(widest, canvas.TextWidth(text, font_size));
    } else {
      canvas.Line(p, edge, p, other_edge, palette::kGrid, 0.6);
      canvas.Line(p, edge, p, edge + 3, palette::kInk, 0.8);
      canvas.Text(p, edge + 5, text, font_size, HAlign::kCenter, VAlign::kTop);
    }
  }
  const double mid = (scale.r0 + scale.r1) / 2;
  if (vertical) {
    canvas.Line(edge, scale.r0, edge, scale.r1, palette::kInk, 0.8);
    canvas.Text(edge - widest - 10, mid, label, font_size + 0.5, HAlign::kCenter,
                VAlign::kBottom, palette::kInk, false, 90);
  } else {
    canvas.Line(scale.r0, edge, scale.r1, edge, palette::kInk, 0.8);
    canvas.Text(mid, edge + 8 + 1.6 * font_size, label, font_size + 0.5, HAlign::kCenter,
                VAlign::kTop);
  }
}

}  // namespace keycomp::plots

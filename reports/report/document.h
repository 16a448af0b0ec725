// A small document model for the draft report: sections holding paragraphs, tables, figures and
// lists. The report is built once as a Document and rendered to Markdown, HTML and LaTeX, so the
// three files always say the same thing.
//
// Text is UTF-8. One inline markup: `code` (between backticks) for names such as estimator
// names; RenderX escapes everything else for its target. Mathematical symbols are written as
// Unicode (τ, χ², uᵢ, ≤, ×10⁻³) and the LaTeX renderer maps them to math mode.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace keycomp::report {

struct Paragraph {
  std::string text;
};

struct Table {
  std::string caption;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string align;  ///< one of l, r, c per column; missing columns are left-aligned
  std::string note;   ///< printed under the table
};

/// A figure written as files NAME.svg, NAME.pdf and NAME.png beside the report.
struct FigureRef {
  std::string name;
  std::string caption;
};

struct BulletList {
  std::vector<std::string> items;
};

/// Pairs shown as "key: value" lines (a definition list).
struct KeyValues {
  std::vector<std::pair<std::string, std::string>> items;
};

/// Verbatim text (a command line, say).
struct CodeBlock {
  std::string text;
};

using Block = std::variant<Paragraph, Table, FigureRef, BulletList, KeyValues, CodeBlock>;

struct Section {
  std::string id;  ///< anchor, [a-z0-9-]
  std::string title;
  std::vector<Block> blocks;
  std::vector<Section> subsections;
};

struct Document {
  std::string title;
  std::string subtitle;
  KeyValues front_matter;
  std::vector<Section> sections;
  std::vector<Section> appendices;
};

/// Escapes a piece of data text so that it renders literally (backticks become quotes).
std::string Literal(const std::string& text);
/// A code span around `text`.
std::string Code(const std::string& text);

std::string RenderMarkdown(const Document& document);
/// A self-contained page: CSS inline, each figure inlined from `svg_by_figure` (by name).
std::string RenderHtml(const Document& document,
                       const std::map<std::string, std::string>& svg_by_figure);
/// A standalone LaTeX document for pdflatex using only texlive-latex-base packages; figures
/// are included as NAME.pdf.
std::string RenderLatex(const Document& document);

/// The SVG text made fit to sit inline in HTML next to other figures: the XML prologue
/// dropped, every id prefixed with `prefix` (cairo names its glyphs and clips the same way in
/// every file), and the size made responsive.
std::string InlineSvg(const std::string& svg, const std::string& prefix);

}  // namespace keycomp::report

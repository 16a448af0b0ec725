// The three renderings of a report document: escaping, numbering, symbols, inline SVG.
#include "reports/report/document.h"

#include <catch2/catch.hpp>

namespace keycomp::report {
namespace {

using Catch::Matchers::Contains;

Document Sample() {
  Document d;
  d.title = "K1 & friends";
  d.subtitle = "mass <fraction>";
  d.front_matter.items = {{"Unit", "ng/g"}};
  Section s{"summary", "Summary", {}, {}};
  s.blocks.push_back(Paragraph{"χ² = 68.2, p = 2.4 × 10⁻¹³, uᵢ² + τ², |Eₙ| > 1, 50 % of `weighted_mean` *"});
  s.blocks.push_back(Paragraph{"x_w and _start [1, 2] <b> a\\b"});
  Table t;
  t.caption = "Results";
  t.header = {"Lab", "xᵢ"};
  t.align = "lr";
  t.rows = {{"A|B", "−1.5"}};
  s.blocks.push_back(t);
  s.blocks.push_back(FigureRef{"fig-x", "A figure."});
  d.sections.push_back(s);
  Section a{"data", "Data", {}, {}};
  a.blocks.push_back(CodeBlock{"keycomp report in.csv -o out"});
  d.appendices.push_back(a);
  return d;
}

TEST_CASE("Markdown: numbered sections and tables, escaped text, code spans") {
  const std::string md = RenderMarkdown(Sample());
  CHECK_THAT(md, Contains("# K1 & friends\n"));
  CHECK_THAT(md, Contains("## 1 Summary"));
  CHECK_THAT(md, Contains("## Appendix A Data"));
  CHECK_THAT(md, Contains("`weighted_mean` \\*"));
  CHECK_THAT(md, Contains("x_w and \\_start [1, 2] \\<b> a\\\\b"));
  CHECK_THAT(md, Contains("**Table 1.** Results"));
  CHECK_THAT(md, Contains("| Lab | xᵢ |\n|---|---:|\n| A\\|B | −1.5 |"));
  CHECK_THAT(md, Contains("![Figure 1](fig-x.png)"));
  CHECK_THAT(md, Contains("```\nkeycomp report in.csv -o out\n```"));
}

TEST_CASE("HTML: escaped, self-contained, figures inlined with unique ids") {
  const std::string svg =
      "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"460pt\" "
      "height=\"300pt\" viewBox=\"0 0 460 300\"><defs><g id=\"glyph0-1\"/></defs>"
      "<use xlink:href=\"#glyph0-1\"/><g clip-path=\"url(#clip1)\"/></svg>";
  const std::string html = RenderHtml(Sample(), {{"fig-x", svg}});
  CHECK_THAT(html, Contains("<h1>K1 &amp; friends</h1>"));
  CHECK_THAT(html, Contains("mass &lt;fraction&gt;"));
  CHECK_THAT(html, Contains("<code>weighted_mean</code>"));
  CHECK_THAT(html, Contains("<td class=\"r\">−1.5</td>"));
  CHECK_THAT(html, Contains("id=\"figure-1-glyph0-1\""));
  CHECK_THAT(html, Contains("href=\"#figure-1-glyph0-1\""));
  CHECK_THAT(html, Contains("url(#figure-1-clip1)"));
  CHECK_THAT(html, !Contains("<?xml"));
  CHECK_THAT(html, !Contains("width=\"460pt\""));
  CHECK_THAT(html, Contains("viewBox=\"0 0 460 300\""));
}

TEST_CASE("LaTeX: special characters escaped, Unicode symbols as math") {
  const std::string tex = RenderLatex(Sample());
  CHECK_THAT(tex, Contains("\\title{K1 \\& friends}"));
  CHECK_THAT(tex, Contains("$\\chi ^{2}$ = 68.2"));
  CHECK_THAT(tex, Contains("2.4 $\\times $ 10$^{-13}$"));
  CHECK_THAT(tex, Contains("u$_{i}^{2}$ + $\\tau ^{2}$"));
  CHECK_THAT(tex, Contains("\\textbar{}E$_{n}$\\textbar{} \\textgreater{} 1"));
  CHECK_THAT(tex, Contains("50 \\% of \\texttt{weighted\\_mean}"));
  CHECK_THAT(tex, Contains("A\\textbar{}B & $-$1.5 \\\\"));
  CHECK_THAT(tex, Contains("\\includegraphics[width=\\linewidth]{fig-x.pdf}"));
  CHECK_THAT(tex, Contains("\\appendix"));
  CHECK_THAT(tex, Contains("\\section{Data}"));
}

TEST_CASE("LaTeX: unknown symbols become a placeholder rather than a pdflatex error") {
  Document d;
  d.title = "Ω, é";
  CHECK_THAT(RenderLatex(d), Contains("\\title{?, é}"));
}

}  // namespace
}  // namespace keycomp::report

#include "reports/report/document.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <string_view>

namespace keycomp::report {
namespace {

// ---------------------------------------------------------------- inline text

// Splits text into runs of plain text and `code`.
template <typename Plain, typename CodeSpan>
std::string MapInline(std::string_view text, Plain plain, CodeSpan code) {
  std::string out;
  bool in_code = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '`') continue;
    const std::string_view piece = text.substr(start, i - start);
    out += in_code ? code(piece) : plain(piece);
    in_code = !in_code;
    start = i + 1;
  }
  return out;
}

// Decodes one UTF-8 code point at `i` (advancing it); invalid bytes come out as U+FFFD.
char32_t NextCodePoint(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  int extra = 0;
  char32_t cp = 0;
  if (c < 0x80) {
    ++i;
    return c;
  } else if ((c & 0xE0) == 0xC0) {
    cp = c & 0x1F;
    extra = 1;
  } else if ((c & 0xF0) == 0xE0) {
    cp = c & 0x0F;
    extra = 2;
  } else if ((c & 0xF8) == 0xF0) {
    cp = c & 0x07;
    extra = 3;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + static_cast<std::size_t>(extra) >= s.size()) {
    i = s.size();
    return 0xFFFD;
  }
  for (int k = 1; k <= extra; ++k) {
    const unsigned char b = byte(i + static_cast<std::size_t>(k));
    if ((b & 0xC0) != 0x80) {
      i += static_cast<std::size_t>(k);
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

// Escapes only what Markdown could read as markup here: emphasis (*, and _ unless inside a
// word), table cells (|), HTML (<) and the escape character itself.
std::string EscapeMarkdown(std::string_view text) {
  const auto word = [&](std::size_t i) {
    if (i >= text.size()) return false;
    const auto c = static_cast<unsigned char>(text[i]);
    return std::isalnum(c) != 0 || c >= 0x80;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool intraword_underscore = c == '_' && i > 0 && word(i - 1) && word(i + 1);
    if ((std::string_view("\\*|<_").find(c) != std::string_view::npos) && !intraword_underscore) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

std::string MarkdownInline(std::string_view text) {
  return MapInline(text, EscapeMarkdown, [](std::string_view code) {
    return fmt::format("`{}`", code);
  });
}

std::string EscapeHtml(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string HtmlInline(std::string_view text) {
  return MapInline(text, EscapeHtml, [](std::string_view code) {
    return fmt::format("<code>{}</code>", EscapeHtml(code));
  });
}

// LaTeX: symbols written in Unicode become math; runs of super- and subscripts merge into one
// group (x⁻¹³ -> $^{-13}$), consecutive math symbols into one $...$.
struct LatexWriter {
  std::string out;
  std::string math;
  std::string sup;
  std::string sub;

  void FlushScripts() {
    if (!sub.empty()) math += "_{" + sub + "}";
    if (!sup.empty()) math += "^{" + sup + "}";
    sub.clear();
    sup.clear();
  }
  void FlushMath() {
    FlushScripts();
    if (!math.empty()) out += "$" + math + "$";
    math.clear();
  }
  void Text(std::string_view t) {
    FlushMath();
    out += t;
  }
  void Math(std::string_view m) {
    FlushScripts();
    math += m;
  }
  void Sup(std::string_view s) { sup += s; }
  void Sub(std::string_view s) {
    if (!sup.empty()) FlushScripts();
    sub += s;
  }
};

const char* LatexMathSymbol(char32_t cp) {
  switch (cp) {
    case U'τ': return "\\tau ";
    case U'χ': return "\\chi ";
    case U'ν': return "\\nu ";
    case U'μ':
    case U'µ': return "\\mu ";
    case U'σ': return "\\sigma ";
    case U'α': return "\\alpha ";
    case U'Δ': return "\\Delta ";
    case U'√': return "\\surd ";
    case U'±': return "\\pm ";
    case U'×': return "\\times ";
    case U'−': return "-";
    case U'≤': return "\\leq ";
    case U'≥': return "\\geq ";
    case U'≈': return "\\approx ";
    case U'≠': return "\\neq ";
    case U'·': return "\\cdot ";
    case U'∞': return "\\infty ";
    case U'→': return "\\to ";
    case U'°': return "^\\circ ";
    default: return nullptr;
  }
}

const char* LatexSuperscript(char32_t cp) {
  switch (cp) {
    case U'⁰': return "0";
    case U'¹': return "1";
    case U'²': return "2";
    case U'³': return "3";
    case U'⁴': return "4";
    case U'⁵': return "5";
    case U'⁶': return "6";
    case U'⁷': return "7";
    case U'⁸': return "8";
    case U'⁹': return "9";
    case U'⁻': return "-";
    default: return nullptr;
  }
}

const char* LatexSubscript(char32_t cp) {
  switch (cp) {
    case U'ᵢ': return "i";
    case U'ⱼ': return "j";
    case U'ₙ': return "n";
    case U'₀': return "0";
    case U'₁': return "1";
    case U'₂': return "2";
    default: return nullptr;
  }
}

std::string EscapeLatex(std::string_view text) {
  LatexWriter w;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    const char32_t cp = NextCodePoint(text, i);
    if (const char* s = LatexSuperscript(cp)) {
      w.Sup(s);
    } else if (const char* b = LatexSubscript(cp)) {
      w.Sub(b);
    } else if (const char* m = LatexMathSymbol(cp)) {
      w.Math(m);
    } else if (cp < 0x80) {
      switch (static_cast<char>(cp)) {
        case '\\': w.Text("\\textbackslash{}"); break;
        case '{': w.Text("\\{"); break;
        case '}': w.Text("\\}"); break;
        case '$': w.Text("\\$"); break;
        case '&': w.Text("\\&"); break;
        case '#': w.Text("\\#"); break;
        case '^': w.Text("\\textasciicircum{}"); break;
        case '-':
          // "--" would print as a dash: keep the hyphens of --option apart.
          w.Text(i < text.size() && text[i] == '-' ? "-{}" : "-");
          break;
        case '_': w.Text("\\_"); break;
        case '%': w.Text("\\%"); break;
        case '~': w.Text("\\textasciitilde{}"); break;
        case '<': w.Text("\\textless{}"); break;
        case '>': w.Text("\\textgreater{}"); break;
        case '|': w.Text("\\textbar{}"); break;
        default: w.Text(text.substr(start, 1));
      }
    } else {
      switch (cp) {
        case U'\u2013': w.Text("--"); break;
        case U'\u2014': w.Text("---"); break;
        case U'\u2026': w.Text("\\ldots{}"); break;
        case U'\u2018': w.Text("`"); break;
        case U'\u2019': w.Text("'"); break;
        case U'\u201C': w.Text("``"); break;
        case U'\u201D': w.Text("''"); break;
        case U'\u00A0': w.Text("~"); break;
        case U'\u2009':
        case U'\u202F': w.Text("\\,"); break;
        default:
          // Latin-1 letters pass through (inputenc knows them); anything else pdflatex could
          // not typeset with base fonts becomes a visible placeholder instead of an error.
          if (cp >= 0xC0 && cp <= 0xFF) {
            w.Text(text.substr(start, i - start));
          } else {
            w.Text("?");
          }
      }
    }
  }
  w.FlushMath();
  return w.out;
}

std::string LatexInline(std::string_view text) {
  return MapInline(text, EscapeLatex, [](std::string_view code) {
    return fmt::format("\\texttt{{{}}}", EscapeLatex(code));
  });
}

// ---------------------------------------------------------------- numbering

std::string SectionNumber(std::size_t index, bool appendix) {
  return appendix ? std::string(1, static_cast<char>('A' + index)) : std::to_string(index + 1);
}

struct Counters {
  int table = 0;
  int figure = 0;
};

// ---------------------------------------------------------------- Markdown

void MarkdownBlocks(const std::vector<Block>& blocks, Counters& counters, std::string& out) {
  for (const Block& block : blocks) {
    if (const auto* p = std::get_if<Paragraph>(&block)) {
      out += MarkdownInline(p->text) + "\n\n";
    } else if (const auto* t = std::get_if<Table>(&block)) {
      out += fmt::format("**Table {}.** {}\n\n", ++counters.table, MarkdownInline(t->caption));
      auto row = [&](const std::vector<std::string>& cells) {
        out += "|";
        for (const std::string& c : cells) out += fmt::format(" {} |", MarkdownInline(c));
        out += "\n";
      };
      row(t->header);
      out += "|";
      for (std::size_t c = 0; c < t->header.size(); ++c) {
        const char a = c < t->align.size() ? t->align[c] : 'l';
        out += a == 'r' ? "---:|" : a == 'c' ? ":---:|" : "---|";
      }
      out += "\n";
      for (const auto& r : t->rows) row(r);
      out += "\n";
      if (!t->note.empty()) out += MarkdownInline(t->note) + "\n\n";
    } else if (const auto* f = std::get_if<FigureRef>(&block)) {
      ++counters.figure;
      out += fmt::format("![Figure {}]({}.png)\n\n**Figure {}.** {} (Files: `{}.svg`, `{}.pdf`, "
                         "`{}.png`.)\n\n",
                         counters.figure, f->name, counters.figure, MarkdownInline(f->caption),
                         f->name, f->name, f->name);
    } else if (const auto* l = std::get_if<BulletList>(&block)) {
      for (const std::string& item : l->items) out += "- " + MarkdownInline(item) + "\n";
      out += "\n";
    } else if (const auto* kv = std::get_if<KeyValues>(&block)) {
      for (const auto& [k, v] : kv->items) {
        out += fmt::format("- **{}:** {}\n", MarkdownInline(k), MarkdownInline(v));
      }
      out += "\n";
    } else if (const auto* code = std::get_if<CodeBlock>(&block)) {
      out += "```\n" + code->text + "\n```\n\n";
    }
  }
}

void MarkdownSection(const Section& s, const std::string& number, int level, Counters& counters,
                     std::string& out) {
  out += fmt::format("{} {} {}\n\n", std::string(static_cast<std::size_t>(level), '#'), number,
                     MarkdownInline(s.title));
  MarkdownBlocks(s.blocks, counters, out);
  for (std::size_t i = 0; i < s.subsections.size(); ++i) {
    MarkdownSection(s.subsections[i], fmt::format("{}.{}", number, i + 1), level + 1, counters,
                    out);
  }
}

// ---------------------------------------------------------------- HTML

constexpr std::string_view kCss = R"(
:root { --ink: #1a1a1a; --muted: #5a5a5a; --rule: #c8c8c8; --accent: #0072b2; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f4f2; color: var(--ink);
  font: 16px/1.5 "DejaVu Serif", Georgia, "Times New Roman", serif; }
main { max-width: 52rem; margin: 0 auto; padding: 2.5rem 3rem 4rem; background: #fff; }
header { border-bottom: 2px solid var(--ink); margin-bottom: 1.5rem; padding-bottom: 1rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 .3rem; }
.subtitle { color: var(--muted); margin: 0 0 1rem; font-size: 1.1rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.08rem; margin: 1.6rem 0 .5rem; }
dl.front, dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem;
  margin: .5rem 0 1rem; font-size: .95rem; }
dl dt { font-weight: bold; } dl dd { margin: 0; overflow-wrap: anywhere; }
nav.toc { font-size: .95rem; margin-bottom: 1.5rem; } nav.toc ol { margin: .3rem 0; }
table { border-collapse: collapse; margin: .8rem 0 .4rem; font-size: .9rem; min-width: 60%;
  font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-size: .92rem; padding-bottom: .35rem; }
th, td { padding: .22rem .6rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
thead th { border-bottom: 1.5px solid var(--ink); border-top: 1.5px solid var(--ink);
  text-align: left; }
td.r, th.r { text-align: right; } td.c, th.c { text-align: center; }
.tablewrap { overflow-x: auto; }
p.note { font-size: .88rem; color: var(--muted); margin-top: .2rem; }
figure { margin: 1.2rem 0; } figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: .92rem; color: var(--ink); margin-top: .3rem; }
code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: .86em; }
pre { background: #f6f6f6; padding: .6rem .8rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.label { font-weight: bold; }
@media print { body { background: #fff; } main { max-width: none; padding: 0; }
  figure, .tablewrap { break-inside: avoid; } h2, h3 { break-after: avoid; } }
)";

void HtmlBlocks(const std::vector<Block>& blocks, Counters& counters,
                const std::map<std::string, std::string>& svg_by_figure, std::string& out) {
  for (const Block& block : blocks) {
    if (const auto* p = std::get_if<Paragraph>(&block)) {
      out += "<p>" + HtmlInline(p->text) + "</p>\n";
    } else if (const auto* t = std::get_if<Table>(&block)) {
      auto cls = [&](std::size_t c) {
        const char a = c < t->align.size() ? t->align[c] : 'l';
        return a == 'r' ? " class=\"r\"" : a == 'c' ? " class=\"c\"" : "";
      };
      out += fmt::format("<div class=\"tablewrap\"><table>\n<caption><span class=\"label\">Table "
                         "{}.</span> {}</caption>\n<thead><tr>",
                         ++counters.table, HtmlInline(t->caption));
      for (std::size_t c = 0; c < t->header.size(); ++c) {
        out += fmt::format("<th{}>{}</th>", cls(c), HtmlInline(t->header[c]));
      }
      out += "</tr></thead>\n<tbody>\n";
      for (const auto& row : t->rows) {
        out += "<tr>";
        for (std::size_t c = 0; c < row.size(); ++c) {
          out += fmt::format("<td{}>{}</td>", cls(c), HtmlInline(row[c]));
        }
        out += "</tr>\n";
      }
      out += "</tbody></table></div>\n";
      if (!t->note.empty()) out += "<p class=\"note\">" + HtmlInline(t->note) + "</p>\n";
    } else if (const auto* f = std::get_if<FigureRef>(&block)) {
      // A figure may be shown twice (summary and its section): ids must stay unique.
      ++counters.figure;
      out += fmt::format("<figure id=\"figure-{}\">\n", counters.figure);
      const auto svg = svg_by_figure.find(f->name);
      if (svg != svg_by_figure.end()) {
        out += InlineSvg(svg->second, fmt::format("figure-{}-", counters.figure));
      }
      out += fmt::format("<figcaption><span class=\"label\">Figure {}.</span> {}</figcaption>\n"
                         "</figure>\n",
                         counters.figure, HtmlInline(f->caption));
    } else if (const auto* l = std::get_if<BulletList>(&block)) {
      out += "<ul>\n";
      for (const std::string& item : l->items) out += "<li>" + HtmlInline(item) + "</li>\n";
      out += "</ul>\n";
    } else if (const auto* kv = std::get_if<KeyValues>(&block)) {
      out += "<dl class=\"kv\">\n";
      for (const auto& [k, v] : kv->items) {
        out += fmt::format("<dt>{}</dt><dd>{}</dd>\n", HtmlInline(k), HtmlInline(v));
      }
      out += "</dl>\n";
    } else if (const auto* code = std::get_if<CodeBlock>(&block)) {
      out += "<pre>" + EscapeHtml(code->text) + "</pre>\n";
    }
  }
}

void HtmlSection(const Section& s, const std::string& number, int level, Counters& counters,
                 const std::map<std::string, std::string>& svg, std::string& out) {
  out += fmt::format("<section id=\"{}\">\n<h{}>{} {}</h{}>\n", s.id, level, number,
                     HtmlInline(s.title), level);
  HtmlBlocks(s.blocks, counters, svg, out);
  for (std::size_t i = 0; i < s.subsections.size(); ++i) {
    HtmlSection(s.subsections[i], fmt::format("{}.{}", number, i + 1), level + 1, counters, svg,
                out);
  }
  out += "</section>\n";
}

// ---------------------------------------------------------------- LaTeX

void LatexBlocks(const std::vector<Block>& blocks, std::string& out) {
  for (const Block& block : blocks) {
    if (const auto* p = std::get_if<Paragraph>(&block)) {
      out += LatexInline(p->text) + "\n\n";
    } else if (const auto* t = std::get_if<Table>(&block)) {
      // Long free-text columns wrap in a paragraph column; the rest keep their alignment.
      std::string spec;
      for (std::size_t c = 0; c < t->header.size(); ++c) {
        std::size_t longest = t->header[c].size();
        for (const auto& row : t->rows) {
          if (c < row.size()) longest = std::max(longest, row[c].size());
        }
        const char a = c < t->align.size() ? t->align[c] : 'l';
        spec += longest > 40 ? std::string("p{6cm}") : std::string(1, a);
      }
      out += fmt::format("\\begin{{longtable}}{{{}}}\n\\caption{{{}}}\\\\\n\\hline\n", spec,
                         LatexInline(t->caption));
      auto row = [&](const std::vector<std::string>& cells) {
        for (std::size_t c = 0; c < cells.size(); ++c) {
          out += (c ? " & " : "") + LatexInline(cells[c]);
        }
        out += " \\\\\n";
      };
      row(t->header);
      out += "\\hline\n\\endhead\n";
      for (const auto& r : t->rows) row(r);
      out += "\\hline\n\\end{longtable}\n";
      if (!t->note.empty()) out += "{\\small " + LatexInline(t->note) + "}\n\n";
    } else if (const auto* f = std::get_if<FigureRef>(&block)) {
      out += fmt::format(
          "\\begin{{figure}}[!htbp]\n\\centering\n\\includegraphics[width=\\linewidth]{{{}.pdf}}\n"
          "\\caption{{{}}}\n\\end{{figure}}\n\n",
          f->name, LatexInline(f->caption));
    } else if (const auto* l = std::get_if<BulletList>(&block)) {
      out += "\\begin{itemize}\n";
      for (const std::string& item : l->items) out += "\\item " + LatexInline(item) + "\n";
      out += "\\end{itemize}\n\n";
    } else if (const auto* kv = std::get_if<KeyValues>(&block)) {
      out += "\\begin{description}\n";
      for (const auto& [k, v] : kv->items) {
        out += fmt::format("\\item[{}:] {}\n", LatexInline(k), LatexInline(v));
      }
      out += "\\end{description}\n\n";
    } else if (const auto* code = std::get_if<CodeBlock>(&block)) {
      out += "\\begin{flushleft}\\small\\ttfamily\n" + EscapeLatex(code->text) +
             "\n\\end{flushleft}\n\n";
    }
  }
}

void LatexSection(const Section& s, int level, std::string& out) {
  static const char* const kCommands[] = {"section", "subsection", "subsubsection"};
  out += fmt::format("\\{}{{{}}}\\label{{{}}}\n\n", kCommands[std::min(level, 2)],
                     LatexInline(s.title), s.id);
  LatexBlocks(s.blocks, out);
  for (const Section& sub : s.subsections) LatexSection(sub, level + 1, out);
}

}  // namespace

std::string Literal(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (c == '`') c = '\'';
  }
  return out;
}

std::string Code(const std::string& text) { return fmt::format("`{}`", Literal(text)); }

std::string RenderMarkdown(const Document& document) {
  std::string out = "# " + MarkdownInline(document.title) + "\n\n";
  if (!document.subtitle.empty()) out += MarkdownInline(document.subtitle) + "\n\n";
  Counters counters;
  MarkdownBlocks({document.front_matter}, counters, out);
  for (std::size_t i = 0; i < document.sections.size(); ++i) {
    MarkdownSection(document.sections[i], SectionNumber(i, false), 2, counters, out);
  }
  for (std::size_t i = 0; i < document.appendices.size(); ++i) {
    MarkdownSection(document.appendices[i], "Appendix " + SectionNumber(i, true), 2, counters,
                    out);
  }
  while (out.size() > 1 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') {
    out.pop_back();
  }
  return out;
}

std::string RenderHtml(const Document& document,
                       const std::map<std::string, std::string>& svg_by_figure) {
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n<header>\n<h1>{}</h1>\n",
      EscapeHtml(MapInline(document.title, [](std::string_view s) { return std::string(s); },
                           [](std::string_view s) { return std::string(s); })),
      kCss, HtmlInline(document.title));
  if (!document.subtitle.empty()) {
    out += "<p class=\"subtitle\">" + HtmlInline(document.subtitle) + "</p>\n";
  }
  out += "<dl class=\"front\">\n";
  for (const auto& [k, v] : document.front_matter.items) {
    out += fmt::format("<dt>{}</dt><dd>{}</dd>\n", HtmlInline(k), HtmlInline(v));
  }
  out += "</dl>\n</header>\n<nav class=\"toc\"><strong>Contents</strong>\n<ol>\n";
  for (const Section& s : document.sections) {
    out += fmt::format("<li><a href=\"#{}\">{}</a></li>\n", s.id, HtmlInline(s.title));
  }
  for (std::size_t i = 0; i < document.appendices.size(); ++i) {
    out += fmt::format("<li style=\"list-style:none\"><a href=\"#{}\">Appendix {}: {}</a></li>\n",
                       document.appendices[i].id, SectionNumber(i, true),
                       HtmlInline(document.appendices[i].title));
  }
  out += "</ol>\n</nav>\n";
  Counters counters;
  for (std::size_t i = 0; i < document.sections.size(); ++i) {
    HtmlSection(document.sections[i], SectionNumber(i, false), 2, counters, svg_by_figure, out);
  }
  for (std::size_t i = 0; i < document.appendices.size(); ++i) {
    HtmlSection(document.appendices[i], "Appendix " + SectionNumber(i, true), 2, counters,
                svg_by_figure, out);
  }
  out += "</main>\n</body>\n</html>\n";
  return out;
}

std::string RenderLatex(const Document& document) {
  std::string out =
      "% Generated by keycomp. Compile with: pdflatex report.tex\n"
      "\\documentclass[11pt,a4paper]{article}\n"
      "\\usepackage[utf8]{inputenc}\n"
      "\\usepackage[margin=2.2cm]{geometry}\n"
      "\\usepackage{graphicx}\n"
      "\\usepackage{array}\n"
      "\\usepackage{longtable}\n"
      "\\usepackage[hidelinks]{hyperref}\n"
      "\\setlength{\\parindent}{0pt}\n"
      "\\setlength{\\parskip}{0.6em}\n"
      "\\setcounter{secnumdepth}{2}\n";
  out += fmt::format("\\title{{{}}}\n\\author{{{}}}\n\\date{{}}\n", LatexInline(document.title),
                     LatexInline(document.subtitle));
  out += "\\begin{document}\n\\maketitle\n\n";
  LatexBlocks({document.front_matter}, out);
  for (const Section& s : document.sections) LatexSection(s, 0, out);
  if (!document.appendices.empty()) {
    out += "\\clearpage\n\\appendix\n\n";
    for (const Section& s : document.appendices) LatexSection(s, 0, out);
  }
  out += "\\end{document}\n";
  return out;
}

std::string InlineSvg(const std::string& svg, const std::string& prefix) {
  std::string out;
  std::size_t start = svg.find("<svg");
  if (start == std::string::npos) return {};
  std::string_view body(svg);
  body.remove_prefix(start);
  // Prefix ids and the references to them.
  out.reserve(body.size() + 1024);
  for (std::size_t i = 0; i < body.size();) {
    bool replaced = false;
    for (std::string_view pattern : {std::string_view("id=\""), std::string_view("href=\"#"),
                                     std::string_view("url(#")}) {
      if (body.compare(i, pattern.size(), pattern) == 0) {
        out += pattern;
        out += prefix;
        i += pattern.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += body[i++];
  }
  // Responsive size: drop the fixed width and height of the root element (the viewBox stays).
  const std::size_t root_end = out.find('>');
  for (std::string_view attribute : {std::string_view(" width=\""), std::string_view(" height=\"")}) {
    const std::size_t at = out.find(attribute);
    if (at != std::string::npos && at < root_end) {
      const std::size_t close = out.find('"', at + attribute.size());
      out.erase(at, close + 1 - at);
    }
  }
  const std::size_t tag = out.find("<svg") + 4;
  out.insert(tag, " role=\"img\"");
  return out;
}

}  // namespace keycomp::report

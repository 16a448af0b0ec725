#include "core/kc_document.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <charconv>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string_view>

#include "core/input_error.h"
#include "core/text_fields.h"

namespace keycomp {
namespace {

using Node = const xmlNode*;

std::string_view Name(Node n) { return reinterpret_cast<const char*>(n->name); }

std::string Text(Node n) {
  xmlChar* content = xmlNodeGetContent(n);
  std::string out = content != nullptr ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return std::string(Trim(out));
}

// Element children of `n` named `name` (local name; the document's prefixes do not matter).
std::vector<Node> Children(Node n, std::string_view name) {
  std::vector<Node> out;
  for (Node c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && Name(c) == name) out.push_back(c);
  }
  return out;
}

Node Child(Node n, std::string_view name) {
  const auto all = Children(n, name);
  return all.empty() ? nullptr : all.front();
}

struct Context {
  std::string source;

  double Number(Node n, bool required) const {
    const std::string s = Text(n);
    if (s.empty() && !required) return std::numeric_limits<double>::quiet_NaN();
    double x = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec != std::errc() || end != s.data() + s.size()) {
      throw InputError(source, static_cast<std::size_t>(xmlGetLineNo(n)), std::string(Name(n)),
                       fmt::format("'{}' is not a number", s));
    }
    return x;
  }

  double Optional(Node parent, std::string_view name) const {
    Node n = Child(parent, name);
    return n == nullptr ? std::numeric_limits<double>::quiet_NaN() : Number(n, false);
  }

  void Expanded(Node n, std::string_view value_name, DsiReal& r) const {
    r.expanded = Optional(n, value_name);
    r.k = Optional(n, "coverageFactor");
    r.probability = Optional(n, "coverageProbability");
    if (r.k > 0) r.u = r.expanded / r.k;
  }

  DsiReal Real(Node n) const {
    DsiReal r;
    r.line = static_cast<std::size_t>(xmlGetLineNo(n));
    Node value = Child(n, "value");
    if (value == nullptr) {
      throw InputError(source, r.line, std::string(Name(n)), "a D-SI quantity without si:value");
    }
    r.value = Number(value, true);
    if (Node unit = Child(n, "unit")) r.unit = Text(unit);
    if (Node unc = Child(n, "expandedUnc")) {
      Expanded(unc, "uncertainty", r);
    } else if (Node mu = Child(n, "measurementUncertaintyUnivariate")) {
      if (Node s = Child(mu, "standardMU")) {
        r.u = Optional(s, "valueStandardMU");
      } else if (Node e = Child(mu, "expandedMU")) {
        Expanded(e, "valueExpandedMU", r);
      } else if (Node c = Child(mu, "coverageIntervalMU")) {
        r.u = Optional(c, "valueStandardMU");
        r.probability = Optional(c, "coverageProbability");
      }
    } else if (Node c = Child(n, "coverageInterval")) {
      r.u = Optional(c, "standardUnc");
      r.probability = Optional(c, "coverageProbability");
    }
    return r;
  }

  std::string Acronym(Node lab) const {
    Node a = lab == nullptr ? nullptr : Child(lab, "acronym");
    return a == nullptr ? std::string() : Text(a);
  }

  KcRelease Release(Node n) const {
    KcRelease r;
    if (Node d = Child(n, "doi")) r.doi = Text(d);
    if (Node y = Child(n, "year")) r.year = Text(y);
    if (Node k = Child(n, "kcrv")) {
      r.kcrv = Real(k);
      r.has_kcrv = true;
    }
    if (Node m = Child(n, "kcrvMethod")) r.kcrv_method = Text(m);
    for (Node block : Children(n, "degreesOfEquivalence")) {
      for (Node doe : Children(block, "degreeOfEquivalence")) {
        Node result = Child(doe, "result");
        if (result == nullptr) continue;
        r.doe.push_back({Acronym(Child(doe, "laboratory")), Real(result)});
      }
    }
    return r;
  }

  KcSubmission Submission(Node n) const {
    KcSubmission s;
    s.lab = Acronym(Child(n, "laboratory"));
    if (Node y = Child(n, "year")) s.year = Text(y);
    if (Node bipm = Child(n, "bipmMeasurements")) {
      for (Node m : Children(bipm, "bipmMeasurement")) {
        Node eq = Child(m, "equivalentActivity");
        Node sir = eq == nullptr ? nullptr : Child(eq, "sirResult");
        if (sir != nullptr) s.sir_results.push_back(Real(sir));
      }
    }
    if (Node in = Child(n, "inKCRV")) s.in_kcrv = Text(in) == "true" || Text(in) == "1";
    Node measurements = Child(n, "laboratoryMeasurements");
    if (measurements == nullptr) return s;
    for (Node m : Children(measurements, "measurement")) {
      if (Node result = Child(m, "result")) s.results.push_back(Real(result));
      if (Node activity = Child(m, "activity")) {
        if (Node result = Child(activity, "measurementResult")) s.results.push_back(Real(result));
      }
    }
    return s;
  }

  KcDocument Document(Node root) const {
    if (Name(root) != "comparison") {
      throw InputError(source, static_cast<std::size_t>(xmlGetLineNo(root)),
                       std::string(Name(root)),
                       "not a key-comparison document (root element kc:comparison expected)");
    }
    KcDocument doc;
    if (Node g = Child(root, "generalInformation")) {
      if (Node c = Child(g, "comparisonCode")) doc.comparison_code = Text(c);
      if (Node m = Child(g, "measurand")) doc.measurand = Text(m);
      doc.pilot = Acronym(Child(g, "pilot"));
    }
    if (Node data = Child(root, "comparisonData")) {
      for (Node r : Children(data, "release")) doc.releases.push_back(Release(r));
    }
    if (Node meta = Child(root, "comparisonMetadata")) {
      for (Node s : Children(meta, "submission")) doc.submissions.push_back(Submission(s));
    }
    return doc;
  }
};

}  // namespace

Comparison ComparisonFromKcDocument(const KcDocument& doc, const std::string& source,
                                    std::vector<std::string>& notes) {
  std::map<std::string, int> count;
  for (const KcSubmission& s : doc.submissions) ++count[s.lab];
  ComparisonInfo info;
  info.id = doc.comparison_code;
  info.measurand = doc.measurand;
  info.pilot = doc.pilot;
  std::vector<LabResult> results;
  for (const KcSubmission& s : doc.submissions) {
    const auto& quantities = s.sir_results.empty() ? s.results : s.sir_results;
    const std::string name = count[s.lab] > 1 && !s.year.empty() ? s.lab + "-" + s.year : s.lab;
    if (quantities.size() != 1 || !(quantities.front().u > 0)) {
      notes.push_back(
          fmt::format("{}: submission {} left out ({} results with a standard "
                      "uncertainty expected 1)",
                      source, name, quantities.size()));
      continue;
    }
    const DsiReal& q = quantities.front();
    if (info.unit.empty()) info.unit = q.unit;
    if (q.unit != info.unit) {
      throw InputError(
          source, q.line, "unit",
          fmt::format("{} is in '{}', the other results in '{}'", name, q.unit, info.unit));
    }
    LabResult r;
    r.lab = name;
    r.value = q.value;
    r.u = q.u;
    r.included = s.in_kcrv;
    r.source_line = q.line;
    results.push_back(std::move(r));
  }
  if (results.empty()) {
    throw InputError(source, 0, "submission", "no submission with a usable result");
  }
  return Comparison::Create(source, std::move(info), std::move(results));
}

KcDocument ParseKcDocument(const std::string& text, const std::string& source) {
  // No network, no external entities or DTDs: the document is data.
  const int flags = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlReadMemory(text.data(), static_cast<int>(text.size()), source.c_str(), nullptr, flags),
      &xmlFreeDoc);
  if (doc == nullptr) {
    const xmlError* e = xmlGetLastError();
    const std::string what = e != nullptr && e->message != nullptr
                                 ? std::string(Trim(e->message))
                                 : std::string("not well-formed XML");
    throw InputError(source, e != nullptr ? static_cast<std::size_t>(e->line) : 0, "xml", what);
  }
  Node root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) throw InputError(source, 0, "xml", "empty document");
  return Context{source}.Document(root);
}

KcDocument ReadKcDocument(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "file", "cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseKcDocument(text.str(), path);
}

bool IsKcDocumentPath(const std::string& path) {
  return path.size() > 4 && (path.compare(path.size() - 4, 4, ".xml") == 0 ||
                             path.compare(path.size() - 4, 4, ".XML") == 0 ||
                             path.compare(path.size() - 4, 4, ".Xml") == 0);
}

}  // namespace keycomp

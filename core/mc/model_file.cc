#include "core/mc/model_file.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/input_error.h"
#include "core/json_input.h"
#include "core/mc/random.h"
#include "core/read_comparison.h"

namespace keycomp::mc {
namespace {

using Json = nlohmann::ordered_json;

/// Descriptive keys accepted anywhere and ignored.
bool IsDescriptiveKey(const std::string& key) {
  return key == "description" || key == "comment" || key == "reference" || key == "unit" ||
         key == "notes" || key == "source" || (!key.empty() && key.front() == '_');
}

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void Fail(const std::string& field, const std::string& why) const {
    throw InputError(source_, 0, field, why);
  }

  double Number(const Json& j, const std::string& field) const {
    if (!j.is_number()) Fail(field, fmt::format("expected a number, got {}", j.dump()));
    const double v = j.get<double>();
    if (!std::isfinite(v)) Fail(field, "not a finite number");
    return v;
  }

  std::string Text(const Json& j, const std::string& field) const {
    if (!j.is_string()) Fail(field, fmt::format("expected a string, got {}", j.dump()));
    const auto& text = j.get_ref<const std::string&>();
    // A NUL would cut the expression short where C strings are used; other control characters
    // (but tab and line breaks) have no place in a name or an expression either.
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        Fail(field, fmt::format("control character U+{:04X} at position {}", c, i + 1));
      }
    }
    return text;
  }

  ModelInput Input(const std::string& name, const Json& spec) const {
    const std::string path = "inputs." + name;
    CheckName(name, path);
    ModelInput input;
    input.name = name;
    Distribution& d = input.distribution;
    if (spec.is_number()) {
      d.kind = DistributionKind::kConstant;
      d.value = Number(spec, path);
      return input;
    }
    if (!spec.is_object()) Fail(path, "expected a distribution object or a number");
    auto dist = spec.find("dist");
    if (dist == spec.end()) Fail(path + ".dist", "missing distribution name 'dist'");
    const std::string dist_name = Text(*dist, path + ".dist");
    const auto kind = DistributionKindFromString(dist_name);
    if (!kind) {
      Fail(path + ".dist",
           fmt::format("unknown distribution '{}' (known: normal, student_t, rectangular, "
                       "triangular, arcsine, trapezoidal, lognormal, gamma, exponential, "
                       "poisson, binomial, constant)",
                       dist_name));
    }
    d.kind = *kind;

    std::map<std::string, double> p;
    std::optional<double> dof;
    for (auto& [key, value] : spec.items()) {
      if (key == "dist" || IsDescriptiveKey(key)) continue;
      if (key == "dof" && d.kind != DistributionKind::kStudentT) {
        // Degrees of freedom of the standard uncertainty, for Welch-Satterthwaite only.
        if (value.is_string() && (value == "inf" || value == "infinity")) continue;
        dof = Number(value, path + ".dof");
        if (!(*dof > 0)) Fail(path + ".dof", fmt::format("must be > 0, got {}", *dof));
        continue;
      }
      if (!Allowed(d.kind).count(key)) {
        std::string allowed;
        for (const std::string& a : Allowed(d.kind)) {
          allowed += fmt::format("{}{}", allowed.empty() ? "" : ", ", a);
        }
        Fail(path + "." + key, fmt::format("'{}' is not a parameter of the {} distribution "
                                           "(parameters: {}{})",
                                           key, dist_name, allowed,
                                           d.kind == DistributionKind::kStudentT ? "" : ", dof"));
      }
      if (key == "dof" && value.is_string() && (value == "inf" || value == "infinity")) {
        p[key] = std::numeric_limits<double>::infinity();
        continue;
      }
      p[key] = Number(value, path + "." + key);
    }
    auto need = [&](const char* key) {
      auto it = p.find(key);
      if (it == p.end()) Fail(path + "." + key, fmt::format("missing parameter '{}'", key));
      return it->second;
    };
    auto has = [&](const char* key) { return p.count(key) > 0; };

    switch (d.kind) {
      case DistributionKind::kNormal:
        d.mean = need("mean");
        d.sd = has("u") ? p["u"] : need("sd");
        break;
      case DistributionKind::kStudentT:
        d.mean = need("mean");
        d.scale = need("scale");
        d.dof = need("dof");
        break;
      case DistributionKind::kRectangular:
      case DistributionKind::kArcsine:
        d.low = need("low");
        d.high = need("high");
        break;
      case DistributionKind::kTriangular:
        d.low = need("low");
        d.high = need("high");
        d.mode = has("mode") ? p["mode"] : 0.5 * (d.low + d.high);
        break;
      case DistributionKind::kTrapezoidal:
        d.low = need("low");
        d.high = need("high");
        d.beta = need("beta");
        break;
      case DistributionKind::kLognormal:
        if (has("meanlog") || has("sdlog")) {
          d.meanlog = need("meanlog");
          d.sdlog = need("sdlog");
        } else {
          // Moments of X itself: sdlog^2 = ln(1 + (sd/mean)^2), meanlog = ln mean - sdlog^2/2.
          const double mean = need("mean");
          const double sd = need("sd");
          if (!(mean > 0)) Fail(path + ".mean", fmt::format("must be > 0, got {}", mean));
          if (!(sd > 0)) Fail(path + ".sd", fmt::format("must be > 0, got {}", sd));
          const double s2 = std::log1p((sd / mean) * (sd / mean));
          d.sdlog = std::sqrt(s2);
          d.meanlog = std::log(mean) - 0.5 * s2;
        }
        break;
      case DistributionKind::kGamma:
        if (has("shape")) {
          d.shape = need("shape");
          if (has("rate")) {
            if (!(p["rate"] > 0))
              Fail(path + ".rate", fmt::format("must be > 0, got {}", p["rate"]));
            d.scale = 1 / p["rate"];
          } else {
            d.scale = need("scale");
          }
        } else {
          const double mean = need("mean");
          const double sd = need("sd");
          if (!(mean > 0)) Fail(path + ".mean", fmt::format("must be > 0, got {}", mean));
          if (!(sd > 0)) Fail(path + ".sd", fmt::format("must be > 0, got {}", sd));
          d.shape = (mean / sd) * (mean / sd);
          d.scale = sd * sd / mean;
        }
        break;
      case DistributionKind::kExponential:
        if (has("rate")) {
          if (!(p["rate"] > 0)) Fail(path + ".rate", fmt::format("must be > 0, got {}", p["rate"]));
          d.mean = 1 / p["rate"];
        } else {
          d.mean = need("mean");
        }
        break;
      case DistributionKind::kPoisson:
        d.mean = has("lambda") ? p["lambda"] : need("mean");
        break;
      case DistributionKind::kBinomial:
        d.n = need("n");
        if (has("k")) {
          const double k = p["k"];
          if (!(k >= 0 && k <= d.n && k == std::floor(k))) {
            Fail(path + ".k", fmt::format("must be a whole number in [0, n], got {}", k));
          }
          d.p = k / d.n;
        } else {
          d.p = need("p");
        }
        break;
      case DistributionKind::kConstant:
        d.value = need("value");
        break;
    }
    if (const std::string why = d.Validate(); !why.empty()) {
      const auto colon = why.find(':');
      Fail(path + "." + why.substr(0, colon), why.substr(colon + 2));
    }
    input.gum_dof = d.kind == DistributionKind::kStudentT
                        ? d.dof
                        : dof.value_or(std::numeric_limits<double>::infinity());
    return input;
  }

  void CheckName(const std::string& name, const std::string& path) const {
    bool ok =
        !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
    for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) {
      Fail(path, fmt::format("'{}' is not a valid variable name (letters, digits and '_', "
                             "not starting with a digit)",
                             name));
    }
  }

  static const std::set<std::string>& Allowed(DistributionKind kind) {
    static const std::map<DistributionKind, std::set<std::string>> table = {
        {DistributionKind::kNormal, {"mean", "sd", "u"}},
        {DistributionKind::kStudentT, {"mean", "scale", "dof"}},
        {DistributionKind::kRectangular, {"low", "high"}},
        {DistributionKind::kArcsine, {"low", "high"}},
        {DistributionKind::kTriangular, {"low", "mode", "high"}},
        {DistributionKind::kTrapezoidal, {"low", "high", "beta"}},
        {DistributionKind::kLognormal, {"meanlog", "sdlog", "mean", "sd"}},
        {DistributionKind::kGamma, {"shape", "scale", "rate", "mean", "sd"}},
        {DistributionKind::kExponential, {"mean", "rate"}},
        {DistributionKind::kPoisson, {"mean", "lambda"}},
        {DistributionKind::kBinomial, {"n", "p", "k"}},
        {DistributionKind::kConstant, {"value"}},
    };
    return table.at(kind);
  }

 private:
  std::string source_;
};

}  // namespace

ModelFile ParseModelJson(const std::string& text, const std::string& source) {
  Reader reader(source);
  const Json root = ParseJsonInput(text, source);
  if (!root.is_object()) reader.Fail("", "expected a JSON object at the top");

  ModelFile file;
  MeasurementModel& model = file.model;
  model.source = source;
  static const std::set<std::string> known = {
      "quantity", "unit",   "model",    "builtin", "inputs", "constants", "correlations",
      "coverage", "trials", "adaptive", "digits",  "seed",   "lab"};
  for (auto& [key, value] : root.items()) {
    if (!known.count(key) && !IsDescriptiveKey(key)) {
      reader.Fail(key, fmt::format("unknown field '{}' (known: quantity, unit, model, builtin, "
                                   "inputs, constants, correlations, coverage, trials, "
                                   "adaptive, digits, seed)",
                                   key));
    }
  }
  if (auto it = root.find("quantity"); it != root.end())
    model.quantity = reader.Text(*it, "quantity");
  if (auto it = root.find("unit"); it != root.end()) model.unit = reader.Text(*it, "unit");
  const bool has_model = root.contains("model");
  const bool has_builtin = root.contains("builtin");
  if (has_model == has_builtin) {
    reader.Fail("model",
                "give either 'model' (an expression) or 'builtin' (a built-in model name)");
  }
  if (has_model) {
    model.expression = reader.Text(root["model"], "model");
    if (model.expression.find_first_not_of(" \t\r\n") == std::string::npos) {
      reader.Fail("model", "empty expression");
    }
  } else {
    model.builtin = reader.Text(root["builtin"], "builtin");
  }
  if (auto it = root.find("coverage"); it != root.end()) {
    model.coverage = reader.Number(*it, "coverage");
    if (!(model.coverage > 0 && model.coverage < 1)) {
      reader.Fail("coverage", fmt::format("must lie in (0, 1), got {}", model.coverage));
    }
  }

  auto add_input = [&](ModelInput input) {
    if (model.IndexOf(input.name) < model.inputs.size()) {
      reader.Fail("inputs." + input.name, fmt::format("'{}' is defined twice", input.name));
    }
    model.inputs.push_back(std::move(input));
  };
  auto inputs = root.find("inputs");
  if (inputs == root.end() || !inputs->is_object()) {
    reader.Fail("inputs", "missing object 'inputs' (name: distribution)");
  }
  for (auto& [name, spec] : inputs->items()) add_input(reader.Input(name, spec));
  if (auto it = root.find("constants"); it != root.end()) {
    if (!it->is_object()) reader.Fail("constants", "expected an object (name: number)");
    for (auto& [name, value] : it->items()) {
      const std::string path = "constants." + name;
      reader.CheckName(name, path);
      ModelInput input;
      input.name = name;
      input.distribution.kind = DistributionKind::kConstant;
      input.distribution.value = reader.Number(value, path);
      add_input(std::move(input));
    }
  }
  bool any_random = false;
  for (const ModelInput& in : model.inputs) any_random |= !in.distribution.is_constant();
  if (!any_random) reader.Fail("inputs", "the model has no random input");

  if (auto corr = root.find("correlations"); corr != root.end() && !corr->is_null()) {
    if (!corr->is_array()) reader.Fail("correlations", "expected an array of {a, b, r}");
    std::set<std::pair<std::string, std::string>> seen;
    for (std::size_t i = 0; i < corr->size(); ++i) {
      const Json& c = (*corr)[i];
      const std::string path = fmt::format("correlations[{}]", i);
      if (!c.is_object()) reader.Fail(path, "expected an object {a, b, r}");
      InputCorrelation ic;
      for (auto [key, target] : {std::pair<const char*, std::string*>{"a", &ic.a},
                                 std::pair<const char*, std::string*>{"b", &ic.b}}) {
        auto it = c.find(key);
        if (it == c.end()) reader.Fail(path + "." + key, "missing input name");
        *target = reader.Text(*it, path + "." + key);
        const std::size_t idx = model.IndexOf(*target);
        if (idx == model.inputs.size()) {
          reader.Fail(path + "." + key, fmt::format("unknown input '{}'", *target));
        }
        const Distribution& d = model.inputs[idx].distribution;
        if (d.is_constant() || d.is_discrete()) {
          reader.Fail(path + "." + key,
                      fmt::format("input '{}' is {}: only continuous inputs can be correlated",
                                  *target, ToString(d.kind)));
        }
      }
      if (ic.a == ic.b) reader.Fail(path + ".b", "an input cannot be correlated with itself");
      auto r = c.find("r");
      if (r == c.end()) reader.Fail(path + ".r", "missing correlation coefficient 'r'");
      ic.r = reader.Number(*r, path + ".r");
      if (!(ic.r >= -1 && ic.r <= 1)) {
        reader.Fail(path + ".r", fmt::format("must lie in [-1, 1], got {}", ic.r));
      }
      if (!seen.insert(std::minmax(ic.a, ic.b)).second) {
        reader.Fail(path, fmt::format("correlation of '{}' and '{}' given twice", ic.a, ic.b));
      }
      model.correlations.push_back(std::move(ic));
    }
    if (!model.correlations.empty() && !SemidefiniteCholesky(model.CorrelationMatrix())) {
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(model.CorrelationMatrix(),
                                                         Eigen::EigenvaluesOnly);
      reader.Fail("correlations",
                  fmt::format("the correlation matrix is not positive semi-definite (smallest "
                              "eigenvalue {:.3g})",
                              eig.eigenvalues().minCoeff()));
    }
  }

  ModelRunSettings& run = file.run;
  if (auto it = root.find("trials"); it != root.end()) {
    const double t = reader.Number(*it, "trials");
    if (!(t >= 1 && t == std::floor(t) && t <= 1e10)) {
      reader.Fail("trials", fmt::format("must be a whole number >= 1, got {}", t));
    }
    run.trials = static_cast<std::size_t>(t);
  }
  if (auto it = root.find("adaptive"); it != root.end()) {
    if (!it->is_boolean()) reader.Fail("adaptive", "expected true or false");
    run.adaptive = it->get<bool>();
  }
  if (auto it = root.find("digits"); it != root.end()) {
    const double d = reader.Number(*it, "digits");
    if (!(d >= 1 && d <= 6 && d == std::floor(d))) {
      reader.Fail("digits", fmt::format("must be a whole number in [1, 6], got {}", d));
    }
    run.digits = static_cast<int>(d);
  }
  if (auto it = root.find("seed"); it != root.end()) {
    if (!it->is_number_unsigned()) reader.Fail("seed", "expected a non-negative whole number");
    run.seed = it->get<std::uint64_t>();
  }
  return file;
}

ModelFile ReadModelFile(const std::string& path) {
  return ParseModelJson(ReadTextFile(path), path);
}

}  // namespace keycomp::mc

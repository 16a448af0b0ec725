// The keycomp Python module (`import keycomp`): the same analysis pipeline and JSON writer as
// the command line, so that `analyse(...).to_dict()` equals `keycomp analyse --format json`.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/analyse_command.h"
#include "core/analysis.h"
#include "core/comparison.h"
#include "core/input_error.h"
#include "core/read_comparison.h"
#include "estimators/registry.h"
#include "reports/analysis_output.h"
#include "reports/json_writer.h"

namespace py = pybind11;

namespace keycomp {
namespace {

// An analysis with what its JSON needs (the comparison and the options it ran with).
struct PyAnalysis {
  Comparison comparison;
  AnalysisOptions options;
  Analysis analysis;

  std::string Json() const { return DumpJson(AnalysisToJson(comparison, analysis, options)); }
};

Comparison MakeComparison(const std::vector<std::string>& labs, const std::vector<double>& values,
                          const std::vector<double>& u,
                          const std::optional<std::vector<double>>& dof,
                          const std::optional<std::vector<bool>>& include, const std::string& id,
                          const std::string& measurand, const std::string& unit) {
  const std::size_t n = labs.size();
  auto check = [&](std::size_t size, const char* field) {
    if (size != n) {
      throw InputError("<python>", 0, field,
                       "has " + std::to_string(size) + " entries, labs has " + std::to_string(n));
    }
  };
  check(values.size(), "values");
  check(u.size(), "u");
  if (dof) check(dof->size(), "dof");
  if (include) check(include->size(), "include");
  std::vector<LabResult> results(n);
  for (std::size_t i = 0; i < n; ++i) {
    results[i].lab = labs[i];
    results[i].value = values[i];
    results[i].u = u[i];
    if (dof) results[i].dof = (*dof)[i];
    if (include) results[i].included = (*include)[i];
  }
  ComparisonInfo info;
  info.id = id;
  info.measurand = measurand;
  info.unit = unit;
  return Comparison::Create("<python>", info, std::move(results));
}

// The keyword arguments of analyse() as the command line's arguments, so that the options are
// built by the very code the CLI uses.
struct AnalyseKwargs {
  std::vector<std::string> estimators;
  bool all = false;
  std::size_t mc = 0;
  std::uint64_t seed = 20261123;
  unsigned threads = 0;
  double coverage = 0.95;
  std::vector<std::string> exclude;
  std::map<std::string, std::string> settings;
  std::string doe = "mra";
  std::string dark_uncertainty;
  std::string bootstrap = "parametric";
  std::string chi2_over = "included";
  std::string doe_uncertainty = "exact";
  std::optional<double> kcrv;
  std::optional<double> kcrv_u;
  std::string kcrv_covariance = "estimator";
};

void CheckMember(const std::string& value, std::initializer_list<const char*> allowed,
                 const char* field) {
  for (const char* a : allowed) {
    if (value == a) return;
  }
  throw InputError("", 0, field, "'" + value + "' is not an accepted value");
}

// Thrown from the Monte Carlo progress callback when Python has a pending signal (Ctrl-C). Not
// a std::exception, so that no estimator turns it into a failed result.
struct Interrupted {};

// Progress callback: runs on the calling thread (the Monte Carlo's worker 0), re-acquires the
// GIL and lets Python run its signal handlers; a raised KeyboardInterrupt stops the run.
void CheckSignals(double /*fraction*/) {
  py::gil_scoped_acquire acquire;
  if (PyErr_CheckSignals() != 0) {
    PyErr_Clear();
    throw Interrupted{};
  }
}

// ---- Estimators written in Python -------------------------------------------------------

// The message of a Python exception: "TypeName: text".
std::string PythonMessage(const py::error_already_set& e) {
  std::string type = py::str(e.type().attr("__name__"));
  std::string text = py::str(e.value());
  return text.empty() ? type : type + ": " + text;
}

EstimatorResult Failed(const std::string& name, const std::string& why) {
  EstimatorResult r;
  r.status = Status::kFailed;
  r.message = "Python estimator '" + name + "': " + why;
  return r;
}

double FiniteNumber(const py::handle& h, const char* what) {
  const double v = py::cast<double>(h);
  if (!std::isfinite(v)) throw std::domain_error(std::string(what) + " is not a finite number");
  return v;
}

// The function's return value, in the data's units: (kcrv, u) or a dict with kcrv, u and
// optionally weights (one per lab) and tau. Throws std::domain_error with the reason.
EstimatorResult ParseReturn(const py::object& out, std::size_t n) {
  EstimatorResult r;
  r.status = Status::kOk;
  r.u_kind = "plugin";
  if (py::isinstance<py::dict>(out)) {
    const py::dict d = out;
    for (const auto& [key, value] : d) {
      const std::string k = py::str(key);
      if (k != "kcrv" && k != "u" && k != "weights" && k != "tau") {
        throw std::domain_error("returned unknown key '" + k +
                                "' (accepted: kcrv, u, weights, tau)");
      }
    }
    if (!d.contains("kcrv") || !d.contains("u")) {
      throw std::domain_error("the returned dict needs 'kcrv' and 'u'");
    }
    r.value = FiniteNumber(d["kcrv"], "kcrv");
    r.u = FiniteNumber(d["u"], "u");
    if (d.contains("tau") && !d["tau"].is_none()) r.tau = FiniteNumber(d["tau"], "tau");
    if (d.contains("weights") && !d["weights"].is_none()) {
      const auto w = py::cast<std::vector<double>>(d["weights"]);
      if (w.size() != n) {
        throw std::domain_error("returned " + std::to_string(w.size()) + " weights for " +
                                std::to_string(n) + " labs");
      }
      r.weights = Eigen::Map<const Eigen::VectorXd>(w.data(), static_cast<Eigen::Index>(n));
      if (!r.weights.allFinite()) throw std::domain_error("weights are not finite numbers");
    }
  } else if (py::isinstance<py::tuple>(out) || py::isinstance<py::list>(out)) {
    const py::sequence seq = out;
    if (seq.size() != 2) throw std::domain_error("return (kcrv, u) or a dict");
    r.value = FiniteNumber(seq[0], "kcrv");
    r.u = FiniteNumber(seq[1], "u");
  } else {
    throw std::domain_error("return (kcrv, u) or a dict with kcrv, u and optional weights");
  }
  if (!(r.u >= 0)) throw std::domain_error("u must be >= 0");
  if (r.tau && !(*r.tau >= 0)) throw std::domain_error("tau must be >= 0");
  return r;
}

// Calls a Python estimator on a sample (centred and scaled by RunEstimator or the Monte Carlo):
// the function sees the data in their own units, its results are centred and scaled back. Any
// Python exception or bad return value is a failed result with the reason; Ctrl-C interrupts.
EstimatorResult CallPython(const std::string& name, PyObject* function, const LabSample& s,
                           const EstimatorOptions& options) {
  py::gil_scoped_acquire acquire;
  const std::size_t n = s.size();
  try {
    py::array_t<double> x(static_cast<py::ssize_t>(n)), u(static_cast<py::ssize_t>(n)),
        dof(static_cast<py::ssize_t>(n));
    for (std::size_t i = 0; i < n; ++i) {
      x.mutable_at(i) = s.centre + s.scale * s.x[i];
      u.mutable_at(i) = s.scale * s.u[i];
      dof.mutable_at(i) = s.dof[i];
    }
    const py::handle fn(function);
    py::object out;
    if (options.settings.empty()) {
      out = fn(x, u, dof);
    } else {
      out = fn(x, u, dof, py::arg("settings") = options.settings);
    }
    EstimatorResult r = ParseReturn(out, n);
    r.value = (r.value - s.centre) / s.scale;
    r.u /= s.scale;
    if (r.tau) *r.tau /= s.scale;
    return r;
  } catch (py::error_already_set& e) {
    if (e.matches(PyExc_KeyboardInterrupt)) throw Interrupted{};
    return Failed(name, "raised " + PythonMessage(e));
  } catch (const py::cast_error& e) {
    return Failed(name, std::string("returned a value that is not a number: ") + e.what());
  } catch (const std::domain_error& e) {
    return Failed(name, e.what());
  }
}

void RegisterPythonEstimator(const std::string& name, const py::object& function,
                             std::size_t min_labs, const std::string& reference,
                             const std::string& description, bool between_lab_term) {
  if (!PyCallable_Check(function.ptr())) {
    throw InputError("", 0, "function", "register_estimator needs a callable");
  }
  DynamicEstimatorInfo info;
  info.name = name;
  info.description = description.empty() ? "estimator written in Python" : description;
  info.reference = reference.empty() ? "Python plugin" : reference;
  info.min_labs = min_labs;
  info.between_lab_term = between_lab_term;
  PyObject* held = function.inc_ref().ptr();  // kept for good: the registry never frees it
  RegisterEstimator(info, [name, held](const LabSample& s, const EstimatorOptions& o) {
    return CallPython(name, held, s, o);
  });
}

bool IsPlugin(const Estimator* e) { return static_cast<bool>(e->dynamic); }

PyAnalysis RunAnalysis(const Comparison& input, const AnalyseKwargs& kw) {
  CheckMember(kw.doe, {"mra", "leave_one_out"}, "doe");
  CheckMember(kw.bootstrap, {"parametric", "nicob"}, "bootstrap");
  CheckMember(kw.chi2_over, {"included", "all"}, "chi2_over");
  CheckMember(kw.doe_uncertainty, {"exact", "independent"}, "doe_uncertainty");
  CheckMember(kw.kcrv_covariance, {"estimator", "weighted_mean", "none"}, "kcrv_covariance");
  if (!kw.dark_uncertainty.empty()) {
    CheckMember(kw.dark_uncertainty, {"recognised", "recognized", "ignored"}, "dark_uncertainty");
  }
  AnalyseArguments args;
  args.estimators = kw.estimators;
  args.all = kw.all;
  args.mc_trials = kw.mc;
  args.seed = kw.seed;
  args.threads = kw.threads;
  args.coverage = kw.coverage;
  for (const auto& [key, value] : kw.settings) args.settings.push_back(key + "=" + value);
  args.doe_convention = kw.doe;
  args.dark_uncertainty = kw.dark_uncertainty;
  args.bootstrap = kw.bootstrap;
  args.chi2_over = kw.chi2_over;
  args.doe_uncertainty = kw.doe_uncertainty;
  args.kcrv = kw.kcrv;
  args.kcrv_u = kw.kcrv_u;
  args.kcrv_covariance = kw.kcrv_covariance;

  PyAnalysis out{kw.exclude.empty() ? input : input.WithExcluded(kw.exclude), {}, {}};
  std::vector<std::string> notes;
  out.options = BuildAnalysisOptions(args, out.comparison, notes);
  // Python estimators run one at a time under the GIL: one thread (the results do not depend
  // on the thread count; this only spares the workers' contention for the GIL).
  for (const Estimator* e : out.options.estimators) {
    if (IsPlugin(e)) out.options.mc.threads = out.options.estimator.threads = 1;
  }
  if (out.options.mc.trials > 0) out.options.mc.progress = CheckSignals;
  try {
    py::gil_scoped_release release;
    out.analysis = Analyse(out.comparison, out.options);
  } catch (const Interrupted&) {
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }
  out.options.mc.progress = nullptr;
  out.analysis.warnings.insert(out.analysis.warnings.end(), notes.begin(), notes.end());
  return out;
}

py::object JsonLoads(const std::string& text) {
  return py::module_::import("json").attr("loads")(text);
}

py::dict EstimatorDict(const Estimator& e) {
  py::dict d;
  d["name"] = e.info.name;
  d["description"] = e.info.description;
  d["reference"] = e.info.reference;
  d["min_labs"] = e.info.min_labs;
  d["between_lab_term"] = e.info.between_lab_term;
  d["default_u"] = e.info.default_u;
  d["plugin"] = IsPlugin(&e);
  return d;
}

py::list EstimatorList() {
  py::list out;
  for (const Estimator& e : BuiltinEstimators()) out.append(EstimatorDict(e));
  for (const Estimator* e : RegisteredEstimators()) out.append(EstimatorDict(*e));
  return out;
}

}  // namespace
}  // namespace keycomp

PYBIND11_MODULE(_keycomp, m) {
  using namespace keycomp;
  m.doc() = "keycomp: key comparison analysis (KCRV, degrees of equivalence, Monte Carlo)";
  static py::exception<InputError> input_error(m, "InputError", PyExc_ValueError);
  static py::exception<ComputationError> computation_error(m, "ComputationError",
                                                           PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      PyErr_SetString(input_error.ptr(), e.what());
    } catch (const ComputationError& e) {
      PyErr_SetString(computation_error.ptr(), e.what());
    }
  });

  m.def("estimators", &EstimatorList,
        "Every built-in estimator, then every registered one, as a list of dicts.");
  m.def("_register_estimator", &RegisterPythonEstimator, py::arg("name"), py::arg("function"),
        py::arg("min_labs"), py::arg("reference"), py::arg("description"),
        py::arg("between_lab_term"));

  py::class_<Comparison>(m, "Comparison")
      .def(py::init(&MakeComparison), py::kw_only(), py::arg("labs"), py::arg("values"),
           py::arg("u"), py::arg("dof") = py::none(), py::arg("include") = py::none(),
           py::arg("id") = "", py::arg("measurand") = "", py::arg("unit") = "")
      .def_property_readonly("labs",
                             [](const Comparison& c) {
                               std::vector<std::string> v;
                               for (const auto& r : c.results()) v.push_back(r.lab);
                               return v;
                             })
      .def_property_readonly("values",
                             [](const Comparison& c) {
                               std::vector<double> v;
                               for (const auto& r : c.results()) v.push_back(r.value);
                               return v;
                             })
      .def_property_readonly("u",
                             [](const Comparison& c) {
                               std::vector<double> v;
                               for (const auto& r : c.results()) v.push_back(r.u);
                               return v;
                             })
      .def_property_readonly("dof",
                             [](const Comparison& c) {
                               std::vector<double> v;
                               for (const auto& r : c.results()) v.push_back(r.dof);
                               return v;
                             })
      .def_property_readonly("include",
                             [](const Comparison& c) {
                               std::vector<bool> v;
                               for (const auto& r : c.results()) v.push_back(r.included);
                               return v;
                             })
      .def_property_readonly("id", [](const Comparison& c) { return c.info().id; })
      .def_property_readonly("unit", [](const Comparison& c) { return c.info().unit; })
      .def("__len__", &Comparison::size)
      .def("excluding", &Comparison::WithExcluded, py::arg("labs"));

  m.def("read_comparison", &ReadComparisonFile, py::arg("path"),
        "Reads a comparison file (CSV or JSON, the command line's formats).");

  py::class_<PyAnalysis>(m, "Analysis")
      .def("to_json", &PyAnalysis::Json, "The JSON text `keycomp analyse --format json` writes.")
      .def("to_dict", [](const PyAnalysis& a) { return JsonLoads(a.Json()); })
      .def_property_readonly("converged",
                             [](const PyAnalysis& a) { return a.analysis.AllConverged(); })
      .def_property_readonly("warnings", [](const PyAnalysis& a) { return a.analysis.warnings; });

  m.def(
      "_analyse",
      [](const Comparison& comparison, std::vector<std::string> estimators, bool all,
         std::size_t mc, std::uint64_t seed, unsigned threads, double coverage,
         std::vector<std::string> exclude, std::map<std::string, std::string> settings,
         std::string doe, std::string dark_uncertainty, std::string bootstrap,
         std::string chi2_over, std::string doe_uncertainty, std::optional<double> kcrv,
         std::optional<double> kcrv_u, std::string kcrv_covariance) {
        AnalyseKwargs kw{std::move(estimators),
                         all,
                         mc,
                         seed,
                         threads,
                         coverage,
                         std::move(exclude),
                         std::move(settings),
                         std::move(doe),
                         std::move(dark_uncertainty),
                         std::move(bootstrap),
                         std::move(chi2_over),
                         std::move(doe_uncertainty),
                         kcrv,
                         kcrv_u,
                         std::move(kcrv_covariance)};
        return RunAnalysis(comparison, kw);
      },
      py::arg("comparison"), py::arg("estimators"), py::arg("all"), py::arg("mc"), py::arg("seed"),
      py::arg("threads"), py::arg("coverage"), py::arg("exclude"), py::arg("settings"),
      py::arg("doe"), py::arg("dark_uncertainty"), py::arg("bootstrap"), py::arg("chi2_over"),
      py::arg("doe_uncertainty"), py::arg("kcrv"), py::arg("kcrv_u"), py::arg("kcrv_covariance"));
}

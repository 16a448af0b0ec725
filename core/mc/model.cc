#include "core/mc/model.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <muParser.h>

#include <set>

#include "core/input_error.h"
#include "core/mc/models/builtin_models.h"

namespace keycomp::mc {
namespace {

/// Debian's libmuparser is built with OpenMP: its bulk Eval then starts a team of threads on
/// every call, which on top of our own threads oversubscribes the cores badly (and ignores
/// --threads). Limiting the calling thread's OpenMP team to one thread makes Eval serial.
/// The symbol is looked up at run time so that a muparser built without OpenMP works too.
void KeepMuparserSerialOnThisThread() {
  thread_local bool done = false;
  if (done) return;
  done = true;
  using SetThreads = void (*)(int);
  if (void* symbol = ::dlsym(RTLD_DEFAULT, "omp_set_num_threads")) {
    reinterpret_cast<SetThreads>(symbol)(1);
  }
}

/// True when the expression assigns (`=` that is not part of `==`, `<=`, `>=`, `!=`).
bool HasAssignment(const std::string& expression) {
  for (std::size_t i = 0; i < expression.size(); ++i) {
    if (expression[i] != '=') continue;
    const char before = i > 0 ? expression[i - 1] : ' ';
    const char after = i + 1 < expression.size() ? expression[i + 1] : ' ';
    if (after == '=') {
      ++i;
      continue;
    }
    if (before == '<' || before == '>' || before == '!' || before == '=') continue;
    return true;
  }
  return false;
}

class ExpressionEvaluator final : public ModelEvaluator {
 public:
  ExpressionEvaluator(const MeasurementModel& model, std::span<double* const> buffers) {
    for (std::size_t i = 0; i < model.inputs.size(); ++i) {
      const ModelInput& input = model.inputs[i];
      if (input.distribution.is_constant()) {
        parser_.DefineConst(input.name, input.distribution.value);
      } else {
        parser_.DefineVar(input.name, buffers[i]);
      }
    }
    parser_.SetExpr(model.expression);
  }

  void Evaluate(std::size_t n, double* out) override {
    KeepMuparserSerialOnThisThread();
    parser_.Eval(out, static_cast<int>(n));
  }

 private:
  mu::Parser parser_;
};

class CompiledExpression final : public CompiledModel {
 public:
  explicit CompiledExpression(const MeasurementModel& model) : model_(model) {
    // Compile once here so that every error surfaces as an InputError before any thread runs.
    std::vector<double> scratch(model.inputs.size(), 1.0);
    std::vector<double*> buffers;
    for (double& s : scratch) buffers.push_back(&s);
    const std::string& file = model.source;
    if (HasAssignment(model.expression)) {
      throw InputError(file, 0, "model",
                       "the expression may not assign ('='); compare with '==' if meant");
    }
    try {
      mu::Parser parser;
      for (std::size_t i = 0; i < model.inputs.size(); ++i) {
        const ModelInput& input = model.inputs[i];
        try {
          if (input.distribution.is_constant()) {
            parser.DefineConst(input.name, input.distribution.value);
          } else {
            parser.DefineVar(input.name, buffers[i]);
          }
        } catch (const mu::Parser::exception_type& e) {
          throw InputError(file, 0, "inputs." + input.name,
                           fmt::format("'{}' cannot be a variable name ({})", input.name,
                                       e.GetMsg()));
        }
      }
      parser.SetExpr(model.expression);
      const mu::varmap_type used = parser.GetUsedVar();  // parses: syntax errors throw here
      parser.Eval();
      if (parser.GetNumResults() != 1) {
        throw InputError(file, 0, "model",
                         fmt::format("the expression gives {} results; it must give one",
                                     parser.GetNumResults()));
      }
      for (const ModelInput& input : model.inputs) {
        if (!input.distribution.is_constant() && used.find(input.name) == used.end()) {
          notes_.push_back(fmt::format("input '{}' does not appear in the model", input.name));
        }
      }
    } catch (const mu::Parser::exception_type& e) {
      if (e.GetCode() == mu::ecUNASSIGNABLE_TOKEN) {
        throw InputError(file, 0, "model",
                         fmt::format("unknown variable '{}' at position {} of the expression "
                                     "(not an input or constant of the model)",
                                     e.GetToken(), e.GetPos() + 1));
      }
      throw InputError(file, 0, "model",
                       fmt::format("syntax error in the expression: {}", e.GetMsg()));
    }
  }

  std::unique_ptr<ModelEvaluator> Bind(std::span<double* const> buffers) const override {
    return std::make_unique<ExpressionEvaluator>(model_, buffers);
  }
  std::vector<std::string> Notes() const override { return notes_; }

 private:
  MeasurementModel model_;
  std::vector<std::string> notes_;
};

class BuiltinEvaluator final : public ModelEvaluator {
 public:
  BuiltinEvaluator(const BuiltinModel& builtin, RoleBuffers roles)
      : builtin_(builtin), roles_(std::move(roles)) {}
  void Evaluate(std::size_t n, double* out) override { builtin_.evaluate(roles_, n, out); }

 private:
  const BuiltinModel& builtin_;
  RoleBuffers roles_;
};

class CompiledBuiltin final : public CompiledModel {
 public:
  CompiledBuiltin(const MeasurementModel& model, const BuiltinModel& builtin)
      : builtin_(builtin), role_inputs_(builtin.roles.size()) {
    std::vector<bool> claimed(model.inputs.size(), false);
    for (std::size_t r = 0; r < builtin.roles.size(); ++r) {
      const BuiltinRole& role = builtin.roles[r];
      const std::string role_name = role.name;
      for (std::size_t i = 0; i < model.inputs.size(); ++i) {
        const std::string& name = model.inputs[i].name;
        const bool match = role.prefix ? name.rfind(role_name, 0) == 0 : name == role_name;
        if (match && !claimed[i]) {
          role_inputs_[r].push_back(i);
          claimed[i] = true;
        }
      }
      if (role.required && role_inputs_[r].empty()) {
        throw InputError(model.source, 0, "inputs." + role_name,
                         fmt::format("built-in model '{}' needs the input '{}' ({})",
                                     builtin.name, role_name, role.description));
      }
    }
    for (std::size_t i = 0; i < model.inputs.size(); ++i) {
      if (claimed[i]) continue;
      std::string roles;
      for (const BuiltinRole& role : builtin.roles) {
        roles += fmt::format("{}{}{}", roles.empty() ? "" : ", ", role.name, role.prefix ? "*" : "");
      }
      throw InputError(model.source, 0, "inputs." + model.inputs[i].name,
                       fmt::format("unknown variable '{}': built-in model '{}' reads {}",
                                   model.inputs[i].name, builtin.name, roles));
    }
  }

  std::unique_ptr<ModelEvaluator> Bind(std::span<double* const> buffers) const override {
    RoleBuffers roles(role_inputs_.size());
    for (std::size_t r = 0; r < role_inputs_.size(); ++r) {
      for (std::size_t i : role_inputs_[r]) roles[r].push_back(buffers[i]);
    }
    return std::make_unique<BuiltinEvaluator>(builtin_, std::move(roles));
  }

 private:
  const BuiltinModel& builtin_;
  std::vector<std::vector<std::size_t>> role_inputs_;
};

}  // namespace

std::size_t MeasurementModel::IndexOf(const std::string& name) const {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].name == name) return i;
  }
  return inputs.size();
}

Eigen::MatrixXd MeasurementModel::CorrelationMatrix() const {
  const auto n = static_cast<Eigen::Index>(inputs.size());
  Eigen::MatrixXd r = Eigen::MatrixXd::Identity(n, n);
  for (const InputCorrelation& c : correlations) {
    const auto a = static_cast<Eigen::Index>(IndexOf(c.a));
    const auto b = static_cast<Eigen::Index>(IndexOf(c.b));
    if (a >= n || b >= n) continue;
    r(a, b) = c.r;
    r(b, a) = c.r;
  }
  return r;
}

std::unique_ptr<CompiledModel> CompileModel(const MeasurementModel& model) {
  if (!model.builtin.empty()) {
    const BuiltinModel* builtin = FindBuiltinModel(model.builtin);
    if (builtin == nullptr) {
      std::string known;
      for (const BuiltinModel& m : BuiltinModels()) {
        known += fmt::format("{}{}", known.empty() ? "" : ", ", m.name);
      }
      throw InputError(model.source, 0, "builtin",
                       fmt::format("unknown built-in model '{}' (known: {})", model.builtin, known));
    }
    return std::make_unique<CompiledBuiltin>(model, *builtin);
  }
  if (model.expression.empty()) {
    throw InputError(model.source, 0, "model", "missing model expression (or builtin)");
  }
  return std::make_unique<CompiledExpression>(model);
}

Eigen::VectorXd EvaluateAt(const CompiledModel& compiled, const Eigen::MatrixXd& points) {
  const auto rows = static_cast<std::size_t>(points.rows());
  const auto cols = static_cast<std::size_t>(points.cols());
  std::vector<std::vector<double>> storage(cols, std::vector<double>(rows));
  std::vector<double*> buffers(cols);
  for (std::size_t i = 0; i < cols; ++i) {
    for (std::size_t t = 0; t < rows; ++t) {
      storage[i][t] = points(static_cast<Eigen::Index>(t), static_cast<Eigen::Index>(i));
    }
    buffers[i] = storage[i].data();
  }
  auto evaluator = compiled.Bind(buffers);
  Eigen::VectorXd out(points.rows());
  evaluator->Evaluate(rows, out.data());
  return out;
}

}  // namespace keycomp::mc

// A measurement model Y = f(X_1, ..., X_N) with the distributions of its inputs (JCGM 101
// section 5), and its compiled form: an expression evaluated by muparser in bulk mode, or a
// built-in model compiled into keycomp (core/mc/models/).
//
// Evaluation is array-at-a-time: an evaluator is bound once to one buffer per input (one
// evaluator and one set of buffers per thread), the engine fills the buffers with a block of
// draws, and Evaluate writes the block's output values.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/mc/distributions.h"

namespace keycomp::mc {

/// One input quantity X_i of the model. Constants are inputs of kind `constant`.
struct ModelInput {
  std::string name;
  Distribution distribution;
  /// Degrees of freedom of its standard uncertainty for the GUM's Welch-Satterthwaite formula
  /// (the file's `dof`, or the student_t dof; infinite when not given).
  double gum_dof = std::numeric_limits<double>::infinity();
};

/// Correlation between two inputs (applied through a Gaussian copula).
struct InputCorrelation {
  std::string a;
  std::string b;
  double r = 0;
};

struct MeasurementModel {
  std::string source;     ///< the model file, for messages
  std::string quantity = "y";
  std::string unit;
  std::string expression;  ///< muparser expression; empty for a built-in model
  std::string builtin;     ///< name of a built-in model; empty for an expression
  std::vector<ModelInput> inputs;
  std::vector<InputCorrelation> correlations;
  double coverage = 0.95;

  /// Index of the input called `name`, or inputs.size().
  std::size_t IndexOf(const std::string& name) const;
  /// Correlation matrix of the inputs (identity where none is given).
  Eigen::MatrixXd CorrelationMatrix() const;
};

/// Evaluates a model on blocks of input values. Not thread-safe: one per thread.
class ModelEvaluator {
 public:
  virtual ~ModelEvaluator() = default;
  /// Evaluates the model at n points, input i's values being buffers[i][0..n) of the buffers
  /// given to Bind; writes out[0..n).
  virtual void Evaluate(std::size_t n, double* out) = 0;
};

/// A model ready to evaluate: immutable and shareable between threads.
class CompiledModel {
 public:
  virtual ~CompiledModel() = default;
  /// An evaluator that reads input i from buffers[i] (one per model input, in model order;
  /// each holds at least the n of any later Evaluate call). Constant inputs' buffers are
  /// filled by the caller like the others.
  virtual std::unique_ptr<ModelEvaluator> Bind(std::span<double* const> buffers) const = 0;
  /// Notes on the model (inputs the expression does not use, ...).
  virtual std::vector<std::string> Notes() const { return {}; }
};

/// Compiles an expression or looks up a built-in model, checking that every variable the
/// expression uses is an input and every input a built-in model needs is given. Throws
/// InputError naming the model file and the field (`model`, `inputs.NAME`) on failure.
std::unique_ptr<CompiledModel> CompileModel(const MeasurementModel& model);

/// Evaluates a compiled model at a handful of points (rows of `points`, one column per input)
/// on the calling thread.
Eigen::VectorXd EvaluateAt(const CompiledModel& compiled, const Eigen::MatrixXd& points);

}  // namespace keycomp::mc

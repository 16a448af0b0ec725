#include "reports/report/report_writer.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/input_error.h"
#include "reports/json_writer.h"
#include "reports/plots/canvas.h"

namespace keycomp::report {
namespace {

namespace fs = std::filesystem;

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw InputError(path.string(), 0, "-o", "cannot write file");
}

// An earlier report written by keycomp: safe to replace.
bool IsReportFolder(const fs::path& folder) {
  std::error_code ec;
  if (fs::is_empty(folder, ec) && !ec) return true;
  std::ifstream in(folder / "results.json");
  if (!in) return false;
  try {
    const nlohmann::json json = nlohmann::json::parse(in);
    return json.is_object() && json.contains("report") && json.contains("keycomp_version");
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

// Runs `pdflatex report.tex` once in `folder`, quietly; returns its exit code (127: not found).
int RunPdflatexOnce(const std::string& program, const fs::path& folder) {
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    // Child: work in the report's folder, no terminal input, output into report.log only.
    if (chdir(folder.c_str()) != 0) _exit(126);
    const int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      dup2(null_fd, STDIN_FILENO);
      dup2(null_fd, STDOUT_FILENO);
      dup2(null_fd, STDERR_FILENO);
    }
    const char* argv[] = {program.c_str(), "-interaction=nonstopmode", "-halt-on-error",
                          "-no-shell-escape", "report.tex", nullptr};
    execvp(argv[0], const_cast<char* const*>(argv));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) break;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Compiles report.tex into report.pdf: twice, and a third time if LaTeX still asks for it
// (longtable settles its column widths over runs). True when report.pdf came out.
bool RunPdflatex(const std::string& program, const fs::path& folder, std::string& note) {
  int code = 0;
  for (int run = 0; run < 3 && code == 0; ++run) {
    code = RunPdflatexOnce(program, folder);
    if (code != 0 || run == 0) continue;
    std::ifstream log(folder / "report.log");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    if (text.find("Rerun LaTeX") == std::string::npos &&
        text.find("Table widths have changed") == std::string::npos) {
      break;
    }
  }
  if (code == 127) {
    note = "pdflatex is not installed: compile report.tex with pdflatex to get report.pdf";
    return false;
  }
  std::error_code ec;
  for (const char* scratch : {"report.aux", "report.out"}) fs::remove(folder / scratch, ec);
  if (code != 0 || !fs::exists(folder / "report.pdf")) {
    fs::remove(folder / "report.pdf", ec);
    note = "pdflatex failed on report.tex (see report.log)";
    return false;
  }
  fs::remove(folder / "report.log", ec);
  return true;
}

// Runs `pandoc report.md -o report.docx` in `folder` (the figures are the PNGs beside it),
// quietly. True when report.docx came out; false (and no report.docx) otherwise.
bool RunPandoc(const std::string& program, const fs::path& folder) {
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    if (chdir(folder.c_str()) != 0) _exit(126);
    const int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      dup2(null_fd, STDIN_FILENO);
      dup2(null_fd, STDOUT_FILENO);
      dup2(null_fd, STDERR_FILENO);
    }
    const char* argv[] = {program.c_str(), "--from=markdown", "--to=docx", "--resource-path=.",
                          "-o", "report.docx", "report.md", nullptr};
    execvp(argv[0], const_cast<char* const*>(argv));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) break;
  }
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::error_code ec;
  if (!ok) fs::remove(folder / "report.docx", ec);
  return ok && fs::exists(folder / "report.docx");
}

// Removes the temporary folder unless the report was moved into place.
class TemporaryFolder {
 public:
  explicit TemporaryFolder(fs::path path) : path_(std::move(path)) {}
  ~TemporaryFolder() {
    if (!path_.empty()) {
      std::error_code ignored;
      fs::remove_all(path_, ignored);
    }
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  const fs::path& path() const { return path_; }
  void Release() { path_.clear(); }

 private:
  fs::path path_;
};

}  // namespace

WriteOutcome WriteReportFolder(const ReportContent& content, const std::string& folder,
                               const WriteOptions& options) {
  if (folder.empty()) throw InputError("", 0, "-o", "the report folder is empty");
  fs::path target = fs::path(folder).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();  // "out/" -> "out"
  fs::path parent = target.parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    throw InputError(folder, 0, "-o", "the folder that should hold the report does not exist");
  }
  const bool replacing = fs::exists(target, ec);
  if (replacing) {
    if (!fs::is_directory(target, ec)) {
      throw InputError(folder, 0, "-o", "exists and is not a folder");
    }
    if (!IsReportFolder(target)) {
      throw InputError(folder, 0, "-o",
                       "exists and is not an earlier keycomp report: choose a new or empty folder");
    }
  }

  const std::string stamp = std::to_string(::getpid());
  TemporaryFolder temp(parent / ("." + target.filename().string() + ".tmp-" + stamp));
  fs::remove_all(temp.path(), ec);
  if (!fs::create_directory(temp.path(), ec) || ec) {
    throw InputError(folder, 0, "-o", "cannot create a folder beside it (" + ec.message() + ")");
  }

  std::map<std::string, std::string> svg;
  for (const NamedFigure& f : content.figures) {
    svg[f.name] = plots::RenderSvg(f.figure);
    WriteText(temp.path() / (f.name + ".svg"), svg[f.name]);
    plots::WritePdf(f.figure, (temp.path() / (f.name + ".pdf")).string());
    plots::WritePng(f.figure, (temp.path() / (f.name + ".png")).string());
  }
  WriteText(temp.path() / "report.md", RenderMarkdown(content.document));
  WriteText(temp.path() / "report.html", RenderHtml(content.document, svg));
  WriteText(temp.path() / "report.tex", RenderLatex(content.document));
  WriteText(temp.path() / "results.json", DumpJson(content.results) + "\n");
  WriteText(temp.path() / "doe.csv", content.doe_csv);
  if (!content.results_xml.empty()) {
    WriteText(temp.path() / "results.xml", content.results_xml);
  }
  if (!content.pairwise_csv.empty()) {
    WriteText(temp.path() / "pairwise-doe.csv", content.pairwise_csv);
  }

  WriteOutcome outcome;
  if (!options.pandoc.empty()) outcome.docx_written = RunPandoc(options.pandoc, temp.path());
  if (options.pdf) {
    outcome.pdf_written = RunPdflatex(options.pdflatex, temp.path(), outcome.note);
  } else {
    outcome.note = "report.pdf not made (--no-pdf)";
  }

  // Into place: the old report (if any) moves aside first, so that a failed rename leaves it.
  fs::path aside;
  if (replacing) {
    aside = parent / ("." + target.filename().string() + ".old-" + stamp);
    fs::rename(target, aside, ec);
    if (ec) throw InputError(folder, 0, "-o", "cannot replace the folder (" + ec.message() + ")");
  }
  fs::rename(temp.path(), target, ec);
  if (ec) {
    std::error_code ignored;
    if (replacing) fs::rename(aside, target, ignored);
    throw InputError(folder, 0, "-o", "cannot write the report folder (" + ec.message() + ")");
  }
  temp.Release();
  if (replacing) fs::remove_all(aside, ec);
  return outcome;
}

}  // namespace keycomp::report

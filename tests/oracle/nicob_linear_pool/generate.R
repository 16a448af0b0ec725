# Parity oracle for keycomp's linear_pool: runs the NIST Consensus Builder's own linear-pool
# function (linearOP.R, tlafarge/NICOB_app_public) on the Consensus Builder's own example files
# (example/*.ncb), many independent times, and summarises the run-to-run spread.
#
#   Rscript generate.R /path/to/NICOB_app_public [runs]
#
# The Consensus Builder's checkout is NOT part of keycomp: this script only sources its
# linearOP.R from the path given. It writes, beside itself:
#   cases/<example>.csv  the example's lab-level data in keycomp's input format
#   golden.csv           one row per example (columns described in README.md)
# As server.R does: KCRV = mean of the draws, u = sd of the draws, interval = quantile() of the
# draws at (1 -/+ coverage)/2, equal weights when `poolweights` is empty, m = `linearOPrep`
# draws, dof = numeric(0) (normal components) when `df` is empty.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript generate.R NICOB_DIR [runs]")
nicob <- normalizePath(args[1])
runs <- if (length(args) >= 2) as.integer(args[2]) else 1000L
batches <- 25L  # Monte Carlo standard errors from the spread of 25 batch means
stopifnot(runs %% batches == 0)

here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(), value = TRUE))))
source(file.path(nicob, "linearOP.R"))  # defines linearOP(x, ux, nu, weights, m)

# Reads the key=value lines of an .ncb file (the Consensus Builder's saved configuration).
read_ncb <- function(path) {
  lines <- readLines(path, warn = FALSE)
  lines <- lines[grepl("=", lines, fixed = TRUE)]
  keys <- sub("=.*$", "", lines)
  values <- sub("^[^=]*=", "", lines)
  setNames(as.list(trimws(values)), keys)
}
numbers <- function(text) as.numeric(unlist(strsplit(gsub("\\s", "", text), ",")))

# Batch-means standard error of the mean of v (v in run order).
batch_se <- function(v) {
  means <- colMeans(matrix(v, ncol = batches))
  sd(means) / sqrt(batches)
}

# Shortest of %.15g / %.17g that reads back as the same double.
fmt <- function(v) {
  short <- sprintf("%.15g", v)
  ifelse(as.numeric(short) == v | is.na(v), short, sprintf("%.17g", v))
}

rows <- list()
files <- sort(list.files(file.path(nicob, "example"), pattern = "\\.ncb$", full.names = TRUE))
dir.create(file.path(here, "cases"), showWarnings = FALSE)
for (path in files) {
  name <- sub("\\.ncb$", "", basename(path))
  cfg <- read_ncb(path)
  lab <- trimws(strsplit(cfg$lablabels, ",")[[1]])
  x <- numbers(cfg$mean)
  u <- numbers(cfg$se)
  nu <- numbers(cfg$df)  # numeric(0) when empty: normal components
  w <- numbers(cfg$poolweights)
  if (length(w) == 0) w <- rep(1, length(x))
  m <- as.numeric(cfg$linearOPrep)
  coverage <- as.numeric(cfg$coverage)
  stopifnot(length(x) == length(u), length(x) == length(lab), length(x) >= 2,
            !any(startsWith(lab, "-")), length(nu) %in% c(0, length(x)))

  dof_text <- if (length(nu) == 0) rep("", length(x)) else ifelse(is.finite(nu), fmt(nu), "")
  case <- c(sprintf("# comparison: NIST Consensus Builder example %s.ncb", name),
            "# source: tlafarge/NICOB_app_public example file, written by tests/oracle/nicob_linear_pool/generate.R",
            "lab,value,u,dof",
            sprintf("%s,%s,%s,%s", lab, fmt(x), fmt(u), dof_text))
  writeLines(case, file.path(here, "cases", paste0(name, ".csv")))

  set.seed(20261123)
  res <- matrix(NA_real_, runs, 4)
  for (r in seq_len(runs)) {
    y <- linearOP(x, u, nu, w, m)
    res[r, ] <- c(mean(y), sd(y), quantile(y, c((1 - coverage) / 2, (1 + coverage) / 2)))
  }
  # What the app itself shows with its default seed (5): set.seed, then linearOP once.
  set.seed(5)
  y <- linearOP(x, u, nu, w, m)
  app <- c(mean(y), sd(y), quantile(y, c((1 - coverage) / 2, (1 + coverage) / 2)))

  uq <- quantile(res[, 2], c(0.005, 0.25, 0.5, 0.75, 0.995), names = FALSE)
  rows[[name]] <- data.frame(
    example = name, n = length(x), draws = m, runs = runs,
    dof_le2 = if (length(nu) == 0) "" else paste(lab[nu <= 2], collapse = " "),
    sum_x = fmt(sum(x)), sum_u = fmt(sum(u)),
    sum_dof = if (length(nu) == 0) "inf" else fmt(sum(nu)),
    kcrv_mean = fmt(mean(res[, 1])), kcrv_se = fmt(batch_se(res[, 1])),
    kcrv_run_sd = fmt(sd(res[, 1])),
    u_mean = fmt(mean(res[, 2])), u_se = fmt(batch_se(res[, 2])), u_run_sd = fmt(sd(res[, 2])),
    u_q005 = fmt(uq[1]), u_q25 = fmt(uq[2]), u_q50 = fmt(uq[3]), u_q75 = fmt(uq[4]),
    u_q995 = fmt(uq[5]),
    low_mean = fmt(mean(res[, 3])), low_se = fmt(batch_se(res[, 3])),
    low_run_sd = fmt(sd(res[, 3])),
    high_mean = fmt(mean(res[, 4])), high_se = fmt(batch_se(res[, 4])),
    high_run_sd = fmt(sd(res[, 4])),
    app_seed5_kcrv = fmt(app[1]), app_seed5_u = fmt(app[2]), app_seed5_low = fmt(app[3]),
    app_seed5_high = fmt(app[4]), stringsAsFactors = FALSE)
  cat(sprintf("%-15s kcrv %.6g (se %.2g)  u %.6g [q25 %.5g, q75 %.5g]  interval [%.6g, %.6g]\n",
              name, mean(res[, 1]), batch_se(res[, 1]), mean(res[, 2]), uq[2], uq[4],
              mean(res[, 3]), mean(res[, 4])))
}

out <- do.call(rbind, rows)
header <- c(sprintf("# NIST Consensus Builder linearOP.R, %d runs of each example, made by generate.R", runs),
            sprintf("# %s; RNG %s", R.version.string, paste(RNGkind(), collapse = "/")))
con <- file(file.path(here, "golden.csv"), "w")
writeLines(header, con)
write.csv(out, con, row.names = FALSE, quote = FALSE)
close(con)

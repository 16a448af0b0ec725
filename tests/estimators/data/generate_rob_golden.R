# Independent R implementations of ISO 13528 Algorithm A and of the power-moderated mean
# (Pomme & Keightley, Metrologia 52 (2015) S200), used to make rob_golden.csv.
# Run from the repository root:  Rscript tests/estimators/data/generate_rob_golden.R
# Written separately from the C++ code (plain loops, R's uniroot); CI never runs it.

read_cases <- function(path) {
  d <- read.csv(path, comment.char = "#", strip.white = TRUE)
  names(d) <- tolower(names(d))
  if (!("include" %in% names(d))) d$include <- 1
  d[d$include == 1, ]
}

# Algorithm A: ISO 13528:2015 C.3.1 iterated until x* and s* stop changing (fixed point).
algorithm_a <- function(x) {
  p <- length(x)
  xs <- median(x)
  ss <- 1.483 * median(abs(x - xs))
  for (it in 1:100000) {
    d <- 1.5 * ss
    xc <- pmin(pmax(x, xs - d), xs + d)
    xn <- mean(xc)
    sn <- 1.134 * sqrt(sum((xc - xn)^2) / (p - 1))
    done <- abs(xn - xs) <= 1e-15 * sn && abs(sn - ss) <= 1e-15 * sn
    xs <- xn; ss <- sn
    if (done) break
  }
  c(value = xs, u = 1.25 * ss / sqrt(p), extra = ss)
}

# Power-moderated mean, computed on centred and scaled data and mapped back.
pmm <- function(x0, u0, alpha = NA) {
  N <- length(x0)
  cen <- median(x0); sc <- median(u0)
  x <- (x0 - cen) / sc; u <- u0 / sc; v <- u^2
  f <- function(s2) { w <- 1 / (v + s2); m <- sum(w * x) / sum(w); sum(w * (x - m)^2) - (N - 1) }
  s2 <- 0
  if (f(0) > 0) {
    hi <- var(x); while (f(hi) > 0) hi <- 2 * hi
    s2 <- uniroot(f, c(0, hi), tol = 1e-15 * hi, maxiter = 10000)$root
  }
  if (is.na(alpha)) alpha <- 2 - 3 / N
  u2x <- sum((x - mean(x))^2) / (N * (N - 1))
  u2mp <- 1 / sum(1 / (v + s2))
  S2 <- N * max(u2x, u2mp)
  wr <- (v + s2)^(-alpha / 2)
  xr <- sum(wr * x) / sum(wr)
  ur <- sqrt(S2^(1 - alpha / 2) / sum(wr))
  c(value = cen + sc * xr, u = sc * ur, extra = sc * sqrt(s2))
}

cases <- list(
  creosote = "tests/estimators/data/creosote_iso5725_5.csv",
  ga67 = "datasets/bipm_ri_ii_k1_ga67/results.csv",
  ce139 = "datasets/bipm_ri_ii_k1_ce139/results.csv",
  k25 = "datasets/ccqm_k25_pcb28/results.csv",
  k30 = "datasets/ccqm_k30_pb_wine/results.csv",
  k145 = "datasets/ccqm_k145_ni_bovine_liver/results.csv")

rows <- list()
add <- function(estimator, case, setting, r) {
  rows[[length(rows) + 1]] <<- data.frame(estimator = estimator, case = case, path = cases[[case]],
    setting = setting, value = sprintf("%.17g", r[["value"]]), u = sprintf("%.17g", r[["u"]]),
    extra = sprintf("%.17g", r[["extra"]]))
}
for (case in names(cases)) {
  d <- read_cases(cases[[case]])
  add("algorithm_a", case, "", algorithm_a(d$value))
  if (case != "creosote") {
    add("power_moderated_mean", case, "", pmm(d$value, d$u))
    add("power_moderated_mean", case, "alpha=0", pmm(d$value, d$u, 0))
    add("power_moderated_mean", case, "alpha=2", pmm(d$value, d$u, 2))
  }
}
out <- do.call(rbind, rows)
con <- file("tests/estimators/data/rob_golden.csv", "w")
writeLines(c(
  "# Golden values for algorithm_a (extra = robust_sd s*) and power_moderated_mean (extra = s),",
  "# made by tests/estimators/data/generate_rob_golden.R (independent R implementations),",
  paste0("# ", R.version.string, ". Trust: about 1e-12 relative (fixed point / root to ~1e-15)."),
  "# setting: estimator setting as NAME=VALUE (empty: defaults). path: relative to the repository root."),
  con)
write.csv(out, con, row.names = FALSE, quote = FALSE)
close(con)

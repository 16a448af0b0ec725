# Reference results for keycomp's global REML/ML search on comparisons whose (restricted)
# likelihood in tau^2 has more than one local maximum (and on a unimodal and a boundary case).
#
#   cd tests/oracle/multimodal && Rscript generate_multimodal.R
#
# For every case and method (REML, ML):
#   1. the local maxima are located independently of metafor, on a dense grid in log tau^2
#      (0 and 1e5 log-spaced points over 16 decades; the likelihood below is written here);
#   2. each is refined by metafor's Fisher scoring started there (rma.uni with
#      control = list(tau2.init = <grid maximum>, threshold = 1e-14 relative, stepadj = 0.5,
#      maxiter = 10000, ll0check = FALSE)); a self-check asks that it stays in that
#      maximum's basin (ll0check = FALSE: otherwise metafor itself replaces an interior maximum
#      lower than the likelihood at tau^2 = 0 by tau^2 = 0);
#   3. logLik() of metafor at each maximum is taken from a fit of the raw (unscaled) data with
#      tau2 fixed there, so it is the log-likelihood in the data's unit;
#   4. metafor is also run with its default settings (start at the Hedges estimate, ll0check),
#      to show which maximum a local search from one start finds.
# As in ../generate_metafor.R the fits are of y = (value - c)/s, v = (u/s)^2 with c = median
# of the values and s = median of the u, mapped back. Writes cases/<id>.csv and
# multimodal_golden.csv (all numbers %.17g). Deterministic.
suppressPackageStartupMessages(library(metafor))
dir.create("cases", showWarnings = FALSE)
fmt <- function(x) formatC(x, digits = 17, format = "g")

cases <- list()
add_case <- function(id, x, u, note) {
  cases[[length(cases) + 1]] <<- list(id = id, x = x, u = u, note = note)
}
tight_x <- c(10.000, 10.010, 9.990, 10.005, 9.995)
tight_u <- c(0.010, 0.015, 0.020, 0.012, 0.018)
spread <- c(0, 1, -1, 2, -2)
add_case("boundary_and_far", c(tight_x, 11, 12, 13), c(tight_u, 0.3, 0.3, 0.3),
         "5 consistent labs near 10 (u 0.01-0.02) and 3 at 11, 12, 13 (u 0.3): tau = 0 and a far maximum, the far one highest")
add_case("two_interior_far_wins", c(tight_x + 0.03 * spread, 11, 12, 13),
         c(tight_u, 0.5, 0.5, 0.5),
         "5 slightly inconsistent labs near 10 and 3 at 11, 12, 13 (u 0.5): two interior maxima, the far one highest")
add_case("two_interior_near_wins", c(tight_x + 0.02 * spread, 10.01, 9.99, 11.5, 13),
         c(tight_u, 0.01, 0.01, 0.5, 0.5),
         "7 slightly inconsistent labs near 10 and 2 at 11.5, 13 (u 0.5): two interior maxima, the near one highest")
add_case("boundary_wins_ml", c(tight_x, 12, 13), c(tight_u, 0.5, 0.5),
         "5 consistent labs near 10 and 2 at 12, 13 (u 0.5): tau = 0 and a far maximum; ML prefers tau = 0, REML the far one")
add_case("two_interior_far_wins_mg", 0.5 + 1e-6 * (c(tight_x + 0.03 * spread, 11, 12, 13) - 10),
         1e-6 * c(tight_u, 0.5, 0.5, 0.5),
         "two_interior_far_wins at scale 1e-6 about 0.5")
add_case("unimodal", c(10.00, 10.02, 9.98, 10.01, 9.99, 12, 13, 14), c(rep(0.05, 5), rep(0.1, 3)),
         "5 labs near 10 (u 0.05), 3 at 12-14 (u 0.1): one interior maximum")
add_case("boundary_only", c(10.00, 10.01, 9.99, 10.005, 9.995, 10.2), c(tight_u, 0.3),
         "6 consistent labs: the boundary tau = 0 is the only maximum")

# Profile (restricted) log-likelihood without constants, scaled data.
profile_ll <- function(t, y, v, restricted) {
  w <- 1 / (v + t)
  mu <- sum(w * y) / sum(w)
  l <- -0.5 * sum(log(v + t) + w * (y - mu)^2)
  if (restricted) l - 0.5 * log(sum(w)) else l
}
score <- function(t, y, v, restricted) {
  w <- 1 / (v + t)
  mu <- sum(w * y) / sum(w)
  s <- sum(w^2 * (y - mu)^2) - sum(w)
  if (restricted) s + sum(w^2) / sum(w) else s
}
grid_maxima <- function(y, v, restricted) {
  t <- c(0, min(v) * 10^seq(-8, 8, length.out = 100000))
  l <- vapply(t, profile_ll, 0, y = y, v = v, restricted = restricted)
  k <- length(t)
  inner <- 2:(k - 1)
  at <- c(if (l[1] >= l[2]) 1, inner[l[inner] > l[inner - 1] & l[inner] >= l[inner + 1]])
  if (l[k] > l[k - 1]) stop("likelihood still rising at the end of the grid")
  t[at]
}

THRESHOLD <- 1e-14
rows <- list()
checks <- c(basin = 0, score = 0, mu = 0, se = 0)
for (cs in cases) {
  n <- length(cs$x)
  writeLines(c(sprintf("# comparison: multimodal_%s", cs$id), sprintf("# source: %s", cs$note),
               "lab,value,u", sprintf("L%02d,%s,%s", seq_len(n), fmt(cs$x), fmt(cs$u))),
             file.path("cases", paste0(cs$id, ".csv")))
  centre <- median(cs$x)
  s <- median(cs$u)
  y <- (cs$x - centre) / s
  v <- (cs$u / s)^2
  for (method in c("REML", "ML")) {
    restricted <- method == "REML"
    starts <- grid_maxima(y, v, restricted)
    default_fit <- suppressWarnings(rma.uni(yi = y, vi = v, method = method))
    fits <- lapply(starts, function(t0) {
      rma.uni(yi = y, vi = v, method = method,
              control = list(tau2.init = t0, threshold = max(THRESHOLD * t0, 1e-16),
                             maxiter = 10000, stepadj = 0.5, ll0check = FALSE))
    })
    tau2 <- vapply(fits, function(f) f$tau2, 0)
    # Each refinement stays near its start (relative 1e-3 of tau2 in the same basin) and,
    # inside, makes the score vanish.
    for (k in seq_along(starts)) {
      if (starts[k] == 0) {
        if (tau2[k] > 1e-12) stop(cs$id, " ", method, ": boundary start left the boundary")
        tau2[k] <- 0
      } else {
        rel <- abs(tau2[k] - starts[k]) / starts[k]
        checks["basin"] <- max(checks["basin"], rel)
        if (rel > 1e-3) stop(cs$id, " ", method, ": refinement left the basin")
        rs <- abs(score(tau2[k], y, v, restricted)) / sum(1 / (v + tau2[k]))
        checks["score"] <- max(checks["score"], rs)
        if (rs > 1e-12) stop(cs$id, " ", method, ": score not zero")
      }
    }
    ll <- vapply(seq_along(fits), function(k) {
      as.numeric(logLik(rma.uni(yi = cs$x, vi = cs$u^2, tau2 = s^2 * tau2[k], method = method)))
    }, 0)
    best <- which.max(ll)
    for (k in seq_along(fits)) {
      f <- fits[[k]]
      w <- 1 / (v + tau2[k])
      mu <- as.numeric(f$beta)
      se <- f$se
      # metafor's mean and se are the random-effects ones at its tau2 (0 at the boundary).
      checks["mu"] <- max(checks["mu"], abs(mu - sum(w * y) / sum(w)) * sqrt(sum(w)))
      checks["se"] <- max(checks["se"], abs(se * sqrt(sum(w)) - 1))
      rows[[length(rows) + 1]] <- data.frame(
        case = cs$id, method = method, maximum = k, n_maxima = length(fits),
        global = as.integer(k == best), n = n, tau2 = fmt(s^2 * tau2[k]),
        tau = fmt(s * sqrt(tau2[k])), mu = fmt(centre + s * mu), se = fmt(s * se), loglik = fmt(ll[k]),
        default_start_tau2 = fmt(s^2 * default_fit$tau2), stringsAsFactors = FALSE)
    }
  }
}
golden <- do.call(rbind, rows)
write.csv(golden, "multimodal_golden.csv", row.names = FALSE, quote = FALSE)
cat(sprintf("self-checks: refinement within %.2g of its grid start (relative); |score|/sum w <= %.2g;\n  metafor mu vs weighted mean at its tau2 %.2g se; se vs 1/sqrt(sum w) %.2g (relative)\n",
            checks["basin"], checks["score"], checks["mu"], checks["se"]))
if (checks["mu"] > 1e-12 || checks["se"] > 1e-12) stop("mu/se self-check failed")
cat(sprintf("R %s, metafor %s\n", getRversion(), packageVersion("metafor")))
print(golden[, c("case", "method", "maximum", "n_maxima", "global", "tau", "mu", "loglik",
                 "default_start_tau2")])

#!/usr/bin/env Rscript
## ---------------------------------------------------------------------------
## keycomp test oracle for the `bma` estimator (Bayesian model averaging over fixed-effects
## bias models, after Elster & Toman, Metrologia 47 (2010) 113), by brute force.
##
## Run from the repository root:   Rscript tests/oracle/bma/generate.R
## Writes tests/oracle/bma/cases/<case>.csv (keycomp input) and tests/oracle/bma/golden.csv.
##
## The model (the one docs/estimators.md states for bma):
##   x_i = mu + beta_i + e_i, e_i ~ N(0, u_i^2); model S = a set of K labs with beta_i = 0,
##   the other betas free; flat priors on mu and the free betas; equal prior 1/C(n,K) per S.
## This script uses NONE of keycomp's closed forms. For every bit mask over n labs with K bits
## set it evaluates, by R's integrate():
##   Z_S        = int prod_{i in S} N(x_i; mu, u_i^2) dmu    (the free betas integrate over
##                their flat prior by a separate numerical integral, see bias_moments)
##   E[mu|S], E[mu^2|S], P(mu <= q | S)                      (1-D integrals over mu)
##   E[beta_j|S], E[beta_j^2|S] for j not in S               (nested 2-D integrals over
##                                                            (mu, beta_j))
## then averages with p(S|x) = Z_S / sum Z and finds the 2.5 %, 50 % and 97.5 % quantiles of the
## averaged posterior of mu with uniroot() on the averaged CDF. The maximum of each model's
## log-likelihood (the integrand's scale) is found with optimize(), not by formula.
## A self-check then compares every model's numerical Z_S, mean and variance with the closed
## forms, and stops if they disagree by more than 1e-10 (relative) -- it measures the accuracy
## of the integration, it is not where the golden numbers come from.
## ---------------------------------------------------------------------------
options(digits = 17, warn = 1)
out_dir <- "tests/oracle/bma"
TOL <- 1e-12
fmt <- function(v) sprintf("%.17g", v)

cases <- list(
  list(id = "toy5", src = "made up for this oracle (same numbers as tests/estimators/bma_test.cc)",
       lab = paste0("L", 1:5), x = c(10.2, 9.8, 10.1, 11.5, 9.95), u = c(0.2, 0.3, 0.15, 0.25, 0.4),
       K = 1:5),
  list(id = "outlier6", src = "made up: five consistent labs and one 6-u outlier",
       lab = paste0("L", 1:6), x = c(0.31, -0.12, 0.05, 0.22, -0.30, 2.4),
       u = c(0.2, 0.25, 0.1, 0.3, 0.2, 0.35), K = 2:6),
  list(id = "ties5", src = "made up: two identical results, equal uncertainties (degenerate chi2 = 0 models)",
       lab = paste0("L", 1:5), x = c(5, 5, 5.3, 4.6, 5.1), u = c(0.1, 0.1, 0.1, 0.1, 0.1), K = 2:4),
  list(id = "offset7", src = "made up: large offset and small spread (centring and scaling)",
       lab = paste0("L", 1:7),
       x = 25000 + c(1.3e-3, -0.4e-3, 0.2e-3, 4.1e-3, -0.9e-3, 0.6e-3, -2.8e-3),
       u = c(0.5e-3, 0.6e-3, 0.3e-3, 0.8e-3, 0.4e-3, 1.0e-3, 0.7e-3), K = c(3, 4, 6)),
  list(id = "ccl_k1_gauge9",
       src = paste("CCL-K1 gauge block, deviation from nominal length in nm, 9 labs: NIST Consensus",
                   "Builder example example/gauge.ncb (tlafarge/NICOB_app_public); which block is not stated"),
       lab = c("OFMET", "NPL", "LNE", "NRC", "NIST", "CENAM", "CSIRO", "NRLM", "KRISS"),
       x = c(15.0, 15.0, 30.0, 18.0, 24.0, -9.0, 33.0, 12.5, 8.8),
       u = c(9.0, 14.0, 10.0, 13.0, 9.0, 7.0, 9.0, 8.6, 10.0), K = c(5, 7, 8))
)

## Moments of N(0, 1) over |s| <= 12 (the mass beyond is 4e-33), by integrate().
M <- vapply(0:2, function(k) sum(vapply(list(c(-12, -4), c(-4, 0), c(0, 4), c(4, 12)), function(r)
  integrate(function(s) s^k * dnorm(s), r[1], r[2], rel.tol = TOL, abs.tol = 0)$value, 0)), 0)
stopifnot(abs(M[1] - 1) < 1e-14, abs(M[2]) < 1e-15, abs(M[3] - 1) < 1e-14)

loglik <- function(mu, x, u) {  # log prod_i N(x_i; mu, u_i^2), vectorised in mu
  vapply(mu, function(m) sum(dnorm(x, m, u, log = TRUE)), 0)
}

## One model: numerical Z (relative to exp(peak)), mean, second moment, CDF function, and the
## bias moments of every excluded lab.
model <- function(xs, us, xo, uo) {
  lo <- min(xs) - 1; hi <- max(xs) + 1
  pk <- optimize(function(m) -loglik(m, xs, us), c(lo, hi), tol = 1e-15)$minimum
  peak <- loglik(pk, xs, us)
  h <- min(us)                       # the posterior sd of mu is <= min(u in S)
  f <- function(t, pw = 0) ((pk + h * t)^pw) * exp(loglik(pk + h * t, xs, us) - peak)
  I <- function(pw, a = -60, b = 60) {
    br <- c(a, -6, 0, 6, b); br <- br[br >= a & br <= b]; br <- sort(unique(c(a, br, b)))
    s <- 0
    for (k in seq_len(length(br) - 1))
      s <- s + integrate(function(t) f(t, pw), br[k], br[k + 1], rel.tol = TOL, abs.tol = 1e-15,
                         subdivisions = 2000L)$value
    s
  }
  z <- I(0) * h
  m1 <- I(1) * h / z
  m2 <- I(2) * h / z
  cdf <- function(q) {
    tq <- (q - pk) / h
    if (tq <= -60) return(0)
    if (tq >= 60) return(1)
    I(0, -60, tq) * h / z
  }
  # Bias of an excluded lab j: joint density of (mu, beta) ~ L_S(mu) N(x_j; mu + beta, u_j^2).
  # Inner integral over beta from numerical N(0,1) moments, outer integral over mu by integrate().
  bias <- lapply(seq_along(xo), function(j) {
    inner <- function(m, pw) {
      # N(x_j; m + beta, u_j^2) dbeta = N(s; 0, 1) ds for beta = x_j - m + u_j s, so the inner
      # integral is sum_k choose(pw, k) (x_j - m)^(pw - k) u_j^k M_k with M_k = int s^k N(s) ds
      # (computed numerically once, below; expanding avoids cancellation inside integrate()).
      a <- xo[j] - m
      sum(vapply(0:pw, function(k) choose(pw, k) * a^(pw - k) * uo[j]^k * M[k + 1], 0))
    }
    outer <- function(pw) {
      gg <- function(t) vapply(t, function(tt) inner(pk + h * tt, pw), 0) * f(t)
      s <- 0
      for (r in list(c(-60, -6), c(-6, 0), c(0, 6), c(6, 60)))
        s <- s + integrate(gg, r[1], r[2], rel.tol = TOL, abs.tol = 1e-15, subdivisions = 2000L)$value
      s * h
    }
    c(outer(0) / z, outer(1) / z, outer(2) / z)   # normaliser (should be 1), E[beta], E[beta^2]
  })
  list(logz = log(z) + peak, m1 = m1, m2 = m2, cdf = cdf, bias = bias, pk = pk)
}

## Closed forms, used only for the self-check of the integration accuracy.
closed <- function(xs, us) {
  w <- 1 / us^2; W <- sum(w); m <- sum(w * xs) / W
  chi2 <- sum(w * (xs - m)^2)
  list(logz = sum(-0.5 * log(2 * pi * us^2)) + 0.5 * log(2 * pi / W) - 0.5 * chi2, m = m, v = 1 / W)
}

rows <- "case,K,name,value"
worst <- c(logz = 0, mean = 0, var = 0, norm = 0)
for (cs in cases) {
  n <- length(cs$x)
  # keycomp input file
  writeLines(c(paste0("# comparison: ", cs$id), paste0("# source: ", cs$src), "lab,value,u",
               paste(cs$lab, fmt(cs$x), fmt(cs$u), sep = ",")),
             file.path(out_dir, "cases", paste0(cs$id, ".csv")))
  # integrate in centred and scaled units (results are equivariant; this only helps integrate())
  c0 <- median(cs$x); s0 <- median(cs$u)
  x <- (cs$x - c0) / s0; u <- cs$u / s0
  for (K in cs$K) {
    masks <- Filter(function(b) sum(bitwAnd(b, 2^(0:(n - 1))) > 0) == K, 0:(2^n - 1))
    ms <- lapply(masks, function(b) {
      inS <- bitwAnd(b, 2^(0:(n - 1))) > 0
      r <- model(x[inS], u[inS], x[!inS], u[!inS])
      cf <- closed(x[inS], u[inS])
      worst["logz"] <<- max(worst["logz"], abs(r$logz - cf$logz))
      worst["mean"] <<- max(worst["mean"], abs(r$m1 - cf$m) / sqrt(cf$v))
      worst["var"] <<- max(worst["var"], abs((r$m2 - r$m1^2) / cf$v - 1))
      for (b in r$bias) worst["norm"] <<- max(worst["norm"], abs(b[1] - 1))
      r$inS <- inS
      r
    })
    lz <- vapply(ms, function(r) r$logz, 0)
    p <- exp(lz - max(lz)); p <- p / sum(p)
    mean <- sum(p * vapply(ms, function(r) r$m1, 0))
    e2 <- sum(p * vapply(ms, function(r) r$m2, 0))
    sdv <- sqrt(e2 - mean^2)
    cdf <- function(q) sum(p * vapply(ms, function(r) r$cdf(q), 0))
    quant <- function(a) uniroot(function(q) cdf(q) - a, c(mean - 8 * sdv, mean + 8 * sdv),
                                 tol = 1e-14 * max(1, abs(mean)), maxiter = 1000)$root
    q <- c(quant(0.025), quant(0.5), quant(0.975))
    add <- function(name, v) rows <<- c(rows, paste(cs$id, K, name, fmt(v), sep = ","))
    add("value", c0 + s0 * mean)
    add("u", s0 * sdv)
    add("interval_low", c0 + s0 * q[1])
    add("posterior_median", c0 + s0 * q[2])
    add("interval_high", c0 + s0 * q[3])
    add("models", length(masks))
    for (i in 1:n) {
      pin <- 0; b1 <- 0; b2 <- 0
      for (s in seq_along(ms)) {
        r <- ms[[s]]
        if (r$inS[i]) { pin <- pin + p[s]; next }
        j <- which(which(!r$inS) == i)
        b1 <- b1 + p[s] * r$bias[[j]][2]
        b2 <- b2 + p[s] * r$bias[[j]][3]
      }
      add(paste0("p_unbiased_", i), pin)
      add(paste0("bias_", i), s0 * b1)
      add(paste0("u_bias_", i), s0 * sqrt(max(0, b2 - b1^2)))
    }
    cat(cs$id, "K =", K, ":", length(masks), "models, mean", c0 + s0 * mean, "sd", s0 * sdv, "\n")
  }
}
cat("self-check (numerical vs closed form, scaled units):\n")
print(worst)
stopifnot(worst["logz"] < 1e-10, worst["mean"] < 1e-10, worst["var"] < 1e-10, worst["norm"] < 1e-10)
writeLines(c(paste0("# generated by tests/oracle/bma/generate.R with ", R.version.string,
                    "; brute force over all bit masks, R integrate() at rel.tol ", TOL),
             paste0("# self-check max |log Z - closed form| ", signif(worst["logz"], 3),
                    ", |mean - closed|/sd ", signif(worst["mean"], 3),
                    ", |var/closed - 1| ", signif(worst["var"], 3),
                    ", |bias normaliser - 1| ", signif(worst["norm"], 3)),
             rows), file.path(out_dir, "golden.csv"))

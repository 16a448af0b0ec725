# Independent reference results for keycomp's `gls` estimator, its DoE with covariance and the
# generalised chi-squared check. The KCRV, its standard error and the chi-squared come from
# metafor's rma.mv(..., method = "FE") (a multivariate fixed-effect model with the full
# covariance V); the DoE come from plain matrix algebra on V (R's solve()).
#
#   cd tests/oracle/gls && Rscript generate_gls.R
#
# Writes cases/<id>.csv (comparison: lab,value,u,include), cases/<id>_correlations.csv
# (lab_a,lab_b,r) and golden.csv. Deterministic (fixed seed).
suppressPackageStartupMessages(library(metafor))
set.seed(20261123)
dir.create("cases", showWarnings = FALSE)

fmt <- function(x) formatC(x, digits = 17, format = "g")

random_correlation <- function(n, strength) {
  a <- matrix(rnorm(n * (n + 2)), n, n + 2)
  s <- a %*% t(a)
  r <- cov2cor(s)
  (1 - strength) * diag(n) + strength * r
}

cases <- list()
add_case <- function(id, x, u, r, include) {
  cases[[length(cases) + 1]] <<- list(id = id, x = x, u = u, r = r, include = include)
}

# 1. common component (CCM.M-K8 style): u_i^2 = s_i^2 + c^2, r_ij = c^2/(u_i u_j)
s <- c(12, 25, 40, 18, 33, 60, 9)
c0 <- 6
u <- sqrt(s^2 + c0^2)
r <- outer(u, u, function(a, b) c0^2 / (a * b)); diag(r) <- 1
add_case("common_component", c(-18, 5, -40, 2, 30, -70, -11), u, r, rep(TRUE, 7))
# 2. same with the outlying lab excluded from the reference value
add_case("common_component_excluded", c(-18, 5, -40, 2, 30, -70, -11), u, r,
         c(TRUE, TRUE, TRUE, TRUE, TRUE, FALSE, TRUE))
# 3-8. random correlation structures, scales and offsets
specs <- list(
  list(n = 3, offset = 0, scale = 1, strength = 0.5),
  list(n = 5, offset = 1.000000012, scale = 1e-9, strength = 0.8),
  list(n = 8, offset = 2.2e9, scale = 1e7, strength = 0.3),
  list(n = 10, offset = 100, scale = 0.5, strength = 0.95),
  list(n = 12, offset = -3, scale = 2, strength = 0.6),
  list(n = 6, offset = 33.6, scale = 0.8, strength = 0.9))
for (k in seq_along(specs)) {
  sp <- specs[[k]]
  u <- sp$scale * exp(runif(sp$n, log(0.3), log(3)))
  r <- random_correlation(sp$n, sp$strength)
  v <- diag(u) %*% r %*% diag(u)
  x <- sp$offset + as.vector(t(chol(v)) %*% rnorm(sp$n)) + sp$scale * rnorm(sp$n, sd = 0.5)
  include <- rep(TRUE, sp$n)
  if (sp$n >= 8) include[sp$n] <- FALSE
  add_case(sprintf("random_%02d", k), x, u, r, include)
}

rows <- list()
for (cs in cases) {
  n <- length(cs$x)
  labs <- sprintf("L%02d", seq_len(n))
  writeLines(c(sprintf("# comparison: %s", cs$id),
               "# source: tests/oracle/gls/generate_gls.R (random or constructed)",
               "lab,value,u,include",
               sprintf("%s,%s,%s,%d", labs, fmt(cs$x), fmt(cs$u), as.integer(cs$include))),
             file.path("cases", paste0(cs$id, ".csv")))
  pairs <- which(upper.tri(cs$r), arr.ind = TRUE)
  writeLines(c("lab_a,lab_b,r",
               sprintf("%s,%s,%s", labs[pairs[, 1]], labs[pairs[, 2]], fmt(cs$r[pairs]))),
             file.path("cases", paste0(cs$id, "_correlations.csv")))

  v <- diag(cs$u) %*% cs$r %*% diag(cs$u)
  inc <- which(cs$include)
  # metafor: multivariate fixed-effect model with the included labs' covariance, on centred
  # and scaled data (metafor's own tolerance is then relative to numbers of order one).
  cen <- median(cs$x[inc]); sc <- median(cs$u[inc])
  fit <- rma.mv(yi = (cs$x[inc] - cen) / sc, V = v[inc, inc] / sc^2, method = "FE")
  mu <- cen + sc * as.numeric(fit$beta)
  se <- sc * fit$se
  qe <- fit$QE
  # The same by matrix algebra, and the DoE.
  vi <- v[inc, inc]
  w <- solve(vi, rep(1, length(inc)))
  a <- rep(0, n); a[inc] <- w / sum(w)
  mu_alg <- sum(a * cs$x)
  stopifnot(abs(mu_alg - mu) <= 1e-9 * max(abs(mu), sc))
  stopifnot(abs(sqrt(1 / sum(w)) - se) <= 1e-9 * se)
  u_ref2 <- 1 / sum(w)
  cov_ref <- as.vector(v %*% a)
  for (i in seq_len(n)) {
    u2 <- v[i, i] + u_ref2 - 2 * cov_ref[i]
    rows[[length(rows) + 1]] <- data.frame(
      case = cs$id, lab = labs[i], included = as.integer(cs$include[i]), kcrv = fmt(mu),
      u_kcrv = fmt(se), chi2 = fmt(qe), dof = length(inc) - 1, d = fmt(cs$x[i] - mu),
      u_d = fmt(sqrt(u2)))
  }
}
golden <- do.call(rbind, rows)
write.csv(golden, "golden.csv", row.names = FALSE, quote = FALSE)
cat(sprintf("wrote %d cases, %d rows\n", length(cases), nrow(golden)))

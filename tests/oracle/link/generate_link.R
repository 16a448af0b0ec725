# Independent oracle for `keycomp link` (core/link.cc).
#
# keycomp propagates covariances through an augmented vector (RMO results, CIPM results, KCRV)
# with the KCRV's covariance taken from its weights. This script does it another way: every
# output is written as an R function of the raw results only (the CIPM KCRV is recomputed
# inside as the inverse-variance weighted mean of the included CIPM labs), its Jacobian is taken
# by complex-step differentiation (exact to rounding for these analytic functions), and
# u^2 = J Sigma J' with Sigma the covariance of the raw results: within-comparison correlations
# plus r_l u_l^RMO u_l^CIPM for each linking lab's two results.
#
# Run:  cd tests/oracle/link && Rscript generate_link.R
# Writes cases/*.csv (inputs), cases.csv (options per case) and link_golden.csv.

options(digits = 17)
fmt <- function(x) sprintf("%.17g", x)

write_comparison <- function(path, id, labs, x, u, include) {
  lines <- c(sprintf("# comparison: %s", id), "# source: tests/oracle/link/generate_link.R (constructed)",
             "lab,value,u,include",
             sprintf("%s,%s,%s,%d", labs, fmt(x), fmt(u), as.integer(include)))
  writeLines(lines, path)
}

# complex-step Jacobian of f: R^n -> R^m at z
jacobian <- function(f, z) {
  h <- 1e-30
  m <- length(f(z))
  J <- matrix(0, m, length(z))
  for (i in seq_along(z)) {
    zc <- complex(real = z, imaginary = 0)
    zc[i] <- complex(real = z[i], imaginary = h)
    J[, i] <- Im(f(zc)) / h
  }
  J
}

golden <- list()
add <- function(case, item, lab, value, u) {
  golden[[length(golden) + 1]] <<- data.frame(case = case, item = item, lab = lab,
                                              value = fmt(value), u = fmt(u))
}
case_rows <- list()

run_case <- function(case, rmo, cipm, link_labs, r_link, method, kind,
                     cipm_cor = NULL, rmo_cor = NULL, extra_args = "") {
  nR <- nrow(rmo); nC <- nrow(cipm)
  write_comparison(sprintf("cases/%s_rmo.csv", case), paste0(case, " RMO"), rmo$lab, rmo$x, rmo$u, rep(TRUE, nR))
  write_comparison(sprintf("cases/%s_cipm.csv", case), paste0(case, " CIPM"), cipm$lab, cipm$x, cipm$u, cipm$inc)
  args <- sprintf("--method %s --link %s", method, kind)
  # raw covariance
  Sigma <- matrix(0, nR + nC, nR + nC)
  Rr <- diag(nR); Rc <- diag(nC)
  if (!is.null(rmo_cor)) {
    for (k in seq_len(nrow(rmo_cor))) {
      a <- match(rmo_cor$a[k], rmo$lab); b <- match(rmo_cor$b[k], rmo$lab)
      Rr[a, b] <- Rr[b, a] <- rmo_cor$r[k]
    }
    writeLines(c("lab_a,lab_b,r", sprintf("%s,%s,%s", rmo_cor$a, rmo_cor$b, fmt(rmo_cor$r))),
               sprintf("cases/%s_rmo_cor.csv", case))
    args <- paste(args, sprintf("--rmo-correlations {dir}/cases/%s_rmo_cor.csv", case))
  }
  if (!is.null(cipm_cor)) {
    for (k in seq_len(nrow(cipm_cor))) {
      a <- match(cipm_cor$a[k], cipm$lab); b <- match(cipm_cor$b[k], cipm$lab)
      Rc[a, b] <- Rc[b, a] <- cipm_cor$r[k]
    }
    writeLines(c("lab_a,lab_b,r", sprintf("%s,%s,%s", cipm_cor$a, cipm_cor$b, fmt(cipm_cor$r))),
               sprintf("cases/%s_cipm_cor.csv", case))
    args <- paste(args, sprintf("--cipm-correlations {dir}/cases/%s_cipm_cor.csv", case))
  }
  Sigma[1:nR, 1:nR] <- diag(rmo$u) %*% Rr %*% diag(rmo$u)
  Sigma[nR + 1:nC, nR + 1:nC] <- diag(cipm$u) %*% Rc %*% diag(cipm$u)
  iR <- match(link_labs, rmo$lab); iC <- match(link_labs, cipm$lab)
  for (l in seq_along(link_labs)) {
    Sigma[iR[l], nR + iC[l]] <- Sigma[nR + iC[l], iR[l]] <- r_link[l] * rmo$u[iR[l]] * cipm$u[iC[l]]
  }
  writeLines(c("lab,r", sprintf("%s,%s", link_labs, fmt(r_link))), sprintf("cases/%s_link_r.csv", case))
  args <- paste(args, sprintf("--link-correlations {dir}/cases/%s_link_r.csv", case), extra_args)

  wc <- ifelse(cipm$inc, 1 / cipm$u^2, 0)
  # Centred at the first CIPM value: z - centre is exact (Sterbenz) for values within a factor
  # of two, so the kilogram-sized case keeps full relative precision in its 1e-9 spread.
  centre <- cipm$x[1]
  kcrv_c <- function(z) sum(wc * (z[nR + 1:nC] - centre)) / sum(wc)   # x_ref - centre
  kcrv_of <- function(z) centre + kcrv_c(z)
  diffs_of <- function(z) {
    xr <- z[iR]; xc <- z[nR + iC]
    if (kind == "additive") xr - xc else xr / xc
  }
  z0 <- c(rmo$x, cipm$x)
  Jd <- jacobian(diffs_of, z0)
  S <- Jd %*% Sigma %*% t(Jd)
  nL <- length(link_labs)
  w <- if (nL == 1) 1 else if (method == "weighted_mean") {
    v <- 1 / diag(S); v / sum(v)
  } else {
    s1 <- solve(S, rep(1, nL)); s1 / sum(s1)
  }
  link_of <- function(z) sum(w * diffs_of(z))
  scale_of <- function(z, x) if (kind == "additive") x - link_of(z) else x / link_of(z)
  doe_of <- function(z) {
    if (kind == "additive") (z[1:nR] - centre) - link_of(z) - kcrv_c(z)
    else scale_of(z, z[1:nR]) - kcrv_of(z)
  }
  pair_rr <- function(z) { t <- scale_of(z, z[1:nR]); t[1] - t[nR] }
  pair_rc <- function(z) scale_of(z, z[2]) - z[nR + 1]
  cipm_doe <- function(z) (z[nR + iC] - centre) - kcrv_c(z)
  propagate <- function(f) {
    J <- jacobian(f, z0)
    sqrt(pmax(diag(J %*% Sigma %*% t(J)), 0))
  }
  cov_of <- function(f) { J <- jacobian(f, z0); J %*% Sigma %*% t(J) }

  add(case, "kcrv", "", kcrv_of(z0), propagate(kcrv_of))
  add(case, "link", "", link_of(z0), propagate(link_of))
  resid <- diffs_of(z0) - link_of(z0)
  chi2 <- if (nL < 2) NA else if (method == "weighted_mean") sum(resid^2 / diag(S)) else
    as.numeric(t(resid) %*% solve(S, resid))
  add(case, "chi2", "", chi2, NA)
  ud <- sqrt(diag(S))
  for (l in seq_len(nL)) {
    add(case, "difference", link_labs[l], diffs_of(z0)[l], ud[l])
    add(case, "weight", link_labs[l], w[l], NA)
  }
  cd <- cipm_doe(z0); ucd <- propagate(cipm_doe)
  for (l in seq_len(nL)) add(case, "cipm_doe", link_labs[l], cd[l], ucd[l])
  d <- doe_of(z0); ud <- propagate(doe_of)
  for (j in seq_len(nR)) add(case, "doe", rmo$lab[j], d[j], ud[j])
  C <- cov_of(doe_of)
  add(case, "doe_cov", paste(rmo$lab[1], rmo$lab[nR], sep = ":"), C[1, nR], NA)
  add(case, "pair_rmo", paste(rmo$lab[1], rmo$lab[nR], sep = ":"), pair_rr(z0), propagate(pair_rr))
  add(case, "pair_cipm", paste(rmo$lab[2], cipm$lab[1], sep = ":"), pair_rc(z0), propagate(pair_rc))
  case_rows[[length(case_rows) + 1]] <<- data.frame(case = case, linking_labs = paste(link_labs, collapse = ","),
                                                    args = args)
}

# ---- cases ----------------------------------------------------------------------------------
cipm <- data.frame(lab = c("PTB", "NIST", "NPL", "NMIJ", "LNE", "KRISS", "VNIIM"),
                   x = c(10.012, 10.003, 10.021, 9.995, 10.030, 10.008, 10.060),
                   u = c(0.006, 0.010, 0.008, 0.007, 0.012, 0.009, 0.015),
                   inc = c(TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, FALSE))
rmo <- data.frame(lab = c("NMIA", "PTB", "NIM", "KRISS", "A*STAR", "NMIJ"),
                  x = c(10.041, 10.027, 10.019, 10.030, 10.055, 10.011),
                  u = c(0.014, 0.007, 0.011, 0.010, 0.020, 0.008))

run_case("wm3", rmo, cipm, c("PTB", "KRISS", "NMIJ"), c(0.3, 0.5, 0), "weighted_mean", "additive")
cc <- data.frame(a = c("PTB", "NPL"), b = c("NMIJ", "LNE"), r = c(0.4, -0.2))
rc <- data.frame(a = c("PTB", "NMIA"), b = c("NIM", "A*STAR"), r = c(0.25, 0.6))
run_case("gls3cor", rmo, cipm, c("PTB", "KRISS", "NMIJ"), c(0.3, 0.5, 0.1), "gls", "additive",
         cipm_cor = cc, rmo_cor = rc)
run_case("wm3cor", rmo, cipm, c("PTB", "KRISS", "NMIJ"), c(0.3, 0.5, 0.1), "weighted_mean", "additive",
         cipm_cor = cc, rmo_cor = rc)
run_case("mult2", rmo, cipm, c("PTB", "NMIJ"), c(0.7, 0.2), "gls", "multiplicative", cipm_cor = cc)
run_case("one", rmo, cipm, c("KRISS"), c(0.45), "weighted_mean", "additive")
# kilogram-like numbers: offset 1.000000012, spread 1e-9
kg <- function(d) within(d, { x <- 1.000000012 + (x - 10) * 1e-7; u <- u * 1e-7 })
run_case("kg_gls", kg(rmo), kg(cipm), c("PTB", "KRISS", "NMIJ"), c(0.3, 0.5, 0.1), "gls", "additive",
         cipm_cor = cc)

g <- do.call(rbind, golden)
write.csv(g, "link_golden.csv", row.names = FALSE, quote = FALSE, na = "NA")
write.table(do.call(rbind, case_rows), "cases.csv", sep = "|", row.names = FALSE, quote = FALSE)
cat(sprintf("%s\n", R.version.string))
cat(sprintf("%d golden rows, %d cases\n", nrow(g), length(case_rows)))

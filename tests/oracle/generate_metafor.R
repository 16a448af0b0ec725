#!/usr/bin/env Rscript
## ---------------------------------------------------------------------------
## keycomp test oracle: reference ("golden") results from R's metafor.
##
## Run from this directory:   cd tests/oracle && Rscript generate_metafor.R
##
## Writes
##   cases/<case_id>.csv       one comparison per file (keycomp input format)
##   metafor_golden.csv        one row per (case, method, test)
##   metafor_boundary.csv      one row per (case, method) whose tau2 estimate
##                             is at the tau2 = 0 boundary
##   README.md                 description, settings, boundary rows
##
## Everything is deterministic (fixed seeds, no dependence on the clock).
## The script stops with an error if any of its self-checks fails, so a
## successful run means the checks listed in README.md all passed.
## ---------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
})

options(warn = 1)
set.seed(20240611)

fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

METHODS <- c("FE", "DL", "PM", "REML", "ML")
TESTS   <- c("z", "knha", "adhoc")
LEVEL   <- 95

dir.create("cases", showWarnings = FALSE)
## remove stale case files so that the directory always matches the script
invisible(file.remove(list.files("cases", pattern = "\\.csv$", full.names = TRUE)))

## ---------------------------------------------------------------------------
## Case registry
## ---------------------------------------------------------------------------
cases <- list()
add_case <- function(id, lab, value, u, source) {
  stopifnot(length(value) == length(u), length(lab) == length(u),
            all(is.finite(value)), all(is.finite(u)), all(u > 0),
            !id %in% names(cases), grepl("^[A-Za-z0-9_]+$", id))
  cases[[id]] <<- list(id = id, lab = lab, value = value, u = u, source = source)
}
labs <- function(n) sprintf("L%02d", seq_len(n))

## --- 1. metadat datasets ----------------------------------------------------
add_es <- function(id, es, source) {
  es <- es[!is.na(es$yi) & !is.na(es$vi), ]
  add_case(id, labs(nrow(es)), as.numeric(es$yi), sqrt(as.numeric(es$vi)), source)
}

add_es("bcg_logrr",
       escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg),
       "metadat::dat.bcg; escalc(measure='RR', ai=tpos, bi=tneg, ci=cpos, di=cneg); value=yi (log risk ratio), u=sqrt(vi)")
add_es("normand1999_md",
       escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
              data = dat.normand1999),
       "metadat::dat.normand1999; escalc(measure='MD', m1i, sd1i, n1i, m2i, sd2i, n2i); value=yi (mean difference, days), u=sqrt(vi)")
add_es("hackshaw1998_logor", dat.hackshaw1998,
       "metadat::dat.hackshaw1998; columns yi (log odds ratio), vi; value=yi, u=sqrt(vi)")
add_es("li2007_logor",
       escalc(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.li2007),
       "metadat::dat.li2007; escalc(measure='OR', ai, n1i, ci, n2i) (default 1/2 added to zero cells); value=yi, u=sqrt(vi)")
add_es("molloy2014_zcor",
       escalc(measure = "ZCOR", ri = ri, ni = ni, data = dat.molloy2014),
       "metadat::dat.molloy2014; escalc(measure='ZCOR', ri, ni); value=yi (Fisher z), u=sqrt(vi)")
add_es("pritz1997_plo",
       escalc(measure = "PLO", xi = xi, ni = ni, data = dat.pritz1997),
       "metadat::dat.pritz1997; escalc(measure='PLO', xi, ni); value=yi (logit proportion), u=sqrt(vi)")
add_es("raudenbush1985_smd", dat.raudenbush1985,
       "metadat::dat.raudenbush1985; columns yi (SMD), vi; value=yi, u=sqrt(vi)")
add_es("bangertdrowns2004_smd", dat.bangertdrowns2004,
       "metadat::dat.bangertdrowns2004; columns yi (SMD), vi; value=yi, u=sqrt(vi)")
add_case("baskerville2012_smd", labs(nrow(dat.baskerville2012)),
         dat.baskerville2012$smd, dat.baskerville2012$se,
         "metadat::dat.baskerville2012; columns smd, se; value=smd, u=se")
add_es("hine1989_rd",
       escalc(measure = "RD", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.hine1989),
       "metadat::dat.hine1989; escalc(measure='RD', ai, n1i, ci, n2i); value=yi (risk difference), u=sqrt(vi)")
add_es("laopaiboon2015_logrr",
       escalc(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.laopaiboon2015),
       "metadat::dat.laopaiboon2015; escalc(measure='RR', ai, n1i, ci, n2i); value=yi (log risk ratio), u=sqrt(vi)")
add_es("egger2001_logor",
       escalc(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.egger2001),
       "metadat::dat.egger2001; escalc(measure='OR', ai, n1i, ci, n2i); value=yi (log odds ratio), u=sqrt(vi)")
add_es("konstantopoulos2011_smd", dat.konstantopoulos2011,
       "metadat::dat.konstantopoulos2011; columns yi (SMD), vi (all 56 rows, multilevel structure ignored); value=yi, u=sqrt(vi)")

## --- 2. CCQM-K30 (Pb in wine) ---------------------------------------------
k30_file <- "/work/shared/datasets/ccqm_k30_pb_wine/results.csv"
k30 <- read.csv(k30_file, comment.char = "#", stringsAsFactors = FALSE)
k30in <- k30[k30$in_kcrv == 1, ]
add_case("ccqm_k30_idms9", k30in$lab, k30in$value, k30in$u,
         "CCQM-K30 Pb in wine (mg/kg), shared/datasets/ccqm_k30_pb_wine/results.csv, rows with in_kcrv==1 (9 IDMS labs); value=value, u=u")
add_case("ccqm_k30_all11", k30$lab, k30$value, k30$u,
         "CCQM-K30 Pb in wine (mg/kg), shared/datasets/ccqm_k30_pb_wine/results.csv, all 11 labs; value=value, u=u")

## --- 3. Random comparisons --------------------------------------------------
## standardized generator: x_i = tau * z_i + us_i * e_i (+ outliers),
## value = offset + scale * x, u = scale * us.  us has max/min == uratio
## exactly (first two entries are 1 and uratio, the rest log-uniform), then
## shuffled.
gen_std <- function(n, uratio, tau, n_out, out_mag, seed, shrink = 1) {
  set.seed(seed)
  if (n == 1) stop("n >= 2")
  us <- if (uratio == 1) rep(1, n) else c(1, uratio, exp(runif(n - 2, 0, log(uratio))))
  us <- us[sample.int(n)]
  x <- tau * rnorm(n) + shrink * us * rnorm(n)
  if (n_out > 0) {
    idx <- sample.int(n, n_out)
    sgn <- sample(c(-1, 1), n_out, replace = TRUE)
    x[idx] <- x[idx] + sgn * out_mag * max(tau, median(us))
  }
  list(x = x, us = us)
}
add_random <- function(id, n, scale = 1, offset = 0, uratio = 3, tau = 0,
                       n_out = 0, out_mag = 0, seed, shrink = 1, std = NULL) {
  g <- if (is.null(std)) gen_std(n, uratio, tau, n_out, out_mag, seed, shrink) else std
  value <- offset + scale * g$x
  u <- scale * g$us
  src <- sprintf("random: n=%d, scale=%s, offset=%s, uratio(max u/min u)=%s, tau/u_typ=%s, outliers=%d x %s, shrink=%s, seed=%d",
                 n, format(scale), format(offset, digits = 17), format(uratio), format(tau),
                 n_out, format(out_mag), format(shrink), seed)
  add_case(id, labs(n), value, u, src)
}

## consistent data (true tau2 = 0)
add_random("rand_cons_n02", 2,  uratio = 2,    seed = 102)
add_random("rand_cons_n03", 3,  uratio = 3,    seed = 103)
add_random("rand_cons_n04", 4,  uratio = 5,    seed = 104, offset = 10)
add_random("rand_cons_n05", 5,  uratio = 10,   seed = 105)
add_random("rand_cons_n10", 10, uratio = 10,   seed = 110, offset = -3)
add_random("rand_cons_n20", 20, uratio = 30,   seed = 120)
add_random("rand_cons_n40", 40, uratio = 100,  seed = 140)
add_random("rand_cons_n60", 60, uratio = 1000, seed = 160, offset = 100)
## heterogeneous data (tau >> u)
add_random("rand_het_n02", 2,  uratio = 2,   tau = 10, seed = 202)
add_random("rand_het_n03", 3,  uratio = 3,   tau = 10, seed = 203)
add_random("rand_het_n05", 5,  uratio = 5,   tau = 10, seed = 205)
add_random("rand_het_n10", 10, uratio = 10,  tau = 10, seed = 210)
add_random("rand_het_n20", 20, uratio = 30,  tau = 10, seed = 220, offset = 50)
add_random("rand_het_n40", 40, uratio = 100, tau = 10, seed = 240)
add_random("rand_het_n60", 60, uratio = 10,  tau = 10, seed = 260)
add_random("rand_het1000_n08", 8, uratio = 4, tau = 1000, seed = 208)
## moderate heterogeneity (tau ~ u)
add_random("rand_mod_n08", 8,  uratio = 3,  tau = 1, seed = 308)
add_random("rand_mod_n15", 15, uratio = 10, tau = 1, seed = 315)
add_random("rand_mod_n30", 30, uratio = 30, tau = 2, seed = 330)
## gross outliers
add_random("rand_out1_n10", 10, uratio = 5,  n_out = 1, out_mag = 30, seed = 410)
add_random("rand_out2_n20", 20, uratio = 10, n_out = 2, out_mag = 20, seed = 420)
add_random("rand_out1_n40", 40, uratio = 20, tau = 0.5, n_out = 1, out_mag = 50, seed = 440)
add_random("rand_out2_n06", 6,  uratio = 3,  n_out = 2, out_mag = 15, seed = 406)
## scales
add_random("rand_scale1em9_cons_n10", 10, scale = 1e-9, uratio = 10, seed = 510)
add_random("rand_scale1em9_het_n12",  12, scale = 1e-9, uratio = 5,  tau = 5, seed = 512, offset = 3e-8)
add_random("rand_scale1em3_het_n10",  10, scale = 1e-3, uratio = 20, tau = 3, seed = 520)
add_random("rand_scale1e3_het_n10",   10, scale = 1e3,  uratio = 20, tau = 3, seed = 530, offset = 2e4)
add_random("rand_scale1e9_cons_n10",  10, scale = 1e9,  uratio = 10, seed = 540)
add_random("rand_scale1e9_het_n12",   12, scale = 1e9,  uratio = 5,  tau = 5, seed = 550, offset = 7e10)
## large offsets relative to spread
add_random("rand_kg_cons_n05",  5,  scale = 1e-9, offset = 1.000000012, uratio = 4,  seed = 605)
add_random("rand_kg_cons_n10",  10, scale = 1e-9, offset = 1.000000012, uratio = 10, seed = 610)
add_random("rand_kg_het_n08",   8,  scale = 1e-9, offset = 1.000000012, uratio = 3, tau = 8, seed = 608)
add_random("rand_copies_cons_n08", 8,  scale = 1e7, offset = 2.2e9, uratio = 3,  seed = 618)
add_random("rand_copies_het_n12",  12, scale = 1e7, offset = 2.2e9, uratio = 10, tau = 4, seed = 612)
## uncertainty ratios
add_random("rand_uratio1e3_het_n10",  10, uratio = 1000, tau = 5, seed = 710)
add_random("rand_uratio1e3_cons_n20", 20, uratio = 1000, seed = 720)
add_random("rand_uratio1_n10",        10, uratio = 1,    tau = 1, seed = 730)
## deliberately under-dispersed data: tau2 estimate at the 0 boundary
add_random("rand_bnd_n02", 2,  uratio = 2, shrink = 0.2, seed = 802)
add_random("rand_bnd_n03", 3,  uratio = 3, shrink = 0.2, seed = 803)
add_random("rand_bnd_n05", 5,  uratio = 4, shrink = 0.3, seed = 805)
add_random("rand_bnd_n10", 10, uratio = 8, shrink = 0.4, seed = 810)
add_random("rand_bnd_n25", 25, uratio = 5, shrink = 0.5, seed = 825)
## scaling set: identical standardized data, different scale and offset
pair_std <- gen_std(12, uratio = 6, tau = 3, n_out = 0, out_mag = 0, seed = 900)
add_random("pair_scale1",      12, scale = 1,    offset = 0,           uratio = 6, tau = 3, seed = 900, std = pair_std)
add_random("pair_scale1e9",    12, scale = 1e9,  offset = 3.7e10,      uratio = 6, tau = 3, seed = 900, std = pair_std)
add_random("pair_scale1em9",   12, scale = 1e-9, offset = 0,           uratio = 6, tau = 3, seed = 900, std = pair_std)
add_random("pair_kg",          12, scale = 1e-9, offset = 1.000000012, uratio = 6, tau = 3, seed = 900, std = pair_std)

cat(sprintf("%d cases registered\n", length(cases)))

## ---------------------------------------------------------------------------
## Write the case files, then read them back: all fits use exactly the
## numbers that keycomp will read.
## ---------------------------------------------------------------------------
write_case <- function(cs) {
  lines <- c(sprintf("# comparison: %s", cs$id),
             sprintf("# source: %s", cs$source),
             "lab,value,u",
             sprintf("%s,%s,%s", cs$lab, fmt(cs$value), fmt(cs$u)))
  writeLines(lines, file.path("cases", paste0(cs$id, ".csv")))
}
read_case <- function(id) {
  d <- read.csv(file.path("cases", paste0(id, ".csv")), comment.char = "#",
                colClasses = c("character", "numeric", "numeric"))
  d
}
for (cs in cases) {
  write_case(cs)
  d <- read_case(cs$id)
  stopifnot(identical(d$value, cs$value), identical(d$u, cs$u))
}

## ---------------------------------------------------------------------------
## Independent helpers (scaled units)
## ---------------------------------------------------------------------------
Qgen <- function(tau2, y, v) {          # generalized Q about the RE mean
  w <- 1 / (v + tau2); m <- sum(w * y) / sum(w); sum(w * (y - m)^2)
}
score_ml <- function(tau2, y, v) {
  w <- 1 / (v + tau2); m <- sum(w * y) / sum(w)
  c(score = sum(w^2 * (y - m)^2) - sum(w), info = sum(w^2))
}
score_reml <- function(tau2, y, v) {
  w <- 1 / (v + tau2); m <- sum(w * y) / sum(w)
  trP <- sum(w) - sum(w^2) / sum(w)
  trPP <- sum(w^2) - 2 * sum(w^3) / sum(w) + sum(w^2)^2 / sum(w)^2
  c(score = sum(w^2 * (y - m)^2) - trP, info = trPP)
}
dl_by_hand <- function(y, v) {
  w <- 1 / v; W <- sum(w); ybar <- sum(w * y) / W
  Q <- sum(w * (y - ybar)^2); k <- length(y)
  max(0, (Q - (k - 1)) / (W - sum(w^2) / W))
}

## ---------------------------------------------------------------------------
## Fitting
## ---------------------------------------------------------------------------
UNIROOT_TOL <- 1e-200   # uniroot (zeroin) then stops at |step| <= 2*eps*|root|
MAXITER <- 10000L
REL_THRESHOLD <- as.numeric(Sys.getenv("KC_REL_THRESHOLD", "1e-14"))

fit_one <- function(y, v, method, test, ctrl) {
  warns <- character(0)
  fit <- withCallingHandlers(
    tryCatch(rma.uni(yi = y, vi = v, method = method, test = test, level = LEVEL,
                     control = ctrl),
             error = function(e) e),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(fit = fit, warns = warns)
}

ci_qp <- function(fit, tau2max) {
  warns <- character(0)
  ci <- withCallingHandlers(
    tryCatch(confint(fit, type = "QP",
                     control = list(tol = UNIROOT_TOL, maxiter = MAXITER,
                                    tau2.min = 0, tau2.max = tau2max)),
             error = function(e) e),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(ci = ci, warns = warns)
}

golden   <- list()
boundary <- list()
notes    <- character(0)
checks   <- list()             # name -> max abs/rel deviation
add_check <- function(name, value, limit) {
  prev <- checks[[name]]
  v <- if (is.null(prev)) value else max(prev$value, value)
  checks[[name]] <<- list(value = v, limit = limit)
}

for (cs in cases) {
  d <- read_case(cs$id)
  k <- nrow(d)
  cc <- median(d$value); s <- median(d$u)
  y <- (d$value - cc) / s
  v <- (d$u / s)^2

  ## upper end of the tau2 search interval (scaled units): far above any
  ## plausible estimate or Q-profile upper bound (also for k = 2)
  tau2max <- 1e4 * (sum((y - mean(y))^2) + sum(v)) + 100

  ## first pass for ML/REML to set a relative convergence threshold
  pre <- list()
  for (m in c("ML", "REML")) {
    r <- fit_one(y, v, m, "z", list(threshold = 1e-10, maxiter = MAXITER, stepadj = 0.5,
                                    tau2.max = tau2max))
    pre[[m]] <- if (inherits(r$fit, "error")) 1 else r$fit$tau2
  }

  for (m in METHODS) {
    ctrl <- switch(m,
      FE   = list(tau2.max = tau2max),
      DL   = list(tau2.max = tau2max),
      PM   = list(tol = UNIROOT_TOL, maxiter = MAXITER, tau2.min = 0, tau2.max = tau2max),
      ML   = ,
      REML = list(threshold = max(REL_THRESHOLD * pre[[m]], 1e-16), tol = 1e-14,
                  maxiter = MAXITER, stepadj = 0.5, tau2.min = 0, tau2.max = tau2max))

    tau2_first <- NA
    for (t in TESTS) {
      r <- fit_one(y, v, m, t, ctrl)
      fit <- r$fit
      ## FE + knha/adhoc always warns ("not meant to be used ..."): expected
      wn <- r$warns[!grepl("Knapp & Hartung method is not meant", r$warns)]
      if (length(wn)) notes <- c(notes, sprintf("%s %s %s: fit warning: %s", cs$id, m, t, paste(wn, collapse = " | ")))
      if (inherits(fit, "error")) {
        notes <- c(notes, sprintf("%s %s %s: FIT FAILED: %s", cs$id, m, t, conditionMessage(fit)))
        golden[[length(golden) + 1]] <- data.frame(case = cs$id, method = m, test = t, n = k,
          mu = NA, se = NA, ci_lb = NA, ci_ub = NA, tau2 = NA, tau = NA,
          tau2_ci_lb = NA, tau2_ci_ub = NA, QE = NA, converged = 0L)
        next
      }
      mu_s <- as.numeric(fit$beta); se_s <- fit$se
      tau2_s <- if (m == "FE") 0 else fit$tau2
      if (is.na(tau2_first)) tau2_first <- tau2_s
      stopifnot(identical(tau2_s, tau2_first))   # tau2 must not depend on test

      ## ---- self checks (scaled units) ----
      w <- 1 / (v + tau2_s); W <- sum(w); mw <- sum(w * y) / W
      add_check("mu == weighted mean with 1/(v+tau2) weights (abs, scaled units)",
                abs(mu_s - mw), 1e-13)
      if (m == "FE")
        add_check("FE mu == inverse-variance weighted mean (abs, scaled units)",
                  abs(mu_s - sum(y / v) / sum(1 / v)), 1e-13)
      qk <- sum(w * (y - mw)^2) / (k - 1)
      se_exp <- switch(t, z = sqrt(1 / W), knha = sqrt(qk / W), adhoc = sqrt(max(1, qk) / W))
      add_check("se == closed form for z/knha/adhoc (rel)", abs(se_s / se_exp - 1), 1e-13)
      crit <- if (t == "z") qnorm(0.975) else qt(0.975, k - 1)
      add_check("CI == mu -/+ crit*se (abs, scaled units)",
                max(abs(fit$ci.lb - (mu_s - crit * se_s)), abs(fit$ci.ub - (mu_s + crit * se_s))), 1e-13)
      Q0 <- Qgen(0, y, v)
      add_check("QE == Cochran Q about FE mean (rel)", abs(fit$QE / Q0 - 1), 1e-12)
      if (m == "DL")
        add_check("DL tau2 == closed form, |diff|/max(tau2,1) (scaled units)",
                  abs(tau2_s - dl_by_hand(y, v)) / max(tau2_s, 1), 1e-13)

      conv <- 1L
      bnd <- FALSE
      if (t == "z" && m == "PM") {
        if (tau2_s == 0) {
          if (!(Q0 <= k - 1)) stop(sprintf("%s PM: tau2=0 but Q(0)=%g > k-1", cs$id, Q0))
          bnd <- TRUE
        } else {
          res <- Qgen(tau2_s, y, v) - (k - 1)
          add_check("PM estimating equation |Q(tau2)-(k-1)| (abs)", abs(res), 1e-12)
          w1 <- 1 / (v + tau2_s); m1 <- sum(w1 * y) / sum(w1)
          dQ <- sum(w1^2 * (y - m1)^2)          # -dQ/dtau2
          add_check("PM Newton-implied tau2 error / max(tau2,1e-3) (scaled units)",
                    abs(res) / dQ / max(tau2_s, 1e-3), 1e-12)
        }
      }
      if (t == "z" && m %in% c("ML", "REML")) {
        sc <- if (m == "ML") score_ml else score_reml
        s0 <- sc(0, y, v)
        if (s0[["score"]] <= 0) {
          ## score at 0 non-positive: the (restricted) likelihood is
          ## maximised at the boundary; metafor's step-halving approaches 0
          bnd <- TRUE
          add_check("ML/REML boundary: metafor tau2 (scaled units, should be ~0)", tau2_s, 1e-12)
        } else {
          st <- sc(tau2_s, y, v)
          err <- abs(st[["score"]] / st[["info"]])
          add_check("ML/REML Fisher-step implied tau2 error / max(tau2,1e-3) (scaled units)",
                    err / max(tau2_s, 1e-3), 1e-12)
        }
      }
      if (t == "z" && m == "DL" && Q0 <= k - 1) bnd <- TRUE
      if (t == "z" && bnd)
        boundary[[length(boundary) + 1]] <- data.frame(case = cs$id, method = m, n = k,
          QE = fmt(Q0), tau2_metafor = fmt(s^2 * tau2_s),
          tau2_metafor_scaled = fmt(tau2_s), scale_s = fmt(s))

      ## ---- Q-profile CI ----
      lb <- ub <- NA
      if (m != "FE") {
        cr <- ci_qp(fit, tau2max)
        if (length(cr$warns)) notes <- c(notes, sprintf("%s %s %s: confint warning: %s", cs$id, m, t, paste(cr$warns, collapse = " | ")))
        if (inherits(cr$ci, "error")) {
          notes <- c(notes, sprintf("%s %s %s: confint failed: %s", cs$id, m, t, conditionMessage(cr$ci)))
        } else {
          lb <- cr$ci$random["tau^2", "ci.lb"]; ub <- cr$ci$random["tau^2", "ci.ub"]
          if (cr$ci$lb.sign != "" || cr$ci$ub.sign != "") {
            if (!(cr$ci$ci.null && lb == 0 && ub == 0))
              stop(sprintf("%s %s: tau2 CI bound hit the search interval (%s%g, %s%g)",
                           cs$id, m, cr$ci$lb.sign, lb, cr$ci$ub.sign, ub))
          }
          ## verify the Q-profile equations
          if (lb > 0) add_check("QP lower: |Q(lb) - chi2_{0.975,k-1}| (abs)",
                                abs(Qgen(lb, y, v) - qchisq(0.975, k - 1)), 1e-11)
          if (ub > 0) add_check("QP upper: |Q(ub) - chi2_{0.025,k-1}| (abs)",
                                abs(Qgen(ub, y, v) - qchisq(0.025, k - 1)), 1e-11)
          if (lb == 0) stopifnot(Q0 <= qchisq(0.975, k - 1))
          if (ub == 0) stopifnot(Q0 <= qchisq(0.025, k - 1))
        }
      }

      golden[[length(golden) + 1]] <- data.frame(
        case = cs$id, method = m, test = t, n = k,
        mu = cc + s * mu_s, se = s * se_s,
        ci_lb = cc + s * fit$ci.lb, ci_ub = cc + s * fit$ci.ub,
        tau2 = s^2 * tau2_s, tau = s * sqrt(tau2_s),
        tau2_ci_lb = s^2 * lb, tau2_ci_ub = s^2 * ub,
        QE = fit$QE, converged = conv)
    }
  }
}

G <- do.call(rbind, golden)

## ---------------------------------------------------------------------------
## Extra sanity checks required by the brief
## ---------------------------------------------------------------------------
## (a) DL by hand on three cases, on the ORIGINAL (unscaled) data
for (id in c("bcg_logrr", "ccqm_k30_idms9", "rand_het_n20")) {
  d <- read_case(id)
  w <- 1 / d$u^2; W <- sum(w); ybar <- sum(w * d$value) / W
  Q <- sum(w * (d$value - ybar)^2); k <- nrow(d)
  tau2 <- max(0, (Q - (k - 1)) / (W - sum(w^2) / W))
  ws <- 1 / (d$u^2 + tau2); mu <- sum(ws * d$value) / sum(ws)
  ## rma directly on the unscaled data (these cases are all O(1) scale)
  f <- rma.uni(yi = d$value, vi = d$u^2, method = "DL")
  g <- G[G$case == id & G$method == "DL" & G$test == "z", ]
  dev <- max(abs(f$tau2 / tau2 - 1), abs(g$tau2 / tau2 - 1), abs(f$beta[1] / mu - 1),
             abs(g$mu / mu - 1), abs(f$QE / Q - 1), abs(g$QE / Q - 1),
             abs(g$se / sqrt(1 / sum(ws)) - 1))
  cat(sprintf("DL by hand  %-16s tau2=%.17g  max rel dev=%.3g\n", id, tau2, dev))
  add_check("DL by hand on raw data vs rma and golden (rel)", dev, 1e-13)
}
## (b) FE mu equals weighted mean on raw data, all cases
for (id in names(cases)) {
  d <- read_case(id)
  g <- G[G$case == id & G$method == "FE" & G$test == "z", ]
  ## centre on the first value so that the raw weighted mean is accurate
  ## even for offsets like 1.000000012 with 1e-9 spread
  c0 <- d$value[1]
  wm <- c0 + sum((d$value - c0) / d$u^2) / sum(1 / d$u^2)
  add_check("FE golden mu vs raw weighted mean, |diff|/median(u)",
            abs(g$mu - wm) / median(d$u), 1e-12)
}
## (c) scaling set
sc_dev <- 0
base <- G[G$case == "pair_scale1", ]
## pair_kg: values 1.000000012 + 1e-9*x are stored with an absolute rounding
## error of ~1.1e-16 = 1.1e-7 standardized units, so its standardized data
## differ from pair_scale1 at that level; its tolerance is correspondingly
## looser (this is representation error of the inputs, not of the fits).
pair_tol <- c(pair_scale1e9 = 1e-11, pair_scale1em9 = 1e-11, pair_kg = 1e-5)
for (id in names(pair_tol)) {
  d1 <- read_case("pair_scale1"); d2 <- read_case(id)
  c1 <- median(d1$value); s1 <- median(d1$u)
  c2 <- median(d2$value); s2 <- median(d2$u)
  o <- G[G$case == id, ]
  stopifnot(identical(o$method, base$method), identical(o$test, base$test))
  z <- function(x, c, s) (x - c) / s
  dv <- c(abs(z(o$mu, c2, s2) - z(base$mu, c1, s1)),
          abs(o$se / s2 - base$se / s1),
          abs(z(o$ci_lb, c2, s2) - z(base$ci_lb, c1, s1)),
          abs(z(o$ci_ub, c2, s2) - z(base$ci_ub, c1, s1)),
          abs(o$tau2 / s2^2 - base$tau2 / s1^2),
          abs(o$tau2_ci_lb / s2^2 - base$tau2_ci_lb / s1^2),
          abs(o$tau2_ci_ub / s2^2 - base$tau2_ci_ub / s1^2),
          abs(o$QE - base$QE))
  dv <- max(dv, na.rm = TRUE)
  cat(sprintf("scaling check %s vs pair_scale1: max abs dev (standardized units) = %.3g\n", id, dv))
  add_check(sprintf("scaling: %s vs pair_scale1 standardized results (abs)", id), dv, pair_tol[[id]])
}

cat("\nSelf-checks (max deviation / limit):\n")
failed <- FALSE
for (nm in names(checks)) {
  ok <- checks[[nm]]$value <= checks[[nm]]$limit
  if (!ok) failed <- TRUE
  cat(sprintf("  [%s] %-80s %.3g  (limit %.0g)\n", if (ok) " ok " else "FAIL", nm,
              checks[[nm]]$value, checks[[nm]]$limit))
}
if (length(notes)) { cat("\nNotes:\n"); cat(paste0("  ", notes, "\n"), sep = "") }
if (failed) stop("self-checks failed; golden file NOT written")
if (any(G$converged == 0)) cat("\nWARNING: some fits did not converge\n")

## ---------------------------------------------------------------------------
## Output
## ---------------------------------------------------------------------------
num_cols <- c("mu", "se", "ci_lb", "ci_ub", "tau2", "tau", "tau2_ci_lb", "tau2_ci_ub", "QE")
out <- G
for (cn in num_cols) out[[cn]] <- fmt(G[[cn]])
write.csv(out, "metafor_golden.csv", row.names = FALSE, quote = FALSE)

B <- if (length(boundary)) do.call(rbind, boundary) else
  data.frame(case = character(0), method = character(0))
write.csv(B, "metafor_boundary.csv", row.names = FALSE, quote = FALSE)

## ---------------------------------------------------------------------------
## README
## ---------------------------------------------------------------------------
case_tab <- vapply(cases, function(cs) sprintf("| `%s` | %d | %s |", cs$id, length(cs$u), cs$source), "")
bnd_by_case <- if (nrow(B)) tapply(B$method, B$case, function(x) paste(x, collapse = ", ")) else character(0)
bnd_lines <- if (length(bnd_by_case))
  sprintf("| `%s` | %s |", names(bnd_by_case), bnd_by_case) else "| (none) | |"
bnd_ml <- if (nrow(B)) B[B$method %in% c("ML", "REML"), ] else B
bnd_max <- if (nrow(bnd_ml)) max(as.numeric(bnd_ml$tau2_metafor_scaled)) else 0
ci_null <- unique(G$case[!is.na(G$tau2_ci_ub) & G$tau2_ci_ub == 0])
ci_lb0  <- unique(G$case[!is.na(G$tau2_ci_lb) & G$tau2_ci_lb == 0])
nonconv <- G[G$converged == 0, c("case", "method", "test")]

readme <- c(
"# metafor oracle for keycomp",
"",
"Independent reference results for the keycomp key-comparison engine, produced",
"with R's `metafor` package. The C++ tests read `cases/*.csv` as input and",
"compare against `metafor_golden.csv`.",
"",
"## Regenerate",
"",
"```",
"cd tests/oracle && Rscript generate_metafor.R",
"```",
"",
sprintf("Generated with %s, metafor %s, metadat %s. The script is deterministic",
        R.version.string, as.character(packageVersion("metafor")), as.character(packageVersion("metadat"))),
"(fixed seeds) and stops without writing the golden file if any self-check fails.",
"",
"## Files",
"",
"* `cases/<case_id>.csv`: one comparison per file, keycomp input format",
"  (`# comparison:` and `# source:` header lines, then `lab,value,u`; numbers `%.17g`).",
"* `metafor_golden.csv`: one row per (case, method, test), columns",
"  `case,method,test,n,mu,se,ci_lb,ci_ub,tau2,tau,tau2_ci_lb,tau2_ci_ub,QE,converged`,",
"  all numbers `%.17g`; missing values are `NA`.",
"  * `method`: FE (metafor `method=\"FE\"`, equal/common effect), DL, PM, REML, ML.",
"  * `test`: `z` (normal), `knha` (Knapp-Hartung), `adhoc` (modified Knapp-Hartung).",
"    `se` is the standard error metafor reports for that test; `ci_lb`/`ci_ub` the",
"    95% CI (normal quantile for `z`, t with n-1 dof for `knha`/`adhoc`).",
"  * `tau2`, `tau`: heterogeneity estimate (0 for FE). `tau2` does not depend on `test`.",
"  * `tau2_ci_lb`, `tau2_ci_ub`: Q-profile 95% CI for tau2 from",
"    `confint(fit, type=\"QP\")`; `NA` for FE (metafor refuses: \"Model does not",
"    contain a random-effects component\"). The QP interval depends only on the data,",
"    so it is identical for DL, PM, REML and ML.",
"  * `QE`: Cochran's Q about the FE weighted mean (dimensionless; same for all methods).",
"  * `converged`: 1 if metafor fitted without error, else 0 (other columns NA).",
"* `metafor_boundary.csv`: the (case, method) pairs whose tau2 estimate lies at the",
"  tau2 = 0 boundary (see below), with metafor's raw tau2 value.",
"",
"## How the fits were done",
"",
"For each case: `c = median(value)`, `s = median(u)`, `y = (value - c)/s`,",
"`v = (u/s)^2`; metafor is run on (y, v) and results mapped back:",
"`mu = c + s*mu'`, `se = s*se'`, CI ends `c + s*ci'`, `tau2 = s^2*tau2'`,",
"`tau = s*tau'`, tau2 CI ends `s^2*...`; QE is scale free.",
"",
"`rma.uni(yi=y, vi=v, method=M, test=T, level=95, control=...)` with:",
"",
"* `tau2.max = 1e4*(sum((y-mean(y))^2) + sum(v)) + 100` (scaled units) for all",
"  methods (used by PM's root search and by `confint`). Every Q-profile bound was",
"  found strictly inside [0, tau2.max].",
"* PM: `tol = 1e-200`, `maxiter = 10000`, `tau2.min = 0`. With such a small `tol`",
"  R's `uniroot` (Brent/zeroin) stops only when the step is below `2*eps*|root|`,",
"  i.e. full double precision. Checked afterwards: `|Q(tau2) - (n-1)|` (generalized",
"  Q about the RE mean).",
"* REML, ML: Fisher scoring with `stepadj = 0.5`, `maxiter = 10000`, `tol = 1e-14`",
"  (only used by metafor's ll0check), and a relative convergence threshold:",
sprintf("  `threshold = max(%g * tau2_pre, 1e-16)` where `tau2_pre` is a first-pass", REL_THRESHOLD),
"  estimate (threshold 1e-10). An absolute threshold of 1e-14 cannot be met when",
"  tau2' is large (ulp of tau2' exceeds it); a relative 1e-15 made one REML fit",
"  (`rand_uratio1e3_het_n10`) cycle at rounding level and fail. Checked afterwards",
"  with an independent score function: |score/information| (the size of the next",
"  Fisher step) relative to max(tau2', 1e-3).",
"* DL, FE: closed form (no iteration).",
"* `confint(fit, type=\"QP\", control=list(tol=1e-200, maxiter=10000, tau2.min=0,",
"  tau2.max=tau2.max))`.",
"",
"## Self-checks performed by the script (all must pass)",
"",
"```",
vapply(names(checks), function(nm) sprintf("%-84s max %.2g (limit %.0g)", nm,
       checks[[nm]]$value, checks[[nm]]$limit), ""),
"```",
"",
"DL was recomputed by hand on the raw (unscaled) data of `bcg_logrr`,",
"`ccqm_k30_idms9` and `rand_het_n20`. The scaling set `pair_scale1`,",
"`pair_scale1e9` (scale 1e9, offset 3.7e10), `pair_scale1em9` (scale 1e-9) and",
"`pair_kg` (scale 1e-9, offset 1.000000012) share the same standardized data; their",
"standardized results agree to ~1e-14, except `pair_kg`, which agrees only to ~2e-7",
"because its *inputs* carry an absolute rounding error of ulp(1)/2 = 1.1e-16, i.e.",
"1.1e-7 in units of its 1e-9 spread (the golden rows for `pair_kg` are nevertheless",
"exact for the numbers in its CSV file).",
"",
"## Boundary rows (tau2 estimate = 0)",
"",
"A (case, method) is at the boundary when: DL: Q <= n-1; PM: Q(0) <= n-1 (metafor",
"then returns exactly 0); ML/REML: the (restricted) log-likelihood score at tau2 = 0",
"is <= 0. For ML/REML metafor does not return an exact 0: Fisher scoring with",
"step halving approaches 0 geometrically and stops when the change is below the",
"threshold, so `tau2` in these rows is either exactly 0 (when the Hedges start value",
"is already truncated to 0) or a tiny positive number, at most",
sprintf("%.2g*s^2 here (s = median(u); values in `metafor_boundary.csv`), and `tau` is its", bnd_max),
"square root. Compare tau2/tau in these rows with an absolute tolerance scaled by",
"s^2 resp. s, not a relative one; mu/se/CI are unaffected beyond the 1e-13 level.",
"FE rows always have tau2 = 0 and are not listed.",
"",
"| case | methods at tau2 = 0 |",
"|---|---|",
bnd_lines,
"",
"Q-profile CI: when Q(0) < chi2_{0.975,n-1} the lower bound is reported as exactly 0;",
"when Q(0) < chi2_{0.025,n-1} metafor reports the CI as [0, 0] (\"null/empty set\",",
"both bounds below 0).",
"",
paste0("Cases with a lower bound of exactly 0: ", paste0("`", ci_lb0, "`", collapse = ", "), "."),
"",
paste0("Cases with the CI reported as [0, 0]: ",
       if (length(ci_null)) paste0("`", ci_null, "`", collapse = ", ") else "none", "."),
"",
"## Non-converged fits",
"",
if (nrow(nonconv)) paste0("* ", nonconv$case, " ", nonconv$method, " ", nonconv$test) else "None: every (case, method, test) fit converged.",
"",
"## metafor behaviour worth knowing",
"",
"* `test=\"knha\"`: se = sqrt(q / sum(w)), q = sum(w (y - mu)^2)/(n-1) with the",
"  RE weights w = 1/(u^2 + tau2); t quantile with n-1 dof. metafor sets q = 0",
"  (so se = 0) if sum(w (y-mu)^2) <= .Machine$double.eps (none of the cases here).",
"* `test=\"adhoc\"`: identical but q is replaced by max(q, 1) (Jackson et al. 2017,",
"  sec. 4.3: the adjusted se is never smaller than the unadjusted one); the t",
"  quantile with n-1 dof is still used even when q is truncated to 1.",
"* FE with knha/adhoc works but warns (\"not meant to be used in the context of FE",
"  models\"); q is then Q/(n-1).",
"* `QE` is computed as y'Py on mean-centred data; it is about the FE mean for",
"  every method.",
"* metafor evaluates Q(tau2) for PM and for the Q-profile through the projection",
"  matrix P = W - W X (X'WX)^-1 X'W. With a 1e3 ratio of uncertainties this loses a",
"  few digits: in `rand_uratio1e3_het_n10` metafor's PM root has |Q(tau2)-(n-1)| =",
"  4e-13 when Q is evaluated exactly (rational arithmetic), i.e. a relative error",
"  of 1.2e-13 in tau2. In all other cases the double-precision PM residual",
"  corresponds to a relative tau2 error below ~5e-15.",
"* PM: if Q(0) < n-1 metafor returns tau2 = 0 exactly without calling uniroot.",
"* ML/REML start from the Hedges (HE) estimate truncated at 0; if that is 0 and the",
"  score at 0 is negative, the step is halved down to underflow and tau2 stays",
"  exactly 0.",
"",
"## Cases",
"",
sprintf("%d cases.", length(cases)),
"",
"| case | n | source |",
"|---|---|---|",
case_tab,
"")
writeLines(readme, "README.md")
cat(sprintf("\nwrote %d golden rows for %d cases, %d boundary (case,method) pairs\n",
            nrow(G), length(cases), nrow(B)))

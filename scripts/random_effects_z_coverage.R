# Coverage of the DerSimonian-Laird 95 % intervals for mu by number of labs: the normal (z)
# interval with u = 1/sqrt(sum w*) and the Knapp-Hartung t_{n-1} interval. Justifies the
# few-labs warning of keycomp's random-effects estimators (docs/estimators.md). Base R only;
# 20000 replicates per cell (Monte Carlo standard error of a coverage near 0.95: 0.0015).
#   Rscript scripts/random_effects_z_coverage.R
# u_i log-uniform on [1, uratio]; tau in units of the smallest u.
set.seed(20240611)
reps <- 20000
cover <- function(n, tau, uratio) {
  hit_z <- 0; hit_kh <- 0
  for (r in 1:reps) {
    u <- exp(runif(n, 0, log(uratio)))
    x <- rnorm(n, 0, sqrt(u^2 + tau^2))
    w <- 1/u^2; W <- sum(w); m <- sum(w*x)/W
    Q <- sum(w*(x-m)^2)
    t2 <- max(0, (Q-(n-1))/(W - sum(w^2)/W))
    ws <- 1/(u^2+t2); mu <- sum(ws*x)/sum(ws); se <- 1/sqrt(sum(ws))
    hit_z <- hit_z + (abs(mu) <= 1.959964*se)
    q <- sum(ws*(x-mu)^2)/(n-1); sekh <- sqrt(q/sum(ws))
    hit_kh <- hit_kh + (abs(mu) <= qt(0.975, n-1)*sekh)
  }
  c(z = hit_z/reps, kh = hit_kh/reps)
}
cat("n tau uratio cover_z cover_kh\n")
for (tau in c(0, 0.5, 1, 2)) for (ur in c(1, 5)) for (n in c(2,3,4,5,7,10,15,20,30)) {
  cv <- cover(n, tau, ur)
  cat(sprintf("%d %.1f %g %.4f %.4f\n", n, tau, ur, cv[1], cv[2]))
}

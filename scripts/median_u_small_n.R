# How the two uncertainties of keycomp's `median` (docs/estimators.md, section median) behave
# with few labs, for independent normal results with equal spread: the ratio of each u to the
# true standard deviation of the median, averaged over 20000 simulated comparisons.
#   made:      sqrt(pi/2) * 1.482602218505602 * MAD / sqrt(n)
#   bootstrap: the EXACT nonparametric-bootstrap sd of the median (no resampling noise), from
#              P(med* <= x_(k)) = P(Binomial(n, k/n) >= (n + 1)/2), odd n.
# "mean" is E[u]/sd(median); "rms" is sqrt(E[u^2])/sd(median) (1 = unbiased variance).
# Run: Rscript scripts/median_u_small_n.R   (base R only, about 10 s)
set.seed(1)
boot_sd_odd <- function(x) {
  n <- length(x)
  x <- sort(x)
  cdf <- function(k) pbinom((n - 1) / 2, n, k / n, lower.tail = FALSE)
  p <- cdf(1:n) - cdf(0:(n - 1))
  m <- sum(p * x)
  sqrt(sum(p * (x - m)^2))
}
cat("| n | sd(median)/sigma | made: mean | made: rms | bootstrap: mean | bootstrap: rms |\n")
cat("|---|---|---|---|---|---|\n")
for (n in c(3, 5, 7, 9, 11, 21)) {
  reps <- 20000
  x <- matrix(rnorm(reps * n), reps)
  med <- apply(x, 1, median)
  truth <- sd(med)
  made <- sqrt(pi / 2) * 1.482602218505602 * apply(abs(x - med), 1, median) / sqrt(n)
  boot <- apply(x, 1, boot_sd_odd)
  cat(sprintf("| %d | %.3f | %.2f | %.2f | %.2f | %.2f |\n", n, truth, mean(made) / truth,
              sqrt(mean(made^2)) / truth, mean(boot) / truth, sqrt(mean(boot^2)) / truth))
}

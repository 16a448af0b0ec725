#!/usr/bin/env python3
"""Independent reference for keycomp's `--bootstrap nicob` (DerSimonian-Laird, MRA DoE).

A plain-Python re-implementation, from their published R source, of the NIST Consensus
Builder's parametric bootstrap for DerSimonian-Laird (tlafarge/NICOB_app_public: bootDL in
server.R, sampleFromTau2Dist.R, DoEUnilateralDerSimonianLaird.R, MRA branch; authors Koepke,
Possolo, Lafarge). It shares no code and no random-number generator with keycomp (Python's
Mersenne Twister here, xoshiro256++ there). Per trial k:

  tau2B  ~ the Biggerstaff-Tweedie gamma approximation to Cochran's Q at tau^2_M, mapped to
           max(0, (Q* - (K - 1)) / c)
  xB_j   ~ N(mu_DL, tau2B + u_j^2)                       (normal even for finite dof)
  uB_j   =  u_j sqrt(nu_j / chi2_nu_j)
  muB_k  =  DerSimonian-Laird(xB, uB)
  D_kj   =  xB_j - muB_k, each column then recentred on d_j = x_j - mu_DL

u(KCRV) = sd(muB); U_j = the half-width of the shortest interval about d_j holding 95 % of
D_.j (the ceil(0.95 M)-th smallest |D_kj - d_j|, the limit of NICOB's bisection).
Monte Carlo standard errors come from B independent batches (sd of the batch results /
sqrt(B)), not from normal theory: NIST's dof = 2 makes the redrawn weights heavy-tailed.

  cd tests/oracle/nicob_bootstrap && python3 generate.py   (about a minute)

Writes golden.csv: quantity,lab,value,mc_se,trials.
"""
import math
import random

# CCQM-K25 PCB 28 (datasets/ccqm_k25_pcb28/results.csv, from NICOB's example/pcb.ncb).
LABS = ["IRMM", "KRISS", "NARL", "NIST", "NMIJ", "NRC"]
X = [34.30, 32.90, 34.53, 32.42, 31.90, 35.80]
U = [1.03, 0.69, 0.83, 0.29, 0.40, 0.38]
NU = [60, 4, 18, 2, 13, 60]
COVERAGE = 0.95
BATCHES = 10
TRIALS_PER_BATCH = 100000


def dersimonian_laird(x, u):
    w = [1 / (a * a) for a in u]
    sw = sum(w)
    mean = sum(wi * xi for wi, xi in zip(w, x)) / sw
    q = sum(wi * (xi - mean) ** 2 for wi, xi in zip(w, x))
    c = sw - sum(wi * wi for wi in w) / sw
    tau2 = max(0.0, (q - (len(x) - 1)) / c)
    ws = [1 / (a * a + tau2) for a in u]
    return sum(wi * xi for wi, xi in zip(ws, x)) / sum(ws)


def tau2_sampler(x, u):
    """Returns a function drawing tau^2 as sampleFromTau2Dist.R does."""
    k = len(x)
    w = [1 / (a * a) for a in u]
    s1, s2, s3 = sum(w), sum(a ** 2 for a in w), sum(a ** 3 for a in w)
    c = s1 - s2 / s1
    mean = sum(wi * xi for wi, xi in zip(w, x)) / s1
    q = sum(wi * (xi - mean) ** 2 for wi, xi in zip(w, x))
    t = (q - (k - 1)) / c
    e_q = (k - 1) + c * t
    v_q = 2 * (k - 1) + 4 * c * t + 2 * (s2 - 2 * s3 / s1 + s2 ** 2 / s1 ** 2) * t * t
    shape, scale = e_q * e_q / v_q, v_q / e_q
    return lambda rng: max(0.0, (rng.gammavariate(shape, scale) - (k - 1)) / c)


def sd(values):
    m = sum(values) / len(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


def half_width(column, centre):
    dev = sorted(abs(v - centre) for v in column)
    return dev[math.ceil(COVERAGE * len(dev)) - 1]


def batch(rng, mu, draw_tau2):
    n = len(X)
    mub, d = [], [[] for _ in range(n)]
    for _ in range(TRIALS_PER_BATCH):
        tau2 = draw_tau2(rng)
        xb = [rng.gauss(mu, math.sqrt(tau2 + a * a)) for a in U]
        ub = [a * math.sqrt(nu / rng.gammavariate(nu / 2, 2)) for a, nu in zip(U, NU)]
        m = dersimonian_laird(xb, ub)
        mub.append(m)
        for j in range(n):
            d[j].append(xb[j] - m)
    result = {"kcrv_u": sd(mub)}
    for j in range(n):
        dj = X[j] - mu
        shift = dj - sum(d[j]) / len(d[j])
        result["doe_U_" + LABS[j]] = half_width([v + shift for v in d[j]], dj)
        result["doe_u_" + LABS[j]] = sd(d[j])
    return result


def main():
    rng = random.Random(20261201)
    mu = dersimonian_laird(X, U)
    draw_tau2 = tau2_sampler(X, U)
    results = [batch(rng, mu, draw_tau2) for _ in range(BATCHES)]
    with open("golden.csv", "w") as out:
        out.write("# NICOB DerSimonian-Laird parametric bootstrap, CCQM-K25 PCB 28, made by generate.py\n")
        out.write("quantity,lab,value,mc_se,trials\n")
        for key in results[0]:
            values = [r[key] for r in results]
            mean = sum(values) / len(values)
            se = sd(values) / math.sqrt(len(values))
            quantity, _, lab = key.rpartition("_") if key.startswith("doe") else (key, "", "")
            out.write(f"{quantity},{lab},{mean:.6f},{se:.6f},{BATCHES * TRIALS_PER_BATCH}\n")


if __name__ == "__main__":
    main()

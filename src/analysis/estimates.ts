/**
 * Confidence intervals for proportions measured on a sample, and what they say about the whole
 * space sampled. The Wilson score interval (Wilson 1927; Newcombe 1998, method 3) rather than the
 * textbook p ± z·√(p(1−p)/n): that one collapses to [0, 0] at 0 successes and leaves [0, 1] at
 * small n, and a survey's rarer products sit exactly there.
 */

export interface ProportionInterval {
  /** the observed proportion successes / n (0 when n is 0) */
  p: number;
  low: number;
  high: number;
}

/** The Wilson score interval for `successes` out of `n` trials; z = 1.96 gives 95 %. */
export function wilson(successes: number, n: number, z = 1.96): ProportionInterval {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`wilson: n must be a count, not ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n)
    throw new RangeError(`wilson: successes must be a count from 0 to ${n}, not ${successes}`);
  if (!(z > 0)) throw new RangeError(`wilson: z must be positive, not ${z}`);
  // nothing observed: every proportion is as plausible as any other
  if (n === 0) return { p: 0, low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // at 0 and n the formula gives exactly 0 and 1 in exact arithmetic; keep rounding from leaking
  return {
    p,
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
  };
}

export interface PopulationEstimate extends ProportionInterval {
  /** spaceSize × p, and the interval scaled the same way */
  estimate: number;
  estimateLow: number;
  estimateHigh: number;
}

/**
 * What `successes` out of `sampled` addresses say about a space of `spaceSize` addresses, for a
 * uniform sample without replacement from it (a finite-population correction is left out: a
 * survey samples a tiny fraction, where it changes nothing visible).
 */
export function populationEstimate(
  successes: number,
  sampled: number,
  spaceSize: number,
  z = 1.96,
): PopulationEstimate {
  if (!(spaceSize >= sampled)) {
    throw new RangeError(
      `population estimate: space of ${spaceSize} is smaller than the sample of ${sampled}`,
    );
  }
  const interval = wilson(successes, sampled, z);
  return {
    ...interval,
    estimate: spaceSize * interval.p,
    estimateLow: spaceSize * interval.low,
    estimateHigh: spaceSize * interval.high,
  };
}

//! The statistics of a study: mean, standard deviation, Student's t confidence
//! intervals and Welch's t-test.
//!
//! Student's t distribution is computed from the regularized incomplete beta function
//! (a continued fraction, evaluated by the modified Lentz method as in Numerical
//! Recipes' `betacf`) on `libm`'s `lgamma`, so the same bits come out on every machine
//! and the tables a sweep writes do not depend on the platform. The `statrs` crate has
//! the same functions, but its defaults bring nalgebra, simba, wide, matrixmultiply and
//! rand (`cargo tree`: some twenty crates); these are a hundred lines, tested against
//! values computed to 30 digits with mpmath.

/// The confidence level of the intervals a study reports.
pub const CONFIDENCE: f64 = 0.95;

/// Mean, sample standard deviation (n − 1) and count of some values.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    pub n: usize,
    pub mean: f64,
    /// `None` with fewer than two values.
    pub sd: Option<f64>,
}

impl Moments {
    /// Sums in the order given, so the same values in the same order give the same bits.
    pub fn of(values: &[f64]) -> Moments {
        let n = values.len();
        if n == 0 {
            return Moments::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = (n >= 2).then(|| {
            let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
            (ss / (n - 1) as f64).sqrt()
        });
        Moments { n, mean, sd }
    }

    /// The 95% confidence interval of the mean (Student's t with n − 1 degrees of
    /// freedom); `None` with fewer than two values.
    pub fn confidence_interval(&self) -> Option<(f64, f64)> {
        let sd = self.sd?;
        let half = t_quantile(0.5 + CONFIDENCE / 2.0, (self.n - 1) as f64) * sd / (self.n as f64).sqrt();
        Some((self.mean - half, self.mean + half))
    }
}

/// Welch's unequal-variances t-test of two samples' means, with the confidence interval
/// of the difference `b − a`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Welch {
    /// `b.mean − a.mean`.
    pub difference: f64,
    /// The 95% interval of the difference.
    pub interval: (f64, f64),
    /// Two-sided p-value of "the means are equal".
    pub p_value: f64,
    /// Welch–Satterthwaite degrees of freedom (infinite when neither sample varies).
    pub df: f64,
}

/// `None` when either sample has fewer than two values (no variance to test against).
pub fn welch(a: &Moments, b: &Moments) -> Option<Welch> {
    let (sa, sb) = (a.sd?, b.sd?);
    let (va, vb) = (sa * sa / a.n as f64, sb * sb / b.n as f64);
    let difference = b.mean - a.mean;
    let se2 = va + vb;
    if se2 == 0.0 {
        // Neither sample varies: the difference is exact.
        let p_value = if difference == 0.0 { 1.0 } else { 0.0 };
        return Some(Welch { difference, interval: (difference, difference), p_value, df: f64::INFINITY });
    }
    let df = se2 * se2 / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
    let se = se2.sqrt();
    let t = difference / se;
    let half = t_quantile(0.5 + CONFIDENCE / 2.0, df) * se;
    let p_value = (2.0 * t_cdf(-t.abs(), df)).min(1.0);
    Some(Welch { difference, interval: (difference - half, difference + half), p_value, df })
}

/// P(T ≤ t) for Student's t with `df` degrees of freedom (df > 0, not necessarily an
/// integer).
pub fn t_cdf(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return if t > 0.0 { 1.0 } else { 0.0 };
    }
    // P(|T| > |t|) = I_x(df/2, 1/2) with x = df / (df + t²).
    let x = df / (df + t * t);
    let tail = 0.5 * incomplete_beta(x, df / 2.0, 0.5);
    if t > 0.0 { 1.0 - tail } else { tail }
}

/// The `p` quantile of Student's t with `df` degrees of freedom, found by bisection on
/// [`t_cdf`] (a fixed number of halvings: the result is the same bits everywhere).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let mut high = 1.0;
    while t_cdf(high, df) < p {
        high *= 2.0;
        if high > 1e300 {
            return f64::INFINITY;
        }
    }
    let mut low = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if mid == low || mid == high {
            break;
        }
        if t_cdf(mid, df) < p {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

/// The regularized incomplete beta function I_x(a, b), for 0 ≤ x ≤ 1 and a, b > 0.
pub fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = a * libm::log(x) + b * libm::log1p(-x) - ln_beta(a, b);
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); beyond, the
    // symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
    if x < (a + 1.0) / (a + b + 2.0) {
        libm::exp(ln_front) * beta_fraction(x, a, b) / a
    } else {
        1.0 - libm::exp(ln_front) * beta_fraction(1.0 - x, b, a) / b
    }
}

fn ln_beta(a: f64, b: f64) -> f64 {
    libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b)
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPSILON: f64 = 1e-16;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=1000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        // The even step.
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        // The odd step.
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < EPSILON {
            break;
        }
    }
    h
}

// The reference values are copied as mpmath printed them (17 digits).
#[allow(clippy::excessive_precision)]
#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, tolerance: f64) -> bool {
        (got - want).abs() <= tolerance * want.abs().max(1e-300)
    }

    /// Student's t 0.975 quantiles, computed with mpmath at 30 digits (`findroot` on
    /// the CDF from `betainc`), the familiar 12.706, 4.303, ... of the printed tables.
    #[test]
    fn t_quantiles_match_the_tables() {
        let table = [
            (1.0, 12.706204736174705),
            (2.0, 4.3026527297494639),
            (3.0, 3.1824463052837096),
            (4.0, 2.7764451051977944),
            (5.0, 2.5705818356363155),
            (7.0, 2.3646242515927853),
            (10.0, 2.2281388519862747),
            (20.0, 2.0859634472658648),
            (30.0, 2.0422724563012383),
            (60.0, 2.0002978220142605),
            (100.0, 1.9839715185235523),
            (1000.0, 1.9623390808264085),
            (2.5, 3.5746548420036832),
            (5.88235294117647, 2.4588237096991469),
        ];
        for (df, want) in table {
            let got = t_quantile(0.975, df);
            assert!(close(got, want, 1e-10), "t(0.975, {df}) = {got}, want {want}");
            assert!(close(t_quantile(0.025, df), -want, 1e-10));
        }
        assert_eq!(t_quantile(0.5, 3.0), 0.0);
        assert!(t_quantile(2.0, 3.0).is_nan() && t_quantile(0.9, 0.0).is_nan());
    }

    #[test]
    fn t_cdf_matches_mpmath() {
        let table = [
            (2.0, 5.0, 0.94903026058507082),
            (0.5, 1.0, 0.64758361765043327),
            (-1.5, 3.0, 0.11529193262241153),
            (3.0, 12.5, 0.99468359424505167),
            (10.0, 2.0, 0.99507377148833715),
            (1.8973665961010275, 5.88235294117647, 0.94623440253468637),
        ];
        for (t, df, want) in table {
            let got = t_cdf(t, df);
            assert!(close(got, want, 1e-12), "P(T <= {t}; {df}) = {got}, want {want}");
        }
        assert_eq!(t_cdf(0.0, 4.0), 0.5);
        assert_eq!((t_cdf(f64::INFINITY, 4.0), t_cdf(f64::NEG_INFINITY, 4.0)), (1.0, 0.0));
    }

    #[test]
    fn incomplete_beta_matches_mpmath() {
        let table = [
            (0.5, 2.0, 3.0, 0.6875),
            (0.3, 1.0, 1.0, 0.3),
            (0.2, 0.5, 0.5, 0.29516723530086656),
            (0.9, 10.0, 3.0, 0.88913002225500006),
            (0.01, 30.0, 0.5, 1.0307815466209131e-61),
            (0.7, 2.5, 7.25, 0.99809410730127289),
        ];
        for (x, a, b, want) in table {
            let got = incomplete_beta(x, a, b);
            assert!(close(got, want, 1e-11), "I_{x}({a}, {b}) = {got}, want {want}");
        }
        assert_eq!((incomplete_beta(0.0, 2.0, 3.0), incomplete_beta(1.0, 2.0, 3.0)), (0.0, 1.0));
    }

    /// R: `t.test(c(2,4,6,8,10), c(1,2,3,4,5))`: t = 1.8974, df = 5.8824,
    /// p-value = 0.1075, 95 percent interval -0.8783 6.8783 (of x − y; here b − a).
    #[test]
    fn welch_as_r_computes_it() {
        let a = Moments::of(&[2.0, 4.0, 6.0, 8.0, 10.0]);
        let b = Moments::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let w = welch(&a, &b).unwrap();
        assert_eq!(w.difference, -3.0);
        assert!(close(w.df, 5.88235294117647, 1e-12));
        assert!(close(w.p_value, 2.0 * (1.0 - 0.94623440253468637), 1e-9), "{}", w.p_value);
        let half = 2.4588237096991469 * 2.5f64.sqrt();
        assert!(close(w.interval.0, -3.0 - half, 1e-10) && close(w.interval.1, -3.0 + half, 1e-10), "{w:?}");
    }

    #[test]
    fn samples_that_do_not_vary_differ_exactly() {
        let a = Moments::of(&[3.0, 3.0, 3.0]);
        let b = Moments::of(&[5.0, 5.0]);
        assert_eq!(a.confidence_interval(), Some((3.0, 3.0)));
        let w = welch(&a, &b).unwrap();
        assert_eq!((w.difference, w.interval, w.p_value), (2.0, (2.0, 2.0), 0.0));
        assert_eq!(welch(&a, &a).unwrap().p_value, 1.0);
        assert_eq!(welch(&a, &Moments::of(&[1.0])), None, "one value has no variance");
    }

    #[test]
    fn moments_and_the_mean_interval() {
        let m = Moments::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!((m.n, m.mean), (5, 3.0));
        assert!(close(m.sd.unwrap(), 2.5f64.sqrt(), 1e-15));
        let (low, high) = m.confidence_interval().unwrap();
        let half = 2.7764451051977944 * 2.5f64.sqrt() / 5f64.sqrt();
        assert!(close(low, 3.0 - half, 1e-10) && close(high, 3.0 + half, 1e-10));
        assert_eq!(Moments::of(&[]).n, 0);
        assert_eq!(Moments::of(&[7.0]).confidence_interval(), None);
    }
}

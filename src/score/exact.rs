//! Exact sums of floating-point numbers, so that every aggregate of a run is
//! a function of the data alone: the same whatever the order in which rows
//! arrive, the batch size or the number of threads.
//!
//! A float sum computed left to right depends on the order of its terms
//! (`0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1` in the last digit). [`ExactSum`]
//! instead adds every term as an integer number of 2^-80ths into an `i128`:
//! integer addition is associative, so the accumulated value does not depend
//! on the order, and [`ExactSum::value`] rounds the exact total once, to the
//! nearest `f64`. A term is represented exactly when it is a multiple of
//! 2^-80 (every double of magnitude 2^-27 or more); smaller terms are rounded
//! to the nearest multiple, deterministically. Totals up to 2^46 (7·10^13)
//! fit, far more than a sum of weights and Goldstein masses can reach.
//!
//! Goldstein values have one decimal, so their sums are kept exactly in
//! tenths ([`Tenths`]) and divided by ten once at the end, which gives the
//! double nearest to the decimal result (`-1.3`, never `-1.2999999999999998`).

/// 2^80, the scale of [`ExactSum`]'s fixed point.
const SCALE: f64 = (1u128 << 80) as f64;
/// Largest magnitude of one term (2^46).
const MAX_TERM: f64 = (1u64 << 46) as f64;

/// `(x * 2^80).round() as i128` for |x| <= 2^46, from the bits of `x`
/// (without the float rounding and the conversion routine, which cost more
/// than the addition): the significand shifted into place, halves rounded
/// away from zero as `round` does.
fn fixed(x: f64) -> i128 {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // zero or subnormal: far below half a unit
        return 0;
    }
    let m = ((bits & ((1u64 << 52) - 1)) | (1u64 << 52)) as u128;
    // x = m * 2^(exp - 1075), so x * 2^80 = m * 2^shift
    let shift = exp - 1075 + 80;
    let magnitude = if shift >= 0 {
        m << shift
    } else if shift < -64 {
        0
    } else {
        let s = (-shift) as u32;
        (m + (1u128 << (s - 1))) >> s
    };
    if bits >> 63 == 1 {
        -(magnitude as i128)
    } else {
        magnitude as i128
    }
}

/// An order-independent sum of doubles (see the module documentation).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExactSum(i128);

impl ExactSum {
    /// Adds one term. Non-finite terms and terms beyond ±2^46 are a bug in
    /// the caller (weights and masses are bounded by the configuration).
    pub fn add(&mut self, x: f64) {
        debug_assert!(x.is_finite() && x.abs() <= MAX_TERM, "term out of range: {x}");
        // x * 2^80 is exact (a power of two), round() only affects terms
        // below 2^-27, and the cast of an integral double is exact.
        self.0 += fixed(x.clamp(-MAX_TERM, MAX_TERM));
    }

    /// Adds another sum (of another batch, thread or shard).
    pub fn merge(&mut self, other: ExactSum) {
        self.0 += other.0;
    }

    /// The difference of two sums, exactly.
    pub fn minus(self, other: ExactSum) -> ExactSum {
        ExactSum(self.0 - other.0)
    }

    /// The total, correctly rounded to the nearest double.
    pub fn value(self) -> f64 {
        // i128 -> f64 rounds to nearest (ties to even); the division by a
        // power of two is exact.
        self.0 as f64 / SCALE
    }
}

/// An exact sum of values with one decimal (Goldstein values), in tenths.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tenths(i64);

impl Tenths {
    /// The value in tenths: `-1.3` gives -13.
    pub fn of(x: f64) -> i64 {
        (x * 10.0).round() as i64
    }

    pub fn add_tenths(&mut self, tenths: i64) {
        self.0 += tenths;
    }

    pub fn merge(&mut self, other: Tenths) {
        self.0 += other.0;
    }

    /// The total as a double: the one nearest to the decimal total.
    pub fn value(self) -> f64 {
        self.0 as f64 / 10.0
    }

    /// The total divided by `n`, rounded once.
    pub fn mean(self, n: u64) -> f64 {
        self.0 as f64 / (10.0 * n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decimal_sums_come_out_as_the_nearest_double() {
        let mut t = Tenths::default();
        for g in [-10.0, 3.4, 5.3] {
            t.add_tenths(Tenths::of(g));
        }
        assert_eq!(t.value(), -1.3);
        assert_eq!(t.mean(3), -1.3 / 3.0);
        let mut s = ExactSum::default();
        for x in [0.1, 0.2, 0.3] {
            s.add(x);
        }
        let mut r = ExactSum::default();
        for x in [0.3, 0.2, 0.1] {
            r.add(x);
        }
        assert_eq!(s, r);
        assert_eq!(s.value(), 0.6, "the exact sum of the three doubles rounds to 0.6");
        assert_ne!(0.1 + 0.2 + 0.3, 0.3 + 0.2 + 0.1, "left-to-right float sums depend on the order");
    }

    #[test]
    fn tiny_terms_do_not_vanish_next_to_large_ones() {
        let mut s = ExactSum::default();
        s.add(1e6);
        for _ in 0..1000 {
            s.add(1e-7);
        }
        s.add(-1e6);
        assert!((s.value() - 1e-4).abs() < 1e-15, "{}", s.value());
    }

    #[test]
    fn fixed_point_terms_are_those_of_round() {
        let reference = |x: f64| (x * SCALE).round() as i128;
        let mut xs = vec![0.0, -0.0, 1.0, -1.0, 0.5, 0.1, -0.3, MAX_TERM, -MAX_TERM, 1e-30, f64::MIN_POSITIVE, 5e-324];
        // halves of the last unit, where rounding decides
        for k in [1.0f64, 3.0, 5.0, 7.0] {
            xs.push(k * 2f64.powi(-81));
            xs.push(-k * 2f64.powi(-81));
        }
        for x in xs {
            assert_eq!(fixed(x), reference(x), "{x:e}");
        }
    }

    proptest! {
        #[test]
        fn fixed_point_agrees_with_round_on_any_term(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite() && x.abs() <= MAX_TERM);
            prop_assert_eq!(fixed(x), (x * SCALE).round() as i128);
        }

        #[test]
        fn the_sum_does_not_depend_on_order_or_grouping(
            xs in prop::collection::vec(-1000.0f64..1000.0, 0..200),
            split in 0usize..200,
            seed in any::<u64>(),
        ) {
            let mut forward = ExactSum::default();
            xs.iter().for_each(|x| forward.add(*x));
            // shuffled, and in two parts merged
            let mut ys = xs.clone();
            let mut state = seed | 1;
            for i in (1..ys.len()).rev() {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                ys.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let cut = split.min(ys.len());
            let (mut a, mut b) = (ExactSum::default(), ExactSum::default());
            ys[..cut].iter().for_each(|x| a.add(*x));
            ys[cut..].iter().for_each(|x| b.add(*x));
            a.merge(b);
            prop_assert_eq!(forward, a);
            prop_assert_eq!(forward.value().to_bits(), a.value().to_bits());
            // and it is close to the float sum
            let naive: f64 = xs.iter().sum();
            prop_assert!((forward.value() - naive).abs() <= 1e-9 * (1.0 + naive.abs()));
        }
    }
}

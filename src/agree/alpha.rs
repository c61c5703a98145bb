//! Krippendorff's alpha, for any number of coders per unit and missing
//! values, as in Krippendorff, "Computing Krippendorff's Alpha-Reliability"
//! (2011): from the values pairable within units,
//!
//!   D_o = 1/n · Σ_u 1/(m_u − 1) · Σ_{i≠j ∈ u} δ²(v_i, v_j)
//!   D_e = 1/(n(n − 1)) · Σ_{c,k} n_c · n_k · δ²(c, k)
//!   α   = 1 − D_o / D_e
//!
//! where m_u is the number of values in unit u (units with fewer than two
//! are left out), n = Σ m_u, and n_c the number of pairable values equal to
//! c. δ² is 0 or 1 for nominal data (equal or not) and (c − k)² for interval
//! data.

use serde::Serialize;
use std::collections::BTreeMap;

/// The level of measurement: which difference δ² applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Nominal,
    Interval,
}

/// Alpha and what it was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Alpha {
    /// α; 1 when every pairable value is the same (then D_e = 0 and α is
    /// not defined by the formula: see `single_value`).
    pub alpha: f64,
    /// Observed and expected disagreement.
    pub observed: f64,
    pub expected: f64,
    /// Pairable values (n).
    pub values: usize,
    /// True when all pairable values are equal, so that D_e = 0.
    pub single_value: bool,
}

/// α over units of nominal values (any type with an order).
pub fn nominal<T: Ord + Clone>(units: &[Vec<T>]) -> Option<Alpha> {
    let mut ids: BTreeMap<T, usize> = BTreeMap::new();
    let coded: Vec<Vec<usize>> = units
        .iter()
        .map(|u| {
            u.iter()
                .map(|v| {
                    let n = ids.len();
                    *ids.entry(v.clone()).or_insert(n)
                })
                .collect()
        })
        .collect();
    let values: Vec<Vec<f64>> = coded.iter().map(|u| u.iter().map(|&i| i as f64).collect()).collect();
    compute(&values, |a, b| if a == b { 0.0 } else { 1.0 })
}

/// α over units of interval values.
pub fn interval(units: &[Vec<f64>]) -> Option<Alpha> {
    compute(units, |a, b| (a - b) * (a - b))
}

/// α with the difference `delta2`; None when fewer than two values are
/// pairable.
fn compute(units: &[Vec<f64>], delta2: impl Fn(f64, f64) -> f64) -> Option<Alpha> {
    let pairable: Vec<&Vec<f64>> = units.iter().filter(|u| u.len() >= 2).collect();
    let n: usize = pairable.iter().map(|u| u.len()).sum();
    if n < 2 {
        return None;
    }
    let mut observed = 0.0;
    let mut counts: BTreeMap<u64, (f64, usize)> = BTreeMap::new();
    for u in &pairable {
        let mut within = 0.0;
        for (i, &a) in u.iter().enumerate() {
            counts.entry(a.to_bits()).or_insert((a, 0)).1 += 1;
            for (j, &b) in u.iter().enumerate() {
                if i != j {
                    within += delta2(a, b);
                }
            }
        }
        observed += within / (u.len() - 1) as f64;
    }
    observed /= n as f64;
    let distinct: Vec<(f64, usize)> = counts.into_values().collect();
    let mut expected = 0.0;
    for &(c, nc) in &distinct {
        for &(k, nk) in &distinct {
            expected += (nc * nk) as f64 * delta2(c, k);
        }
    }
    expected /= (n * (n - 1)) as f64;
    let single_value = distinct.len() == 1;
    let alpha = if single_value { 1.0 } else { 1.0 - observed / expected };
    Some(Alpha { alpha, observed, expected, values: n, single_value })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Krippendorff (2011), the reliability data of section C: four
    /// observers, twelve units, values 1..5, some missing.
    fn section_c() -> Vec<Vec<f64>> {
        let rows: [[Option<u8>; 12]; 4] = [
            [Some(1), Some(2), Some(3), Some(3), Some(2), Some(1), Some(4), Some(1), Some(2), None, None, None],
            [Some(1), Some(2), Some(3), Some(3), Some(2), Some(2), Some(4), Some(1), Some(2), Some(5), None, Some(3)],
            [None, Some(3), Some(3), Some(3), Some(2), Some(3), Some(4), Some(2), Some(2), Some(5), Some(1), None],
            [Some(1), Some(2), Some(3), Some(3), Some(2), Some(4), Some(4), Some(1), Some(2), Some(5), Some(1), None],
        ];
        (0..12).map(|u| rows.iter().filter_map(|r| r[u]).map(f64::from).collect()).collect()
    }

    #[test]
    fn textbook_values_of_section_c() {
        let units = section_c();
        let nominal_units: Vec<Vec<u64>> = units.iter().map(|u| u.iter().map(|v| *v as u64).collect()).collect();
        let a = nominal(&nominal_units).unwrap();
        assert_eq!(a.values, 40);
        assert!((a.alpha - 0.743).abs() < 0.0005, "{a:?}");
        let a = interval(&units).unwrap();
        assert!((a.alpha - 0.849).abs() < 0.0005, "{a:?}");
    }

    /// Krippendorff (2011), section A: two observers, binary data, ten
    /// units: α = 0.095.
    #[test]
    fn textbook_value_of_two_observers_binary_data() {
        let a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
        let b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
        let units: Vec<Vec<u8>> = a.iter().zip(b).map(|(x, y)| vec![*x, y]).collect();
        let r = nominal(&units).unwrap();
        assert!((r.alpha - 0.095).abs() < 0.0005, "{r:?}");
    }

    #[test]
    fn perfect_agreement_is_one_and_a_single_value_is_flagged() {
        let units = vec![vec!["a", "a"], vec!["b", "b"]];
        assert_eq!(nominal(&units).unwrap().alpha, 1.0);
        let one = nominal(&[vec!["a", "a"], vec!["a", "a"]]).unwrap();
        assert!(one.single_value && one.alpha == 1.0);
        assert!(nominal::<u8>(&[vec![1]]).is_none());
    }
}

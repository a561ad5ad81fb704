//! Pearson's χ² test of independence on a contingency table, as
//! `scipy.stats.chi2_contingency(table)` with its default `correction=True`.
//!
//! Expected counts E_ij = (row_i · col_j) / N. Degrees of freedom (r − 1)(c − 1) for a 2-D
//! table; when dof = 0 SciPy reports statistic 0 and p = 1. When dof = 1 (a 2×2 table) Yates'
//! continuity correction moves each observed count towards its expected count by
//! min(½, |E − O|) (SciPy gh-13875). Statistic Σ (O − E)²/E, p-value the χ²_dof survival
//! function (statrs).

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Result of a χ² contingency test.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Chi2Result {
    /// Pearson's χ² statistic (Yates-corrected for 2×2 tables).
    pub statistic: f64,
    /// Upper-tail p-value of χ² with `dof` degrees of freedom.
    pub p_value: f64,
    /// Degrees of freedom (r − 1)(c − 1).
    pub dof: u64,
    /// Expected counts under independence, same shape as the table.
    pub expected: Vec<Vec<f64>>,
}

/// χ² test of independence for a table of counts (rows × columns).
///
/// `None` when the table is empty or ragged, or a row or column sums to zero (SciPy raises
/// "expected frequencies has a zero element").
pub fn chi2_contingency(table: &[Vec<u64>]) -> Option<Chi2Result> {
    let rows = table.len();
    let cols = table.first()?.len();
    if cols == 0 || table.iter().any(|r| r.len() != cols) {
        return None;
    }
    let row_sums: Vec<f64> = table.iter().map(|r| r.iter().sum::<u64>() as f64).collect();
    let col_sums: Vec<f64> = (0..cols)
        .map(|j| table.iter().map(|r| r[j]).sum::<u64>() as f64)
        .collect();
    let total: f64 = row_sums.iter().sum();
    let expected: Vec<Vec<f64>> = row_sums
        .iter()
        .map(|&r| col_sums.iter().map(|&c| r * c / total).collect())
        .collect();
    if expected
        .iter()
        .flatten()
        .any(|&e| e == 0.0 || !e.is_finite())
    {
        return None;
    }
    // SciPy: expected.size − sum(expected.shape) + expected.ndim − 1 = (r − 1)(c − 1).
    let dof = ((rows - 1) * (cols - 1)) as u64;
    if dof == 0 {
        return Some(Chi2Result {
            statistic: 0.0,
            p_value: 1.0,
            dof,
            expected,
        });
    }
    let mut statistic = 0.0;
    for (obs_row, exp_row) in table.iter().zip(&expected) {
        for (&o, &e) in obs_row.iter().zip(exp_row) {
            let mut o = o as f64;
            let diff = e - o;
            if dof == 1 && diff != 0.0 {
                o += diff.signum() * diff.abs().min(0.5);
            }
            statistic += (o - e) * (o - e) / e;
        }
    }
    let p_value = ChiSquared::new(dof as f64)
        .ok()?
        .sf(statistic)
        .clamp(0.0, 1.0);
    Some(Chi2Result {
        statistic,
        p_value,
        dof,
        expected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_tables_are_none() {
        assert!(chi2_contingency(&[]).is_none());
        assert!(chi2_contingency(&[vec![]]).is_none());
        assert!(chi2_contingency(&[vec![1, 2], vec![3]]).is_none());
        assert!(chi2_contingency(&[vec![0, 0], vec![1, 2]]).is_none());
        assert!(chi2_contingency(&[vec![0, 3], vec![0, 2]]).is_none());
    }

    #[test]
    fn independent_table_has_zero_statistic() {
        let r = chi2_contingency(&[vec![10, 20, 30], vec![20, 40, 60]]).unwrap();
        assert!(r.statistic.abs() < 1e-12);
        assert!((r.p_value - 1.0).abs() < 1e-12);
        assert_eq!(r.dof, 2);
    }
}

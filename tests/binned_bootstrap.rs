//! The binned Poisson bootstrap (`metrics::binned_bootstrap`) against independent computations:
//!
//! * one resample: its ECE and smooth ECE equal `calibration::reliability_bins` +
//!   `calibration_errors` and `smooth::smooth_ece_at` run on the expanded rounded log (each atom's
//!   mean score repeated as many times as the resample draws it), for both binning strategies;
//! * the rounding: the rounded log's ECE is within 2⁻¹⁴ of the real log's, its smooth ECE within
//!   a stated 10⁻⁴;
//! * the intervals: the ECE and smooth-ECE intervals and the smooth band agree with the exact
//!   row bootstrap (`smooth::bootstrap_ci`, `smooth::smooth_band`) on the same log to within a
//!   quarter of the interval's width (the Monte Carlo error of 300 resamples is about 6 % of it);
//! * `analysis::window_report` uses it above `ROW_BOOTSTRAP_MAX_ROWS` rows only.

use plumb::core::analysis::window_report;
use plumb::core::metrics::binned_bootstrap::{
    self, Atoms, BinnedSettings, CELLS, ROW_BOOTSTRAP_MAX_ROWS, ece_of_counts, kernel_grid,
    poisson, smooth_ece_of_counts,
};
use plumb::core::metrics::calibration::{calibration_errors, reliability_bins};
use plumb::core::metrics::smooth::{self, SplitMix64};
use plumb::core::report::{BinStrategy, IntervalMethod, Settings};

fn uniform(rng: &mut SplitMix64) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A miscalibrated log: P(y = 1 | s) = s², scores with 6 decimals (as the bench logs).
fn log(n: usize, seed: u64) -> (Vec<f64>, Vec<u8>) {
    let mut rng = SplitMix64::new(seed);
    let s: Vec<f64> = (0..n)
        .map(|_| (uniform(&mut rng) * 1e6).round() / 1e6)
        .collect();
    let l = s
        .iter()
        .map(|&p| u8::from(uniform(&mut rng) < p * p))
        .collect();
    (s, l)
}

fn ece(s: &[f64], l: &[u8], strategy: BinStrategy) -> f64 {
    let bins = reliability_bins(s, l, 10, strategy, IntervalMethod::Wilson, 0.95).unwrap();
    calibration_errors(&bins).unwrap().ece
}

fn expand(atoms: &Atoms, counts: &[u64]) -> (Vec<f64>, Vec<u8>) {
    let (mut s, mut l) = (Vec::new(), Vec::new());
    for (a, &k) in counts.iter().enumerate() {
        for _ in 0..k {
            s.push(atoms.score[a]);
            l.push(atoms.label[a]);
        }
    }
    (s, l)
}

#[test]
fn one_resample_is_the_rounded_log_resampled() {
    let (s, l) = log(30_000, 11);
    let sigma = smooth::smooth_ece(&s, &l).unwrap().sigma;
    let atoms = Atoms::new(&s, &l, 10, kernel_grid(sigma)).unwrap();
    assert!(
        atoms.len() < s.len(),
        "atoms should summarise: {}",
        atoms.len()
    );
    let mut rng = SplitMix64::new(5);
    for _ in 0..3 {
        let counts: Vec<u64> = atoms
            .count
            .iter()
            .map(|&k| poisson(&mut rng, k as f64))
            .collect();
        let (es, el) = expand(&atoms, &counts);
        for strategy in [BinStrategy::Uniform, BinStrategy::Quantile] {
            let binned = ece_of_counts(&atoms, &counts, 10, strategy).unwrap();
            let exact = ece(&es, &el, strategy);
            assert!(
                (binned - exact).abs() < 1e-12,
                "{strategy:?}: {binned} vs {exact}"
            );
        }
        let binned = smooth_ece_of_counts(&atoms, &counts, sigma).unwrap();
        let exact = smooth::smooth_ece_at(&es, &el, sigma).unwrap();
        assert!((binned - exact).abs() < 1e-10, "{binned} vs {exact}");
    }
}

#[test]
fn rounding_moves_the_statistics_by_less_than_the_bound() {
    let (s, l) = log(30_000, 12);
    let sigma = smooth::smooth_ece(&s, &l).unwrap().sigma;
    let atoms = Atoms::new(&s, &l, 10, kernel_grid(sigma)).unwrap();
    let (rs, rl) = expand(&atoms, &atoms.count);
    let d = (ece(&rs, &rl, BinStrategy::Uniform) - ece(&s, &l, BinStrategy::Uniform)).abs();
    assert!(d < 1.0 / CELLS as f64, "ECE moved by {d}");
    let d = (smooth::smooth_ece_at(&rs, &rl, sigma).unwrap()
        - smooth::smooth_ece_at(&s, &l, sigma).unwrap())
    .abs();
    assert!(d < 1e-4, "smooth ECE moved by {d}");
}

#[test]
fn intervals_agree_with_the_row_bootstrap() {
    let (s, l) = log(40_000, 13);
    let (b, seed, confidence) = (300, 21, 0.9);
    let sigma = smooth::smooth_ece(&s, &l).unwrap().sigma;
    for strategy in [BinStrategy::Uniform, BinStrategy::Quantile] {
        let binned = binned_bootstrap::binned_intervals(
            &s,
            &l,
            &BinnedSettings {
                bins: 10,
                strategy,
                sigma: Some(sigma),
                n_boot: b,
                seed,
                confidence,
            },
        );
        let row_ece = smooth::bootstrap_ci(
            &s,
            &l,
            |x, y| Some(ece(x, y, strategy)),
            b,
            seed,
            confidence,
        )
        .unwrap();
        let got = binned.ece.unwrap();
        assert_eq!(got.resamples, b);
        let width = row_ece.upper - row_ece.lower;
        assert!(width > 0.0);
        for (x, y) in [(got.lower, row_ece.lower), (got.upper, row_ece.upper)] {
            assert!(
                (x - y).abs() < 0.25 * width,
                "{strategy:?} ECE: {x} vs {y} (width {width})"
            );
        }
        if strategy == BinStrategy::Quantile {
            continue; // smooth ECE and the band do not depend on the ECE binning
        }
        let row_smooth = smooth::bootstrap_ci(
            &s,
            &l,
            |x, y| smooth::smooth_ece_at(x, y, sigma),
            b,
            seed,
            confidence,
        )
        .unwrap();
        let got = binned.smooth_ece.unwrap();
        let width = row_smooth.upper - row_smooth.lower;
        for (x, y) in [(got.lower, row_smooth.lower), (got.upper, row_smooth.upper)] {
            assert!(
                (x - y).abs() < 0.25 * width,
                "smECE: {x} vs {y} (width {width})"
            );
        }
        let row_band = smooth::smooth_band(&s, &l, b, seed, confidence).unwrap();
        let band = binned.band.unwrap();
        assert_eq!(band.x, row_band.x);
        let m = band.x.len() as f64;
        let mean_width = row_band
            .upper
            .iter()
            .zip(&row_band.lower)
            .map(|(u, d)| u - d)
            .sum::<f64>()
            / m;
        let mean_gap = band
            .lower
            .iter()
            .zip(&row_band.lower)
            .chain(band.upper.iter().zip(&row_band.upper))
            .map(|(x, y)| (x - y).abs())
            .sum::<f64>()
            / (2.0 * m);
        assert!(
            mean_gap < 0.25 * mean_width,
            "band: {mean_gap} vs width {mean_width}"
        );
    }
}

#[test]
fn window_report_switches_to_binned_above_the_limit() {
    let settings = Settings {
        bootstrap: 40,
        ..Settings::default()
    };
    // At the limit: the row bootstrap, bit for bit.
    let (s, l) = log(ROW_BOOTSTRAP_MAX_ROWS, 14);
    let w = window_report(&s, &l, &settings);
    let row = smooth::bootstrap_ci(
        &s,
        &l,
        |x, y| {
            let b = reliability_bins(
                x,
                y,
                settings.bins,
                settings.strategy,
                IntervalMethod::Wilson,
                0.95,
            )
            .ok()?;
            calibration_errors(&b).map(|e| e.ece)
        },
        40,
        settings.seed,
        settings.confidence,
    )
    .unwrap();
    assert_eq!(w.ece_ci, Some([row.lower, row.upper]));
    // Above it: the binned intervals, and the band is filled.
    let (s, l) = log(ROW_BOOTSTRAP_MAX_ROWS + 1, 14);
    let w = window_report(&s, &l, &settings);
    let sigma = smooth::smooth_ece(&s, &l).unwrap().sigma;
    let binned = binned_bootstrap::binned_intervals(
        &s,
        &l,
        &BinnedSettings {
            bins: settings.bins,
            strategy: settings.strategy,
            sigma: Some(sigma),
            n_boot: 40,
            seed: settings.seed,
            confidence: settings.confidence,
        },
    );
    let ci = binned.ece.unwrap();
    assert_eq!(w.ece_ci, Some([ci.lower, ci.upper]));
    let ci = binned.smooth_ece.unwrap();
    assert_eq!(w.smooth_ece_ci, Some([ci.lower, ci.upper]));
    let curve = w.smooth_curve.unwrap();
    assert_eq!(curve.lower, binned.band.as_ref().unwrap().lower);
    assert_eq!(curve.upper.len(), curve.x.len());
}

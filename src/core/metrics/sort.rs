//! Sorting of f64 values in IEEE 754 total order (`f64::total_cmp`), by an LSD radix sort on the
//! bit pattern (the `radsort` crate) for long slices and by the standard library's comparison
//! sort for short ones.
//!
//! Why: ranking (`RankSummary`), quantile bins, Hosmer–Lemeshow groups and the quality checks each
//! sort a million scores, and a comparison sort of 10⁶ f64 costs ≈ 20 comparisons per value; a
//! radix sort makes ≤ 8 counting passes over the bytes that differ. The order is the same total
//! order: for non-NaN values ascending numeric order with −0.0 before +0.0 (the callers map −0.0 to
//! +0.0 first where the two must tie), so the sorted values are bit for bit those of
//! `sort_unstable_by(f64::total_cmp)` (equal keys are identical values, whatever their order).

/// Below this length the comparison sort is used (radix passes have a fixed cost per byte).
const RADIX_MIN_LEN: usize = 256;

/// Sorts `values` ascending in total order, exactly as `values.sort_unstable_by(f64::total_cmp)`
/// would leave them, in O(n) for long slices.
pub fn sort_ascending(values: &mut [f64]) {
    if values.len() < RADIX_MIN_LEN {
        values.sort_unstable_by(f64::total_cmp);
    } else {
        radsort::sort(values);
    }
}

/// Sorts `keys` ascending (the same order as `sort_unstable`), by a radix sort for long
/// slices: for 4-byte keys that pack a value and a flag ([`super::ranking`]'s f32 path).
pub fn sort_u32(keys: &mut [u32]) {
    if keys.len() < RADIX_MIN_LEN {
        keys.sort_unstable();
    } else {
        radsort::sort(keys);
    }
}

/// Sorts `values` descending in total order, exactly as `values.sort_unstable_by(|a, b|
/// b.total_cmp(a))` would leave them.
pub fn sort_descending(values: &mut [f64]) {
    sort_ascending(values);
    values.reverse();
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn small_and_edge_cases() {
        for v in [
            vec![],
            vec![0.5],
            vec![1.0, 0.0],
            vec![-0.0, 0.0, -0.0],
            vec![f64::INFINITY, -1.0, f64::NEG_INFINITY, 1e-300, -1e-300],
        ] {
            let mut expected = v.clone();
            expected.sort_unstable_by(f64::total_cmp);
            let mut got = v.clone();
            sort_ascending(&mut got);
            assert_eq!(bits(&got), bits(&expected));
        }
    }

    #[test]
    fn long_slices_with_signed_zeros_and_infinities_match_total_cmp() {
        let mut rng = crate::core::metrics::smooth::SplitMix64::new(5);
        let specials = [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1.0, -1.0];
        let v: Vec<f64> = (0..5000)
            .map(|i| {
                if i % 7 == 0 {
                    specials[(rng.next_u64() % 6) as usize]
                } else {
                    f64::from_bits(rng.next_u64() >> 2) * if i % 2 == 0 { 1.0 } else { -1.0 }
                }
            })
            .collect();
        let mut expected = v.clone();
        expected.sort_unstable_by(f64::total_cmp);
        let mut got = v.clone();
        sort_ascending(&mut got);
        assert_eq!(bits(&got), bits(&expected));
        expected.reverse();
        let mut got = v;
        sort_descending(&mut got);
        assert_eq!(bits(&got), bits(&expected));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any NaN-free slice (long enough to take the radix path, with many duplicates) sorts
        /// to exactly the comparison sort's result, both directions.
        #[test]
        fn radix_equals_comparison_sort(
            pool in prop::collection::vec(-1e6f64..1e6, 1..40),
            picks in prop::collection::vec(0usize..1000, 0..2000),
            extra in prop::collection::vec(any::<f64>().prop_filter("no NaN", |x| !x.is_nan()), 0..600),
        ) {
            let mut v: Vec<f64> = picks.iter().map(|&i| pool[i % pool.len()]).collect();
            v.extend(extra);
            let mut expected = v.clone();
            expected.sort_unstable_by(f64::total_cmp);
            let mut got = v.clone();
            sort_ascending(&mut got);
            prop_assert_eq!(bits(&got), bits(&expected));
            let mut expected_desc = v.clone();
            expected_desc.sort_unstable_by(|a, b| b.total_cmp(a));
            let mut got = v;
            sort_descending(&mut got);
            prop_assert_eq!(bits(&got), bits(&expected_desc));
        }
    }
}

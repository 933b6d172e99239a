//! The seeds of a study: `1..20` (both ends included, twenty seeds), lists and mixes
//! (`1,5,9`, `1..10,100`), in the order given.

/// The most runs one study may hold: a mistyped range must not fill memory or a disk
/// before anything is said.
pub const MAX_RUNS: u64 = 1_000_000;

pub fn parse(text: &str) -> Result<Vec<u64>, String> {
    let mut seeds: Vec<u64> = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let number = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| format!("--seeds {text:?}: {s:?} is not a seed (a whole number, 0 or more)"))
        };
        match part.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (number(a)?, number(b.strip_prefix('=').unwrap_or(b))?);
                if b < a {
                    return Err(format!("--seeds {text:?}: {part} is empty (the first seed comes first)"));
                }
                if (seeds.len() as u64).saturating_add(b - a + 1) > MAX_RUNS {
                    return Err(format!("--seeds {text:?}: more than {MAX_RUNS} seeds"));
                }
                seeds.extend(a..=b);
            }
            None => seeds.push(number(part)?),
        }
    }
    let mut sorted = seeds.clone();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("--seeds {text:?}: seed {} is given twice", w[0]));
    }
    Ok(seeds)
}

/// The seeds written back compactly (`1..20,25`): consecutive seeds as a range.
pub fn format(seeds: &[u64]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < seeds.len() {
        let mut j = i;
        while j + 1 < seeds.len() && seeds[j].checked_add(1) == Some(seeds[j + 1]) {
            j += 1;
        }
        parts.push(if j > i { format!("{}..{}", seeds[i], seeds[j]) } else { seeds[i].to_string() });
        i = j + 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_include_both_ends() {
        assert_eq!(parse("1..5").unwrap(), [1, 2, 3, 4, 5]);
        assert_eq!(parse("1..=3").unwrap(), [1, 2, 3]);
        assert_eq!(parse("7, 3,10..11").unwrap(), [7, 3, 10, 11]);
        assert_eq!(parse("4..4").unwrap(), [4]);
        assert_eq!(format(&[1, 2, 3, 7, 9, 10]), "1..3,7,9..10");
        assert_eq!(format(&parse("5,1..3").unwrap()), "5,1..3");
    }

    #[test]
    fn bad_seeds_are_refused() {
        for (text, why) in [
            ("5..1", "is empty"),
            ("a", "is not a seed"),
            ("-1", "is not a seed"),
            ("1..3,2", "seed 2 is given twice"),
            ("0..99999999", "more than"),
            ("", "is not a seed"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(why), "{text}: {e}");
        }
    }
}

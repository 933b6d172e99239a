//! Shell-style globs (`web-*`, `worker-?`) for matching names in a scenario.

/// A glob pattern: `*` matches any run of characters, `?` any one character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob(String);

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        Glob(pattern.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Iterative matching with one backtrack point: linear for patterns with one `*`,
    /// never exponential. It walks both strings by character without copying them:
    /// a behavior's globs are matched against every container a run creates.
    pub fn matches(&self, text: &str) -> bool {
        let (p, t) = (self.0.as_bytes(), text.as_bytes());
        let (mut pi, mut ti) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            let (tc, t_after) = next(t, ti);
            if pi < p.len() {
                let (pc, p_after) = next(p, pi);
                if pc == b"?" || pc == tc {
                    pi = p_after;
                    ti = t_after;
                    continue;
                }
                if pc == b"*" {
                    star = Some((pi, ti));
                    pi = p_after;
                    continue;
                }
            }
            match star {
                Some((sp, st)) => {
                    // The star takes one more character of the text.
                    let (_, st_after) = next(t, st);
                    pi = sp + 1;
                    ti = st_after;
                    star = Some((sp, st_after));
                }
                None => return false,
            }
        }
        p[pi..].iter().all(|&c| c == b'*')
    }
}

/// The character at byte `i` of `s` and the byte after it; `*` and `?` are ASCII, and
/// a literal compares as the bytes of its character.
fn next(s: &[u8], i: usize) -> (&[u8], usize) {
    let width = match s[i] {
        b if b < 0x80 => 1,
        b if b >= 0xF0 => 4,
        b if b >= 0xE0 => 3,
        _ => 2,
    };
    (&s[i..i + width], i + width)
}

#[cfg(test)]
mod tests {
    use super::Glob;

    #[test]
    fn matches_like_a_shell() {
        let cases = [
            ("web-*", "web-1", true),
            ("web-*", "web-", true),
            ("web-*", "api-1", false),
            ("*", "", true),
            ("w?b", "web", true),
            ("w?b", "wb", false),
            ("*-0", "worker-10", false),
            ("*-0", "worker-0", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("nginx", "nginx", true),
            ("nginx", "nginx2", false),
            // `?` is one character, not one byte.
            ("caf?", "café", true),
            ("caf??", "café", false),
            ("*é", "café", true),
            ("?", "日", true),
            ("日*語", "日本語", true),
            ("日*語", "日本", false),
            ("*", "日本語", true),
            ("a*", "", false),
            ("", "", true),
            ("", "a", false),
        ];
        for (p, t, want) in cases {
            assert_eq!(Glob::new(p).matches(t), want, "{p} vs {t}");
        }
    }
}

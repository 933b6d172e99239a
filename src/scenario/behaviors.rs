//! `behaviors:` validated: the fields of a behavior, its `attempts`, and the changes
//! actions make to a named behavior (`patch: behavior/<name>`), every problem reported
//! with its field path.

use super::raw::{RawBehavior, RawBehaviorPatch, RawExitCode, RawWrites, Text};
use super::{Behavior, BehaviorPatch, ExitCode, Glob, Matcher, VolumeWrite};
use crate::api::errors::{FieldError, FieldPath};
use crate::api::quantity::Quantity;

/// The behaviors of the scenario, in order (the first that matches a container wins).
pub fn compile(entries: &[RawBehavior], errs: &mut Vec<FieldError>) -> Vec<Behavior> {
    let mut out: Vec<Behavior> = Vec::new();
    for (i, b) in entries.iter().enumerate() {
        let path = FieldPath::root("behaviors").index(i);
        if let Some(name) = &b.name
            && out.iter().any(|o| o.name.as_ref() == Some(name))
        {
            errs.push(FieldError::new(path.child("name"), format!("Duplicate value: {name:?}")));
        }
        out.push(behavior(b, &path, errs));
    }
    out
}

fn behavior(b: &RawBehavior, path: &FieldPath, errs: &mut Vec<FieldError>) -> Behavior {
    let glob = |s: &Option<String>| s.as_deref().map(Glob::new);
    let matcher = Matcher {
        pod: glob(&b.matches.pod),
        container: glob(&b.matches.container),
        image: glob(&b.matches.image),
        namespace: glob(&b.matches.namespace),
    };
    let own = RawBehaviorPatch {
        image_pull: b.image_pull.clone(),
        image_pull_fails: b.image_pull_fails,
        image_size: b.image_size.clone().map(Some),
        startup: b.startup.clone(),
        run_for: b.run_for.clone().map(Some),
        exit_code: b.exit_code.clone(),
        memory: b.memory.clone().map(Some),
        ramp_up: b.ramp_up.clone(),
        ready_after: b.ready_after.clone().map(Some),
        unhealthy_after: b.unhealthy_after.clone().map(Some),
        termination_time: b.termination_time.clone(),
        stop_exit_code: b.stop_exit_code,
        post_start: b.post_start.clone(),
        post_start_fails: b.post_start_fails,
        pre_stop: b.pre_stop.clone(),
        pre_stop_fails: b.pre_stop_fails,
        writes: b.writes.clone(),
    };
    let base = Behavior { name: b.name.clone(), matcher, ..Behavior::default_for_unmatched() };
    let mut out = base.patched(&patch(&own, path, errs));
    out.attempts =
        b.attempts.iter().enumerate().map(|(i, a)| patch(a, &path.child("attempts").index(i), errs)).collect();
    out
}

/// A change to a behavior, validated (`path` is where its fields are).
pub fn patch(p: &RawBehaviorPatch, path: &FieldPath, errs: &mut Vec<FieldError>) -> BehaviorPatch {
    for (fails, name) in [
        (p.image_pull_fails, "imagePullFails"),
        (p.post_start_fails, "postStartFails"),
        (p.pre_stop_fails, "preStopFails"),
    ] {
        if let Some(fails) = fails
            && !(0.0..=1.0).contains(&fails)
        {
            errs.push(FieldError::new(
                path.child(name),
                format!("{name} is a probability between 0 and 1, got {fails}"),
            ));
        }
    }
    let exit_code = p.exit_code.as_ref().map(|e| match e {
        RawExitCode::Fixed(c) => ExitCode::Fixed(*c),
        RawExitCode::Weighted(list) => {
            if list.is_empty() || list.iter().all(|w| w.weight == 0) {
                errs.push(FieldError::new(
                    path.child("exitCode"),
                    "a weighted exit code needs at least one positive weight",
                ));
            }
            ExitCode::Weighted(list.iter().map(|w| (w.code, w.weight)).collect())
        }
    });
    let mut bytes = |v: &Option<Option<Text>>, field: &str| {
        v.as_ref().map(|v| v.as_ref().and_then(|t| quantity_bytes(t, &path.child(field), errs)))
    };
    let memory = bytes(&p.memory, "memory");
    let image_size = bytes(&p.image_size, "imageSize");
    let writes = p.writes.as_ref().map(|w| writes(w, &path.child("writes"), errs));
    BehaviorPatch {
        image_pull: p.image_pull.clone(),
        image_pull_fails: p.image_pull_fails,
        image_size,
        startup: p.startup.clone(),
        run_for: p.run_for.clone(),
        exit_code,
        memory,
        ramp_up: p.ramp_up.clone(),
        ready_after: p.ready_after.clone(),
        unhealthy_after: p.unhealthy_after.clone(),
        termination_time: p.termination_time.clone(),
        stop_exit_code: p.stop_exit_code,
        post_start: p.post_start.clone(),
        post_start_fails: p.post_start_fails,
        pre_stop: p.pre_stop.clone(),
        pre_stop_fails: p.pre_stop_fails,
        writes,
    }
}

/// `writes:`: each entry names a volume and a rate.
fn writes(raw: &RawWrites, path: &FieldPath, errs: &mut Vec<FieldError>) -> Vec<VolumeWrite> {
    let many = matches!(raw, RawWrites::Many(_));
    let mut out = Vec::new();
    for (i, w) in raw.entries().into_iter().enumerate() {
        let path = if many { path.index(i) } else { path.clone() };
        let volume = match w.volume.as_deref() {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => {
                errs.push(FieldError::new(path.child("volume"), "Required value: the pod's volume it writes to"));
                continue;
            }
        };
        let Some(rate) = &w.rate else {
            errs.push(FieldError::new(path.child("rate"), "Required value: a rate such as 10Mi/s"));
            continue;
        };
        match parse_rate(&rate.0) {
            Ok(bytes_per_hour) => out.push(VolumeWrite { volume, bytes_per_hour }),
            Err(e) => errs.push(FieldError::new(path.child("rate"), format!("Invalid value: \"{}\": {e}", rate.0))),
        }
    }
    out
}

/// `<quantity>/<s|m|h>`: bytes per hour.
pub fn parse_rate(text: &str) -> Result<i64, String> {
    let (amount, unit) = text.rsplit_once('/').ok_or("a rate is a quantity per s, m or h, e.g. 10Mi/s")?;
    let per_hour = match unit {
        "s" => 3_600,
        "m" => 60,
        "h" => 1,
        _ => return Err("a rate is a quantity per s, m or h, e.g. 10Mi/s".into()),
    };
    let q = Quantity::parse(amount).map_err(|e| e.to_string())?;
    if q.is_negative() {
        return Err("must be greater than or equal to 0".into());
    }
    q.value().checked_mul(per_hour).ok_or_else(|| "too large".into())
}

/// An action's `set` for `patch: behavior/<name>`: the behavior's own field names.
pub fn patch_from_set(
    set: &[(String, serde_json::Value)],
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) -> Option<BehaviorPatch> {
    let object: serde_json::Map<String, serde_json::Value> = set.iter().cloned().collect();
    match serde_json::from_value::<RawBehaviorPatch>(serde_json::Value::Object(object)) {
        Ok(raw) => Some(patch(&raw, path, errs)),
        Err(e) => {
            errs.push(FieldError::new(path.clone(), format!("invalid behavior change: {e}")));
            None
        }
    }
}

/// A non-negative quantity of bytes (`300Mi`).
fn quantity_bytes(text: &Text, path: &FieldPath, errs: &mut Vec<FieldError>) -> Option<i64> {
    match Quantity::parse(&text.0) {
        Ok(q) if !q.is_negative() => Some(q.value()),
        Ok(_) => {
            errs.push(FieldError::new(
                path.clone(),
                format!("Invalid value: \"{}\": must be greater than or equal to 0", text.0),
            ));
            None
        }
        Err(e) => {
            errs.push(FieldError::new(path.clone(), format!("Invalid value: \"{}\": {e}", text.0)));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_rates_are_bytes_per_hour() {
        assert_eq!(parse_rate("10Mi/s"), Ok(10 * (1 << 20) * 3_600));
        assert_eq!(parse_rate("500M/m"), Ok(500_000_000 * 60));
        assert_eq!(parse_rate("2Gi/h"), Ok(2 << 30));
        assert_eq!(parse_rate("0/s"), Ok(0));
        assert!(parse_rate("10Mi").is_err());
        assert!(parse_rate("10Mi/d").is_err());
        assert!(parse_rate("-1Mi/s").is_err());
        assert!(parse_rate("ten/s").is_err());
    }
}

//! `kubernetes:` validated: the version whose defaults apply (1.31 to 1.34) and the
//! control plane's settings, each named as its component's flag (or configuration
//! field), every problem reported with its field path.

use super::raw::{RawKubernetes, Text};
use super::{ControlPlane, DefaultTolerations};
use crate::api::errors::{FieldError, FieldPath};
use crate::engine::Millis;
use crate::engine::time::parse_duration;

/// The control plane of the scenario: Kubernetes 1.34's defaults without the section.
pub fn compile(raw: Option<&RawKubernetes>, errs: &mut Vec<FieldError>) -> ControlPlane {
    let Some(raw) = raw else { return ControlPlane::default() };
    let root = FieldPath::root("kubernetes");
    let minor = match &raw.version {
        None => ControlPlane::LATEST_MINOR,
        Some(text) => parse_version(&text.0).unwrap_or_else(|| {
            errs.push(FieldError::new(
                root.child("version"),
                format!(
                    "Unsupported value: \"{}\": supported values: \"1.{}\" to \"1.{}\"",
                    text.0,
                    ControlPlane::OLDEST_MINOR,
                    ControlPlane::LATEST_MINOR
                ),
            ));
            ControlPlane::LATEST_MINOR
        }),
    };
    let mut cp = ControlPlane::defaults(minor);

    let api = root.child("kube-apiserver");
    let seconds = |v: Option<i64>, name: &str, errs: &mut Vec<FieldError>| match v {
        Some(s) if s < 0 => {
            errs.push(FieldError::invalid_number(api.child(name), s, "must be greater than or equal to 0"));
            None
        }
        other => other,
    };
    let a = &raw.apiserver;
    cp.default_tolerations = DefaultTolerations {
        not_ready: seconds(a.default_not_ready_toleration_seconds, "default-not-ready-toleration-seconds", errs)
            .unwrap_or(cp.default_tolerations.not_ready),
        unreachable: seconds(a.default_unreachable_toleration_seconds, "default-unreachable-toleration-seconds", errs)
            .unwrap_or(cp.default_tolerations.unreachable),
    };

    let kcm = root.child("kube-controller-manager");
    let m = &raw.controller_manager;
    if let Some(grace) = positive_duration(&m.node_monitor_grace_period, &kcm.child("node-monitor-grace-period"), errs)
    {
        cp.node_monitor_grace = grace;
    }
    if let Some(period) = positive_duration(&m.node_monitor_period, &kcm.child("node-monitor-period"), errs) {
        cp.node_monitor_period = period;
    }
    if let Some(threshold) = m.terminated_pod_gc_threshold {
        // `gcTerminated` runs only for a threshold above 0 (`gc_controller.go`).
        cp.terminated_pod_gc_threshold = usize::try_from(threshold).ok().filter(|t| *t > 0);
    }

    let sched = root.child("kube-scheduler");
    let s = &raw.scheduler;
    // `ValidateKubeSchedulerConfiguration`: both positive, the initial at most the max.
    let backoff = |v: Option<i64>, name: &str, errs: &mut Vec<FieldError>| match v {
        Some(b) if b <= 0 => {
            errs.push(FieldError::invalid_number(sched.child(name), b, "must be greater than 0"));
            None
        }
        Some(b) => Some(u64::try_from(b).unwrap_or(0).saturating_mul(1_000)),
        None => None,
    };
    let initial = backoff(s.pod_initial_backoff_seconds, "podInitialBackoffSeconds", errs);
    let max = backoff(s.pod_max_backoff_seconds, "podMaxBackoffSeconds", errs);
    for (gate, on) in &raw.feature_gates {
        match gate.as_str() {
            "MaxUnavailableStatefulSet" => cp.max_unavailable_statefulset = *on,
            // `featuregate.Set` (`k8s.io/component-base/featuregate`).
            _ => errs.push(FieldError::new(
                root.child("featureGates").key(gate),
                format!("unrecognized feature gate: {gate} (podsim models MaxUnavailableStatefulSet)"),
            )),
        }
    }
    cp.pod_initial_backoff = initial.unwrap_or(cp.pod_initial_backoff);
    cp.pod_max_backoff = max.unwrap_or(cp.pod_max_backoff);
    if cp.pod_initial_backoff > cp.pod_max_backoff {
        errs.push(FieldError::invalid_number(
            sched.child("podMaxBackoffSeconds"),
            (cp.pod_max_backoff / 1_000) as i64,
            "must be greater than or equal to PodInitialBackoffSeconds",
        ));
    }
    cp
}

/// `1.31`, `v1.31` or `1.31.4`: the minor version, when podsim follows it.
fn parse_version(text: &str) -> Option<u32> {
    let rest = text.strip_prefix('v').unwrap_or(text).strip_prefix("1.")?;
    let mut parts = rest.split('.');
    let minor: u32 = parts.next()?.parse().ok()?;
    let patch_ok = match parts.next() {
        None => true,
        Some(p) => !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()),
    };
    let range = ControlPlane::OLDEST_MINOR..=ControlPlane::LATEST_MINOR;
    (patch_ok && parts.next().is_none() && range.contains(&minor)).then_some(minor)
}

/// A duration greater than zero, as Go writes it (`40s`, `1m30s`).
fn positive_duration(value: &Option<Text>, path: &FieldPath, errs: &mut Vec<FieldError>) -> Option<Millis> {
    let text = &value.as_ref()?.0;
    match parse_duration(text) {
        Ok(0) => {
            errs.push(FieldError::new(path.clone(), format!("Invalid value: \"{text}\": must be greater than 0")));
            None
        }
        Ok(ms) => Some(ms),
        Err(e) => {
            errs.push(FieldError::new(path.clone(), format!("Invalid value: \"{text}\": {e}")));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_version;

    #[test]
    fn versions() {
        assert_eq!(parse_version("1.31"), Some(31));
        assert_eq!(parse_version("v1.34"), Some(34));
        assert_eq!(parse_version("1.32.4"), Some(32));
        for bad in ["1.30", "1.35", "2.31", "1.31.", "1.31.x", "1", "", "1.31.1.1"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
    }
}

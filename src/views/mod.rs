//! kubectl's views of a finished run at any simulated instant: `podsim get` and
//! `podsim describe` read a run's output folder, rebuild the objects as the API server
//! would have returned them at T (`replay`), and print them as kubectl does (the rules
//! of `shared/reference/kubectl-printing.md`).
//!
//! * [`replay`]: objects.jsonl + containers.csv up to T -> the cluster at T.
//! * [`pods`], [`nodes`], [`jobs`], [`events`]: API objects and table rows.
//! * [`yaml`]: `-o yaml` / `-o json`; [`describe`]: `kubectl describe`.

pub mod apps;
pub mod budgets;
pub mod daemonsets;
pub mod describe;
pub mod describe_storage;
pub mod events;
pub mod fields;
pub mod files;
pub mod get;
pub mod jobs;
pub mod model;
pub mod nodes;
pub mod pods;
pub mod qos;
pub mod replay;
pub mod services;
pub mod statefulsets;
pub mod storage;
pub mod table;
pub mod yaml;

pub use files::RunDir;

use crate::api::ObjectKind;

/// Why a view cannot be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViewError {
    /// Bad input: a missing or malformed file, an unknown resource type, a bad time.
    Input(String),
    /// Objects asked for by name that do not exist at T, in kubectl's words
    /// (`Error from server (NotFound): pods "x" not found`).
    NotFound(Vec<String>),
}

impl ViewError {
    pub fn input(message: impl Into<String>) -> ViewError {
        ViewError::Input(message.into())
    }
}

impl std::fmt::Display for ViewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ViewError::Input(m) => f.write_str(m),
            ViewError::NotFound(ms) => f.write_str(&ms.join("\n")),
        }
    }
}

/// The resource types the views know, with kubectl's names and aliases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Resource {
    Pods,
    Nodes,
    Jobs,
    CronJobs,
    ReplicaSets,
    Deployments,
    DaemonSets,
    StatefulSets,
    Events,
    Services,
    EndpointSlices,
    PodDisruptionBudgets,
    PersistentVolumeClaims,
    PersistentVolumes,
    StorageClasses,
    ConfigMaps,
    Secrets,
}

impl Resource {
    /// `pod`, `pods`, `po`, ... as kubectl's RESTMapper and short names accept them
    /// (case-insensitive, with an optional `.group` suffix).
    pub fn parse(name: &str) -> Option<Resource> {
        if let Some(info) = crate::api::kinds::by_resource(name) {
            return match info.kind {
                ObjectKind::Pod => Some(Resource::Pods),
                ObjectKind::Node => Some(Resource::Nodes),
                ObjectKind::Job => Some(Resource::Jobs),
                ObjectKind::CronJob => Some(Resource::CronJobs),
                ObjectKind::ReplicaSet => Some(Resource::ReplicaSets),
                ObjectKind::Deployment => Some(Resource::Deployments),
                ObjectKind::DaemonSet => Some(Resource::DaemonSets),
                ObjectKind::StatefulSet => Some(Resource::StatefulSets),
                ObjectKind::Service => Some(Resource::Services),
                ObjectKind::PodDisruptionBudget => Some(Resource::PodDisruptionBudgets),
                ObjectKind::PersistentVolumeClaim => Some(Resource::PersistentVolumeClaims),
                ObjectKind::PersistentVolume => Some(Resource::PersistentVolumes),
                ObjectKind::StorageClass => Some(Resource::StorageClasses),
                ObjectKind::ConfigMap => Some(Resource::ConfigMaps),
                ObjectKind::Secret => Some(Resource::Secrets),
                ObjectKind::PriorityClass => None,
            };
        }
        // Events are not a kind podsim simulates: they are the run's record;
        // EndpointSlices are the EndpointSlice controller's (no manifest makes them).
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "event" | "events" | "ev" | "events.events.k8s.io" => Some(Resource::Events),
            "endpointslice"
            | "endpointslices"
            | "endpointslices.discovery.k8s.io"
            | "endpointslice.discovery.k8s.io" => Some(Resource::EndpointSlices),
            _ => None,
        }
    }

    /// The kind shown, if the resource is one (events are not).
    fn kind(self) -> Option<ObjectKind> {
        match self {
            Resource::Pods => Some(ObjectKind::Pod),
            Resource::Nodes => Some(ObjectKind::Node),
            Resource::Jobs => Some(ObjectKind::Job),
            Resource::CronJobs => Some(ObjectKind::CronJob),
            Resource::ReplicaSets => Some(ObjectKind::ReplicaSet),
            Resource::Deployments => Some(ObjectKind::Deployment),
            Resource::DaemonSets => Some(ObjectKind::DaemonSet),
            Resource::StatefulSets => Some(ObjectKind::StatefulSet),
            Resource::Services => Some(ObjectKind::Service),
            Resource::PodDisruptionBudgets => Some(ObjectKind::PodDisruptionBudget),
            Resource::PersistentVolumeClaims => Some(ObjectKind::PersistentVolumeClaim),
            Resource::PersistentVolumes => Some(ObjectKind::PersistentVolume),
            Resource::StorageClasses => Some(ObjectKind::StorageClass),
            Resource::ConfigMaps => Some(ObjectKind::ConfigMap),
            Resource::Secrets => Some(ObjectKind::Secret),
            Resource::Events | Resource::EndpointSlices => None,
        }
    }

    /// The plural resource name, as in kubectl's messages.
    pub fn plural(self) -> String {
        match self {
            Resource::Events => "events".to_string(),
            Resource::EndpointSlices => "endpointslices.discovery.k8s.io".to_string(),
            _ => self.kind().map_or_else(String::new, |k| k.info().qualified_plural()),
        }
    }

    pub fn namespaced(self) -> bool {
        self.kind().is_none_or(|k| k.info().namespaced)
    }

    /// kubectl's "Error from server (NotFound)" for a name that does not exist.
    pub fn not_found(self, name: &str) -> String {
        format!("Error from server (NotFound): {} \"{name}\" not found", self.plural())
    }
}

/// How `get` prints (`-o`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Output {
    #[default]
    Table,
    Wide,
    Yaml,
    Json,
    Name,
}

impl Output {
    pub fn parse(s: &str) -> Option<Output> {
        match s {
            "wide" => Some(Output::Wide),
            "yaml" => Some(Output::Yaml),
            "json" => Some(Output::Json),
            "name" => Some(Output::Name),
            _ => None,
        }
    }
}

/// Parses `--at`: a duration since the run's start (`90s`, `1h30m`), `end`, or an
/// instant as the views print it: `Mon, 05 Jan 2026 00:01:30 +0000` (describe) or
/// `2026-01-05T00:01:30Z` (YAML and JSON).
pub fn parse_at(text: Option<&str>, run: &RunDir) -> Result<i64, ViewError> {
    let Some(text) = text else { return Ok(run.end) };
    if text == "end" {
        return Ok(run.end);
    }
    let ms = match instant(text) {
        Some(t) => {
            let ms = t.duration_since(run.start).as_millis();
            if ms < 0 {
                return Err(ViewError::input(format!("--at {text}: before the run's start ({})", run.start)));
            }
            i64::try_from(ms).map_err(|_| ViewError::input(format!("--at {text}: too far")))?
        }
        None => {
            let ms = crate::engine::time::parse_duration(text).map_err(|e| {
                ViewError::input(format!(
                    "--at {text}: {e} (a duration since the run's start, like 90s or 1h30m, or an instant \
                     as describe prints it, like \"{}\")",
                    describe::rfc1123z(run, Some(0))
                ))
            })?;
            i64::try_from(ms).map_err(|_| ViewError::input(format!("--at {text}: too far")))?
        }
    };
    if ms > run.end {
        return Err(ViewError::input(format!(
            "--at {text}: the run ended at {} (simulated time since its start)",
            crate::engine::time::format_duration(run.end as u64)
        )));
    }
    Ok(ms)
}

/// An RFC 3339 instant, or one in RFC 1123 with a numeric zone (`describe`'s).
fn instant(text: &str) -> Option<jiff::Timestamp> {
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Some(t);
    }
    jiff::fmt::strtime::parse("%a, %d %b %Y %H:%M:%S %z", text).ok()?.to_timestamp().ok()
}

#[cfg(test)]
mod tests;

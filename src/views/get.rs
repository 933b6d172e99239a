//! `podsim get`: what `kubectl get` would have printed at an instant of a run.

use super::fields::{FieldSelector, SortBy};
use super::files::RunDir;
use super::replay::{self, State, Want};
use super::table::Table;
use super::{Output, Resource, ViewError, apps, budgets, events, jobs, model, nodes, pods, services, yaml};
use crate::labels::Selector;
use std::collections::BTreeMap;

/// What to list.
#[derive(Clone, Debug)]
pub struct GetRequest {
    pub resource: Resource,
    /// Names asked for (none: every object that matches).
    pub names: Vec<String>,
    pub namespace: String,
    pub all_namespaces: bool,
    pub selector: Option<Selector>,
    pub at: i64,
    pub output: Output,
    /// `--show-labels`: a LABELS column.
    pub show_labels: bool,
    /// `--field-selector`.
    pub field_selector: Option<FieldSelector>,
    /// `--sort-by`.
    pub sort_by: Option<SortBy>,
}

/// What `get` prints: its standard output, its standard error (`No resources
/// found ...`), and the names that do not exist at T (kubectl's NotFound errors).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Printed {
    pub stdout: String,
    pub stderr: String,
    pub not_found: Vec<String>,
}

/// One object ready to print: namespace, name, its table cells and its API form.
struct Item {
    namespace: String,
    name: String,
    labels: BTreeMap<String, String>,
    cells: Vec<String>,
    value: Option<serde_json::Value>,
}

pub fn get(run: &RunDir, req: &GetRequest) -> Result<Printed, ViewError> {
    get_many(run, &[req.resource], req)
}

/// `kubectl get TYPE,TYPE,...`: every type's objects as `get` selects them (the
/// request's own `resource` is ignored). With more than one type, as kubectl prints
/// them: each table after an empty line with names as `kind.group/name`, and
/// `-o yaml|json` one List of them all.
pub fn get_many(run: &RunDir, resources: &[Resource], req: &GetRequest) -> Result<Printed, ViewError> {
    if req.selector.is_some() && !req.names.is_empty() {
        return Err(ViewError::input("a label selector (-l) cannot be combined with object names"));
    }
    let several = resources.len() > 1;
    let mut out = Printed::default();
    let mut values = Vec::new();
    let mut tables = Vec::new();
    for &resource in resources {
        let req = GetRequest { resource, ..req.clone() };
        let (headers, mut chosen, not_found) = select(run, &req)?;
        out.not_found.extend(not_found);
        match req.output {
            Output::Yaml | Output::Json => values.extend(chosen.into_iter().filter_map(|i| i.value)),
            Output::Name => {
                let kind = qualified_kind(resource);
                out.stdout.extend(chosen.iter().map(|i| format!("{kind}/{}\n", i.name)));
            }
            Output::Table | Output::Wide if !chosen.is_empty() => {
                if several {
                    let kind = qualified_kind(resource);
                    for i in &mut chosen {
                        i.cells[0] = format!("{kind}/{}", i.cells[0]);
                    }
                }
                tables.push(render_table(&req, headers, chosen));
            }
            Output::Table | Output::Wide => {}
        }
    }
    let found = !values.is_empty() || !out.stdout.is_empty() || !tables.is_empty();
    if !found {
        if req.names.is_empty() {
            let namespaced = resources.iter().any(|r| r.namespaced());
            out.stderr = if namespaced && !req.all_namespaces {
                format!("No resources found in {} namespace.\n", req.namespace)
            } else {
                "No resources found\n".to_string()
            };
        }
        return Ok(out);
    }
    match req.output {
        Output::Yaml | Output::Json => {
            // kubectl prints the object itself only for one name of one type.
            let single = !several && req.names.len() == 1 && values.len() == 1;
            let value = if single { values.remove(0) } else { yaml::list(values) };
            out.stdout = if req.output == Output::Yaml { yaml::to_yaml(&value) } else { yaml::to_json(&value) };
        }
        Output::Name => {}
        Output::Table | Output::Wide => out.stdout = tables.join("\n"),
    }
    Ok(out)
}

/// The kind as `-o name` and several-type tables print it (`replicaset.apps`).
fn qualified_kind(resource: Resource) -> &'static str {
    match resource {
        Resource::Pods => "pod",
        Resource::Nodes => "node",
        Resource::Jobs => "job.batch",
        Resource::CronJobs => "cronjob.batch",
        Resource::ReplicaSets => "replicaset.apps",
        Resource::Deployments => "deployment.apps",
        Resource::DaemonSets => "daemonset.apps",
        Resource::StatefulSets => "statefulset.apps",
        Resource::Events => "event",
        Resource::Services => "service",
        Resource::EndpointSlices => "endpointslice.discovery.k8s.io",
        Resource::PodDisruptionBudgets => "poddisruptionbudget.policy",
        Resource::PersistentVolumeClaims => "persistentvolumeclaim",
        Resource::PersistentVolumes => "persistentvolume",
        Resource::StorageClasses => "storageclass.storage.k8s.io",
        Resource::ConfigMaps => "configmap",
        Resource::Secrets => "secret",
    }
}

/// One type's selection: the table's headers, the objects, the NotFound errors.
type Selected = (Vec<&'static str>, Vec<Item>, Vec<String>);

/// The objects of one type that the request selects, in print order, with the
/// table's headers and the NotFound errors of names that do not exist at T.
fn select(run: &RunDir, req: &GetRequest) -> Result<Selected, ViewError> {
    let wide = req.output == Output::Wide;
    // The API form of each object: printed, or read by a field selector or a sort key.
    let structured =
        matches!(req.output, Output::Yaml | Output::Json) || req.field_selector.is_some() || req.sort_by.is_some();
    let (headers, items) = match req.resource {
        Resource::Pods => pods_items(run, req, wide, structured)?,
        Resource::Nodes => nodes_items(run, req, wide, structured)?,
        Resource::Jobs => jobs_items(run, req, wide, structured)?,
        Resource::CronJobs => cronjobs_items(run, req, wide, structured)?,
        Resource::ReplicaSets | Resource::Deployments => apps_items(run, req, wide, structured)?,
        Resource::DaemonSets => daemonsets_items(run, req, wide, structured)?,
        Resource::StatefulSets => statefulsets_items(run, req, wide, structured)?,
        Resource::Events => events_items(run, req, wide, structured)?,
        Resource::Services => services_items(run, req, wide, structured)?,
        Resource::EndpointSlices => slices_items(run, req, structured)?,
        Resource::PodDisruptionBudgets => budgets_items(run, req, structured)?,
        Resource::PersistentVolumeClaims
        | Resource::PersistentVolumes
        | Resource::StorageClasses
        | Resource::ConfigMaps
        | Resource::Secrets => storage_items(run, req, wide, structured)?,
    };
    let in_scope = |i: &Item| !req.resource.namespaced() || req.all_namespaces || i.namespace == req.namespace;
    let selected = |i: &Item| match (&req.field_selector, &i.value) {
        (Some(f), Some(v)) => f.matches(v),
        _ => true,
    };
    let mut items: Vec<Item> = items.into_iter().filter(in_scope).filter(selected).collect();
    if let Some(by) = &req.sort_by {
        let null = serde_json::Value::Null;
        items.sort_by(|a, b| by.compare(a.value.as_ref().unwrap_or(&null), b.value.as_ref().unwrap_or(&null)));
    }
    let mut chosen = Vec::new();
    let mut not_found = Vec::new();
    if req.names.is_empty() {
        chosen = items.into_iter().filter(|i| req.selector.as_ref().is_none_or(|s| s.matches(&i.labels))).collect();
    } else {
        for name in &req.names {
            match items.iter().position(|i| &i.name == name) {
                Some(p) => chosen.push(items.swap_remove(p)),
                None => not_found.push(req.resource.not_found(name)),
            }
        }
    }
    Ok((headers, chosen, not_found))
}

/// One type's table, with the LABELS and NAMESPACE columns the request asks for.
fn render_table(req: &GetRequest, mut headers: Vec<&'static str>, mut chosen: Vec<Item>) -> String {
    let namespaces: Vec<String> = chosen.iter().map(|i| i.namespace.clone()).collect();
    if req.show_labels {
        headers.push("LABELS");
        for i in &mut chosen {
            i.cells.push(labels_cell(&i.labels));
        }
    }
    let mut table = Table::new(headers);
    table.rows = chosen.into_iter().map(|i| i.cells).collect();
    if req.all_namespaces && req.resource.namespaced() {
        table = table.with_namespaces(&namespaces);
    }
    table.render()
}

/// `app=web,tier=front` (sorted by key), or `<none>`, as kubectl's LABELS column.
fn labels_cell(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "<none>".to_string();
    }
    labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

fn headers(base: &[&'static str], wide_extra: &[&'static str], wide: bool) -> Vec<&'static str> {
    let mut h = base.to_vec();
    if wide {
        h.extend_from_slice(wide_extra);
    }
    h
}

fn want(pods: bool, nodes: bool, jobs: bool, cronjobs: bool, history: bool) -> Want {
    Want { pods, nodes, jobs, cronjobs, apps: false, history, services: false, budgets: false, storage: false }
}

/// The storage objects of one kind at T, sorted by namespace and name.
fn storage_items(
    run: &RunDir,
    req: &GetRequest,
    wide: bool,
    structured: bool,
) -> Result<(Vec<&'static str>, Vec<Item>), ViewError> {
    use super::storage as s;
    let state = replay::replay(run, req.at, Want { storage: true, ..Default::default() })?;
    let item = |meta: &crate::api::ObjectMeta, cells: Vec<String>, value: Option<serde_json::Value>| Item {
        namespace: if req.resource.namespaced() { meta.namespace().to_string() } else { String::new() },
        name: meta.name.clone(),
        labels: meta.labels.clone(),
        cells,
        value,
    };
    let (headers, mut items): (Vec<&'static str>, Vec<Item>) = match req.resource {
        Resource::PersistentVolumeClaims => (
            headers(&s::CLAIM_HEADERS, &s::VOLUME_MODE_HEADER, wide),
            state
                .claims
                .values()
                .map(|c| {
                    item(&c.api.metadata, s::claim_row(c, req.at, wide), structured.then(|| s::claim_value(run, c)))
                })
                .collect(),
        ),
        Resource::PersistentVolumes => (
            headers(&s::VOLUME_HEADERS, &s::VOLUME_MODE_HEADER, wide),
            state
                .volumes
                .values()
                .map(|v| {
                    item(&v.api.metadata, s::volume_row(v, req.at, wide), structured.then(|| s::volume_value(run, v)))
                })
                .collect(),
        ),
        Resource::StorageClasses => (
            s::CLASS_HEADERS.to_vec(),
            state
                .classes
                .values()
                .map(|c| item(&c.api.metadata, s::class_row(c, req.at), structured.then(|| s::class_value(run, c))))
                .collect(),
        ),
        Resource::ConfigMaps => (
            s::CONFIG_MAP_HEADERS.to_vec(),
            state
                .config_maps
                .values()
                .map(|c| {
                    item(&c.api.metadata, s::config_map_row(c, req.at), structured.then(|| s::config_map_value(run, c)))
                })
                .collect(),
        ),
        _ => (
            s::SECRET_HEADERS.to_vec(),
            state
                .secrets
                .values()
                .map(|x| item(&x.api.metadata, s::secret_row(x, req.at), structured.then(|| s::secret_value(run, x))))
                .collect(),
        ),
    };
    items.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    Ok((headers, items))
}

/// The PodDisruptionBudgets at T (no `-o wide` columns).
fn budgets_items(
    run: &RunDir,
    req: &GetRequest,
    structured: bool,
) -> Result<(Vec<&'static str>, Vec<Item>), ViewError> {
    let state = replay::replay(run, req.at, Want { budgets: true, ..Default::default() })?;
    let mut items: Vec<Item> = state
        .budgets
        .values()
        .map(|b| Item {
            namespace: b.api.metadata.namespace().to_string(),
            name: b.api.metadata.name.clone(),
            labels: b.api.metadata.labels.clone(),
            cells: budgets::row(b, req.at),
            value: structured.then(|| budgets::value(run, b)),
        })
        .collect();
    items.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    Ok((budgets::HEADERS.to_vec(), items))
}

fn services_items(
    run: &RunDir,
    req: &GetRequest,
    wide: bool,
    structured: bool,
) -> Result<(Vec<&'static str>, Vec<Item>), ViewError> {
    let state = replay::replay(run, req.at, Want { services: true, ..Default::default() })?;
    let list: Vec<(String, String, services::ServiceView)> = state
        .services
        .values()
        .map(|s| {
            let v = services::service_to_api(state.uids, s);
            (v.meta.namespace.clone(), v.meta.name.clone(), v)
        })
        .collect();
    let items = sorted_by_name(list)
        .into_iter()
        .map(|(namespace, name, v)| Item {
            namespace,
            name,
            cells: services::service_row(&v, req.at, wide),
            value: structured.then(|| yaml::service(run, &v)),
            labels: v.meta.labels,
        })
        .collect();
    Ok((headers(&services::SERVICE_HEADERS, &services::SERVICE_WIDE_HEADERS, wide), items))
}

fn slices_items(run: &RunDir, req: &GetRequest, structured: bool) -> Result<(Vec<&'static str>, Vec<Item>), ViewError> {
    let state = replay::replay(run, req.at, Want { services: true, ..Default::default() })?;
    let list: Vec<(String, String, services::SliceView)> = state
        .slices
        .values()
        .map(|s| {
            let v = services::slice_to_api(&state, s, yaml::timestamp_text(run, s.updated));
            (v.meta.namespace.clone(), v.meta.name.clone(), v)
        })
        .collect();
    let items = sorted_by_name(list)
        .into_iter()
        .map(|(namespace, name, v)| Item {
            namespace,
            name,
            cells: services::slice_row(&v, req.at),
            value: structured.then(|| yaml::endpoint_slice(run, &v)),
            labels: v.meta.labels,
        })
        .collect();
    Ok((services::SLICE_HEADERS.to_vec(), items))
}

/// The pods at T, sorted by namespace and name (the API server's list order).
fn pods_items(
    run: &RunDir,
    req: &GetRequest,
    wide: bool,
    structured: bool,
) -> Result<(Vec<&'static str>, Vec<Item>), ViewError> {
    let state = replay::replay(run, req.at, want(true, false, false, false, structured))?;
    let mut list: Vec<&replay::PodState> = state.pods().collect();
    list.sort_by(|a, b| (&*a.namespace, &*a.name).cmp(&(&*b.namespace, &*b.name)));
    // Unschedulable pods show their last FailedScheduling in PodScheduled.
    let events = if structured && list.iter().any(|p| p.bound_at.is_none()) {
        events::load_all(run, req.at)?
    } else {
        Vec::new()
    };
    let items = list
        .into_iter()
        .map(|p| {
            let unschedulable = if p.bound_at.is_none() {
                events::unschedulable(&events, &p.namespace, &p.name, p.created)
            } else {
                None
            };
            let pod = pods::to_api(&state, p, unschedulable);
            let printed = matches!(req.output, Output::Yaml | Output::Json);
            let cells = if printed { Vec::new() } else { pods::row(&pod, req.at, wide) };
            Item {
                namespace: p.namespace.to_string(),
                name: p.name.to_string(),
                cells,
                value: structured.then(|| yaml::pod(run, &pod)),
                labels: pod.meta.labels,
            }
        })
        .collect();
    Ok((headers(&pods::HEADERS, &pods::WIDE_HEADERS, wide), items))
}

fn nodes_items(
    run: &RunDir,
    req: &GetRequest,
    wide: bool,
    structured: bool,
) -> Result<(Vec<&'static str>, Vec<Item>), ViewError> {
    let state = replay::replay(run, req.at, want(false, true, false, false, structured))?;
    let items = state
        .nodes
        .values()
        .map(|n| {
            let node = nodes::to_api(n, req.at);
            Item {
                namespace: String::new(),
                name: n.name.clone(),
                cells: nodes::row(&node, req.at, wide),
                value: structured.then(|| yaml::node(run, &node)),
                labels: node.meta.labels,
            }
        })
        .collect();
    Ok((headers(&nodes::HEADERS, &nodes::WIDE_HEADERS, wide), items))
}

fn sorted_by_name<T>(mut v: Vec<(String, String, T)>) -> Vec<(String, String, T)> {
    v.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    v
}

fn jobs_items(
    run: &RunDir,
    req: &GetRequest,
    wide: bool,
    structured: bool,
) -> Result<(Vec<&'static str>, Vec<Item>), ViewError> {
    let state = replay::replay(run, req.at, want(false, false, true, false, structured))?;
    let list: Vec<(String, String, model::Job)> =
        state.jobs().map(|j| (j.namespace.to_string(), j.name.clone(), jobs::job_to_api(state.uids, j))).collect();
    let items = sorted_by_name(list)
        .into_iter()
        .map(|(namespace, name, job)| Item {
            namespace,
            name,
            cells: jobs::job_row(&job, req.at, wide),
            value: structured.then(|| yaml::job(run, &job)),
            labels: job.meta.labels,
        })
        .collect();
    Ok((headers(&jobs::JOB_HEADERS, &jobs::WIDE_HEADERS, wide), items))
}

fn cronjobs_items(
    run: &RunDir,
    req: &GetRequest,
    wide: bool,
    structured: bool,
) -> Result<(Vec<&'static str>, Vec<Item>), ViewError> {
    let state: State = replay::replay(run, req.at, want(false, false, true, true, structured))?;
    let list: Vec<(String, String, model::CronJob)> = state
        .cronjobs()
        .map(|c| {
            let cj = jobs::cronjob_to_api(&state, c);
            (cj.meta.namespace.clone(), cj.meta.name.clone(), cj)
        })
        .collect();
    let items = sorted_by_name(list)
        .into_iter()
        .map(|(namespace, name, cj)| Item {
            namespace,
            name,
            cells: jobs::cronjob_row(&cj, req.at, wide),
            value: structured.then(|| yaml::cronjob(run, &cj)),
            labels: cj.meta.labels,
        })
        .collect();
    Ok((headers(&jobs::CRONJOB_HEADERS, &jobs::WIDE_HEADERS, wide), items))
}

fn apps_items(
    run: &RunDir,
    req: &GetRequest,
    wide: bool,
    structured: bool,
) -> Result<(Vec<&'static str>, Vec<Item>), ViewError> {
    let state = replay::replay(run, req.at, Want { apps: true, ..Default::default() })?;
    let deployments = req.resource == Resource::Deployments;
    let mut items: Vec<Item> = if deployments {
        let item = |d: &replay::DeploymentState| Item {
            namespace: d.api.metadata.namespace().to_string(),
            name: d.api.metadata.name.clone(),
            labels: d.api.metadata.labels.clone(),
            cells: apps::deployment_row(d, req.at, wide),
            value: structured.then(|| apps::deployment_value(run, d)),
        };
        state.deployments.values().map(item).collect()
    } else {
        let item = |r: &replay::ReplicaSetState| Item {
            namespace: r.namespace.to_string(),
            name: r.name.clone(),
            labels: r.labels.clone(),
            cells: apps::replicaset_row(r, req.at, wide),
            value: structured.then(|| apps::replicaset_value(run, r)),
        };
        state.replicasets.values().map(item).collect()
    };
    items.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    let base: &[&'static str] = if deployments { &apps::DEPLOYMENT_HEADERS } else { &apps::REPLICASET_HEADERS };
    Ok((headers(base, &apps::WIDE_HEADERS, wide), items))
}

fn daemonsets_items(
    run: &RunDir,
    req: &GetRequest,
    wide: bool,
    structured: bool,
) -> Result<(Vec<&'static str>, Vec<Item>), ViewError> {
    use super::daemonsets;
    let state = replay::replay(run, req.at, Want { apps: true, ..Default::default() })?;
    let item = |d: &replay::DaemonSetState| Item {
        namespace: d.api.metadata.namespace().to_string(),
        name: d.api.metadata.name.clone(),
        labels: d.api.metadata.labels.clone(),
        cells: daemonsets::row(d, req.at, wide),
        value: structured.then(|| daemonsets::value(run, d)),
    };
    let mut items: Vec<Item> = state.daemonsets.values().map(item).collect();
    items.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    Ok((headers(&daemonsets::HEADERS, &apps::WIDE_HEADERS, wide), items))
}

fn statefulsets_items(
    run: &RunDir,
    req: &GetRequest,
    wide: bool,
    structured: bool,
) -> Result<(Vec<&'static str>, Vec<Item>), ViewError> {
    use super::statefulsets;
    let state = replay::replay(run, req.at, Want { apps: true, ..Default::default() })?;
    let item = |s: &replay::StatefulSetState| Item {
        namespace: s.api.metadata.namespace().to_string(),
        name: s.api.metadata.name.clone(),
        labels: s.api.metadata.labels.clone(),
        cells: statefulsets::row(s, req.at, wide),
        value: structured.then(|| statefulsets::value(run, s)),
    };
    let mut items: Vec<Item> = state.statefulsets.values().map(item).collect();
    items.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    Ok((headers(&statefulsets::HEADERS, &statefulsets::WIDE_HEADERS, wide), items))
}

fn events_items(
    run: &RunDir,
    req: &GetRequest,
    wide: bool,
    structured: bool,
) -> Result<(Vec<&'static str>, Vec<Item>), ViewError> {
    let list = events::load(run, req.at)?;
    let items = list
        .iter()
        .map(|e| Item {
            namespace: e.namespace.clone(),
            name: e.name.clone(),
            cells: events::row(e, req.at, wide),
            value: structured.then(|| yaml::event(run, e)),
            labels: BTreeMap::new(),
        })
        .collect();
    let h = if wide { events::WIDE_HEADERS.to_vec() } else { events::HEADERS.to_vec() };
    Ok((h, items))
}

//! `podsim get` and `podsim describe`: kubectl's views of a finished run at a simulated
//! instant (the work is in `podsim::views`; this file reads the arguments).

use super::Failure;
use clap::Args;
use podsim::labels::Selector;
use podsim::views::describe::{DescribeRequest, describe};
use podsim::views::fields::{FieldSelector, SortBy};
use podsim::views::get::{GetRequest, Printed, get_many};
use podsim::views::{Output, Resource, RunDir, ViewError, parse_at};
use std::io::Write;
use std::path::Path;

#[derive(Args, Debug)]
pub struct ViewArgs {
    /// pods|nodes|jobs|cronjobs|deployments|replicasets|daemonsets|services|endpointslices|
    /// poddisruptionbudgets|persistentvolumeclaims|persistentvolumes|storageclasses|
    /// configmaps|secrets|events (kubectl's names and aliases: po, no, job, cj, deploy,
    /// rs, ds, svc, pdb, pvc, pv, sc, cm, ev), several comma-separated (deploy,rs), or TYPE/NAME.
    pub resource: Option<String>,
    /// Object names (optional), then the output folder of `podsim run`.
    #[arg(num_args = 0.., value_name = "NAME... DIR")]
    pub args: Vec<String>,
    /// The simulated instant: a duration since the run's start (90s, 1h30m), or an
    /// instant as describe prints it ("Mon, 05 Jan 2026 00:01:30 +0000"); default: the end.
    #[arg(long)]
    pub at: Option<String>,
    /// Output format: wide, yaml, json or name (get only).
    #[arg(short = 'o', long)]
    pub output: Option<String>,
    /// Label selector (`app=web`, `tier in (a,b)`, `!canary`).
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// The namespace (default: `default`).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Every namespace (adds the NAMESPACE column).
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Adds a LABELS column (get only).
    #[arg(long)]
    pub show_labels: bool,
    /// Selects by fields: status.phase=Running, spec.nodeName=worker-0, metadata.name!=x
    /// (comma-separated; get only).
    #[arg(long)]
    pub field_selector: Option<String>,
    /// Sorts by a field, as a JSONPath: .metadata.name, {.status.startTime} (get only).
    #[arg(long)]
    pub sort_by: Option<String>,
}

struct Parsed {
    run: RunDir,
    /// One type, or several (`deploy,rs`).
    resources: Vec<Resource>,
    names: Vec<String>,
    namespace: String,
    at: i64,
    selector: Option<Selector>,
}

/// What a usage error shows: the command with its arguments named.
fn usage(verb: &str) -> String {
    format!(
        "usage: podsim {verb} pods|nodes|jobs|cronjobs|events [NAME...] DIR (DIR: the output folder of `podsim run`)"
    )
}

fn parse(args: &ViewArgs, verb: &str) -> Result<Parsed, Failure> {
    let input = |m: String| Failure::Input(vec![m]);
    let Some(resource) = args.resource.as_deref() else {
        return Err(input(format!("missing the resource type and the run's output folder; {}", usage(verb))));
    };
    let Some((dir, names)) = args.args.split_last() else {
        return Err(input(format!("missing the run's output folder after {resource:?}; {}", usage(verb))));
    };
    let mut names = names.to_vec();
    let kind = match resource.split_once('/') {
        Some((kind, name)) => {
            names.insert(0, name.to_string());
            kind
        }
        None => resource,
    };
    let mut resources = Vec::new();
    for kind in kind.split(',') {
        let resource = Resource::parse(kind).ok_or_else(|| {
            input(format!(
                "the server doesn't have a resource type \"{kind}\" (podsim knows pods, nodes, jobs, cronjobs, deployments, replicasets, daemonsets, services, endpointslices, poddisruptionbudgets, persistentvolumeclaims, persistentvolumes, storageclasses, configmaps, secrets, events)"
            ))
        })?;
        // kubectl lists a type named twice once.
        if !resources.contains(&resource) {
            resources.push(resource);
        }
    }
    if let Some(name) = names.iter().find(|n| n.is_empty() || n.contains('/')) {
        return Err(input(format!("invalid object name {name:?}")));
    }
    let run = RunDir::open(Path::new(dir)).map_err(view_failure)?;
    let at = parse_at(args.at.as_deref(), &run).map_err(view_failure)?;
    let selector = match &args.selector {
        Some(s) => Some(Selector::parse(s).map_err(|e| input(format!("-l {s}: {}", e.message())))?),
        None => None,
    };
    let namespace = args.namespace.clone().unwrap_or_else(|| "default".into());
    Ok(Parsed { run, resources, names, namespace, at, selector })
}

fn view_failure(e: ViewError) -> Failure {
    match e {
        ViewError::Input(m) => Failure::Input(vec![m]),
        ViewError::NotFound(m) => Failure::Verbatim(m),
    }
}

/// Prints what a view produced; names that do not exist fail the command (exit 2).
fn print(p: Printed) -> Result<(), Failure> {
    // A closed pipe (`| head`) is not an error.
    let _ = std::io::stdout().write_all(p.stdout.as_bytes());
    let _ = std::io::stderr().write_all(p.stderr.as_bytes());
    if p.not_found.is_empty() { Ok(()) } else { Err(Failure::Verbatim(p.not_found)) }
}

pub fn get_command(args: ViewArgs) -> Result<(), Failure> {
    let p = parse(&args, "get")?;
    // A field selector must name a field every type listed supports.
    let mut field_selector = None;
    if let Some(f) = args.field_selector.as_deref() {
        for &r in &p.resources {
            field_selector = Some(FieldSelector::parse(f, r).map_err(view_failure)?);
        }
    }
    let sort_by = args.sort_by.as_deref().map(SortBy::parse).transpose().map_err(view_failure)?;
    let output = match args.output.as_deref() {
        None => Output::Table,
        Some(o) => Output::parse(o).ok_or_else(|| {
            Failure::Input(vec![format!("-o {o}: unknown output format (expected wide, yaml, json or name)")])
        })?,
    };
    let req = GetRequest {
        resource: p.resources[0],
        names: p.names,
        namespace: p.namespace,
        all_namespaces: args.all_namespaces,
        selector: p.selector,
        at: p.at,
        output,
        show_labels: args.show_labels,
        field_selector,
        sort_by,
    };
    print(get_many(&p.run, &p.resources, &req).map_err(view_failure)?)
}

pub fn describe_command(args: ViewArgs) -> Result<(), Failure> {
    let get_only = [
        ("-o", args.output.is_some()),
        ("--show-labels", args.show_labels),
        ("--field-selector", args.field_selector.is_some()),
        ("--sort-by", args.sort_by.is_some()),
    ];
    if let Some((flag, _)) = get_only.iter().find(|(_, given)| *given) {
        return Err(Failure::Input(vec![format!("describe has no {flag} option (podsim get has)")]));
    }
    let p = parse(&args, "describe")?;
    // Several types: each type's objects in turn, as kubectl describes them.
    let mut all = Printed::default();
    for &resource in &p.resources {
        let req = DescribeRequest {
            resource,
            names: p.names.clone(),
            namespace: p.namespace.clone(),
            all_namespaces: args.all_namespaces,
            selector: p.selector.clone(),
            at: p.at,
        };
        let one = describe(&p.run, &req).map_err(view_failure)?;
        if !one.stdout.is_empty() {
            if !all.stdout.is_empty() {
                all.stdout.push_str("\n\n");
            }
            all.stdout.push_str(&one.stdout);
        }
        all.not_found.extend(one.not_found);
        if all.stderr.is_empty() {
            all.stderr = one.stderr;
        }
    }
    if !all.stdout.is_empty() {
        all.stderr.clear();
    }
    print(all)
}

//! `arrivals.resources`: each copy of an arrival stream draws its container's resource
//! requests (and, when asked, limits) from distributions (`draws.rs`) or from a table of
//! rows, on a random stream of its own. Validated here with field paths; applied to each
//! copy's object by [`ResourceDraws::copy`].
//!
//! ```yaml
//! resources:
//!   cpu: {uniform: {min: 500m, max: "8"}}
//!   memory: {empirical: [1Gi, 2Gi, 4Gi]}
//!   container: app          # which container (default: the pod's only one)
//!   limits: [memory]        # these limits are set to the drawn request (or {cpu: 2}: twice it)
//! ```

use super::draws::{self, QuantityDist, ResourceDist, Table, units};
use crate::api::errors::{FieldError, FieldPath};
use crate::api::object::Object;
use crate::api::pod::{Container, PodSpec};
use crate::api::quantity::Quantity;
use crate::api::validation::{MAX_QUANTITY, is_extended_resource, too_large};
use crate::engine::SimRng;
use serde_json::Value;

/// What each copy of a stream draws, and where it goes.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceDraws {
    /// The container whose resources are drawn.
    pub target: Target,
    /// Rows drawn together (`table:`), first.
    pub table: Option<Table>,
    /// Then one distribution per resource, by name.
    pub each: Vec<ResourceDist>,
    /// The resources whose limit is set from the draw: the limit is the request times
    /// the factor (1: equal).
    pub limits: Vec<(String, f64)>,
}

/// A container of the copied object's pod template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// In `initContainers` (a sidecar, say) rather than `containers`.
    pub init: bool,
    pub index: usize,
}

const KEYS: &str = "container, limits, table";
const DISTRIBUTIONS: &[&str] = &["constant", "uniform", "exponential", "lognormal", "empirical"];
const EXPECTED: &str = "a quantity (500m, 4Gi) or one of {constant: Q}, {uniform: {min: Q, max: Q, step: Q}}, \
     {exponential: {mean: Q, min: Q, max: Q, step: Q}}, {lognormal: {median: Q, sigma: X, min: Q, max: Q, step: Q}}, \
     {empirical: [Q, ...]}";

impl ResourceDraws {
    /// The values of one copy: the table's row, then each distribution's draw.
    pub fn draw(&self, rng: &mut SimRng) -> Vec<(&str, Quantity)> {
        let mut out = Vec::new();
        if let Some(t) = &self.table {
            out.extend(t.names.iter().map(String::as_str).zip(t.pick(rng).iter().cloned()));
        }
        out.extend(self.each.iter().map(|d| (d.name.as_str(), d.sample(rng))));
        out
    }

    /// Whether every value comes from a list (constants, empirical lists, a table): the
    /// copies then take few distinct values, and those that drew the same can share one
    /// compiled pod template.
    pub fn discrete(&self) -> bool {
        self.each.iter().all(|d| matches!(d.dist, QuantityDist::Constant(_) | QuantityDist::Empirical(_)))
    }

    /// A copy of `object` whose container has this copy's draws.
    pub fn copy(&self, object: &Object, rng: &mut SimRng) -> Object {
        let drawn = self.draw(rng);
        self.apply(object, drawn)
    }

    /// A copy of `object` whose container has the values `drawn` (from [`Self::draw`]).
    pub fn apply(&self, object: &Object, drawn: Vec<(&str, Quantity)>) -> Object {
        let mut copy = object.clone();
        if let Some(spec) = pod_spec_mut(&mut copy) {
            self.apply_spec(spec, drawn);
        }
        copy
    }

    /// Sets the values `drawn` on the target container of a pod spec.
    pub fn apply_spec(&self, spec: &mut PodSpec, drawn: Vec<(&str, Quantity)>) {
        if let Some(c) = container_mut(spec, self.target) {
            self.set(c, drawn);
        }
    }

    fn set(&self, c: &mut Container, drawn: Vec<(&str, Quantity)>) {
        for (name, mut q) in drawn {
            match self.limits.iter().find(|(n, _)| n == name) {
                Some((_, factor)) => {
                    let limit = if *factor == 1.0 {
                        q.clone()
                    } else {
                        let scaled = libm::round(units(name, &q) as f64 * factor).min(MAX_QUANTITY as f64);
                        draws::to_quantity(name, scaled as i64, q.format())
                    };
                    c.resources.limits.insert(name.to_string(), limit);
                }
                // A request above the template's limit is invalid: a draw that could pass
                // it is refused at load time, except from an unbounded distribution,
                // whose draws stop at the limit.
                None => {
                    if let Some(limit) = c.resources.limits.get(name)
                        && units(name, &q) > units(name, limit)
                    {
                        q = limit.clone();
                    }
                }
            }
            c.resources.requests.insert(name.to_string(), q);
        }
    }
}

/// The pod template of an object that has one.
fn pod_spec(o: &Object) -> Option<&PodSpec> {
    Some(match o {
        Object::Pod(p) => &p.spec,
        Object::Job(j) => &j.spec.template.spec,
        Object::CronJob(c) => &c.spec.job_template.spec.template.spec,
        Object::ReplicaSet(r) => &r.spec.template.spec,
        Object::Deployment(d) => &d.spec.template.spec,
        Object::DaemonSet(d) => &d.spec.template.spec,
        Object::StatefulSet(s) => &s.spec.template.spec,
        _ => return None,
    })
}

fn pod_spec_mut(o: &mut Object) -> Option<&mut PodSpec> {
    Some(match o {
        Object::Pod(p) => &mut p.spec,
        Object::Job(j) => &mut j.spec.template.spec,
        Object::CronJob(c) => &mut c.spec.job_template.spec.template.spec,
        Object::ReplicaSet(r) => &mut r.spec.template.spec,
        Object::Deployment(d) => &mut d.spec.template.spec,
        Object::DaemonSet(d) => &mut d.spec.template.spec,
        Object::StatefulSet(s) => &mut s.spec.template.spec,
        _ => return None,
    })
}

fn container(spec: &PodSpec, t: Target) -> Option<&Container> {
    if t.init { spec.init_containers.get(t.index) } else { spec.containers.get(t.index) }
}

fn container_mut(spec: &mut PodSpec, t: Target) -> Option<&mut Container> {
    if t.init { spec.init_containers.get_mut(t.index) } else { spec.containers.get_mut(t.index) }
}

/// A resource name as a path segment: `cpu` as a field, `example.com/gpu` as a key.
fn at(path: &FieldPath, name: &str) -> FieldPath {
    if name.contains(['/', '.']) { path.key(name) } else { path.child(name) }
}

/// The value as the user wrote it, for messages.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Validates `resources:` of an arrival stream copying `object` (`path`: where it is).
pub fn compile(value: &Value, object: &Object, path: &FieldPath, errs: &mut Vec<FieldError>) -> Option<ResourceDraws> {
    let Value::Object(map) = value else {
        errs.push(FieldError::new(
            path.clone(),
            format!("expected a mapping of resource names (cpu, memory, ...) to distributions, with {KEYS}"),
        ));
        return None;
    };
    let before = errs.len();
    let mut each = Vec::new();
    for (name, v) in map {
        if matches!(name.as_str(), "container" | "limits" | "table") {
            continue;
        }
        let p = at(path, name);
        if resource_name(name, &p, errs) {
            each.extend(distribution(name, v, &p, errs));
        }
    }
    let table = map.get("table").and_then(|t| table(t, &path.child("table"), errs));
    if let Some(t) = &table {
        for name in t.names.iter().filter(|n| map.contains_key(n.as_str())) {
            errs.push(FieldError::new(
                at(path, name),
                format!("{name} is drawn from the table too: give each resource one distribution"),
            ));
        }
    }
    if each.is_empty() && table.is_none() && errs.len() == before {
        errs.push(FieldError::new(
            path.clone(),
            "Required value: name a resource to draw (cpu: ..., memory: ...) or a table",
        ));
    }
    let Some(spec) = pod_spec(object) else {
        errs.push(FieldError::new(
            path.clone(),
            "only copies of objects with a pod template (Pod, Job, CronJob, Deployment, ...) draw resources",
        ));
        return None;
    };
    let target = target(spec, map.get("container"), &path.child("container"), errs)?;
    let drawn: Vec<&str> =
        table.iter().flat_map(|t| t.names.iter()).chain(each.iter().map(|d| &d.name)).map(String::as_str).collect();
    let limits = map.get("limits").map_or_else(Vec::new, |l| limits(l, &drawn, &path.child("limits"), errs));
    let c = container(spec, target).expect("target found in the spec");
    for (column, name) in drawn.iter().enumerate() {
        let p = at(path, name);
        let limited = limits.iter().any(|(n, _)| n == name);
        if is_extended_resource(name) && !limited {
            errs.push(FieldError::new(
                p.clone(),
                format!("an extended resource's limit must equal its request: add {name} to limits (limits: [{name}])"),
            ));
        }
        if spec.resources.as_ref().is_some_and(|r| r.requests.contains_key(*name) || r.limits.contains_key(*name)) {
            errs.push(FieldError::new(
                p.clone(),
                format!("the pod template sets pod-level resources for {name} (spec.resources): container draws are not combined with them"),
            ));
        }
        // A drawn request above the template's limit is invalid; said now when the
        // distribution is bounded.
        if let (false, Some(limit)) = (limited, c.resources.limits.get(*name)) {
            let most = match &table {
                Some(t) if column < t.names.len() => Some(t.max_units(column)),
                _ => each.iter().find(|d| d.name == *name).filter(|d| d.bounded()).map(|d| d.max_units()),
            };
            if let Some(most) = most.filter(|m| *m > units(name, limit)) {
                let shown = draws::to_quantity(name, most, limit.format());
                errs.push(FieldError::new(
                    p,
                    format!(
                        "Invalid value: \"{shown}\": draws up to {shown}, above container {:?}'s {name} limit of {limit}: lower the distribution's maximum, or draw the limit too (limits: [{name}])",
                        c.name
                    ),
                ));
            }
        }
    }
    (errs.len() == before).then_some(ResourceDraws { target, table, each, limits })
}

/// Resources a copy can draw: the standard ones a container requests by amount, and
/// extended resources (`example.com/gpu`).
fn resource_name(name: &str, p: &FieldPath, errs: &mut Vec<FieldError>) -> bool {
    let ok = matches!(name, "cpu" | "memory" | "ephemeral-storage")
        || (is_extended_resource(name) && crate::labels::is_qualified_name(name).is_empty());
    if !ok {
        errs.push(FieldError::new(
            p.clone(),
            format!(
                "Unsupported value: {name:?}: expected {KEYS}, or a resource to draw: cpu, memory, ephemeral-storage or an extended resource (example.com/gpu)"
            ),
        ));
    }
    ok
}

/// Which container draws: the one named, or the pod's only container.
fn target(spec: &PodSpec, name: Option<&Value>, p: &FieldPath, errs: &mut Vec<FieldError>) -> Option<Target> {
    let names = || spec.containers.iter().chain(&spec.init_containers).map(|c| c.name.as_str()).collect::<Vec<_>>();
    match name {
        None if spec.containers.len() == 1 => Some(Target { init: false, index: 0 }),
        None => {
            errs.push(FieldError::new(
                p.clone(),
                format!(
                    "Required value: the pod has {} containers ({}): name the one whose resources are drawn",
                    spec.containers.len(),
                    names().join(", ")
                ),
            ));
            None
        }
        Some(Value::String(n)) => {
            let find = |list: &[Container]| list.iter().position(|c| c.name == *n);
            let found = find(&spec.containers)
                .map(|index| Target { init: false, index })
                .or_else(|| find(&spec.init_containers).map(|index| Target { init: true, index }));
            if found.is_none() {
                errs.push(FieldError::new(
                    p.clone(),
                    format!(
                        "Invalid value: {n:?}: the pod has no container of that name (it has {})",
                        names().join(", ")
                    ),
                ));
            }
            found
        }
        Some(other) => {
            errs.push(FieldError::new(
                p.clone(),
                format!("Invalid value: {}: expected a container's name", shown(other)),
            ));
            None
        }
    }
}

/// `limits: [memory]` (equal to the request) or `limits: {cpu: 2}` (twice the request).
fn limits(v: &Value, drawn: &[&str], p: &FieldPath, errs: &mut Vec<FieldError>) -> Vec<(String, f64)> {
    let entries: Vec<(String, Option<f64>, FieldPath)> = match v {
        Value::Array(list) => list
            .iter()
            .enumerate()
            .map(|(i, n)| match n {
                Value::String(s) => (s.clone(), Some(1.0), p.index(i)),
                other => (shown(other), None, p.index(i)),
            })
            .collect(),
        Value::Object(map) => {
            map.iter().map(|(n, f)| (n.clone(), Some(f.as_f64().unwrap_or(f64::NAN)), at(p, n))).collect()
        }
        _ => vec![(shown(v), None, p.clone())],
    };
    let mut out = Vec::new();
    for (name, factor, at) in entries {
        let Some(factor) = factor else {
            errs.push(FieldError::new(
                at,
                format!("Invalid value: {name}: expected a list of drawn resources ([memory]) or factors ({{cpu: 2}})"),
            ));
            continue;
        };
        if !drawn.contains(&name.as_str()) {
            errs.push(FieldError::new(
                at,
                format!("Invalid value: {name:?}: not a drawn resource (drawn: {})", drawn.join(", ")),
            ));
        } else if !(factor.is_finite() && factor >= 1.0) {
            errs.push(FieldError::new(
                at,
                "Invalid value: the limit is the request times a factor of at least 1 (a limit below the request is invalid)",
            ));
        } else if factor != 1.0 && is_extended_resource(&name) {
            errs.push(FieldError::new(
                at,
                format!("Invalid value: {factor}: an extended resource's limit equals its request (factor 1)"),
            ));
        } else if out.iter().any(|(n, _)| *n == name) {
            errs.push(FieldError::duplicate(at, &name));
        } else {
            out.push((name, factor));
        }
    }
    out
}

/// A quantity of `resource`, whole in its unit, not negative and not too large.
fn quantity(resource: &str, v: &Value, p: &FieldPath, errs: &mut Vec<FieldError>) -> Option<Quantity> {
    let q = match v {
        Value::String(_) | Value::Number(_) => serde_json::from_value::<Quantity>(v.clone()),
        _ => {
            errs.push(FieldError::new(
                p.clone(),
                format!("Invalid value: {}: expected a quantity (500m, 4Gi)", shown(v)),
            ));
            return None;
        }
    };
    let why = match &q {
        Err(e) => Some(e.to_string()),
        Ok(q) if q.is_negative() => Some("must be greater than or equal to 0".to_string()),
        Ok(q) => too_large(resource, q).or_else(|| {
            (is_extended_resource(resource) && q.milli_value() % 1000 != 0).then(|| "must be an integer".to_string())
        }),
    };
    match why {
        Some(why) => {
            errs.push(FieldError::invalid(p.clone(), shown(v), &why));
            None
        }
        None => q.ok(),
    }
}

/// A number that is not a quantity (`sigma`).
fn number(v: Option<&Value>, p: &FieldPath, errs: &mut Vec<FieldError>) -> Option<f64> {
    match v.and_then(Value::as_f64) {
        Some(x) if x.is_finite() && x >= 0.0 => Some(x),
        _ => {
            let what = v.map_or("Required value".to_string(), |v| format!("Invalid value: {}", shown(v)));
            errs.push(FieldError::new(p.clone(), format!("{what}: expected a number of at least 0")));
            None
        }
    }
}

/// One resource's distribution (`p` is its path).
fn distribution(name: &str, v: &Value, p: &FieldPath, errs: &mut Vec<FieldError>) -> Option<ResourceDist> {
    let build = |first: &Quantity, dist| ResourceDist { name: name.to_string(), format: first.format(), dist };
    let map = match v {
        Value::String(_) | Value::Number(_) => {
            let q = quantity(name, v, p, errs)?;
            return Some(build(&q, QuantityDist::Constant(q.clone())));
        }
        Value::Object(map) if map.len() == 1 => map,
        _ => {
            errs.push(FieldError::new(p.clone(), format!("invalid distribution: expected {EXPECTED}")));
            return None;
        }
    };
    let (kind, args) = map.iter().next().expect("one entry");
    let p = p.child(kind);
    let before = errs.len();
    match kind.as_str() {
        "constant" => {
            let q = quantity(name, args, &p, errs)?;
            Some(build(&q, QuantityDist::Constant(q.clone())))
        }
        "empirical" => {
            let Value::Array(list) = args else {
                errs.push(FieldError::new(p, "invalid distribution: expected {empirical: [Q, ...]}"));
                return None;
            };
            if list.is_empty() {
                errs.push(FieldError::new(p, "Required value: empirical needs at least one quantity"));
                return None;
            }
            let values: Vec<Quantity> =
                list.iter().enumerate().filter_map(|(i, v)| quantity(name, v, &p.index(i), errs)).collect();
            (errs.len() == before).then(|| build(&values[0], QuantityDist::Empirical(values.clone())))
        }
        "uniform" => {
            let f = fields(args, kind, &p, &["min", "max", "step"], errs)?;
            let min = required(f, "min", &p, errs).and_then(|v| quantity(name, v, &p.child("min"), errs));
            let max = required(f, "max", &p, errs).and_then(|v| quantity(name, v, &p.child("max"), errs));
            let step = step(name, f.get("step"), &p.child("step"), errs);
            let (min, max, step) = (min?, max?, step?);
            let (lo, hi) = (units(name, &min), units(name, &max));
            if lo > hi {
                errs.push(FieldError::invalid(p.child("min"), &min, &format!("must not exceed max ({max})")));
                return None;
            }
            let (lo, hi) = (draws::ceil_to_step(lo, step), draws::floor_to_step(hi, step));
            if lo > hi {
                errs.push(FieldError::new(
                    p.child("step"),
                    format!("Invalid value: no multiple of the step lies between min ({min}) and max ({max})"),
                ));
                return None;
            }
            (errs.len() == before).then(|| build(&min, QuantityDist::Uniform { lo: lo / step, hi: hi / step, step }))
        }
        "exponential" | "lognormal" => {
            let centre = if kind == "exponential" { "mean" } else { "median" };
            let allowed: &[&str] = if kind == "exponential" {
                &["mean", "min", "max", "step"]
            } else {
                &["median", "sigma", "min", "max", "step"]
            };
            let f = fields(args, kind, &p, allowed, errs)?;
            let centre_q = required(f, centre, &p, errs).and_then(|v| quantity(name, v, &p.child(centre), errs));
            let sigma = if kind == "lognormal" { number(f.get("sigma"), &p.child("sigma"), errs) } else { Some(0.0) };
            let step = step(name, f.get("step"), &p.child("step"), errs);
            let min = f.get("min").map(|v| quantity(name, v, &p.child("min"), errs));
            let max = f.get("max").map(|v| quantity(name, v, &p.child("max"), errs));
            let (centre_q, sigma, step) = (centre_q?, sigma?, step?);
            let min_units = match &min {
                Some(q) => draws::ceil_to_step(units(name, q.as_ref()?), step),
                None => 0,
            };
            let max_units = match &max {
                Some(q) => Some(draws::floor_to_step(units(name, q.as_ref()?), step)),
                None => None,
            };
            if max_units.is_some_and(|m| min_units > m) {
                let (lo, hi) = (shown_q(&min), shown_q(&max));
                errs.push(FieldError::new(
                    p.child("min"),
                    format!("Invalid value: \"{lo}\": must not exceed max ({hi})"),
                ));
                return None;
            }
            let c = units(name, &centre_q) as f64;
            let dist = if kind == "exponential" {
                QuantityDist::Exponential { mean: c, step, min: min_units, max: max_units }
            } else {
                QuantityDist::LogNormal { median: c, sigma, step, min: min_units, max: max_units }
            };
            (errs.len() == before).then(|| build(&centre_q, dist))
        }
        other => {
            errs.push(FieldError::unsupported(p, other, DISTRIBUTIONS));
            None
        }
    }
}

/// The fields of a tagged distribution (`{uniform: {...}}`): known ones only.
fn fields<'v>(
    args: &'v Value,
    kind: &str,
    p: &FieldPath,
    allowed: &[&str],
    errs: &mut Vec<FieldError>,
) -> Option<&'v serde_json::Map<String, Value>> {
    let Value::Object(fields) = args else {
        let shape: Vec<String> = allowed.iter().map(|k| format!("{k}: ...")).collect();
        errs.push(FieldError::new(
            p.clone(),
            format!("invalid distribution: expected {{{kind}: {{{}}}}}", shape.join(", ")),
        ));
        return None;
    };
    for key in fields.keys().filter(|k| !allowed.contains(&k.as_str())) {
        errs.push(FieldError::new(p.child(key), format!("unknown field {key:?}: {kind} takes {}", allowed.join(", "))));
    }
    Some(fields)
}

fn required<'v>(
    fields: &'v serde_json::Map<String, Value>,
    key: &str,
    p: &FieldPath,
    errs: &mut Vec<FieldError>,
) -> Option<&'v Value> {
    let got = fields.get(key);
    if got.is_none() {
        errs.push(FieldError::required(p.child(key)));
    }
    got
}

fn shown_q(q: &Option<Option<Quantity>>) -> String {
    q.clone().flatten().map_or_else(|| "0".to_string(), |q| q.to_string())
}

/// A step of draws (default: the unit, 1m of cpu or 1 byte); above zero.
fn step(name: &str, v: Option<&Value>, p: &FieldPath, errs: &mut Vec<FieldError>) -> Option<i64> {
    let Some(v) = v else { return Some(1) };
    let q = quantity(name, v, p, errs)?;
    let u = units(name, &q);
    if u <= 0 {
        errs.push(FieldError::invalid(p.clone(), &q, "must be greater than 0"));
        return None;
    }
    Some(u)
}

/// `table: [{cpu: "1", memory: 2Gi, weight: 3}, ...]`: rows of the same resources.
fn table(v: &Value, p: &FieldPath, errs: &mut Vec<FieldError>) -> Option<Table> {
    let rows = match v {
        Value::Array(rows) if !rows.is_empty() => rows,
        _ => {
            errs.push(FieldError::new(
                p.clone(),
                "invalid table: expected a list of rows such as {cpu: \"1\", memory: 2Gi, weight: 3}",
            ));
            return None;
        }
    };
    let before = errs.len();
    let mut names: Option<Vec<String>> = None;
    let (mut out, mut weights) = (Vec::new(), Vec::new());
    for (i, row) in rows.iter().enumerate() {
        let rp = p.index(i);
        let Value::Object(cells) = row else {
            errs.push(FieldError::new(
                rp,
                "invalid row: expected a mapping such as {cpu: \"1\", memory: 2Gi, weight: 3}",
            ));
            continue;
        };
        let weight = match cells.get("weight") {
            None => 1,
            Some(w) => match w.as_u64().filter(|w| (1..=1_000_000_000).contains(w)) {
                Some(w) => w,
                None => {
                    errs.push(FieldError::new(
                        rp.child("weight"),
                        format!("Invalid value: {}: expected a whole number from 1 to 1000000000", shown(w)),
                    ));
                    continue;
                }
            },
        };
        let row_names: Vec<String> = cells.keys().filter(|k| *k != "weight").cloned().collect();
        match &names {
            None => names = Some(row_names.clone()),
            Some(first) if *first != row_names => {
                errs.push(FieldError::new(
                    rp,
                    format!(
                        "Invalid value: every row gives the same resources: row 0 gives {}, this row {}",
                        first.join(", "),
                        row_names.join(", ")
                    ),
                ));
                continue;
            }
            Some(_) => {}
        }
        let mut values = Vec::new();
        for name in &row_names {
            let cp = at(&rp, name);
            if resource_name(name, &cp, errs) {
                values.extend(quantity(name, &cells[name], &cp, errs));
            }
        }
        out.push(values);
        weights.push(weight);
    }
    let names = names.unwrap_or_default();
    if names.is_empty() && errs.len() == before {
        errs.push(FieldError::new(p.index(0), "Required value: a row names the resources it gives (cpu: \"1\", ...)"));
    }
    (errs.len() == before).then(|| Table::new(names, out, &weights))
}

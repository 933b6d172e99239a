//! The scenario's `scheduler:` key: a kube-scheduler profile, validated into a
//! [`SchedulerProfile`] as kube-scheduler reads its configuration: the v1 plugin merge
//! (defaults, then `disabled`, then `enabled` with its weights), the plugin arguments'
//! defaults, and the checks of `pkg/scheduler/apis/config/validation`, worded as there.

use super::raw::{RawPlugin, RawPluginConfig, RawPluginSet, RawScheduler};
use crate::api::errors::{FieldError, FieldPath, Segment};
use crate::scheduler::profile::{
    MAX_CUSTOM_PRIORITY_SCORE, PreemptionArgs, ResourceSpec, SchedulerProfile, ScorePlugin, ScoringStrategy,
    ScoringType, ShapePoint, default_resources,
};
use serde::Deserialize;
use serde_json::Value;

/// The plugins whose arguments a profile may set here.
const CONFIGURABLE: &[&str] = &["DefaultPreemption", "NodeResourcesFit"];
const DEFAULT_PREEMPTION: &str = "DefaultPreemption";
/// The longest scheduling cycle a scenario may give (`cycleDuration`): an hour, far
/// beyond any real cycle, which keeps the scheduler's clock in range.
const MAX_CYCLE_MICROS: u64 = 3_600_000_000;

/// Validates `raw` (found at `path`) into a profile; every problem goes to `errs`.
pub fn compile(raw: &RawScheduler, path: &FieldPath, errs: &mut Vec<FieldError>) -> SchedulerProfile {
    let mut profile = SchedulerProfile::default();
    if let Some(p) = raw.percentage_of_nodes_to_score {
        match u32::try_from(p) {
            Ok(p) if p <= 100 => profile.percentage_of_nodes_to_score = p,
            _ => errs.push(FieldError::invalid_number(
                path.child("percentageOfNodesToScore"),
                p,
                "not in valid range [0-100]",
            )),
        }
    }
    if let Some(text) = &raw.cycle_duration {
        let invalid =
            |why: String| FieldError::new(path.child("cycleDuration"), format!("Invalid value: \"{}\": {why}", text.0));
        match crate::engine::time::parse_micros(&text.0) {
            Ok(us) if us <= MAX_CYCLE_MICROS => profile.cycle_micros = us,
            Ok(_) => errs.push(invalid("must be at most 1h".into())),
            Err(e) => errs.push(invalid(e.to_string())),
        }
    }
    let plugins = path.child("plugins");
    profile.score_plugins = score_plugins(&raw.plugins.score, &plugins.child("score"), errs);
    let preemption_on = post_filter(&raw.plugins.post_filter, &plugins.child("postFilter"), errs);
    let mut preemption_args = PreemptionArgs::default();
    let mut seen: Vec<&str> = Vec::new();
    for (i, config) in raw.plugin_config.iter().enumerate() {
        let p = path.child("pluginConfig").index(i);
        if seen.contains(&config.name.as_str()) {
            errs.push(FieldError::duplicate(p.clone(), &config.name));
        }
        seen.push(&config.name);
        plugin_config(config, &p, &mut profile, &mut preemption_args, errs);
    }
    profile.preemption = preemption_on.then_some(preemption_args);
    profile
}

/// The score plugins and weights after the v1 merge (`mergePluginSet`): the defaults
/// unless disabled (`*` disables all), then each enabled plugin with its weight, which
/// replaces the default's. A weight of 0 or none counts as 1, as the framework reads it.
fn score_plugins(set: &RawPluginSet, path: &FieldPath, errs: &mut Vec<FieldError>) -> Vec<(ScorePlugin, i64)> {
    let names: Vec<&str> = ScorePlugin::ALL.iter().map(|p| p.name()).collect();
    let mut all_off = false;
    let mut off = Vec::new();
    for (i, d) in set.disabled.iter().enumerate() {
        match (d.name.as_str(), ScorePlugin::parse(&d.name)) {
            ("*", _) => all_off = true,
            (_, Some(p)) => off.push(p),
            (name, None) => errs.push(unknown(path.child("disabled").index(i).child("name"), name, &names, true)),
        }
        no_weight(d, &path.child("disabled").index(i), errs);
    }
    let mut out: Vec<(ScorePlugin, i64)> = if all_off {
        Vec::new()
    } else {
        ScorePlugin::ALL.into_iter().filter(|p| !off.contains(p)).map(|p| (p, p.default_weight())).collect()
    };
    let mut enabled: Vec<ScorePlugin> = Vec::new();
    for (i, e) in set.enabled.iter().enumerate() {
        let p = path.child("enabled").index(i);
        let Some(plugin) = ScorePlugin::parse(&e.name) else {
            errs.push(unknown(p.child("name"), &e.name, &names, false));
            continue;
        };
        if enabled.contains(&plugin) {
            errs.push(FieldError::duplicate(p.child("name"), &e.name));
            continue;
        }
        enabled.push(plugin);
        let Some(weight) = weight(e, &p, errs) else { continue };
        out.retain(|(q, _)| *q != plugin);
        out.push((plugin, weight));
    }
    out.sort();
    out
}

/// A score plugin's weight: 0 or absent means 1 (`NewFramework`); a negative weight would
/// turn the plugin's preference around, so it is refused, as is one beyond int32.
fn weight(plugin: &RawPlugin, path: &FieldPath, errs: &mut Vec<FieldError>) -> Option<i64> {
    match plugin.weight.unwrap_or(0) {
        0 => Some(1),
        w if (1..=i64::from(i32::MAX)).contains(&w) => Some(w),
        w => {
            errs.push(FieldError::invalid_number(path.child("weight"), w, "not in valid range [0, 2147483647]"));
            None
        }
    }
}

fn no_weight(plugin: &RawPlugin, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if plugin.weight.is_some() {
        errs.push(FieldError::forbidden(path.child("weight"), "a disabled plugin takes no weight"));
    }
}

fn unknown(path: FieldPath, name: &str, names: &[&str], star: bool) -> FieldError {
    let mut supported: Vec<&str> = names.to_vec();
    if star {
        supported.push("*");
    }
    FieldError::unsupported(path, name, &supported)
}

/// `postFilter`: DefaultPreemption is the only PostFilter plugin; whether it stays on.
fn post_filter(set: &RawPluginSet, path: &FieldPath, errs: &mut Vec<FieldError>) -> bool {
    let mut on = true;
    for (i, d) in set.disabled.iter().enumerate() {
        match d.name.as_str() {
            "*" | DEFAULT_PREEMPTION => on = false,
            name => {
                errs.push(unknown(path.child("disabled").index(i).child("name"), name, &[DEFAULT_PREEMPTION], true))
            }
        }
        no_weight(d, &path.child("disabled").index(i), errs);
    }
    for (i, e) in set.enabled.iter().enumerate() {
        let p = path.child("enabled").index(i);
        match e.name.as_str() {
            DEFAULT_PREEMPTION => on = true,
            name => errs.push(unknown(p.child("name"), name, &[DEFAULT_PREEMPTION], false)),
        }
        no_weight(e, &p, errs);
    }
    on
}

fn plugin_config(
    config: &RawPluginConfig,
    path: &FieldPath,
    profile: &mut SchedulerProfile,
    preemption: &mut PreemptionArgs,
    errs: &mut Vec<FieldError>,
) {
    let args_path = path.child("args");
    let args = config.args.clone().unwrap_or(Value::Object(Default::default()));
    match config.name.as_str() {
        "NodeResourcesFit" => {
            if let Some(a) = typed::<FitArgs>(args, &args_path, errs) {
                check_kind(&a.kind, "NodeResourcesFitArgs", &args_path, errs);
                profile.scoring_strategy =
                    scoring_strategy(a.scoring_strategy, &args_path.child("scoringStrategy"), errs);
            }
        }
        DEFAULT_PREEMPTION => {
            if let Some(a) = typed::<DefaultPreemptionArgs>(args, &args_path, errs) {
                check_kind(&a.kind, "DefaultPreemptionArgs", &args_path, errs);
                *preemption = preemption_args(&a, &args_path, errs);
            }
        }
        name => errs.push(FieldError::unsupported(path.child("name"), name, CONFIGURABLE)),
    }
}

/// Reads the arguments as `T`, reporting the first problem at its path under `path`.
fn typed<T: for<'de> Deserialize<'de>>(args: Value, path: &FieldPath, errs: &mut Vec<FieldError>) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(args) {
        Ok(v) => Some(v),
        Err(e) => {
            let mut at = path.clone();
            for seg in e.path().iter() {
                at = match seg {
                    serde_path_to_error::Segment::Seq { index } => at.index(*index),
                    serde_path_to_error::Segment::Map { key } => at.child(key),
                    serde_path_to_error::Segment::Enum { variant } => at.child(variant),
                    serde_path_to_error::Segment::Unknown => at,
                };
            }
            let message = e.into_inner().to_string();
            // An unknown field is reported at the map that holds it.
            if message.starts_with("unknown field")
                && let Some(Segment::Field(_)) = at.segments().last()
                && at.segments().len() > path.segments().len()
            {
                let parent: Vec<Segment> = at.segments()[..at.segments().len() - 1].to_vec();
                at = FieldPath::from(parent);
            }
            errs.push(FieldError::new(at, message));
            None
        }
    }
}

fn check_kind(kind: &Option<String>, want: &str, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if let Some(k) = kind
        && k != want
    {
        errs.push(FieldError::unsupported(path.child("kind"), k, &[want]));
    }
}

/// `NodeResourcesFitArgs` (the fields podsim reads).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FitArgs {
    #[serde(rename = "apiVersion")]
    _api_version: Option<String>,
    kind: Option<String>,
    scoring_strategy: Option<RawScoringStrategy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawScoringStrategy {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    resources: Vec<RawResourceSpec>,
    requested_to_capacity_ratio: Option<RawRequestedToCapacityRatio>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResourceSpec {
    name: String,
    #[serde(default)]
    weight: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequestedToCapacityRatio {
    #[serde(default)]
    shape: Vec<RawShapePoint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShapePoint {
    utilization: i64,
    score: i64,
}

/// `SetDefaults_NodeResourcesFitArgs` then `ValidateNodeResourcesFitArgs`.
fn scoring_strategy(raw: Option<RawScoringStrategy>, path: &FieldPath, errs: &mut Vec<FieldError>) -> ScoringStrategy {
    let Some(raw) = raw else { return ScoringStrategy::default() };
    let kind_text = raw.kind.unwrap_or_default();
    let kind = ScoringType::parse(&kind_text).unwrap_or_else(|| {
        errs.push(FieldError::unsupported(path.child("type"), &kind_text, &ScoringType::NAMES));
        ScoringType::LeastAllocated
    });
    let mut resources: Vec<ResourceSpec> = raw
        .resources
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            // A weight of 0 defaults to 1; the range is (0, 100].
            let weight = if r.weight == 0 { 1 } else { r.weight };
            if !(1..=100).contains(&weight) {
                errs.push(FieldError::invalid_number(
                    path.child("resources").index(i).child("weight"),
                    weight,
                    &format!("resource weight of {} not in valid range (0, 100]", r.name),
                ));
            }
            ResourceSpec { name: r.name, weight }
        })
        .collect();
    if resources.is_empty() {
        resources = default_resources();
    }
    let ratio_path = path.child("requestedToCapacityRatio");
    let shape = match (kind, raw.requested_to_capacity_ratio) {
        (ScoringType::RequestedToCapacityRatio, None) => {
            errs.push(FieldError::required_because(
                ratio_path,
                "must be specified when type is RequestedToCapacityRatio",
            ));
            Vec::new()
        }
        (ScoringType::RequestedToCapacityRatio, Some(r)) => shape(&r.shape, &ratio_path.child("shape"), errs),
        (_, Some(_)) => {
            errs.push(FieldError::forbidden(ratio_path, "must be nil when type is not RequestedToCapacityRatio"));
            Vec::new()
        }
        (_, None) => Vec::new(),
    };
    ScoringStrategy { kind, resources, shape }
}

/// `validateFunctionShape`: at least one point, utilisation strictly increasing within
/// 0–100, scores within 0–10.
fn shape(points: &[RawShapePoint], path: &FieldPath, errs: &mut Vec<FieldError>) -> Vec<ShapePoint> {
    if points.is_empty() {
        errs.push(FieldError::required_because(path.clone(), "at least one point must be specified"));
        return Vec::new();
    }
    if let Some(i) = (1..points.len()).find(|&i| points[i - 1].utilization >= points[i].utilization) {
        errs.push(FieldError::invalid_number(
            path.index(i).child("utilization"),
            points[i].utilization,
            "values must be sorted in increasing order",
        ));
    }
    for (i, p) in points.iter().enumerate() {
        if !(0..=100).contains(&p.utilization) {
            errs.push(FieldError::invalid_number(
                path.index(i).child("utilization"),
                p.utilization,
                "not in valid range [0, 100]",
            ));
        }
        if !(0..=MAX_CUSTOM_PRIORITY_SCORE).contains(&p.score) {
            errs.push(FieldError::invalid_number(
                path.index(i).child("score"),
                p.score,
                &format!("not in valid range [0, {MAX_CUSTOM_PRIORITY_SCORE}]"),
            ));
        }
    }
    points.iter().map(|p| ShapePoint { utilization: p.utilization, score: p.score }).collect()
}

/// `DefaultPreemptionArgs`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DefaultPreemptionArgs {
    #[serde(rename = "apiVersion")]
    _api_version: Option<String>,
    kind: Option<String>,
    min_candidate_nodes_percentage: Option<i64>,
    min_candidate_nodes_absolute: Option<i64>,
}

/// `SetDefaults_DefaultPreemptionArgs` then `ValidateDefaultPreemptionArgs`.
fn preemption_args(raw: &DefaultPreemptionArgs, path: &FieldPath, errs: &mut Vec<FieldError>) -> PreemptionArgs {
    let defaults = PreemptionArgs::default();
    let pct = raw.min_candidate_nodes_percentage.unwrap_or(defaults.min_candidate_nodes_percentage);
    let abs = raw.min_candidate_nodes_absolute.unwrap_or(defaults.min_candidate_nodes_absolute);
    let (pct_path, abs_path) = (path.child("minCandidateNodesPercentage"), path.child("minCandidateNodesAbsolute"));
    if !(0..=100).contains(&pct) {
        errs.push(FieldError::invalid_number(pct_path.clone(), pct, "not in valid range [0, 100]"));
    }
    if abs < 0 {
        errs.push(FieldError::invalid_number(abs_path.clone(), abs, "not in valid range [0, inf)"));
    }
    if pct == 0 && abs == 0 {
        errs.push(FieldError::invalid_number(
            pct_path,
            0,
            "cannot be zero at the same time as minCandidateNodesAbsolute",
        ));
        errs.push(FieldError::invalid_number(
            abs_path,
            0,
            "cannot be zero at the same time as minCandidateNodesPercentage",
        ));
    }
    PreemptionArgs { min_candidate_nodes_percentage: pct, min_candidate_nodes_absolute: abs }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile_yaml(text: &str) -> (SchedulerProfile, Vec<String>) {
        let raw: RawScheduler = serde_saphyr::from_str(text).unwrap();
        let mut errs = Vec::new();
        let p = compile(&raw, &FieldPath::root("scheduler"), &mut errs);
        (p, errs.iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn an_empty_profile_is_kube_schedulers_default() {
        let (p, errs) = compile_yaml("{}");
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(p, SchedulerProfile::default());
    }

    #[test]
    fn enabled_weights_replace_the_defaults_and_star_disables_the_rest() {
        let (p, errs) = compile_yaml(
            "plugins:\n  score:\n    disabled: [{name: \"*\"}]\n    enabled: [{name: NodeResourcesFit, weight: 5}, {name: ImageLocality}]\n",
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(p.score_plugins, vec![(ScorePlugin::NodeResourcesFit, 5), (ScorePlugin::ImageLocality, 1)]);
        let (p, _) = compile_yaml(
            "plugins: {score: {disabled: [{name: ImageLocality}], enabled: [{name: PodTopologySpread, weight: 4}]}}",
        );
        assert_eq!(p.weight(ScorePlugin::ImageLocality), None);
        assert_eq!(p.weight(ScorePlugin::PodTopologySpread), Some(4));
        assert_eq!(p.weight(ScorePlugin::TaintToleration), Some(3));
    }

    #[test]
    fn plugin_config_sets_the_strategy_and_preemption() {
        let (p, errs) = compile_yaml(
            "plugins: {postFilter: {disabled: [{name: DefaultPreemption}]}}\npluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: RequestedToCapacityRatio\n        resources: [{name: cpu, weight: 3}, {name: memory}]\n        requestedToCapacityRatio: {shape: [{utilization: 0, score: 0}, {utilization: 100, score: 10}]}\n",
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(p.preemption, None);
        assert_eq!(p.scoring_strategy.kind, ScoringType::RequestedToCapacityRatio);
        assert_eq!(p.scoring_strategy.resources[1], ResourceSpec { name: "memory".into(), weight: 1 });
        assert_eq!(p.scoring_strategy.shape.len(), 2);
    }

    #[test]
    fn bad_profiles_are_reported_with_their_paths() {
        let cases: &[(&str, &str)] = &[
            (
                "percentageOfNodesToScore: 101",
                "scheduler.percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]",
            ),
            (
                "plugins: {score: {enabled: [{name: Spread}]}}",
                "scheduler.plugins.score.enabled[0].name: Unsupported value: \"Spread\"",
            ),
            (
                "plugins: {score: {enabled: [{name: NodeAffinity, weight: -2}]}}",
                "scheduler.plugins.score.enabled[0].weight: Invalid value: -2",
            ),
            ("plugins: {score: {disabled: [{name: Nope}]}}", "supported values: \"TaintToleration\""),
            (
                "plugins: {postFilter: {disabled: [{name: Other}]}}",
                "scheduler.plugins.postFilter.disabled[0].name: Unsupported value: \"Other\"",
            ),
            (
                "pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: Biggest}}}]",
                "scheduler.pluginConfig[0].args.scoringStrategy.type: Unsupported value: \"Biggest\": supported values: \"LeastAllocated\", \"MostAllocated\", \"RequestedToCapacityRatio\"",
            ),
            (
                "pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: MostAllocated, resources: [{name: cpu, weight: 101}]}}}]",
                "scheduler.pluginConfig[0].args.scoringStrategy.resources[0].weight: Invalid value: 101: resource weight of cpu not in valid range (0, 100]",
            ),
            (
                "pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio}}}]",
                "scheduler.pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio: Required value: must be specified when type is RequestedToCapacityRatio",
            ),
            (
                "pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 50, score: 1}, {utilization: 40, score: 11}]}}}}]",
                "scheduler.pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio.shape[1].utilization: Invalid value: 40: values must be sorted in increasing order",
            ),
            (
                "pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 50, score: 11}]}}}}]",
                "shape[0].score: Invalid value: 11: not in valid range [0, 10]",
            ),
            (
                "pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: MostAllocated, requestedToCapacityRatio: {shape: []}}}}]",
                "requestedToCapacityRatio: Forbidden: must be nil when type is not RequestedToCapacityRatio",
            ),
            (
                "pluginConfig: [{name: NodeResourcesFit, args: {scoringStrtegy: {}}}]",
                "scheduler.pluginConfig[0].args: unknown field `scoringStrtegy`",
            ),
            (
                "pluginConfig: [{name: DefaultPreemption, args: {minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0}}]",
                "minCandidateNodesAbsolute: Invalid value: 0: cannot be zero at the same time as minCandidateNodesPercentage",
            ),
            (
                "pluginConfig: [{name: DefaultPreemption}, {name: DefaultPreemption}]",
                "scheduler.pluginConfig[1]: Duplicate value: \"DefaultPreemption\"",
            ),
            (
                "pluginConfig: [{name: ImageLocality}]",
                "scheduler.pluginConfig[0].name: Unsupported value: \"ImageLocality\"",
            ),
        ];
        for (text, want) in cases {
            let (_, errs) = compile_yaml(text);
            assert!(errs.iter().any(|e| e.contains(want)), "{text}: {errs:?} lacks {want:?}");
        }
    }
}

//! The scheduler profile: which score plugins run, with which weights and
//! NodeResourcesFit scoring strategy, and DefaultPreemption's arguments — the part of
//! `KubeSchedulerConfiguration` (`staging/src/k8s.io/kube-scheduler/config/v1/types*.go`)
//! that changes where pods go. Built from the scenario's `scheduler:` key
//! (`scenario::scheduler`); the defaults are kube-scheduler's own.

/// The score plugins podsim knows, in the order of kube-scheduler's default MultiPoint set
/// (`pkg/scheduler/apis/config/v1/default_plugins.go`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScorePlugin {
    TaintToleration,
    NodeAffinity,
    NodeResourcesFit,
    PodTopologySpread,
    InterPodAffinity,
    NodeResourcesBalancedAllocation,
    ImageLocality,
}

impl ScorePlugin {
    pub const ALL: [ScorePlugin; 7] = [
        ScorePlugin::TaintToleration,
        ScorePlugin::NodeAffinity,
        ScorePlugin::NodeResourcesFit,
        ScorePlugin::PodTopologySpread,
        ScorePlugin::InterPodAffinity,
        ScorePlugin::NodeResourcesBalancedAllocation,
        ScorePlugin::ImageLocality,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ScorePlugin::TaintToleration => "TaintToleration",
            ScorePlugin::NodeAffinity => "NodeAffinity",
            ScorePlugin::NodeResourcesFit => "NodeResourcesFit",
            ScorePlugin::PodTopologySpread => "PodTopologySpread",
            ScorePlugin::InterPodAffinity => "InterPodAffinity",
            ScorePlugin::NodeResourcesBalancedAllocation => "NodeResourcesBalancedAllocation",
            ScorePlugin::ImageLocality => "ImageLocality",
        }
    }

    pub fn parse(name: &str) -> Option<ScorePlugin> {
        ScorePlugin::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The weight kube-scheduler's default profile gives the plugin.
    pub fn default_weight(self) -> i64 {
        match self {
            ScorePlugin::TaintToleration => 3,
            ScorePlugin::NodeAffinity | ScorePlugin::PodTopologySpread | ScorePlugin::InterPodAffinity => 2,
            ScorePlugin::NodeResourcesFit
            | ScorePlugin::NodeResourcesBalancedAllocation
            | ScorePlugin::ImageLocality => 1,
        }
    }
}

/// `ScoringStrategyType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoringType {
    LeastAllocated,
    MostAllocated,
    RequestedToCapacityRatio,
}

impl ScoringType {
    pub const NAMES: [&'static str; 3] = ["LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"];

    pub fn parse(s: &str) -> Option<ScoringType> {
        Some(match s {
            "LeastAllocated" => ScoringType::LeastAllocated,
            "MostAllocated" => ScoringType::MostAllocated,
            "RequestedToCapacityRatio" => ScoringType::RequestedToCapacityRatio,
            _ => return None,
        })
    }
}

/// `ResourceSpec`: a resource and its weight in the NodeResourcesFit score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceSpec {
    pub name: String,
    pub weight: i64,
}

/// `MaxCustomPriorityScore`: the top of a shape point's score (scaled ×10 when scoring).
pub const MAX_CUSTOM_PRIORITY_SCORE: i64 = 10;

/// `UtilizationShapePoint`: utilisation 0–100 and score 0–10 (`MaxCustomPriorityScore`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShapePoint {
    pub utilization: i64,
    pub score: i64,
}

/// NodeResourcesFit's `scoringStrategy`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoringStrategy {
    pub kind: ScoringType,
    pub resources: Vec<ResourceSpec>,
    /// `requestedToCapacityRatio.shape` (RequestedToCapacityRatio only).
    pub shape: Vec<ShapePoint>,
}

impl Default for ScoringStrategy {
    /// `SetDefaults_NodeResourcesFitArgs`: LeastAllocated over cpu and memory, weight 1.
    fn default() -> Self {
        ScoringStrategy { kind: ScoringType::LeastAllocated, resources: default_resources(), shape: Vec::new() }
    }
}

/// `defaultResourceSpec`: cpu and memory, weight 1 each.
pub fn default_resources() -> Vec<ResourceSpec> {
    vec![ResourceSpec { name: "cpu".into(), weight: 1 }, ResourceSpec { name: "memory".into(), weight: 1 }]
}

/// `DefaultPreemptionArgs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreemptionArgs {
    pub min_candidate_nodes_percentage: i64,
    pub min_candidate_nodes_absolute: i64,
}

impl Default for PreemptionArgs {
    /// `SetDefaults_DefaultPreemptionArgs`: 10% and 100.
    fn default() -> Self {
        PreemptionArgs { min_candidate_nodes_percentage: 10, min_candidate_nodes_absolute: 100 }
    }
}

/// One scheduler profile, compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulerProfile {
    /// 0: adaptive (`numFeasibleNodesToFind`).
    pub percentage_of_nodes_to_score: u32,
    pub scoring_strategy: ScoringStrategy,
    /// Enabled score plugins and their weights, in `ScorePlugin::ALL` order.
    pub score_plugins: Vec<(ScorePlugin, i64)>,
    /// `None`: the DefaultPreemption post-filter is disabled.
    pub preemption: Option<PreemptionArgs>,
    /// The simulated time one scheduling cycle holds the scheduler, in microseconds
    /// (podsim's `cycleDuration`, not a Kubernetes setting); 0: cycles take no time.
    pub cycle_micros: u64,
}

impl Default for SchedulerProfile {
    fn default() -> Self {
        SchedulerProfile {
            percentage_of_nodes_to_score: 0,
            scoring_strategy: ScoringStrategy::default(),
            score_plugins: ScorePlugin::ALL.into_iter().map(|p| (p, p.default_weight())).collect(),
            preemption: Some(PreemptionArgs::default()),
            cycle_micros: 0,
        }
    }
}

impl SchedulerProfile {
    /// The plugin's weight, or `None` when it is disabled.
    pub fn weight(&self, plugin: ScorePlugin) -> Option<i64> {
        self.score_plugins.iter().find(|(p, _)| *p == plugin).map(|(_, w)| *w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_kube_schedulers() {
        let p = SchedulerProfile::default();
        assert_eq!(p.weight(ScorePlugin::TaintToleration), Some(3));
        assert_eq!(p.weight(ScorePlugin::NodeAffinity), Some(2));
        assert_eq!(p.weight(ScorePlugin::PodTopologySpread), Some(2));
        assert_eq!(p.weight(ScorePlugin::InterPodAffinity), Some(2));
        assert_eq!(p.weight(ScorePlugin::NodeResourcesFit), Some(1));
        assert_eq!(p.weight(ScorePlugin::NodeResourcesBalancedAllocation), Some(1));
        assert_eq!(p.weight(ScorePlugin::ImageLocality), Some(1));
        assert_eq!(p.scoring_strategy.kind, ScoringType::LeastAllocated);
        assert_eq!(
            p.preemption,
            Some(PreemptionArgs { min_candidate_nodes_percentage: 10, min_candidate_nodes_absolute: 100 })
        );
    }

    #[test]
    fn names_round_trip() {
        for p in ScorePlugin::ALL {
            assert_eq!(ScorePlugin::parse(p.name()), Some(p));
        }
    }
}

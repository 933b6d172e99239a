//! PriorityClasses and the `Priority` admission plugin.

use crate::sim::Simulation;
use std::collections::BTreeMap;

/// The classes every cluster has (`pkg/apis/scheduling/types.go`).
pub fn builtin_classes() -> BTreeMap<String, (i32, bool)> {
    [("system-cluster-critical", 2_000_000_000), ("system-node-critical", 2_000_001_000)]
        .into_iter()
        .map(|(n, v)| (n.to_string(), (v, false)))
        .collect()
}

impl Simulation {
    pub(crate) fn create_priority_class(&mut self, pc: &crate::api::scheduling::PriorityClass) {
        let never = pc.preemption_policy.as_deref() == Some("Never");
        self.priority_classes.insert(pc.metadata.name.clone(), (pc.value, never));
        if pc.global_default == Some(true) {
            self.default_priority_class = Some(pc.metadata.name.clone());
        }
    }

    /// The pod's priority from its class (or the global default class, or 0). A class
    /// that does not exist makes the API server refuse the pod.
    pub(crate) fn admit_priority(&mut self, template: &crate::cluster::template::PodTemplate) -> Option<i32> {
        let class = template.spec.priority_class_name.clone().or_else(|| self.default_priority_class.clone());
        match class {
            None => Some(template.spec.priority.unwrap_or(0)),
            Some(name) => {
                match self.priority_classes.get(&name) {
                    Some((value, _)) => Some(*value),
                    None => {
                        self.warn_once(format!("pods with priorityClassName {name:?} were refused: no PriorityClass with name {name} was found"));
                        None
                    }
                }
            }
        }
    }
}

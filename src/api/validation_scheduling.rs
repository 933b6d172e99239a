//! The API server's validation of what a pod asks of scheduling: its node selector,
//! node and pod (anti-)affinity, topology spread constraints and container ports'
//! protocols, with upstream's messages (k8s.io/kubernetes
//! pkg/apis/core/validation/validation.go: `ValidatePodSpec`, `validateAffinity`,
//! `ValidateNodeSelectorRequirement`, `validateTopologySpreadConstraints`,
//! `validateContainerPorts`). A lowercase `operator: in` or `whenUnsatisfiable:
//! donotschedule` is refused here rather than matching nothing in the scheduler.

use super::errors::{FieldError, FieldPath};
use super::pod::{
    Affinity, ContainerPort, NodeAffinity, NodeSelector, NodeSelectorTerm, PodAffinity, PodAffinityTerm, PodSpec,
    TopologySpreadConstraint,
};
use super::validation::{DNS1123_LABEL_MSG, DNS1123_SUBDOMAIN_MSG, is_dns1123_label, is_dns1123_subdomain};
use super::validation_batch::job::{validate_label_selector, validate_labels};
use crate::labels::{NodeSelectorOperator, NodeSelectorRequirement, is_qualified_name, is_valid_label_value};

/// `supportedPortProtocols`, sorted as `sets.List` gives them.
const PORT_PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];
/// `supportedScheduleActions`, sorted.
const SCHEDULE_ACTIONS: &[&str] = &["DoNotSchedule", "ScheduleAnyway"];
/// `supportedPodTopologySpreadNodePolicies`, sorted.
const NODE_INCLUSION_POLICIES: &[&str] = &["Honor", "Ignore"];

/// The parts of `ValidatePodSpec` this module holds, each at its field.
pub fn validate_scheduling(spec: &PodSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    validate_labels(&spec.node_selector, &path.child("nodeSelector"), errs);
    if let Some(affinity) = &spec.affinity {
        validate_affinity(affinity, &path.child("affinity"), errs);
    }
    validate_topology_spread(&spec.topology_spread_constraints, &path.child("topologySpreadConstraints"), errs);
}

/// `validateContainerPorts`: the protocol, when given, is one Kubernetes knows (the
/// empty protocol is defaulted to TCP before validation).
pub fn validate_port_protocols(ports: &[ContainerPort], path: &FieldPath, errs: &mut Vec<FieldError>) {
    for (i, port) in ports.iter().enumerate() {
        if let Some(protocol) = port.protocol.as_deref().filter(|p| !p.is_empty() && !PORT_PROTOCOLS.contains(p)) {
            errs.push(FieldError::unsupported(path.index(i).child("protocol"), protocol, PORT_PROTOCOLS));
        }
    }
}

fn validate_affinity(affinity: &Affinity, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if let Some(na) = &affinity.node_affinity {
        validate_node_affinity(na, &path.child("nodeAffinity"), errs);
    }
    if let Some(pa) = &affinity.pod_affinity {
        validate_pod_affinity(pa, &path.child("podAffinity"), errs);
    }
    if let Some(anti) = &affinity.pod_anti_affinity {
        validate_pod_affinity(anti, &path.child("podAntiAffinity"), errs);
    }
}

/// `validateNodeAffinity`: label values in required terms must be valid label values;
/// preferred terms may hold any (they can still succeed on a one-node cluster).
fn validate_node_affinity(na: &NodeAffinity, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if let Some(required) = &na.required_during_scheduling_ignored_during_execution {
        validate_node_selector(required, &path.child("requiredDuringSchedulingIgnoredDuringExecution"), errs);
    }
    let preferred = path.child("preferredDuringSchedulingIgnoredDuringExecution");
    for (i, term) in na.preferred_during_scheduling_ignored_during_execution.iter().enumerate() {
        check_weight(term.weight, &preferred.index(i), errs);
        validate_node_selector_term(&term.preference, true, &preferred.index(i).child("preference"), errs);
    }
}

/// `ValidateNodeSelector`.
pub(crate) fn validate_node_selector(selector: &NodeSelector, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let terms = path.child("nodeSelectorTerms");
    if selector.node_selector_terms.is_empty() {
        errs.push(FieldError::required_because(terms, "must have at least one node selector term"));
        return;
    }
    for (i, term) in selector.node_selector_terms.iter().enumerate() {
        validate_node_selector_term(term, false, &terms.index(i), errs);
    }
}

/// `ValidateNodeSelectorTerm`.
fn validate_node_selector_term(term: &NodeSelectorTerm, any_value: bool, path: &FieldPath, errs: &mut Vec<FieldError>) {
    for (j, req) in term.match_expressions.iter().enumerate() {
        validate_node_selector_requirement(req, any_value, &path.child("matchExpressions").index(j), errs);
    }
    for (j, req) in term.match_fields.iter().enumerate() {
        validate_node_field_selector_requirement(req, &path.child("matchFields").index(j), errs);
    }
}

/// `ValidateNodeSelectorRequirement`: an operator Kubernetes does not know is an
/// invalid value (not an unsupported one, unlike tolerations).
fn validate_node_selector_requirement(
    req: &NodeSelectorRequirement,
    any_value: bool,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    let values = path.child("values");
    let n = req.values.len();
    match &req.operator {
        NodeSelectorOperator::In | NodeSelectorOperator::NotIn if n == 0 => errs
            .push(FieldError::required_because(values.clone(), "must be specified when `operator` is 'In' or 'NotIn'")),
        NodeSelectorOperator::Exists | NodeSelectorOperator::DoesNotExist if n > 0 => errs.push(FieldError::forbidden(
            values.clone(),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        )),
        NodeSelectorOperator::Gt | NodeSelectorOperator::Lt if n != 1 => errs.push(FieldError::required_because(
            values.clone(),
            "must be specified single value when `operator` is 'Lt' or 'Gt'",
        )),
        NodeSelectorOperator::Unknown(op) => {
            errs.push(FieldError::invalid(path.child("operator"), op, "not a valid selector operator"))
        }
        _ => {}
    }
    validate_label_name(&req.key, &path.child("key"), errs);
    if !any_value {
        for (i, value) in req.values.iter().enumerate() {
            for msg in is_valid_label_value(value) {
                errs.push(FieldError::invalid(values.index(i), value, &msg));
            }
        }
    }
}

/// `ValidateNodeFieldSelectorRequirement`: `metadata.name` In or NotIn one node name.
fn validate_node_field_selector_requirement(
    req: &NodeSelectorRequirement,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    match &req.operator {
        NodeSelectorOperator::In | NodeSelectorOperator::NotIn => {
            if req.values.len() != 1 {
                errs.push(FieldError::required_because(
                    path.child("values"),
                    "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                ));
            }
        }
        other => {
            let op: String = other.clone().into();
            errs.push(FieldError::invalid(path.child("operator"), op, "not a valid selector operator"));
        }
    }
    if req.key != "metadata.name" {
        errs.push(FieldError::invalid(path.child("key"), &req.key, "not a valid field selector key"));
        return;
    }
    for (i, value) in req.values.iter().enumerate() {
        if !is_dns1123_subdomain(value) {
            errs.push(FieldError::invalid(path.child("values").index(i), value, DNS1123_SUBDOMAIN_MSG));
        }
    }
}

/// `validatePodAffinity` and `validatePodAntiAffinity` (the same shape).
fn validate_pod_affinity(pa: &PodAffinity, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let required = path.child("requiredDuringSchedulingIgnoredDuringExecution");
    for (i, term) in pa.required_during_scheduling_ignored_during_execution.iter().enumerate() {
        validate_pod_affinity_term(term, &required.index(i), errs);
    }
    let preferred = path.child("preferredDuringSchedulingIgnoredDuringExecution");
    for (j, weighted) in pa.preferred_during_scheduling_ignored_during_execution.iter().enumerate() {
        check_weight(weighted.weight, &preferred.index(j), errs);
        validate_pod_affinity_term(&weighted.pod_affinity_term, &preferred.index(j).child("podAffinityTerm"), errs);
    }
}

/// `validatePodAffinityTerm`: both selectors, the namespaces (reported at
/// `namespace`, as upstream does), and a topology key that is a label name.
fn validate_pod_affinity_term(term: &PodAffinityTerm, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if let Some(s) = &term.label_selector {
        validate_label_selector(s, &path.child("labelSelector"), errs);
    }
    if let Some(s) = &term.namespace_selector {
        validate_label_selector(s, &path.child("namespaceSelector"), errs);
    }
    for name in &term.namespaces {
        if !is_dns1123_label(name) {
            errs.push(FieldError::invalid(path.child("namespace"), name, DNS1123_LABEL_MSG));
        }
    }
    let key = path.child("topologyKey");
    if term.topology_key.is_empty() {
        errs.push(FieldError::required_because(key.clone(), "can not be empty"));
    }
    validate_label_name(&term.topology_key, &key, errs);
}

/// The weight of a preferred term, 1 to 100.
fn check_weight(weight: i32, term: &FieldPath, errs: &mut Vec<FieldError>) {
    if !(1..=100).contains(&weight) {
        errs.push(FieldError::invalid_number(term.child("weight"), weight.into(), "must be in the range 1-100"));
    }
}

/// `validateTopologySpreadConstraints`, for the fields podsim reads.
fn validate_topology_spread(constraints: &[TopologySpreadConstraint], path: &FieldPath, errs: &mut Vec<FieldError>) {
    for (i, c) in constraints.iter().enumerate() {
        let p = path.index(i);
        if c.max_skew <= 0 {
            errs.push(FieldError::invalid_number(p.child("maxSkew"), c.max_skew.into(), "must be greater than zero"));
        }
        if c.topology_key.is_empty() {
            errs.push(FieldError::required_because(p.child("topologyKey"), "can not be empty"));
        }
        if !SCHEDULE_ACTIONS.contains(&c.when_unsatisfiable.as_str()) {
            errs.push(FieldError::unsupported(p.child("whenUnsatisfiable"), &c.when_unsatisfiable, SCHEDULE_ACTIONS));
        }
        // The pair {topologyKey, whenUnsatisfiable} names one kind of constraint.
        if constraints[i + 1..]
            .iter()
            .any(|o| o.topology_key == c.topology_key && o.when_unsatisfiable == c.when_unsatisfiable)
        {
            let pair = format!("{{{}, {}}}", c.topology_key, c.when_unsatisfiable);
            errs.push(FieldError::duplicate(p.child("{topologyKey, whenUnsatisfiable}"), &pair));
        }
        validate_min_domains(c, &p.child("minDomains"), errs);
        for (policy, field) in
            [(&c.node_affinity_policy, "nodeAffinityPolicy"), (&c.node_taints_policy, "nodeTaintsPolicy")]
        {
            if let Some(v) = policy.as_deref().filter(|v| !NODE_INCLUSION_POLICIES.contains(v)) {
                errs.push(FieldError::unsupported(p.child(field), v, NODE_INCLUSION_POLICIES));
            }
        }
        if let Some(s) = &c.label_selector {
            validate_label_selector(s, &p.child("labelSelector"), errs);
        }
    }
}

/// `validateMinDomains`: positive, and only with `DoNotSchedule`.
fn validate_min_domains(c: &TopologySpreadConstraint, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let Some(min) = c.min_domains else { return };
    if min <= 0 {
        errs.push(FieldError::invalid_number(path.clone(), min.into(), "must be greater than zero"));
    }
    if c.when_unsatisfiable != "DoNotSchedule" {
        let why = format!("can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {}", c.when_unsatisfiable);
        errs.push(FieldError::invalid_number(path.clone(), min.into(), &why));
    }
}

/// `ValidateLabelName`: a qualified name.
fn validate_label_name(key: &str, path: &FieldPath, errs: &mut Vec<FieldError>) {
    for msg in is_qualified_name(key) {
        errs.push(FieldError::invalid(path.clone(), key, &msg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::pod::Pod;

    fn errors_of(spec_yaml: &str) -> Vec<String> {
        let pod: Pod = serde_saphyr::from_str(&format!("spec:\n{spec_yaml}")).unwrap();
        let mut errs = Vec::new();
        validate_scheduling(&pod.spec, &FieldPath::root("spec"), &mut errs);
        for (i, c) in pod.spec.containers.iter().enumerate() {
            validate_port_protocols(
                &c.ports,
                &FieldPath::root("spec").child("containers").index(i).child("ports"),
                &mut errs,
            );
        }
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn refuses_lowercase_operators_and_policies_with_upstream_messages() {
        let na = errors_of(
            "  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: in, values: [a]}]}]}}}\n",
        );
        assert_eq!(
            na,
            [
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: \"in\": not a valid selector operator"
            ]
        );
        let pa = errors_of(
            "  affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 0, podAffinityTerm: {topologyKey: zone, labelSelector: {matchExpressions: [{key: app, operator: notin, values: [a]}]}}}]}}\n",
        );
        assert_eq!(
            pa,
            [
                "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100",
                "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchExpressions[0].operator: Invalid value: \"notin\": not a valid selector operator",
            ]
        );
        let tsc = errors_of(
            "  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: donotschedule, nodeTaintsPolicy: honor}]\n",
        );
        assert_eq!(
            tsc,
            [
                "spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: \"donotschedule\": supported values: \"DoNotSchedule\", \"ScheduleAnyway\"",
                "spec.topologySpreadConstraints[0].nodeTaintsPolicy: Unsupported value: \"honor\": supported values: \"Honor\", \"Ignore\"",
            ]
        );
        let ports = errors_of("  containers: [{name: c, ports: [{containerPort: 80, protocol: tcp}]}]\n");
        assert_eq!(
            ports,
            [
                "spec.containers[0].ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\""
            ]
        );
    }

    #[test]
    fn checks_node_selector_labels_values_and_terms() {
        let errs = errors_of(
            "  nodeSelector: {zone: \"-a\"}\n  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}, preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, preference: {matchExpressions: [{key: zone, operator: In, values: [\"-a\"]}]}}]}}\n",
        );
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].starts_with("spec.nodeSelector: Invalid value: \"-a\": a valid label must be"), "{errs:?}");
        assert_eq!(
            errs[1],
            "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term"
        );
        let fine = errors_of(
            "  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: cpu, operator: Gt, values: [\"4\"]}], matchFields: [{key: metadata.name, operator: In, values: [node-1]}]}]}}}\n  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, minDomains: 2, nodeAffinityPolicy: Honor}]\n",
        );
        assert!(fine.is_empty(), "{fine:?}");
    }
}

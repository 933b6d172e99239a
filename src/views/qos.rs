//! The pod's QoS class (`kubectl/pkg/util/qos/qos.go`, the same rule the API server
//! applies when it sets `status.qosClass`).

use crate::api::pod::{Container, PodSpec};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    BestEffort,
    Burstable,
    Guaranteed,
}

/// `GetPodQOS`: pod-level resources alone when set; else every init and regular
/// container: all without requests and limits is BestEffort; cpu and memory limits
/// equal to requests (and set) everywhere is Guaranteed; anything else Burstable.
pub fn qos_class(spec: &PodSpec) -> &'static str {
    let class = match &spec.resources {
        Some(r) if !r.is_empty() => of_resources(&r.requests, &r.limits),
        _ => {
            let classes: Vec<Class> = spec.init_containers.iter().chain(&spec.containers).map(of_container).collect();
            combine(&classes)
        }
    };
    match class {
        Class::BestEffort => "BestEffort",
        Class::Burstable => "Burstable",
        Class::Guaranteed => "Guaranteed",
    }
}

fn of_container(c: &Container) -> Class {
    of_resources(&c.resources.requests, &c.resources.limits)
}

fn of_resources(requests: &crate::api::ResourceList, limits: &crate::api::ResourceList) -> Class {
    fn nonzero<'a>(list: &'a crate::api::ResourceList, name: &str) -> Option<&'a crate::api::Quantity> {
        list.get(name).filter(|q| q.milli_value() != 0)
    }
    let compute = ["cpu", "memory"];
    if compute.iter().all(|r| nonzero(requests, r).is_none() && nonzero(limits, r).is_none()) {
        return Class::BestEffort;
    }
    let guaranteed = compute.iter().all(|r| match (nonzero(requests, r), nonzero(limits, r)) {
        (Some(req), Some(lim)) => req.milli_value() == lim.milli_value(),
        // A limit without a request defaults the request to the limit.
        (None, Some(_)) => true,
        _ => false,
    });
    if guaranteed { Class::Guaranteed } else { Class::Burstable }
}

fn combine(classes: &[Class]) -> Class {
    if classes.is_empty() || classes.iter().all(|c| *c == Class::BestEffort) {
        return Class::BestEffort;
    }
    if classes.iter().all(|c| *c == Class::Guaranteed) { Class::Guaranteed } else { Class::Burstable }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> PodSpec {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn classes() {
        assert_eq!(qos_class(&spec("containers: [{name: a}]")), "BestEffort");
        assert_eq!(qos_class(&spec("containers: [{name: a, resources: {requests: {cpu: 100m}}}]")), "Burstable");
        assert_eq!(
            qos_class(&spec(
                "containers: [{name: a, resources: {requests: {cpu: 1, memory: 1Gi}, limits: {cpu: 1, memory: 1Gi}}}]"
            )),
            "Guaranteed"
        );
        assert_eq!(
            qos_class(&spec("containers: [{name: a, resources: {limits: {cpu: 1, memory: 1Gi}}}, {name: b}]")),
            "Burstable"
        );
    }
}

//! A Service as the cluster holds it: the API object with its ClusterIP, and beside it
//! what the EndpointSlice controller keeps for it (the pods its selector matches, its
//! EndpointSlices, its sync timer) and what its availability is measured from.

use super::PodId;
use super::network::Ipv4;
use crate::engine::{SimTime, Timer};
use std::collections::BTreeMap;
use std::sync::Arc;

pub type ServiceId = super::slab::Id;

#[derive(Clone, Debug)]
pub struct Service {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    /// The defaulted object, `clusterIP(s)` and node ports filled in.
    pub api: Arc<crate::api::service::Service>,
    pub created: SimTime,
    /// The selector the EndpointSlice controller follows (`None`: it manages no slices).
    pub selector: Option<Arc<BTreeMap<String, String>>>,
    /// `None` for headless and ExternalName Services.
    pub cluster_ip: Option<Ipv4>,
    pub node_ports: Vec<u32>,
    pub publish_not_ready: bool,
    /// The EndpointSlice controller's state.
    pub endpoints: EndpointState,
    /// What `services.csv` last said, and the availability measured from it.
    pub availability: Availability,
}

/// What the EndpointSlice controller keeps for one Service: the pods its selector
/// matches (by uid, so in order of creation), its slices, and its pending sync.
#[derive(Clone, Debug, Default)]
pub struct EndpointState {
    pub members: BTreeMap<u64, PodId>,
    pub slices: Vec<EndpointSlice>,
    pub sync: Timer,
    pub sync_pending: bool,
}

/// A `discovery.k8s.io/v1` EndpointSlice the controller manages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointSlice {
    pub uid: u64,
    pub name: Arc<str>,
    pub created: SimTime,
    pub ports: Vec<EndpointPort>,
    pub endpoints: Vec<Endpoint>,
}

/// `discovery.EndpointPort`: the Service port's name, the pod's port number (`None`
/// when a named target port is not among the pod's), protocol.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EndpointPort {
    pub name: String,
    pub port: Option<i32>,
    pub protocol: String,
    pub app_protocol: Option<String>,
}

/// `discovery.Endpoint` for one pod (`podToEndpoint`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub ip: Ipv4,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
    pub hostname: Option<Arc<str>>,
    pub node: Arc<str>,
    pub zone: Option<Arc<str>>,
    /// `targetRef`: the pod.
    pub pod: PodId,
    pub pod_uid: u64,
    pub pod_name: Arc<str>,
}

impl Endpoint {
    /// What `EndpointSet` tells endpoints apart by (`hashEndpoint`, `endpointset.go`):
    /// the addresses, the hostname and the pod.
    pub fn same(&self, other: &Endpoint) -> bool {
        self.ip == other.ip && self.hostname == other.hostname && self.pod_name == other.pod_name
    }
}

/// A Service's backends at an instant (a row of `services.csv`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Backends {
    pub desired: u32,
    pub endpoints: u32,
    pub ready: u32,
    pub serving: u32,
    pub terminating: u32,
}

/// The time integrals of a Service's availability since it was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Availability {
    pub last: Backends,
    /// A row of `services.csv` was written for the Service.
    pub reported: bool,
    /// When `last` began.
    pub since: SimTime,
    /// Time with at least one ready endpoint.
    pub any_ready_ms: u64,
    /// Time with every desired backend ready (`ready >= desired`).
    pub all_ready_ms: u64,
    /// When the current outage (no ready endpoint) began: a Service begins in one,
    /// until its first endpoint is ready.
    pub outage_since: Option<SimTime>,
    pub longest_outage_ms: u64,
    /// Outages that lasted some time and are over.
    pub outages_over: u64,
}

impl Availability {
    /// A Service is created: no backend is ready yet.
    pub fn new(now: SimTime) -> Availability {
        Availability { since: now, outage_since: Some(now), ..Default::default() }
    }

    /// Accounts the time since the last change, then takes `now` as the new state.
    pub fn advance(&mut self, now: SimTime, next: Backends) {
        self.settle(now);
        match (self.last.ready > 0, next.ready > 0) {
            (true, false) => self.outage_since = Some(now),
            (false, true) => {
                if let Some(start) = self.outage_since.take()
                    && now > start
                {
                    self.longest_outage_ms = self.longest_outage_ms.max(now.since(start));
                    self.outages_over += 1;
                }
            }
            _ => {}
        }
        self.last = next;
    }

    /// Accounts the time up to `now` without a change (the end of the run, deletion).
    pub fn settle(&mut self, now: SimTime) {
        let span = now.since(self.since);
        if self.last.ready > 0 {
            self.any_ready_ms += span;
        }
        if self.last.ready >= self.last.desired {
            self.all_ready_ms += span;
        }
        self.since = now;
    }

    /// The longest outage, the one still going at `now` included.
    pub fn longest_outage(&self, now: SimTime) -> u64 {
        self.longest_outage_ms.max(self.outage_since.map_or(0, |s| now.since(s)))
    }

    /// Outages that lasted some time, the one still going at `now` included.
    pub fn outages(&self, now: SimTime) -> u64 {
        self.outages_over + u64::from(self.outage_since.is_some_and(|s| now > s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availability_integrates_over_time() {
        let b = |desired, ready| Backends { desired, ready, endpoints: ready, ..Default::default() };
        let mut a = Availability::new(SimTime::from_ms(1_000));
        a.advance(SimTime::from_ms(3_000), b(2, 0)); // desired known, nothing ready: outage goes on
        a.advance(SimTime::from_ms(5_000), b(2, 1)); // one ready: outage of 4 s ends
        a.advance(SimTime::from_ms(8_000), b(2, 2)); // all ready
        a.advance(SimTime::from_ms(10_000), b(2, 0)); // both gone: a second outage
        a.advance(SimTime::from_ms(11_000), b(2, 2));
        a.settle(SimTime::from_ms(20_000));
        assert_eq!(a.any_ready_ms, 3_000 + 2_000 + 9_000);
        // Before 3 s nothing is desired yet (0 >= 0): that counts as all ready.
        assert_eq!(a.all_ready_ms, 2_000 + 2_000 + 9_000);
        assert_eq!(a.longest_outage(SimTime::from_ms(20_000)), 4_000);
        assert_eq!(a.outages(SimTime::from_ms(20_000)), 2);
        let mut instant = Availability::new(SimTime::from_ms(0));
        instant.advance(SimTime::from_ms(0), b(1, 1));
        assert_eq!(
            (instant.outages(SimTime::from_ms(9)), instant.longest_outage(SimTime::from_ms(9))),
            (0, 0),
            "never without endpoints"
        );
    }
}

//! The cases of `volume_binding_test.go` TestVolumeBinding (testdata/kubernetes/storage.json,
//! group 4), and podsim's own of the scheduler's path (delayed claims matched per node).

use super::*;
use crate::api::pod::{NodeSelector, NodeSelectorTerm};
use crate::api::storage::AccessModes;
use crate::cluster::template::RequiredNodeAffinity;
use crate::controllers::persistentvolume::matching::tests::bytes;
use crate::labels::{NodeSelectorOperator, NodeSelectorRequirement};
use serde_json::Value;

struct TestClaim {
    name: String,
    class: String,
    request: i128,
    volume_name: String,
    bound: bool,
    lost: bool,
    selected_node: Option<String>,
}

struct TestVolume {
    name: String,
    class: String,
    capacity: i128,
    affinity: Option<RequiredNodeAffinity>,
    claim: Option<String>,
    labels: BTreeMap<String, String>,
}

#[derive(Default)]
struct World {
    claims: Vec<TestClaim>,
    volumes: Vec<TestVolume>,
    classes: BTreeMap<String, StorageClass>,
}

const RWO: &str = "ReadWriteOnce";

fn modes() -> AccessModes {
    AccessModes::from_names(&[RWO.to_string()])
}

impl Listers for World {
    fn claim(&self, _namespace: &str, name: &str) -> Option<Claim<'_>> {
        let c = self.claims.iter().find(|c| c.name == name)?;
        Some(Claim {
            facts: ClaimFacts {
                namespace: "",
                name: &c.name,
                uid: 0,
                request: c.request,
                modes: modes(),
                block: false,
                class: &c.class,
                selector: None,
                attributes_class: "",
            },
            volume_name: &c.volume_name,
            bind_completed: c.bound,
            lost: c.lost,
            deleting: false,
            selected_node: c.selected_node.as_deref(),
            owner: None,
        })
    }

    fn volume(&self, name: &str) -> Option<VolumeFacts<'_>> {
        self.volumes.iter().find(|v| v.name == name).map(facts)
    }

    fn class(&self, name: &str) -> Option<&StorageClass> {
        self.classes.get(name)
    }

    fn class_volumes(&self, class: &str) -> Vec<VolumeFacts<'_>> {
        self.volumes.iter().filter(|v| v.class == class).map(facts).collect()
    }
}

fn facts(v: &TestVolume) -> VolumeFacts<'_> {
    VolumeFacts {
        name: &v.name,
        capacity: v.capacity,
        modes: modes(),
        block: false,
        class: &v.class,
        labels: &v.labels,
        claim_ref: v.claim.as_ref().map(|c| matching::ClaimRef { namespace: "", name: c, uid: None }),
        available: v.claim.is_none(),
        deleting: false,
        node_affinity: v.affinity.as_ref(),
        attributes_class: "",
    }
}

/// A PV's node affinity: `key In [values]` for each entry.
fn affinity(pairs: &[(&str, &[&str])]) -> RequiredNodeAffinity {
    let term = NodeSelectorTerm {
        match_expressions: pairs
            .iter()
            .map(|(k, vs)| NodeSelectorRequirement {
                key: k.to_string(),
                operator: NodeSelectorOperator::In,
                values: vs.iter().map(|v| v.to_string()).collect(),
            })
            .collect(),
        match_fields: Vec::new(),
    };
    RequiredNodeAffinity::of_selector(&NodeSelector { node_selector_terms: vec![term] })
}

fn class(name: &str, mode: &str, provisioner: &str) -> StorageClass {
    let mut c = StorageClass::default();
    c.metadata.name = name.into();
    c.volume_binding_mode = Some(mode.into());
    c.provisioner = provisioner.into();
    c
}

/// The classes of the upstream test: `immediate-sc`, and `wait-sc` without a provisioner.
fn upstream_classes() -> BTreeMap<String, StorageClass> {
    [class("immediate-sc", "Immediate", ""), class("wait-sc", "WaitForFirstConsumer", "")]
        .into_iter()
        .map(|c| (c.metadata.name.clone(), c))
        .collect()
}

fn read_world(case: &Value) -> World {
    let mut w = World { classes: upstream_classes(), ..Default::default() };
    for c in case["pvcs"].as_array().into_iter().flatten() {
        let phase = c["phase"].as_str().unwrap_or("");
        w.claims.push(TestClaim {
            name: c["name"].as_str().unwrap().into(),
            class: c["storageClass"].as_str().unwrap_or("").split(' ').next().unwrap().into(),
            request: bytes(c["request"].as_str().unwrap_or("1Gi")),
            volume_name: c["volumeName"].as_str().unwrap_or("").into(),
            bound: phase == "Bound" || c["boundAnnotation"].is_string(),
            lost: phase == "Lost",
            selected_node: None,
        });
    }
    for v in case["pvs"].as_array().into_iter().flatten() {
        let affinity = match (&v["nodeAffinity"], v["node"].as_str()) {
            (Value::Object(m), _) => {
                let pairs: Vec<(String, Vec<String>)> = m
                    .iter()
                    .map(|(k, vs)| {
                        (k.clone(), vs.as_array().unwrap().iter().map(|x| x.as_str().unwrap().into()).collect())
                    })
                    .collect();
                let borrowed: Vec<Vec<&str>> =
                    pairs.iter().map(|(_, vs)| vs.iter().map(String::as_str).collect()).collect();
                let pairs: Vec<(&str, &[&str])> =
                    pairs.iter().zip(&borrowed).map(|((k, _), vs)| (k.as_str(), &vs[..])).collect();
                Some(affinity(&pairs))
            }
            (_, Some(node)) => Some(affinity(&[("kubernetes.io/hostname", &[node])])),
            _ => None,
        };
        w.volumes.push(TestVolume {
            name: v["name"].as_str().unwrap().into(),
            class: if v["node"].is_string() { "wait-sc".into() } else { String::new() },
            capacity: bytes(v["capacity"].as_str().unwrap_or("1Gi")),
            affinity,
            claim: v["claimRef"].as_str().map(str::to_string),
            labels: BTreeMap::new(),
        });
    }
    w
}

fn node_labels(case: &Value, node: &str) -> BTreeMap<String, String> {
    let mut labels: BTreeMap<String, String> =
        serde_json::from_value(case["nodeLabels"][node].clone()).unwrap_or_default();
    labels.insert("kubernetes.io/hostname".into(), node.into());
    labels
}

#[test]
fn pods_volumes_follow_volume_binding_test() {
    let all: Value =
        serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kubernetes/storage.json")))
            .unwrap();
    let cases = all["4_scheduler_volumebinding"].as_array().unwrap();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let world = read_world(case);
        let claims: Vec<PodClaim> = case["pod"]["pvcs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| PodClaim { name: c.as_str().unwrap().into(), ephemeral: false })
            .collect();
        let pod = Pod { namespace: "", name: "pod-a", uid: 0, claims: &claims };
        let want_pre = &case["wantPreFilterStatus"];
        let state = match prefilter(&world, &pod) {
            Ok(None) => {
                assert_eq!(want_pre["code"], "Skip", "{name}");
                continue;
            }
            Err(message) => {
                assert_eq!(want_pre["code"], "UnschedulableAndUnresolvable", "{name}");
                assert_eq!(Some(message.as_str()), want_pre["message"].as_str(), "{name}");
                continue;
            }
            Ok(Some(state)) => state,
        };
        assert!(want_pre.is_null(), "{name}");
        let nodes: Vec<String> = match case["nodes"].as_array() {
            Some(n) => n.iter().map(|v| v.as_str().unwrap().into()).collect(),
            None => case["nodeLabels"].as_object().unwrap().keys().cloned().collect(),
        };
        let wants = case["wantFilterStatus"].as_array().unwrap();
        for (node, want) in nodes.iter().zip(wants) {
            let got = filter(&world, &pod, &state, node, &node_labels(case, node));
            match got {
                Ok(_) => assert!(want.is_null(), "{name} on {node}: passed, wanted {want}"),
                Err(conflicts) => {
                    assert_eq!(want["code"], "UnschedulableAndUnresolvable", "{name}");
                    // The cases are from 1.30-1.32, before the node conflict's rewording.
                    let got: Vec<&str> = conflicts.iter().map(|c| c.message(32)).collect();
                    let want: Vec<&str> =
                        want["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
                    assert_eq!(got, want, "{name} on {node}");
                }
            }
        }
    }
    assert_eq!(cases.len(), 9);
}

/// A world of static PVs of class `local` on nodes, and `zonal` provisioning in zones a
/// and b only.
fn scheduler_path_world() -> World {
    let mut w = World::default();
    let mut zonal = class("zonal", "WaitForFirstConsumer", "ebs.csi.aws.com");
    zonal.allowed_topologies = vec![TopologySelectorTerm {
        match_label_expressions: vec![crate::api::storage::TopologySelectorLabelRequirement {
            key: "topology.kubernetes.io/zone".into(),
            values: vec!["a".into(), "b".into()],
        }],
    }];
    for c in [class("local", "WaitForFirstConsumer", keys::NO_PROVISIONER), zonal] {
        w.classes.insert(c.metadata.name.clone(), c);
    }
    for (name, node, size) in [("big", "n1", "100Gi"), ("small", "n1", "10Gi"), ("other", "n2", "5Gi")] {
        w.volumes.push(TestVolume {
            name: name.into(),
            class: "local".into(),
            capacity: bytes(size),
            affinity: Some(affinity(&[("kubernetes.io/hostname", &[node])])),
            claim: None,
            labels: BTreeMap::new(),
        });
    }
    w
}

fn claim(name: &str, class: &str, request: &str) -> TestClaim {
    TestClaim {
        name: name.into(),
        class: class.into(),
        request: bytes(request),
        volume_name: String::new(),
        bound: false,
        lost: false,
        selected_node: None,
    }
}

#[test]
fn delayed_claims_take_the_smallest_pv_on_the_node_or_are_provisioned_in_its_topology() {
    let mut w = scheduler_path_world();
    w.claims.push(claim("data", "local", "8Gi"));
    w.claims.push(claim("logs", "local", "20Gi"));
    w.claims.push(claim("db", "zonal", "1Gi"));
    let claims: Vec<PodClaim> =
        ["logs", "data"].iter().map(|n| PodClaim { name: n.to_string(), ephemeral: false }).collect();
    let pod = Pod { namespace: "ns", name: "p", uid: 1, claims: &claims };
    let state = prefilter(&w, &pod).unwrap().unwrap();
    assert_eq!(state.delayed, ["logs", "data"]);
    let n1: BTreeMap<String, String> = [("kubernetes.io/hostname".to_string(), "n1".to_string())].into();
    let got = filter(&w, &pod, &state, "n1", &n1).unwrap();
    // The smaller request goes first and takes the smaller PV.
    assert_eq!(got.static_bindings, [("data".to_string(), "small".to_string()), ("logs".into(), "big".into())]);
    let n2: BTreeMap<String, String> = [("kubernetes.io/hostname".to_string(), "n2".to_string())].into();
    assert_eq!(filter(&w, &pod, &state, "n2", &n2), Err(vec![Conflict::Bind]), "no-provisioner cannot provision");

    let claims = [PodClaim { name: "db".into(), ephemeral: false }];
    let pod = Pod { namespace: "ns", name: "p", uid: 1, claims: &claims };
    let state = prefilter(&w, &pod).unwrap().unwrap();
    let zone =
        |z: &str| -> BTreeMap<String, String> { [("topology.kubernetes.io/zone".to_string(), z.to_string())].into() };
    assert_eq!(filter(&w, &pod, &state, "x", &zone("a")).unwrap().provisions, ["db"]);
    assert_eq!(filter(&w, &pod, &state, "x", &zone("c")), Err(vec![Conflict::Bind]), "allowedTopologies");
    // Once a node was selected for the claim, only that node.
    w.claims.iter_mut().find(|c| c.name == "db").unwrap().selected_node = Some("x".into());
    assert!(filter(&w, &pod, &state, "x", &zone("a")).is_ok());
    assert_eq!(filter(&w, &pod, &state, "y", &zone("a")), Err(vec![Conflict::Bind]));
}

#[test]
fn an_unbound_immediate_claim_refuses_the_pod() {
    let mut w = World::default();
    w.classes.insert("fast".into(), class("fast", "Immediate", "ebs.csi.aws.com"));
    w.claims.push(claim("data", "fast", "1Gi"));
    let claims = [PodClaim { name: "data".into(), ephemeral: false }];
    let pod = Pod { namespace: "ns", name: "p", uid: 1, claims: &claims };
    assert_eq!(prefilter(&w, &pod), Err(UNBOUND_IMMEDIATE.to_string()));
    let eph = [PodClaim { name: "p-scratch".into(), ephemeral: true }];
    let pod = Pod { namespace: "ns", name: "p", uid: 1, claims: &eph };
    assert_eq!(
        prefilter(&w, &pod),
        Err("waiting for ephemeral volume controller to create the persistentvolumeclaim \"p-scratch\"".to_string())
    );
    assert_eq!(Conflict::Node.message(34), NODE_CONFLICT);
}

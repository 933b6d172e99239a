//! The cases of `csi_test.go` TestCSILimits (testdata/kubernetes/storage.json, group 6),
//! on the fixtures its cases share (`_fixtures.csi_limits`).

use super::*;
use serde_json::Value;

/// The listers of one case: PVs `csi-<driver>-0..3` with claims of the same names bound
/// to them, the unbound claims `csi-4` (class `csi-sc`), `csi-5` (no class) and `csi-6`
/// (bound to a PV that does not exist), and the ephemeral claims the case adds.
struct World {
    volumes: BTreeMap<String, (String, String, &'static str)>,
    claims: BTreeMap<(String, String), (String, String, Option<u64>)>,
    provisioner: String,
}

impl World {
    fn new(drivers: &[String], extra: &[Value]) -> World {
        let mut volumes = BTreeMap::new();
        let mut claims = BTreeMap::new();
        for d in drivers {
            for i in 0..4 {
                let name = format!("csi-{d}-{i}");
                let kind = match d.as_str() {
                    "kubernetes.io/aws-ebs" => "intree",
                    "kubernetes.io/hostpath" => "other",
                    _ => "csi",
                };
                volumes.insert(name.clone(), (d.clone(), name.clone(), kind));
                claims.insert((String::new(), name.clone()), (name.clone(), String::new(), None));
            }
        }
        claims.insert((String::new(), "csi-4".into()), (String::new(), "csi-sc".into(), None));
        claims.insert((String::new(), "csi-5".into()), (String::new(), String::new(), None));
        claims.insert((String::new(), "csi-6".into()), ("missing-in-action".into(), "csi-sc".into(), None));
        for e in extra {
            let e = e.as_str().unwrap();
            // The pods' uids `12345` and `12345II` as numbers.
            let made: &[(&str, Option<u64>)] = match e.split(' ').next().unwrap() {
                "ephemeralClaim" => &[("abc-xyz", Some(12345))],
                "conflictingClaim" => &[("abc-xyz", None)],
                "ephemeralClaimX" => &[("abc-x", Some(123452))],
                "ephemeralClaimY" => &[("abc-y", Some(123452))],
                other => panic!("unknown claim {other}"),
            };
            for (name, owner) in made {
                let owner = *owner;
                claims.insert(("test".into(), name.to_string()), (String::new(), "csi-sc".into(), owner));
            }
        }
        World { volumes, claims, provisioner: drivers[0].clone() }
    }
}

impl Listers for World {
    fn claim(&self, namespace: &str, name: &str) -> Option<Claim<'_>> {
        let (volume_name, class, owner) = self.claims.get(&(namespace.to_string(), name.to_string()))?;
        Some(Claim { volume_name, class, owner: *owner })
    }

    fn volume(&self, name: &str) -> Option<Source<'_>> {
        let (driver, handle, kind) = self.volumes.get(name)?;
        Some(match *kind {
            "csi" => Source::Csi { driver, handle },
            "intree" => Source::InTree { plugin: driver, handle },
            _ => Source::Other,
        })
    }

    fn provisioner(&self, class: &str) -> Option<&str> {
        (class == "csi-sc").then_some(self.provisioner.as_str())
    }
}

/// The pods of the fixture: (namespace, name, uid, volumes).
fn pod(name: &str) -> (&'static str, &'static str, u64, Vec<Counted<'static>>) {
    let claim = |n: &'static str| Counted::Claim { name: n, ephemeral: false };
    let eph = |n: &'static str| Counted::Claim { name: n, ephemeral: true };
    let aws = |h: &'static str| Counted::Inline { plugin: "kubernetes.io/aws-ebs", handle: h };
    let plain = |v: Vec<Counted<'static>>| ("", "p", 0, v);
    match name {
        "runningPod" => plain(vec![claim("csi-ebs.csi.aws.com-3")]),
        "pendingVolumePod" | "unboundPVCPod2" => plain(vec![claim("csi-4")]),
        "missingPVPod" => plain(vec![claim("csi-6")]),
        "noSCPVCPod" => plain(vec![claim("csi-5")]),
        "gceTwoVolPod" => plain(vec![claim("csi-pd.csi.storage.gke.io-1"), claim("csi-pd.csi.storage.gke.io-2")]),
        "inTreeOneVolPod" => plain(vec![claim("csi-kubernetes.io/aws-ebs-0")]),
        "inTreeTwoVolPod" => plain(vec![claim("csi-kubernetes.io/aws-ebs-1"), claim("csi-kubernetes.io/aws-ebs-2")]),
        "csiEBSOneVolPod" | "pvcPodWithConfigmapAndSecret" => plain(vec![claim("csi-ebs.csi.aws.com-0")]),
        "csiEBSTwoVolPod" => plain(vec![claim("csi-ebs.csi.aws.com-1"), claim("csi-ebs.csi.aws.com-2")]),
        "inTreeNonMigratableOneVolPod" => plain(vec![claim("csi-kubernetes.io/hostpath-0")]),
        "ephemeralVolumePod" | "ephemeralPodWithConfigmapAndSecret" => ("test", "abc", 12345, vec![eph("xyz")]),
        "ephemeralTwoVolumePod" => ("test", "abc", 123452, vec![eph("x"), eph("y")]),
        "inTreeInlineVolPod" | "inlineMigratablePodWithConfigmapAndSecret" => plain(vec![aws("aws-inline1")]),
        "inTreeInlineVolPodWithSameCSIVolumeID" => plain(vec![aws("csi-ebs.csi.aws.com-1")]),
        "onlyConfigmapAndSecretVolPod" => plain(vec![]),
        other => panic!("unknown pod {other}"),
    }
}

#[test]
fn limits_follow_csi_test() {
    let all: Value =
        serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kubernetes/storage.json")))
            .unwrap();
    let cases = all["6_scheduler_nodevolumelimits_csi"].as_array().unwrap();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let strings = |v: &Value| -> Vec<String> {
            v.as_array().map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect()).unwrap_or_default()
        };
        let drivers = strings(&case["driverNames"]);
        let world = World::new(&drivers, case["extraClaims"].as_array().map_or(&[][..], |v| &v[..]));
        let max = case["maxVols"].as_i64().unwrap();
        let limits: BTreeMap<String, i64> = match case["limitSource"].as_str().unwrap() {
            "csinode" => drivers.iter().map(|d| (d.clone(), max)).collect(),
            _ => BTreeMap::new(),
        };
        let migration = case["migrationEnabled"] == true;
        let migrated = move |plugin: &str| migration && plugin == "kubernetes.io/aws-ebs";
        let va_count = case["vaCount"].as_u64().unwrap_or(0) as usize;
        let va_names: Vec<String> =
            drivers.iter().flat_map(|d| (0..va_count).map(move |i| format!("csi-{d}-{i}"))).collect();
        let attachments: Vec<(&str, &str)> = va_names
            .iter()
            .filter_map(|n| match world.volume(n) {
                Some(Source::Csi { driver, handle }) => Some((driver, handle)),
                _ => None,
            })
            .collect();
        let node = Node { limits: &limits, migrated: &migrated, attachments: &attachments };

        let (ns, pod_name, uid, volumes) = pod(case["newPod"].as_str().unwrap());
        let new_pod = PodVolumes { namespace: ns, name: pod_name, uid, volumes: &volumes };
        let existing: Vec<_> = strings(&case["existingPods"]).iter().map(|p| pod(p)).collect();
        let on_node =
            existing.iter().map(|(ns, n, uid, v)| PodVolumes { namespace: ns, name: n, uid: *uid, volumes: v });

        let want_pre = &case["wantPreFilterStatus"];
        if !prefilter(new_pod.volumes) {
            assert_eq!(want_pre["code"], "Skip", "{name}");
            continue;
        }
        assert!(want_pre.is_null(), "{name}: prefilter ran, wanted {want_pre}");
        let want = &case["wantFilterStatus"];
        let plural = |n: &str| format!("persistentvolumeclaims {n:?} not found");
        match filter(&world, &new_pod, on_node, &node) {
            Ok(()) => assert!(want.is_null(), "{name}: passed, wanted {want}"),
            Err(refusal) => {
                let code = match refusal {
                    Refusal::Exceeded => "Unschedulable",
                    Refusal::ClaimNotFound { .. } => "UnschedulableAndUnresolvable",
                    Refusal::NotOwner { .. } => "Error",
                };
                assert_eq!(want["code"], code, "{name}");
                assert_eq!(Some(refusal.message(plural).as_str()), want["message"].as_str(), "{name}");
            }
        }
    }
    assert_eq!(cases.len(), 30);
}

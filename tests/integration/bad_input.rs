//! Bad input exits with code 2, says where (file, line and column, or field path) and
//! what is wrong, and leaves no output folder behind.

use std::path::Path;
use std::process::Command;

const NODES: &str = "nodes:\n  - name: worker\n    count: 2\n    capacity: {cpu: \"4\", memory: 16Gi, pods: 110}\n";

struct Case {
    name: &'static str,
    scenario: String,
    /// Extra files next to the scenario.
    files: Vec<(&'static str, &'static str)>,
    /// Every fragment must appear in stderr.
    expect: Vec<&'static str>,
}

fn pod_scenario(pod_spec: &str) -> String {
    format!(
        "name: bad\nduration: 1m\n{NODES}workloads:\n  - object:\n      apiVersion: v1\n      kind: Pod\n      metadata: {{name: p}}\n      spec:\n{pod_spec}"
    )
}

fn cronjob_scenario(schedule: &str, zone: &str) -> String {
    let zone = if zone.is_empty() { String::new() } else { format!("        timeZone: {zone}\n") };
    format!(
        "name: bad\n{NODES}workloads:\n  - object:\n      apiVersion: batch/v1\n      kind: CronJob\n      metadata: {{name: c}}\n      spec:\n        schedule: \"{schedule}\"\n{zone}        jobTemplate: {{spec: {{template: {{spec: {{restartPolicy: Never, containers: [{{name: c, image: i}}]}}}}}}}}\n"
    )
}

fn service_scenario(name: &str, spec: &str) -> String {
    format!(
        "name: bad\nduration: 1m\n{NODES}workloads:\n  - object:\n      apiVersion: v1\n      kind: Service\n      metadata: {{name: {name}}}\n      spec:\n{spec}"
    )
}

/// Services the API server refuses (`ValidateService`, the ClusterIP and node port
/// allocators), each at its line and field path.
fn service_cases() -> Vec<Case> {
    let case = |name, scenario: String, expect: Vec<&'static str>| Case { name, scenario, files: vec![], expect };
    vec![
        case(
            "a Service port out of range",
            service_scenario("web", "        ports: [{port: 70000}]\n"),
            vec![
                "scenario.yaml:13:24",
                "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
            ],
        ),
        case(
            "two Service ports of one name",
            service_scenario("web", "        ports: [{name: a, port: 80}, {name: a, port: 81}]\n"),
            vec!["scenario.yaml:13:45", "spec.ports[1].name: Duplicate value: \"a\""],
        ),
        case(
            "a Service without ports",
            service_scenario("web", "        selector: {app: web}\n"),
            vec!["spec.ports: Required value"],
        ),
        case(
            "a Service name that is no DNS-1035 label",
            service_scenario("Web", "        ports: [{port: 80}]\n"),
            vec!["scenario.yaml:11:24", "metadata.name: Invalid value: \"Web\": a DNS-1035 label must consist of"],
        ),
        case(
            "a bad selector value",
            service_scenario("web", "        selector: {app: \"-x\"}\n        ports: [{port: 80}]\n"),
            vec!["scenario.yaml:13:19", "spec.selector: Invalid value: \"-x\": a valid label must be"],
        ),
        case(
            "a named target port that is no IANA service name",
            service_scenario("web", "        ports: [{port: 80, targetPort: \"a_b\"}]\n"),
            vec![
                "scenario.yaml:13:40",
                "spec.ports[0].targetPort: Invalid value: \"a_b\": must contain only alpha-numeric",
            ],
        ),
        case(
            "an unknown Service type",
            service_scenario("web", "        type: Foo\n        ports: [{port: 80}]\n"),
            vec![
                "scenario.yaml:13:15",
                "spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
            ],
        ),
        case(
            "a node port on a ClusterIP Service",
            service_scenario("web", "        ports:\n          - port: 80\n            nodePort: 30080\n"),
            vec![
                "scenario.yaml:15:23",
                "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
            ],
        ),
        case(
            "a node port out of the range",
            service_scenario("web", "        type: NodePort\n        ports: [{port: 80, nodePort: 20000}]\n"),
            vec![
                "scenario.yaml:14:38",
                "provided port is not in the valid range. The range of valid ports is 30000-32767",
            ],
        ),
        case(
            "a headless NodePort Service",
            service_scenario("web", "        clusterIP: None\n        type: NodePort\n        ports: [{port: 80}]\n"),
            vec!["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"],
        ),
        case(
            "a ClusterIP out of the service range",
            service_scenario("web", "        clusterIP: 192.168.0.10\n        ports: [{port: 80}]\n"),
            vec![
                "scenario.yaml:13:9",
                "spec.clusterIPs: Invalid value: []string{\"192.168.0.10\"}: failed to allocate IP 192.168.0.10: the provided IP (192.168.0.10) is not in the valid range. The range of valid IPs is 10.96.0.0/12",
            ],
        ),
        case(
            "a ClusterIP taken by an earlier Service",
            format!(
                "name: bad\nduration: 1m\n{NODES}workloads:\n  - object: {{apiVersion: v1, kind: Service, metadata: {{name: a}}, spec: {{clusterIP: 10.96.0.20, ports: [{{port: 80}}]}}}}\n  - object: {{apiVersion: v1, kind: Service, metadata: {{name: b}}, spec: {{clusterIP: 10.96.0.20, ports: [{{port: 80}}]}}}}\n"
            ),
            vec![
                "workloads[1].object.spec.clusterIPs",
                "failed to allocate IP 10.96.0.20: provided IP is already allocated",
            ],
        ),
    ]
}

fn budget_scenario(spec: &str) -> String {
    format!(
        "name: bad\nduration: 1m\n{NODES}workloads:\n  - object:\n      apiVersion: policy/v1\n      kind: PodDisruptionBudget\n      metadata: {{name: web}}\n      spec:\n{spec}"
    )
}

/// PodDisruptionBudgets the API server refuses (`ValidatePodDisruptionBudgetSpec`).
fn budget_cases() -> Vec<Case> {
    let case = |name, spec: &str, expect: Vec<&'static str>| Case {
        name,
        scenario: budget_scenario(spec),
        files: vec![],
        expect,
    };
    vec![
        case(
            "a negative minAvailable",
            "        minAvailable: -1\n",
            vec!["scenario.yaml:13:", "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"],
        ),
        case(
            "a maxUnavailable above 100%",
            "        maxUnavailable: \"120%\"\n",
            vec!["scenario.yaml:13:", "spec.maxUnavailable: Invalid value: \"120%\": must not be greater than 100%"],
        ),
        case(
            "both minAvailable and maxUnavailable",
            "        minAvailable: 1\n        maxUnavailable: 1\n",
            vec!["scenario.yaml:", "minAvailable and maxUnavailable cannot be both set"],
        ),
        case(
            "an unknown unhealthyPodEvictionPolicy",
            "        minAvailable: 1\n        unhealthyPodEvictionPolicy: Never\n",
            vec![
                "scenario.yaml:14:",
                "spec.unhealthyPodEvictionPolicy: Unsupported value: \"Never\": supported values: \"AlwaysAllow\", \"IfHealthyBudget\"",
            ],
        ),
        case(
            "a selector label value that is no label value",
            "        minAvailable: 1\n        selector: {matchLabels: {app: \"-web\"}}\n",
            vec!["scenario.yaml:14:", "spec.selector.matchLabels: Invalid value: \"-web\""],
        ),
        case(
            "a timeout on a crash",
            "        minAvailable: 1\nfaults:\n  - {at: 1m, node: worker-0, action: crash, timeout: 1m}\n",
            vec!["faults[0].timeout", "timeout: applies to drain"],
        ),
    ]
}

fn daemonset_scenario(spec_first: &str, labels: &str) -> String {
    format!(
        "name: bad\nduration: 1m\n{NODES}workloads:\n  - object:\n      apiVersion: apps/v1\n      kind: DaemonSet\n      metadata: {{name: agent}}\n      spec:\n{spec_first}        selector: {{matchLabels: {{app: agent}}}}\n        template:\n          metadata: {{labels: {labels}}}\n          spec: {{containers: [{{name: c, image: agent}}]}}\n"
    )
}

/// DaemonSets the API server refuses (`ValidateDaemonSetSpec`,
/// `ValidateRollingUpdateDaemonSet`), each at its line and field path.
fn daemonset_cases() -> Vec<Case> {
    let case = |name, scenario: String, expect: Vec<&'static str>| Case { name, scenario, files: vec![], expect };
    vec![
        case(
            "a DaemonSet whose selector does not match its template",
            daemonset_scenario("", "{app: web}"),
            vec![
                "scenario.yaml:15:",
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`",
            ],
        ),
        case(
            "a DaemonSet with neither maxUnavailable nor maxSurge",
            daemonset_scenario("        updateStrategy: {rollingUpdate: {maxUnavailable: 0}}\n", "{app: agent}"),
            vec![
                "scenario.yaml:13:",
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0",
            ],
        ),
        case(
            "a DaemonSet surging with the default maxUnavailable",
            daemonset_scenario("        updateStrategy: {rollingUpdate: {maxSurge: 1}}\n", "{app: agent}"),
            vec![
                "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero",
            ],
        ),
    ]
}

fn statefulset_scenario(spec_first: &str, labels: &str) -> String {
    format!(
        "name: bad\nduration: 1m\n{NODES}workloads:\n  - object:\n      apiVersion: apps/v1\n      kind: StatefulSet\n      metadata: {{name: web}}\n      spec:\n{spec_first}        selector: {{matchLabels: {{app: web}}}}\n        template:\n          metadata: {{labels: {labels}}}\n          spec: {{containers: [{{name: c, image: nginx}}]}}\n"
    )
}

/// StatefulSets the API server refuses (`ValidateStatefulSetSpec`,
/// `validateRollingUpdateStatefulSet`, Kubernetes 1.34), each at its line and field path.
fn statefulset_cases() -> Vec<Case> {
    let case = |name, scenario: String, expect: Vec<&'static str>| Case { name, scenario, files: vec![], expect };
    vec![
        case(
            "a StatefulSet whose selector does not match its template",
            statefulset_scenario("        serviceName: nginx\n", "{app: db}"),
            vec![
                "scenario.yaml:16:",
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"db\"}: `selector` does not match template `labels`",
            ],
        ),
        case(
            "a StatefulSet whose serviceName is not a DNS label",
            statefulset_scenario("        serviceName: Web_Svc\n", "{app: web}"),
            vec!["scenario.yaml:13:22", "spec.serviceName: Invalid value: \"Web_Svc\": a lowercase RFC 1123 label"],
        ),
        case(
            "a StatefulSet with a negative partition",
            statefulset_scenario("        updateStrategy: {rollingUpdate: {partition: -1}}\n", "{app: web}"),
            vec![
                "scenario.yaml:13:",
                "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0",
            ],
        ),
        case(
            "a StatefulSet with negative replicas",
            statefulset_scenario("        replicas: -2\n", "{app: web}"),
            vec!["scenario.yaml:13:19", "spec.replicas: Invalid value: -2: must be greater than or equal to 0"],
        ),
        case(
            "a StatefulSet with an unknown pod management policy",
            statefulset_scenario("        podManagementPolicy: Random\n", "{app: web}"),
            vec!["spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"],
        ),
        case(
            "a StatefulSet that restarts on failure only",
            statefulset_scenario("", "{app: web}")
                .replace("spec: {containers", "spec: {restartPolicy: OnFailure, containers"),
            vec!["spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""],
        ),
        case(
            "a StatefulSet with a negative first ordinal",
            statefulset_scenario("        ordinals: {start: -1}\n", "{app: web}"),
            vec!["spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0"],
        ),
        case(
            "a StatefulSet retaining claims in an unknown way",
            statefulset_scenario("        persistentVolumeClaimRetentionPolicy: {whenDeleted: Keep}\n", "{app: web}"),
            vec![
                "spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: \"Keep\": supported values: \"Retain\", \"Delete\"",
            ],
        ),
        case(
            "a StatefulSet whose maxUnavailable is 0, with its gate",
            statefulset_scenario("        updateStrategy: {rollingUpdate: {maxUnavailable: 0}}\n", "{app: web}")
                + "kubernetes: {featureGates: {MaxUnavailableStatefulSet: true}}\n",
            vec!["spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0"],
        ),
        case(
            "an unknown feature gate",
            statefulset_scenario("", "{app: web}") + "kubernetes: {featureGates: {StatefulSetMagic: true}}\n",
            vec![
                "scenario.yaml:17:",
                "kubernetes.featureGates[StatefulSetMagic]",
                "unrecognized feature gate: StatefulSetMagic",
            ],
        ),
        case(
            "a taint without an effect",
            statefulset_scenario("", "{app: web}")
                + "actions:\n  - {at: 1m, taint: node/worker-0, key: node.kubernetes.io/out-of-service}\n",
            vec![
                "actions[0].effect: Unsupported value: \"\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
            ],
        ),
        case(
            "a taint on a pod",
            statefulset_scenario("", "{app: web}")
                + "actions:\n  - {at: 1m, taint: pod/web-0, key: k, effect: NoSchedule}\n",
            vec!["actions[0].taint", "taint: podsim taints nodes, not Pods"],
        ),
        case(
            "a StatefulSet claim template without an access mode",
            statefulset_scenario(
                "        volumeClaimTemplates: [{metadata: {name: data}, spec: {resources: {requests: {storage: 1Gi}}}}]\n",
                "{app: web}",
            ),
            vec![
                "scenario.yaml:13:",
                "spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required",
            ],
        ),
        case(
            "a StatefulSet mounting a volume it does not have",
            statefulset_scenario("", "{app: web}")
                .replace("image: nginx}", "image: nginx, volumeMounts: [{name: data, mountPath: /data}]}"),
            vec!["spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"data\""],
        ),
        case(
            "a rollout pause of a StatefulSet",
            statefulset_scenario("", "{app: web}") + "actions:\n  - {at: 1m, rollout: pause statefulset/web}\n",
            vec!["actions[0].rollout", "rollout: statefulsets.apps \"web\" pausing is not supported"],
        ),
    ]
}

fn object_scenario(object: &str) -> String {
    format!("name: bad\nduration: 1m\n{NODES}workloads:\n  - object:\n{object}")
}

/// Storage objects and pod volumes the API server refuses, each with its field path
/// and message (`ValidatePersistentVolumeClaimSpec`, `ValidatePersistentVolumeSpec`,
/// `ValidateStorageClass`, `ValidateConfigMap`, `ValidateSecret`, `ValidateVolumes`,
/// `ValidateVolumeMounts`).
fn storage_cases() -> Vec<Case> {
    let case = |name, scenario: String, expect: Vec<&'static str>| Case { name, scenario, files: vec![], expect };
    let pvc = |spec: &str| {
        object_scenario(&format!(
            "      apiVersion: v1\n      kind: PersistentVolumeClaim\n      metadata: {{name: data}}\n      spec:\n{spec}"
        ))
    };
    vec![
        case(
            "a claim with no access mode",
            pvc("        resources: {requests: {storage: 1Gi}}\n"),
            vec!["scenario.yaml:", "spec.accessModes: Required value: at least 1 access mode is required"],
        ),
        case(
            "a claim with a storage size that is not a quantity",
            pvc("        accessModes: [ReadWriteOnce]\n        resources: {requests: {storage: ten-gigs}}\n"),
            vec!["scenario.yaml:14:", "spec.resources.requests.storage: quantities must match the regular expression"],
        ),
        case(
            "a claim without a storage request",
            pvc("        accessModes: [ReadWriteOnce]\n"),
            vec!["spec.resources[storage]: Required value"],
        ),
        case(
            "a claim mixing ReadWriteOncePod with another mode",
            pvc(
                "        accessModes: [ReadWriteOncePod, ReadOnlyMany]\n        resources: {requests: {storage: 1Gi}}\n",
            ),
            vec!["spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"],
        ),
        case(
            "a local PersistentVolume without node affinity",
            object_scenario(
                "      apiVersion: v1\n      kind: PersistentVolume\n      metadata: {name: local-0}\n      spec: {capacity: {storage: 10Gi}, accessModes: [ReadWriteOnce], local: {path: /mnt/disk0}}\n",
            ),
            vec!["spec.nodeAffinity: Required value: Local volume requires node affinity"],
        ),
        case(
            "a PersistentVolume with two sources",
            object_scenario(
                "      apiVersion: v1\n      kind: PersistentVolume\n      metadata: {name: pv0}\n      spec: {capacity: {storage: 10Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /a}, nfs: {server: nfs, path: /b}}\n",
            ),
            vec!["spec.nfs: Forbidden: may not specify more than 1 volume type"],
        ),
        case(
            "a StorageClass without a provisioner",
            object_scenario(
                "      apiVersion: storage.k8s.io/v1\n      kind: StorageClass\n      metadata: {name: fast}\n      volumeBindingMode: WaitForFirstConsumer\n",
            ),
            vec!["provisioner: Required value"],
        ),
        case(
            "a StorageClass with a binding mode Kubernetes does not have",
            object_scenario(
                "      apiVersion: storage.k8s.io/v1\n      kind: StorageClass\n      metadata: {name: fast}\n      provisioner: ebs.csi.aws.com\n      volumeBindingMode: Lazy\n",
            ),
            vec![
                "volumeBindingMode: Unsupported value: \"Lazy\": supported values: \"Immediate\", \"WaitForFirstConsumer\"",
            ],
        ),
        case(
            "a ConfigMap key in data and binaryData",
            object_scenario(
                "      apiVersion: v1\n      kind: ConfigMap\n      metadata: {name: app}\n      data: {logo: x}\n      binaryData: {logo: eA==}\n",
            ),
            vec!["data[logo]: Invalid value: \"logo\": duplicate of key present in binaryData"],
        ),
        case(
            "a Secret with a key kubectl would refuse",
            object_scenario(
                "      apiVersion: v1\n      kind: Secret\n      metadata: {name: db}\n      stringData: {\"pass word\": x}\n",
            ),
            vec![
                "data[pass word]: Invalid value: \"pass word\": a valid config key must consist of alphanumeric characters",
            ],
        ),
        case(
            "a mount of a volume the pod does not have",
            pod_scenario(
                "        volumes: [{name: data, emptyDir: {}}]\n        containers: [{name: c, image: i, volumeMounts: [{name: logs, mountPath: /logs}]}]\n",
            ),
            vec!["scenario.yaml:", "spec.containers[0].volumeMounts[0].name: Not found: \"logs\""],
        ),
        case(
            "two volumes of one name",
            pod_scenario(
                "        volumes: [{name: data, emptyDir: {}}, {name: data, configMap: {name: c}}]\n        containers: [{name: c, image: i}]\n",
            ),
            vec!["spec.volumes[1].name: Duplicate value: \"data\""],
        ),
        case(
            "a volume with two sources",
            pod_scenario(
                "        volumes: [{name: data, emptyDir: {}, persistentVolumeClaim: {claimName: d}}]\n        containers: [{name: c, image: i}]\n",
            ),
            vec!["spec.volumes[0].persistentVolumeClaim: Forbidden: may not specify more than 1 volume type"],
        ),
        case(
            "an emptyDir sizeLimit that is not a quantity",
            pod_scenario(
                "        volumes: [{name: data, emptyDir: {sizeLimit: lots}}]\n        containers: [{name: c, image: i}]\n",
            ),
            vec!["spec.volumes[0].emptyDir.sizeLimit: quantities must match the regular expression"],
        ),
        case(
            "a misspelt key under storage",
            format!("name: bad\n{NODES}storage:\n  classes:\n    - {{name: fast, provison: 5s}}\n"),
            vec!["scenario.yaml:8", "unknown field `provison`"],
        ),
        case(
            "a storage timing that is not a distribution",
            format!("name: bad\n{NODES}storage:\n  classes:\n    - {{name: fast, attach: {{normal: 5s}}}}\n"),
            vec!["scenario.yaml:8", "invalid distribution"],
        ),
        case(
            "a delete of a kind podsim does not know",
            format!("name: bad\n{NODES}actions:\n  - {{at: 1m, delete: volumesnapshot/s}}\n"),
            vec!["actions[0].delete: invalid target", "pvc, pv, storageclass, configmap, secret"],
        ),
        case(
            "a mount without a path",
            pod_scenario(
                "        volumes: [{name: data, emptyDir: {}}]\n        containers: [{name: c, image: i, volumeMounts: [{name: data}]}]\n",
            ),
            vec!["spec.containers[0].volumeMounts[0].mountPath: Required value"],
        ),
    ]
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "TZ= in a schedule",
            scenario: cronjob_scenario("TZ=UTC 0 * * * *", ""),
            files: vec![],
            expect: vec![
                "scenario.yaml:12:19",
                "spec.schedule",
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            ],
        },
        Case {
            name: "6 cron fields",
            scenario: cronjob_scenario("0 0 * * * *", ""),
            files: vec![],
            expect: vec!["has 6 fields: expected exactly 5"],
        },
        Case {
            name: "7 for Sunday",
            scenario: cronjob_scenario("0 0 * * 7", ""),
            files: vec![],
            expect: vec!["value 7 is above the maximum 6"],
        },
        Case {
            name: "L in a schedule",
            scenario: cronjob_scenario("0 0 L * *", ""),
            files: vec![],
            expect: vec!["uses the 'L' modifier"],
        },
        Case {
            name: "# in a schedule",
            scenario: cronjob_scenario("0 0 * * 1#2", ""),
            files: vec![],
            expect: vec!["uses the '#' modifier"],
        },
        Case {
            name: "unknown time zone",
            scenario: cronjob_scenario("0 0 * * *", "Mars/Olympus"),
            files: vec![],
            expect: vec!["spec.timeZone: Invalid value: \"Mars/Olympus\""],
        },
        Case {
            name: "a Job that restarts always",
            scenario: format!(
                "name: bad\n{NODES}workloads:\n  - object: {{apiVersion: batch/v1, kind: Job, metadata: {{name: j}}, spec: {{template: {{spec: {{containers: [{{name: c, image: i}}]}}}}}}}}\n"
            ),
            files: vec![],
            expect: vec!["spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""],
        },
        Case {
            name: "unknown key in the scheduler profile",
            scenario: format!("name: bad\n{NODES}scheduler:\n  percentOfNodesToScore: 50\n"),
            files: vec![],
            expect: vec!["scenario.yaml:7", "unknown field `percentOfNodesToScore`"],
        },
        Case {
            name: "percentageOfNodesToScore out of range",
            scenario: format!("name: bad\n{NODES}scheduler:\n  percentageOfNodesToScore: 120\n"),
            files: vec![],
            expect: vec![
                "scenario.yaml:7:29",
                "scheduler.percentageOfNodesToScore: Invalid value: 120: not in valid range [0-100]",
            ],
        },
        Case {
            name: "a scheduling cycle's duration that is not one",
            scenario: format!("name: bad\n{NODES}scheduler:\n  cycleDuration: 2 ms\n"),
            files: vec![],
            expect: vec![
                "scenario.yaml:7",
                "scheduler.cycleDuration: Invalid value: \"2 ms\": invalid duration \"2 ms\": expected a duration such as 250us",
            ],
        },
        Case {
            name: "a scheduling cycle longer than an hour",
            scenario: format!("name: bad\n{NODES}scheduler:\n  cycleDuration: 2h\n"),
            files: vec![],
            expect: vec!["scenario.yaml:7", "scheduler.cycleDuration: Invalid value: \"2h\": must be at most 1h"],
        },
        Case {
            name: "unknown score plugin",
            scenario: format!(
                "name: bad\n{NODES}scheduler:\n  plugins:\n    score:\n      enabled:\n        - {{name: NodeResourcesLeastAllocated, weight: 2}}\n"
            ),
            files: vec![],
            expect: vec![
                "scenario.yaml:10:",
                "scheduler.plugins.score.enabled[0].name: Unsupported value: \"NodeResourcesLeastAllocated\"",
                "\"PodTopologySpread\", \"InterPodAffinity\"",
            ],
        },
        Case {
            name: "negative score weight",
            scenario: format!(
                "name: bad\n{NODES}scheduler:\n  plugins: {{score: {{enabled: [{{name: ImageLocality, weight: -1}}]}}}}\n"
            ),
            files: vec![],
            expect: vec!["scenario.yaml:7", "scheduler.plugins.score.enabled[0].weight: Invalid value: -1"],
        },
        Case {
            name: "unknown scoring strategy",
            scenario: format!(
                "name: bad\n{NODES}scheduler:\n  pluginConfig:\n    - name: NodeResourcesFit\n      args:\n        scoringStrategy:\n          type: Tightest\n"
            ),
            files: vec![],
            expect: vec![
                "scenario.yaml:11:17",
                "scheduler.pluginConfig[0].args.scoringStrategy.type: Unsupported value: \"Tightest\"",
            ],
        },
        Case {
            name: "shape not increasing",
            scenario: format!(
                "name: bad\n{NODES}scheduler:\n  pluginConfig:\n    - name: NodeResourcesFit\n      args:\n        scoringStrategy:\n          type: RequestedToCapacityRatio\n          requestedToCapacityRatio:\n            shape:\n              - {{utilization: 60, score: 2}}\n              - {{utilization: 30, score: 8}}\n"
            ),
            files: vec![],
            expect: vec![
                "scenario.yaml:15:31",
                "requestedToCapacityRatio.shape[1].utilization: Invalid value: 30: values must be sorted in increasing order",
            ],
        },
        Case {
            name: "unknown field in plugin args",
            scenario: format!(
                "name: bad\n{NODES}scheduler:\n  pluginConfig:\n    - name: DefaultPreemption\n      args: {{minCandidateNodes: 5}}\n"
            ),
            files: vec![],
            expect: vec!["scenario.yaml:9", "scheduler.pluginConfig[0].args: unknown field `minCandidateNodes`"],
        },
        Case {
            name: "PriorityClass above the user maximum",
            scenario: format!(
                "name: bad\n{NODES}workloads:\n  - object: {{apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {{name: top}}, value: 2000000000}}\n"
            ),
            files: vec![],
            expect: vec![
                "workloads[0].object.value: Forbidden: maximum allowed value of a user defined priority is 1000000000",
            ],
        },
        Case {
            name: "PriorityClass with a reserved name",
            scenario: format!(
                "name: bad\n{NODES}workloads:\n  - object: {{apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {{name: system-mine}}, value: 10}}\n"
            ),
            files: vec![],
            expect: vec![
                "workloads[0].object.metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
            ],
        },
        Case {
            name: "broken YAML",
            scenario: "name: bad\nnodes: [\n  {name: a\n".into(),
            files: vec![],
            expect: vec!["scenario.yaml:", "invalid YAML"],
        },
        Case {
            name: "unknown scenario key",
            scenario: format!("name: bad\n{NODES}workload: []\n"),
            files: vec![],
            expect: vec!["scenario.yaml:6:1", "unknown field `workload`"],
        },
        Case {
            name: "unknown nested key",
            scenario: format!("name: bad\n{NODES}faults:\n  - {{at: 1m, node: worker-0, acton: crash}}\n"),
            files: vec![],
            expect: vec!["scenario.yaml:7", "unknown field `acton`"],
        },
        Case {
            name: "unknown kind",
            scenario: format!("name: bad\n{NODES}workloads:\n  - manifest: m.yaml\n"),
            files: vec![("m.yaml", "apiVersion: v1\nkind: Pood\nmetadata: {name: x}\n")],
            expect: vec!["m.yaml:2:7", "kind", "no matches for kind \"Pood\" in version \"v1\""],
        },
        Case {
            name: "unknown apiVersion",
            scenario: format!("name: bad\n{NODES}workloads:\n  - manifest: m.yaml\n"),
            files: vec![("m.yaml", "apiVersion: batch/v2\nkind: Job\nmetadata: {name: x}\n")],
            expect: vec![
                "m.yaml",
                "no matches for kind \"Job\" in version \"batch/v2\"",
                "expected apiVersion \"batch/v1\"",
            ],
        },
        Case {
            name: "missing image",
            scenario: pod_scenario("        containers: [{name: c}]\n"),
            files: vec![],
            expect: vec!["scenario.yaml:13:22", "workloads[0].object.spec.containers[0].image: Required value"],
        },
        Case {
            name: "missing container name",
            scenario: pod_scenario("        containers: [{image: nginx}]\n"),
            files: vec![],
            expect: vec!["workloads[0].object.spec.containers[0].name: Required value"],
        },
        Case {
            name: "duplicate container names",
            scenario: pod_scenario("        containers: [{name: c, image: a}, {name: c, image: b}]\n"),
            files: vec![],
            expect: vec!["spec.containers[1].name: Duplicate value: \"c\""],
        },
        Case {
            name: "negative quantity",
            scenario: pod_scenario("        containers: [{name: c, image: a, resources: {requests: {cpu: \"-1\"}}}]\n"),
            files: vec![],
            expect: vec![
                "spec.containers[0].resources.requests.cpu: Invalid value: \"-1\": must be greater than or equal to 0",
            ],
        },
        Case {
            name: "unparsable quantity",
            scenario: pod_scenario(
                "        containers: [{name: c, image: a, resources: {requests: {memory: 12 gigs}}}]\n",
            ),
            files: vec![],
            expect: vec!["scenario.yaml:13", "quantities must match the regular expression"],
        },
        Case {
            name: "requests above limits",
            scenario: pod_scenario(
                "        containers: [{name: c, image: a, resources: {requests: {cpu: \"2\"}, limits: {cpu: \"1\"}}}]\n",
            ),
            files: vec![],
            expect: vec![
                "spec.containers[0].resources.requests.cpu: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
            ],
        },
        Case {
            name: "invalid restartPolicy",
            scenario: pod_scenario("        restartPolicy: Sometimes\n        containers: [{name: c, image: a}]\n"),
            files: vec![],
            expect: vec![
                "scenario.yaml:13:24",
                "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            ],
        },
        Case {
            name: "fault on a node that does not exist",
            scenario: format!("name: bad\n{NODES}faults:\n  - {{at: 1m, node: worker-7, action: crash}}\n"),
            files: vec![],
            expect: vec!["scenario.yaml:7:", "faults[0].node", "node \"worker-7\" does not exist"],
        },
        Case {
            name: "zone outage of a zone no node is in",
            scenario: format!("name: bad\n{NODES}faults:\n  - {{at: 1m, zone: eu-west-1a, action: crash}}\n"),
            files: vec![],
            expect: vec![
                "scenario.yaml:7:",
                "faults[0].zone",
                "no node has the label topology.kubernetes.io/zone=\"eu-west-1a\"",
            ],
        },
        Case {
            name: "fault on a node and a zone",
            scenario: format!("name: bad\n{NODES}faults:\n  - {{at: 1m, node: worker-0, zone: a, action: crash}}\n"),
            files: vec![],
            expect: vec!["scenario.yaml:7:", "faults[0].zone", "give node or zone, not both"],
        },
        Case {
            name: "duration in words",
            scenario: format!("name: bad\nduration: 5 minutes\n{NODES}"),
            files: vec![],
            expect: vec![
                "scenario.yaml:2:11",
                "duration",
                "invalid duration \"5 minutes\"",
                "expected a duration such as",
            ],
        },
        Case {
            name: "bad distribution",
            scenario: format!("name: bad\n{NODES}behaviors:\n  - runFor: {{normal: {{mean: 5m}}}}\n"),
            files: vec![],
            expect: vec!["scenario.yaml:7", "invalid distribution"],
        },
        Case {
            name: "a write rate without a unit of time",
            scenario: format!("name: bad\n{NODES}behaviors:\n  - writes: {{volume: logs, rate: 10Mi}}\n"),
            files: vec![],
            expect: vec![
                "scenario.yaml:7",
                "behaviors[0].writes.rate: Invalid value: \"10Mi\": a rate is a quantity per s, m or h, e.g. 10Mi/s",
            ],
        },
        Case {
            name: "a write without its volume",
            scenario: format!("name: bad\n{NODES}behaviors:\n  - writes: [{{rate: 1Mi/s}}]\n"),
            files: vec![],
            expect: vec!["behaviors[0].writes[0].volume: Required value"],
        },
        Case {
            name: "missing manifest file",
            scenario: format!("name: bad\n{NODES}workloads:\n  - manifest: nowhere.yaml\n"),
            files: vec![],
            expect: vec!["scenario.yaml:7:15", "workloads[0].manifest", "cannot read \"nowhere.yaml\""],
        },
        Case {
            name: "wrong type in a manifest",
            scenario: format!("name: bad\n{NODES}workloads:\n  - manifest: m.yaml\n"),
            files: vec![("m.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: {name: c}\n")],
            expect: vec!["m.yaml:5:15", "spec.containers", "invalid type"],
        },
    ]
}

fn podsim(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_podsim")).args(args).current_dir(dir).output().expect("podsim runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_input_exits_2_with_where_and_what() {
    for case in cases()
        .into_iter()
        .chain(service_cases())
        .chain(budget_cases())
        .chain(daemonset_cases())
        .chain(statefulset_cases())
        .chain(storage_cases())
    {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("scenario.yaml"), &case.scenario).unwrap();
        for (name, text) in &case.files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let (code, _, stderr) = podsim(dir.path(), &["run", "scenario.yaml", "--out", "out"]);
        assert_eq!(code, 2, "{}: exit code {code}, stderr:\n{stderr}", case.name);
        for fragment in &case.expect {
            assert!(stderr.contains(fragment), "{}: stderr lacks {fragment:?}:\n{stderr}", case.name);
        }
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.name);
        assert!(!dir.path().join("out").exists(), "{}: an output folder was left behind", case.name);
        // `validate` agrees with `run`.
        let (code, _, _) = podsim(dir.path(), &["validate", "scenario.yaml"]);
        assert_eq!(code, 2, "{}: validate", case.name);
    }
}

#[test]
fn a_behavior_matching_nothing_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        format!("name: warn\nduration: 1m\n{NODES}behaviors:\n  - match: {{pod: \"nothing-*\"}}\n    runFor: 1m\n");
    std::fs::write(dir.path().join("scenario.yaml"), text).unwrap();
    let (code, stdout, stderr) = podsim(dir.path(), &["run", "scenario.yaml", "--out", "out"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning: behaviors[0] matches no container"), "{stderr}");
    assert!(stdout.contains("warn (seed 1): simulated 1m"), "{stdout}");
    for f in ["transitions.csv", "events.csv", "metrics.csv", "summary.json"] {
        assert!(dir.path().join("out").join(f).exists(), "{f}");
    }
}

#[test]
fn a_bad_command_line_override_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("scenario.yaml"), format!("name: ok\n{NODES}")).unwrap();
    let (code, _, stderr) = podsim(dir.path(), &["run", "scenario.yaml", "--duration", "soon", "--out", "out"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--duration: invalid duration \"soon\""), "{stderr}");
    assert!(!dir.path().join("out").exists());
    let (code, _, stderr) = podsim(dir.path(), &["run", "missing.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.yaml: cannot read"), "{stderr}");
}

/// No input, however broken, may panic: every prefix and many one-byte corruptions of
/// the example scenarios and manifests are loaded.
#[test]
fn mangled_input_never_panics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut inputs: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            inputs.push(std::fs::read_to_string(p).unwrap());
        }
    }
    let read = |_: &str| {
        Ok::<String, String>(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: c, image: i}]}\n".to_string(),
        )
    };
    let junk = [b'{', b'}', b'[', b':', b'-', b'\n', b' ', b'"', b'\'', b'*', b'&', b'0', b'\t', b'#', b'|', b'>'];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for text in &inputs {
        let bytes = text.as_bytes();
        // Every 29th prefix and 100 single-byte mutations per scenario: the fuzz module
        // (`fuzz.rs`) mutates them structurally, with a longer run a variable away.
        for cut in (0..bytes.len()).step_by(29) {
            let prefix = String::from_utf8_lossy(&bytes[..cut]);
            let _ = podsim::scenario::load("x.yaml", &prefix, &read);
        }
        for _ in 0..100 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut b = bytes.to_vec();
            let at = (state % b.len() as u64) as usize;
            b[at] = junk[(state >> 32) as usize % junk.len()];
            let mangled = String::from_utf8_lossy(&b);
            let _ = podsim::scenario::load("x.yaml", &mangled, &read);
            let mut ignored = Default::default();
            let _ = podsim::api::object::parse_file("m.yaml", &mangled, &mut ignored);
        }
    }
}

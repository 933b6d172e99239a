#!/usr/bin/env python3
"""Writes src/api/schema/fields.txt: the field names of every kind podsim reads, as
Kubernetes' OpenAPI schema has them, for the API server's strict field validation.

Source: the PyPI package `kubernetes-validate` (1.37.0), which ships the OpenAPI
definitions of each Kubernetes release converted to JSON Schema; we read
`kubernetes-json-schema/v1.34.0-local/_definitions.json` (Kubernetes 1.34, the newest
release podsim follows). Only regeneration needs the package; the build and the tests
read the committed fields.txt.

    pip download --no-deps -d /tmp/kv kubernetes-validate==1.37.0
    python3 tools/gen_schema.py /tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl

The output, one line each (fields sorted, names as the API spells them):

    kind <apiVersion> <Kind> <type>
    type <name> <field>[=<shape>] ...

A field without a shape holds a scalar (string, number, boolean, IntOrString,
Quantity, Time). A shape is any number of `[` (a list of) and `{` (a map with free
keys, of), followed by a type name, `*` (a free-form object: anything goes, as
FieldsV1 or RawExtension), or nothing (scalars).
"""

import json
import os
import sys
import zipfile

KUBERNETES = "v1.34.0"
PACKAGE = "kubernetes-validate 1.37.0"

# Every (apiVersion, kind) podsim reads: the kinds it simulates (src/api/kinds.rs,
# KINDS) and those it accepts and skips (src/api/object.rs, NOT_SIMULATED). A test
# checks that both tables and this list agree.
KINDS = [
    ("v1", "Pod"),
    ("v1", "Node"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("v1", "Service"),
    ("apps/v1", "ReplicaSet"),
    ("apps/v1", "Deployment"),
    ("policy/v1", "PodDisruptionBudget"),
    ("apps/v1", "DaemonSet"),
    ("v1", "Namespace"),
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "ServiceAccount"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "PersistentVolume"),
    ("v1", "LimitRange"),
    ("v1", "ResourceQuota"),
    ("v1", "Endpoints"),
    ("discovery.k8s.io/v1", "EndpointSlice"),
    ("v1", "Event"),
    ("apps/v1", "StatefulSet"),
    ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("autoscaling/v1", "HorizontalPodAutoscaler"),
]

PREFIXES = ["io.k8s.api.", "io.k8s.apimachinery.pkg.apis.", "io.k8s.apimachinery.pkg."]


def short(name):
    for p in PREFIXES:
        if name.startswith(p):
            return name[len(p):]
    return name


def ref_name(ref):
    return ref.rsplit("/", 1)[-1]


class Generator:
    def __init__(self, defs):
        self.defs = defs
        self.types = {}  # short name -> {field: shape}
        self.pending = []

    def kind_def(self, api_version, kind):
        group, _, version = api_version.rpartition("/")
        for name, d in self.defs.items():
            for gvk in d.get("x-kubernetes-group-version-kind", []):
                if gvk["group"] == group and gvk["version"] == version and gvk["kind"] == kind:
                    return name
        raise SystemExit(f"no definition for {api_version} {kind}")

    def is_object(self, d):
        return "properties" in d

    def shape(self, node):
        """The shape of a property's schema node."""
        if "$ref" in node:
            name = ref_name(node["$ref"])
            d = self.defs[name]
            if self.is_object(d):
                self.want(name)
                return short(name)
            return self.shape(d)
        if "properties" in node:
            raise SystemExit(f"inline object schema: {node}")
        if "oneOf" in node:
            # IntOrString, Quantity: a scalar of one type or another.
            return ""
        types = node.get("type", [])
        types = [types] if isinstance(types, str) else types
        if "array" in types:
            return "[" + self.shape(node.get("items", {}))
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            return "{" + self.shape(extra)
        if "object" in types or extra is True:
            return "*"
        return ""

    def want(self, name):
        if short(name) not in self.types and name not in self.pending:
            self.pending.append(name)

    def run(self, roots):
        for r in roots:
            self.want(r)
        while self.pending:
            name = self.pending.pop()
            fields = {}
            self.types[short(name)] = fields
            for field, node in self.defs[name]["properties"].items():
                fields[field] = self.shape(node)


def main(wheel):
    with zipfile.ZipFile(wheel) as z:
        path = f"kubernetes_validate/kubernetes-json-schema/{KUBERNETES}-local/_definitions.json"
        defs = json.loads(z.read(path))["$defs"]
    gen = Generator(defs)
    kinds = [(v, k, gen.kind_def(v, k)) for v, k in KINDS]
    gen.run([d for _, _, d in kinds])
    out = [
        f"# Generated by tools/gen_schema.py from {PACKAGE} (Kubernetes {KUBERNETES} OpenAPI); do not edit.",
    ]
    for v, k, d in kinds:
        out.append(f"kind {v} {k} {short(d)}")
    for name in sorted(gen.types):
        fields = gen.types[name]
        parts = [f if not s else f"{f}={s}" for f, s in sorted(fields.items())]
        out.append(" ".join(["type", name] + parts))
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "api", "schema", "fields.txt")
    with open(target, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])

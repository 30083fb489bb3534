#!/usr/bin/env python3
"""Render a kustomization under deploy/k8s the way `kubectl kustomize` does, without kubectl.

    python3 deploy/k8s/render.py deploy/k8s/overlays/production > production.yaml

deploy/check.sh uses it when kubectl is missing, and compares it with `kubectl kustomize`
when kubectl is there. It implements only the subset our kustomization files use and stops
with an error on anything else, so it can never silently render something different:

  resources   files (multi-document YAML) and directories holding a kustomization.yaml
  namespace   set on every namespaced resource
  images      name -> newName / newTag / digest on pod template containers
  replicas    name -> count on Deployments and StatefulSets
  patches     JSON 6902 operation lists with a `target` (kind, name regex, optional
              group/version/namespace), and strategic-merge documents that only say
              `$patch: delete` (removing the matching resource)
"""

import copy
import json
import os
import re
import sys

import yaml

SUPPORTED_KEYS = {"apiVersion", "kind", "namespace", "resources", "images", "replicas", "patches"}
CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "RuntimeClass",
}
# kustomize's default ("legacy") output order; kinds not listed come after, by group,
# version and kind.
KIND_ORDER = [
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
    "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
    "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass",
    "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob",
    "PodDisruptionBudget",
]
KIND_ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]


class RenderError(Exception):
    pass


def load_docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def kustomization_file(directory):
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    raise RenderError(f"{directory}: no kustomization.yaml")


def group_version(api_version):
    if "/" in api_version:
        group, version = api_version.split("/", 1)
        return group, version
    return "", api_version


def matches_target(res, target):
    unsupported = set(target) - {"kind", "name", "group", "version", "namespace"}
    if unsupported:
        raise RenderError(f"patch target fields not supported: {sorted(unsupported)}")
    group, version = group_version(res.get("apiVersion", ""))
    meta = res.get("metadata", {})
    if "kind" in target and target["kind"] != res.get("kind"):
        return False
    if "group" in target and target["group"] != group:
        return False
    if "version" in target and target["version"] != version:
        return False
    if "namespace" in target and target["namespace"] != meta.get("namespace"):
        return False
    if "name" in target and not re.fullmatch(target["name"], meta.get("name", "")):
        return False
    return True


def pointer_parts(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise RenderError(f"JSON pointer must start with '/': {path}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def resolve_parent(doc, parts, path):
    node = doc
    for part in parts[:-1]:
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise RenderError(f"JSON patch path not found: {path}")
    return node


def apply_json6902(doc, ops):
    for op in ops:
        kind, path = op.get("op"), op.get("path")
        parts = pointer_parts(path)
        if not parts:
            raise RenderError("JSON patch on the whole document is not supported")
        parent = resolve_parent(doc, parts, path)
        key = parts[-1]
        if kind in ("add", "replace"):
            value = copy.deepcopy(op["value"])
            if isinstance(parent, list):
                if key == "-":
                    parent.append(value)
                elif kind == "add":
                    parent.insert(int(key), value)
                else:
                    parent[int(key)] = value
            else:
                if kind == "replace" and key not in parent:
                    raise RenderError(f"JSON patch replace of a missing path: {path}")
                parent[key] = value
        elif kind == "remove":
            if isinstance(parent, list):
                del parent[int(key)]
            elif key in parent:
                del parent[key]
            else:
                raise RenderError(f"JSON patch remove of a missing path: {path}")
        else:
            raise RenderError(f"JSON patch op not supported: {kind}")


def apply_patch(resources, entry, base_dir):
    if set(entry) - {"patch", "path", "target"}:
        raise RenderError(f"patch fields not supported: {sorted(set(entry) - {'patch', 'path', 'target'})}")
    if "path" in entry:
        with open(os.path.join(base_dir, entry["path"])) as f:
            text = f.read()
    else:
        text = entry["patch"]
    body = yaml.safe_load(text)
    if isinstance(body, list):
        target = entry.get("target")
        if not target:
            raise RenderError("a JSON 6902 patch needs a target")
        hits = [r for r in resources if matches_target(r, target)]
        if not hits:
            raise RenderError(f"patch target matches nothing: {target}")
        for res in hits:
            apply_json6902(res, body)
        return resources
    if isinstance(body, dict) and body.get("$patch") == "delete":
        extra = set(body) - {"apiVersion", "kind", "metadata", "$patch"}
        if extra or set(body.get("metadata", {})) - {"name", "namespace"}:
            raise RenderError("a `$patch: delete` document may only name its resource")
        target = {"kind": body["kind"], "name": re.escape(body["metadata"]["name"])}
        group, version = group_version(body.get("apiVersion", ""))
        target["group"], target["version"] = group, version
        if "namespace" in body["metadata"]:
            target["namespace"] = body["metadata"]["namespace"]
        if entry.get("target"):
            raise RenderError("a `$patch: delete` document takes no target")
        kept = [r for r in resources if not matches_target(r, target)]
        if len(kept) == len(resources):
            raise RenderError(f"delete patch matches nothing: {body['kind']}/{body['metadata']['name']}")
        return kept
    raise RenderError("only JSON 6902 lists and `$patch: delete` documents are supported as patches")


def pod_specs(res):
    spec = res.get("spec", {})
    if res.get("kind") == "Pod":
        yield spec
    template = spec.get("template", {})
    if "spec" in template:
        yield template["spec"]
    job_template = spec.get("jobTemplate", {}).get("spec", {}).get("template", {})
    if "spec" in job_template:
        yield job_template["spec"]


def split_image(image):
    digest = None
    if "@" in image:
        image, digest = image.split("@", 1)
    name, tag = image, None
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = image.rsplit(":", 1)
    return name, tag, digest


def apply_images(resources, images):
    for img in images:
        if set(img) - {"name", "newName", "newTag", "digest"}:
            raise RenderError(f"images fields not supported: {sorted(set(img) - {'name', 'newName', 'newTag', 'digest'})}")
        for res in resources:
            for spec in pod_specs(res):
                for container in spec.get("containers", []) + spec.get("initContainers", []):
                    name, tag, digest = split_image(container.get("image", ""))
                    if name != img["name"]:
                        continue
                    new = img.get("newName", name)
                    if "digest" in img:
                        container["image"] = f"{new}@{img['digest']}"
                    elif "newTag" in img:
                        container["image"] = f"{new}:{img['newTag']}"
                    elif digest:
                        container["image"] = f"{new}@{digest}"
                    elif tag:
                        container["image"] = f"{new}:{tag}"
                    else:
                        container["image"] = new


def apply_replicas(resources, replicas):
    for entry in replicas:
        hits = [r for r in resources
                if r.get("metadata", {}).get("name") == entry["name"]
                and r.get("kind") in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")]
        if not hits:
            raise RenderError(f"replicas: no workload named {entry['name']}")
        for res in hits:
            res.setdefault("spec", {})["replicas"] = entry["count"]


def build(directory):
    path = kustomization_file(directory)
    with open(path) as f:
        kust = yaml.safe_load(f) or {}
    unsupported = set(kust) - SUPPORTED_KEYS
    if unsupported:
        raise RenderError(f"{path}: kustomize fields not supported by render.py: {sorted(unsupported)}")
    resources = []
    for ref in kust.get("resources", []):
        full = os.path.normpath(os.path.join(directory, ref))
        if os.path.isdir(full):
            resources.extend(build(full))
        elif os.path.isfile(full):
            resources.extend(load_docs(full))
        else:
            raise RenderError(f"{path}: resource not found: {ref}")
    seen = set()
    for res in resources:
        ident = (res.get("apiVersion"), res.get("kind"), res.get("metadata", {}).get("namespace"),
                 res.get("metadata", {}).get("name"))
        if ident in seen:
            raise RenderError(f"{path}: resource defined twice: {ident}")
        seen.add(ident)
    for entry in kust.get("patches", []):
        resources = apply_patch(resources, entry, directory)
    if "namespace" in kust:
        for res in resources:
            if res.get("kind") not in CLUSTER_SCOPED:
                res.setdefault("metadata", {})["namespace"] = kust["namespace"]
    apply_replicas(resources, kust.get("replicas", []))
    apply_images(resources, kust.get("images", []))
    return resources


def order_key(res):
    kind = res.get("kind", "")
    if kind in KIND_ORDER:
        rank = KIND_ORDER.index(kind)
    elif kind in KIND_ORDER_LAST:
        rank = len(KIND_ORDER) + 1 + KIND_ORDER_LAST.index(kind)
    else:
        rank = len(KIND_ORDER)
    meta = res.get("metadata", {})
    group, version = group_version(res.get("apiVersion", ""))
    return (rank, group, version, kind, meta.get("namespace", ""), meta.get("name", ""))


def render(directory):
    resources = sorted(build(directory), key=order_key)
    return "---\n".join(yaml.safe_dump(r, sort_keys=True, default_flow_style=False) for r in resources)


def canonical(text):
    """A comparable form of a rendered stream: {identity: JSON of the resource}."""
    out = {}
    for doc in yaml.safe_load_all(text):
        if doc is None:
            continue
        meta = doc.get("metadata", {})
        ident = f"{doc.get('apiVersion')} {doc.get('kind')} {meta.get('namespace', '')}/{meta.get('name')}"
        out[ident] = json.dumps(doc, sort_keys=True)
    return out


def main(argv):
    if len(argv) == 4 and argv[1] == "--compare":
        # render.py --compare A.yaml B.yaml: exit 1 (and say where) when they differ.
        with open(argv[2]) as f:
            a = canonical(f.read())
        with open(argv[3]) as f:
            b = canonical(f.read())
        problems = [f"only in {argv[2]}: {k}" for k in sorted(set(a) - set(b))]
        problems += [f"only in {argv[3]}: {k}" for k in sorted(set(b) - set(a))]
        problems += [f"differs: {k}" for k in sorted(set(a) & set(b)) if a[k] != b[k]]
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        print("       python3 deploy/k8s/render.py --compare A.yaml B.yaml", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(render(argv[1]))
    except (RenderError, OSError, yaml.YAMLError, KeyError, ValueError, IndexError) as err:
        print(f"render.py: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

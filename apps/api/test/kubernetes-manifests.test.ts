import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { apiConfigFromEnv } from "../src/index.ts";
import { argsOf, parseDockerfile, type Stage } from "./support/dockerfile.ts";
import { type Stack, startStack } from "./support/start-stack.ts";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const baseDir = join(repoRoot, "deploy/kubernetes");

// Loosely typed on purpose: the test asserts the shape it relies on.
// biome-ignore lint/suspicious/noExplicitAny: manifests are arbitrary YAML
type Manifest = Record<string, any>;

function load(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(join(baseDir, file), "utf8")).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Manifest;
  });
}

const kustomization = load("kustomization.yaml")[0] as Manifest;
const resources = (kustomization.resources as string[]).flatMap(load);
const ofKind = (kind: string) => {
  const found = resources.filter((r) => r.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as Manifest;
};
const deployment = ofKind("Deployment");
const configMap = ofKind("ConfigMap");
const service = ofKind("Service");
const hpa = ofKind("HorizontalPodAutoscaler");
const pdb = ofKind("PodDisruptionBudget");
const networkPolicy = ofKind("NetworkPolicy");
const secretExample = load("secret.example.yaml")[0] as Manifest;
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const config = configMap.data as Record<string, string>;

/** Variable names in docs/configuration.md's tables (backticked names in a row's first cell). */
function documentedVariables(): Set<string> {
  const readme = readFileSync(join(repoRoot, "docs/configuration.md"), "utf8");
  const names = new Set<string>();
  for (const line of readme.split("\n")) {
    const firstCell = /^\|([^|]+)\|/.exec(line)?.[1] ?? "";
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(match[1] as string);
  }
  return names;
}

describe("deploy/kubernetes", () => {
  it("is a kustomize base with a Deployment, Service, HPA, PDB and ConfigMap that refer to each other", () => {
    expect(kustomization.kind).toBe("Kustomization");
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    expect(service.spec.selector).toEqual(labels);
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
    expect(hpa.spec.scaleTargetRef).toMatchObject({
      kind: "Deployment",
      name: deployment.metadata.name,
    });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
    expect(container.envFrom).toEqual([
      { configMapRef: { name: configMap.metadata.name } },
      { secretRef: { name: secretExample.metadata.name, optional: true } },
    ]);
    // The example Secret is never applied: real secrets do not live in the repository.
    expect(kustomization.resources).not.toContain("secret.example.yaml");
  });

  it("listens where the image and the ConfigMap say, and the Service targets that port", () => {
    const [http] = container.ports;
    expect(http).toEqual({ name: "http", containerPort: Number(config.PORT) });
    const image = parseDockerfile(readFileSync(join(repoRoot, "apps/api/Dockerfile"), "utf8"));
    expect(argsOf(image.at(-1) as Stage, "EXPOSE")).toEqual([String(http.containerPort)]);
    expect(service.spec.ports).toEqual([{ name: "http", port: 80, targetPort: "http" }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
  });

  it("sets only variables docs/configuration.md documents, with values the api accepts in production", () => {
    const documented = documentedVariables();
    for (const name of [...Object.keys(config), ...Object.keys(secretExample.stringData)]) {
      expect(documented, name).toContain(name);
    }
    // The base's API_PUBLIC_URL is a placeholder the overlay must replace; the rest is valid.
    const overlaid = { ...config, NODE_ENV: "production", API_PUBLIC_URL: "https://api.acme.com" };
    expect(() => apiConfigFromEnv(overlaid)).not.toThrow();
    expect(apiConfigFromEnv(overlaid)).toMatchObject({ publicUrl: "https://api.acme.com" });
    expect(apiConfigFromEnv(overlaid).localIssuerNotice).toBe(undefined);
  });

  it("sets an API_PUBLIC_URL placeholder that the api refuses in production until an overlay replaces it", () => {
    expect(new URL(config.API_PUBLIC_URL as string).hostname).toMatch(/\.invalid$/);
    expect(() => apiConfigFromEnv({ ...config, NODE_ENV: "production" })).toThrow(
      /^API_PUBLIC_URL: names a host under \.invalid, a placeholder/,
    );
  });

  it("gives the api longer than its shutdown delay plus its shutdown timeout before SIGKILL", () => {
    const delay = Number(config.API_SHUTDOWN_DELAY_MS);
    const timeout = Number(config.API_SHUTDOWN_TIMEOUT_MS);
    expect(delay).toBeGreaterThan(0);
    expect(timeout).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(delay + timeout);
  });

  it("runs as the image's non-root user on a read-only root filesystem, with requests and limits", () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const image = parseDockerfile(readFileSync(join(repoRoot, "apps/api/Dockerfile"), "utf8"));
    expect(argsOf(image.at(-1) as Stage, "USER")).toEqual([
      `${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`,
    ]);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    for (const kind of ["requests", "limits"]) {
      expect(container.resources[kind]).toMatchObject({
        cpu: expect.any(String),
        memory: expect.any(String),
      });
    }
  });

  it("serves metrics on a port of their own that the scrape annotations name", () => {
    const metrics = container.ports.find((port: Manifest) => port.name === "metrics");
    expect(metrics).toEqual({ name: "metrics", containerPort: Number(config.METRICS_PORT) });
    expect(config.METRICS_PORT).not.toBe(config.PORT);
    const { annotations } = deployment.spec.template.metadata;
    expect(annotations).toEqual({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": config.METRICS_PORT,
      "prometheus.io/path": "/metrics",
    });
    // Only the metrics port is left off the Service: scrapers reach pods, clients the api.
    expect(service.spec.ports.map((port: Manifest) => port.targetPort)).toEqual(["http"]);
  });

  it("lets anyone reach the api port and only Prometheus the metrics port", () => {
    expect(networkPolicy.spec.podSelector.matchLabels).toEqual(
      deployment.spec.template.metadata.labels,
    );
    expect(networkPolicy.spec.policyTypes).toEqual(["Ingress"]);
    const rules = networkPolicy.spec.ingress as Manifest[];
    const containerPorts = new Set(container.ports.map((port: Manifest) => port.name));
    for (const rule of rules) {
      for (const { port } of rule.ports) expect(containerPorts, port).toContain(port);
    }
    const api = rules.filter((rule) => rule.ports.some((p: Manifest) => p.port === "http"));
    expect(api).toEqual([{ ports: [{ port: "http" }] }]);
    const scrape = rules.filter((rule) => rule.ports.some((p: Manifest) => p.port === "metrics"));
    expect(scrape).toHaveLength(1);
    expect(scrape[0]?.ports).toEqual([{ port: "metrics" }]);
    expect(scrape[0]?.from.length).toBeGreaterThan(0);
    // Every peer is narrowed: a namespace by name, or Prometheus pods by label; never everyone.
    for (const peer of (scrape[0]?.from ?? []) as Manifest[]) {
      const namespaced = peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
      const prometheus = peer.podSelector?.matchLabels?.["app.kubernetes.io/name"];
      expect(namespaced === "monitoring" || prometheus === "prometheus", JSON.stringify(peer)).toBe(
        true,
      );
    }
  });

  it("offers a Prometheus Operator component whose PodMonitor scrapes the metrics port", () => {
    const componentDir = "components/prometheus-operator";
    const component = load(`${componentDir}/kustomization.yaml`)[0] as Manifest;
    expect(component.kind).toBe("Component");
    const [podMonitor] = (component.resources as string[]).flatMap((file) =>
      load(`${componentDir}/${file}`),
    );
    expect(podMonitor?.kind).toBe("PodMonitor");
    expect(podMonitor?.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    expect(podMonitor?.spec.podMetricsEndpoints).toEqual([
      { port: "metrics", path: "/metrics", interval: expect.any(String) },
    ]);
  });

  describe("probes against the real api", () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack();
      await stack.api.verifier.keySet.warm();
    });
    afterAll(async () => {
      await stack?.close();
    });

    it("both probe paths answer 200 on a running api with its keys loaded", async () => {
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        const response = await fetch(`${stack.api.url}${probe.httpGet.path}`);
        expect(response.status, probe.httpGet.path).toBe(200);
      }
    });
  });
});

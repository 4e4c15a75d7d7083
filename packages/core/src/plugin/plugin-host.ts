import type { KubeConfig } from "@kubernetes/client-node";
import { kubeApiFor } from "../kube/kube-source.js";
import "reflect-metadata";
import { container as globalContainer, instanceCachingFactory, type DependencyContainer } from "tsyringe";
import type { Clock } from "../contracts/clock.js";
import type { Logger } from "../contracts/logger.js";
import { KuredError } from "../errors/kured-error.js";
import { Tokens } from "../tokens.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { ID_PATTERN, type KuredPlugin } from "./define-plugin.js";
import {
  COMPONENT_KINDS,
  type ComponentContext,
  type ComponentFactory,
  type ComponentKind,
  type ComponentTypes,
  type PluginRegistry,
} from "./registry.js";

/** The services the host offers to every component. */
export interface HostServices {
  readonly node: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** more services by token, e.g. `Tokens.Kube` (with only `Tokens.KubeConfig`, Kube is made from it) */
  readonly extra?: ReadonlyMap<symbol, unknown>;
}

/** One registered component. */
export interface ComponentRegistration {
  readonly pluginId: string;
  readonly kind: ComponentKind;
  readonly id: string;
}

interface Entry extends ComponentRegistration {
  readonly token: symbol;
  readonly container: DependencyContainer;
}

const KIND_TOKENS: Record<ComponentKind, symbol> = {
  detector: Tokens.Detector,
  blocker: Tokens.Blocker,
  notifier: Tokens.Notifier,
  lockBackend: Tokens.LockBackend,
  drainer: Tokens.Drainer,
  rebooter: Tokens.Rebooter,
  subscriber: Tokens.Subscriber,
  httpRoute: Tokens.HttpRoute,
};

/** The token of one component by kind and id, global like the kind tokens. */
function componentToken(kind: ComponentKind, id: string): symbol {
  return Symbol.for(`kured.${kind}/${id}`);
}

/**
 * Runs plugins' `register` against a registry facade, each into a tsyringe child container of its
 * own, and resolves what they registered. Plugins never see the container; the host never knows a
 * plugin by name.
 */
export class PluginHost {
  private readonly entries: Entry[] = [];

  private constructor(
    private readonly root: DependencyContainer,
    private readonly services: HostServices,
  ) {}

  /**
   * Registers every plugin with its resolved options. A throwing `register`, a bad component id
   * or a duplicate one fails with KURED_ERR_PLUGIN_REGISTER_FAILED / _ID_INVALID / _DUPLICATE.
   */
  static async start(options: {
    plugins: readonly KuredPlugin[];
    config: ResolvedConfig;
    services: HostServices;
    /** a container to build on (an embedder's); a fresh child of tsyringe's global one by default */
    container?: DependencyContainer;
  }): Promise<PluginHost> {
    const root = (options.container ?? globalContainer).createChildContainer();
    const { services } = options;
    root.register(Tokens.Clock, { useValue: services.clock });
    root.register(Tokens.Logger, { useValue: services.log });
    root.register(Tokens.NodeName, { useValue: services.node });
    root.register(Tokens.Config, { useValue: options.config });
    for (const [token, value] of services.extra ?? []) root.register(token, { useValue: value });
    // A host given only a client-node KubeConfig (tests, embedders) offers the REST client made from it.
    const kubeConfig = services.extra?.get(Tokens.KubeConfig);
    if (kubeConfig && !services.extra?.has(Tokens.Kube)) {
      root.register(Tokens.Kube, { useFactory: instanceCachingFactory(() => kubeApiFor(kubeConfig as KubeConfig)) });
    }
    const host = new PluginHost(root, services);
    for (const plugin of options.plugins) await host.registerPlugin(plugin, options.config);
    return host;
  }

  private async registerPlugin(plugin: KuredPlugin, config: ResolvedConfig): Promise<void> {
    const child = this.root.createChildContainer();
    const log = this.services.log.child({ plugin: plugin.id });
    const add =
      <K extends ComponentKind>(kind: K) =>
      (id: string, factory: ComponentFactory<ComponentTypes[K]>): void =>
        this.add(plugin.id, child, kind, id, factory as ComponentFactory<unknown>);
    const registry: PluginRegistry = {
      detector: add("detector"),
      blocker: add("blocker"),
      notifier: add("notifier"),
      lockBackend: add("lockBackend"),
      drainer: add("drainer"),
      rebooter: add("rebooter"),
      subscriber: add("subscriber"),
      httpRoute: add("httpRoute"),
    };
    try {
      await plugin.register(registry, { options: (config.values.get(plugin.id) ?? {}) as never, log });
    } catch (e) {
      if (e instanceof KuredError) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw new KuredError(
        "KURED_ERR_PLUGIN_REGISTER_FAILED",
        `plugin ${plugin.id}: register() failed: ${why}; this is a fault of the plugin — report it to its author, or remove it`,
        { cause: e },
      );
    }
  }

  private add(
    pluginId: string,
    container: DependencyContainer,
    kind: ComponentKind,
    id: string,
    factory: ComponentFactory<unknown>,
  ): void {
    if (!ID_PATTERN.test(id)) {
      throw new KuredError(
        "KURED_ERR_PLUGIN_ID_INVALID",
        `plugin ${pluginId}: ${kind} id ${JSON.stringify(id)} is not kebab-case; the plugin's author must fix it`,
      );
    }
    const other = this.entries.find((e) => e.kind === kind && e.id === id);
    if (other) {
      throw new KuredError(
        "KURED_ERR_PLUGIN_DUPLICATE",
        `plugin ${pluginId} registers ${kind} ${JSON.stringify(id)}, already registered by plugin ${other.pluginId}; do not load both`,
      );
    }
    const token = componentToken(kind, id);
    const ctx = (c: DependencyContainer): ComponentContext => ({
      node: this.services.node,
      clock: this.services.clock,
      log: this.services.log.child({ plugin: pluginId, component: id }),
      resolve<T>(wanted: symbol): T {
        if (!c.isRegistered(wanted, true)) {
          throw new KuredError(
            "KURED_ERR_COMPONENT_MISSING",
            `plugin ${pluginId}: ${kind} ${id} needs the service ${wanted.description ?? String(wanted)}, which this host does not provide`,
          );
        }
        return c.resolve<T>(wanted);
      },
    });
    container.register(token, { useFactory: instanceCachingFactory((c) => factory(ctx(c))) });
    container.register(KIND_TOKENS[kind], { useToken: token });
    this.entries.push({ pluginId, kind, id, token, container });
  }

  /** What is registered, optionally of one kind, in registration order. */
  list(kind?: ComponentKind): readonly ComponentRegistration[] {
    return this.entries
      .filter((e) => kind === undefined || e.kind === kind)
      .map(({ pluginId, kind: k, id }) => ({ pluginId, kind: k, id }));
  }

  /** Every component of a kind (detectors, blockers, notifiers), in registration order. */
  resolveAll<K extends ComponentKind>(kind: K): ComponentTypes[K][] {
    return this.entries.filter((e) => e.kind === kind).map((e) => e.container.resolve<ComponentTypes[K]>(e.token));
  }

  /** The component of a kind with this id; KURED_ERR_COMPONENT_MISSING when no plugin registered it. */
  resolve<K extends ComponentKind>(kind: K, id: string): ComponentTypes[K] {
    const entry = this.entries.find((e) => e.kind === kind && e.id === id);
    if (!entry) {
      const known = this.entries.filter((e) => e.kind === kind).map((e) => e.id);
      throw new KuredError(
        "KURED_ERR_COMPONENT_MISSING",
        `no plugin provides the ${kind} ${JSON.stringify(id)}; available: ${known.length ? known.join(", ") : "none"} — load the plugin that provides it with --plugin`,
      );
    }
    return entry.container.resolve<ComponentTypes[K]>(entry.token);
  }

  /** The host's own container, for embedders that add services. */
  get container(): DependencyContainer {
    return this.root;
  }
}

/** All component kinds (re-exported for embedders iterating them). */
export { COMPONENT_KINDS };

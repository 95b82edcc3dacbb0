/**
 * Container logs in the formats the Bud components really print: budapp and the other Python services
 * (uvicorn + logging), budgateway (Rust tracing), daprd (logrus), PostgreSQL (Bitnami image), Keycloak
 * (Quarkus), CoreDNS and vLLM. Every line is stamped relative to the container's start and `now`.
 */
import { hex, SEC, MIN, after, before } from './k8s.js';

/** A deterministic pseudo-random sequence from a seed (mulberry32). */
export function rng(seed: string): () => number {
  let a = parseInt(hex(`rng:${seed}`, 8), 16) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const p2 = (n: number) => String(n).padStart(2, '0');
const p3 = (n: number) => String(n).padStart(3, '0');

export const stamp = {
  /** Python logging: 2026-11-28 03:59:41,233 */
  py: (d: Date) =>
    `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())},${p3(d.getUTCMilliseconds())}`,
  /** PostgreSQL log_line_prefix '%m [%p] ': 2026-11-28 03:59:41.233 UTC */
  pg: (d: Date) =>
    `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${p3(d.getUTCMilliseconds())} UTC`,
  /** Bitnami's shell scripts: 03:59:41.23 */
  bitnami: (d: Date) =>
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${p2(Math.floor(d.getUTCMilliseconds() / 10))}`,
  /** RFC 3339 with microseconds (Rust tracing, logrus). */
  rfc: (d: Date) => d.toISOString().replace('Z', `${p3(Math.floor((d.getTime() * 7) % 1000))}Z`),
  /** vLLM: 11-28 03:59:41 */
  vllm: (d: Date) =>
    `${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`,
};

export interface LogCtx {
  pod: string;
  namespace: string;
  node: string;
  /** The node's address on the pod network (probes come from it). */
  probeIP: string;
  podIP: string;
  startedAt: Date;
  /** When this container instance ended (a previous or crashed instance); undefined: still running. */
  endedAt?: Date;
  now: Date;
  version: string;
  revision?: number;
  /** The container's clock is this far ahead (a node with a skewed clock). */
  clockAheadSeconds?: number;
}

/** Timestamps from `from` to `to` every `step` ms, with jitter. */
function ticks(from: Date, to: Date, step: number, r: () => number, max = 12): Date[] {
  const out: Date[] = [];
  let t = to.getTime() - Math.floor(r() * step);
  while (t > from.getTime() && out.length < max) {
    out.unshift(new Date(t));
    t -= step * (0.6 + r() * 0.8);
  }
  return out;
}

function join(lines: string[]): string {
  return lines.length ? lines.join('\n') + '\n' : '';
}

function skewed(ctx: LogCtx, d: Date): Date {
  return after(d, (ctx.clockAheadSeconds ?? 0) * SEC);
}

// ---------------------------------------------------------------------------------------------
// Python services (budapp, budcluster, budmodel, budmetrics, budnotify)

export function pyStartup(ctx: LogCtx, service: string, port: number, extra: string[] = []): string[] {
  const t = (ms: number) => stamp.py(skewed(ctx, after(ctx.startedAt, ms)));
  return [
    `${t(410)} INFO     [${service}.main] Starting ${service} ${ctx.version}${ctx.revision ? ` (chart revision ${ctx.revision})` : ''}`,
    `${t(1830)} INFO     [${service}.commons.config] Loaded configuration from /etc/bud/config.yaml`,
    ...extra.map((l, i) => `${t(2100 + i * 140)} ${l}`),
    `${t(2950)} INFO     [${service}.commons.database] Connected to PostgreSQL postgresql.bud-data.svc:5432/${service} (pool_size=20, max_overflow=10)`,
    `${t(3120)} INFO     [${service}.commons.dapr] Dapr sidecar is ready at http://localhost:3500`,
    `${t(3150)} INFO     [uvicorn.error] Started server process [1]`,
    `${t(3151)} INFO     [uvicorn.error] Waiting for application startup.`,
    `${t(3377)} INFO     [uvicorn.error] Application startup complete.`,
    `${t(3379)} INFO     [uvicorn.error] Uvicorn running on http://0.0.0.0:${port} (Press CTRL+C to quit)`,
  ];
}

const BUDAPP_ROUTES = [
  'GET /endpoints?page=1&limit=20',
  'GET /models?page=1&limit=10',
  'GET /projects/3f0c2a71-51a2-4bd8-9b5e-0c1d2e8a9b41/endpoints',
  'POST /auth/token/refresh',
  'GET /users/me',
  'GET /clusters?page=1&limit=10',
  'GET /metrics/count',
];

/** A Python service that is up and serving: startup, then probes and requests up to now (or its end). */
export function pyHealthy(ctx: LogCtx, service: string, port: number, opts: { routes?: string[]; extra?: string[] } = {}): string {
  const r = rng(`${ctx.pod}:${ctx.startedAt.getTime()}`);
  const end = ctx.endedAt ?? ctx.now;
  const lines = pyStartup(ctx, service, port, opts.extra);
  const routes = opts.routes ?? (service === 'budapp' ? BUDAPP_ROUTES : ['GET /health']);
  for (const t of ticks(after(ctx.startedAt, 5 * SEC), end, 9 * SEC, r, 14)) {
    const route = r() < 0.5 ? 'GET /health' : routes[Math.floor(r() * routes.length)]!;
    const client = route === 'GET /health' ? ctx.probeIP : `10.42.2.${20 + Math.floor(r() * 9)}`;
    lines.push(
      `${stamp.py(skewed(ctx, t))} INFO     [uvicorn.access] ${client}:${40000 + Math.floor(r() * 20000)} - "${route} HTTP/1.1" 200`,
    );
  }
  return join(lines);
}

/** A Python traceback for an exception raised at startup. */
export function pyCrash(ctx: LogCtx, service: string, body: string[]): string {
  const end = ctx.endedAt ?? ctx.now;
  return join([
    `${stamp.py(skewed(ctx, after(ctx.startedAt, 380)))} INFO     [${service}.main] Starting ${service} ${ctx.version}${ctx.revision ? ` (chart revision ${ctx.revision})` : ''}`,
    ...body.map((l) => l.replace('{ts}', stamp.py(skewed(ctx, before(end, 120))))),
  ]);
}

// ---------------------------------------------------------------------------------------------
// daprd

export function daprd(ctx: LogCtx, appId: string, appPort: number, trouble: string[] = []): string {
  const t = (ms: number) => stamp.rfc(skewed(ctx, after(ctx.startedAt, ms)));
  const tail = `app_id=${appId} instance=${ctx.pod} scope=dapr.runtime type=log ver=1.14.4`;
  const lines = [
    `time="${t(12)}" level=info msg="Starting Dapr Runtime -- version 1.14.4 -- commit 583960dc90120616124b60ad2b7820fc0b3edf44" ${tail}`,
    `time="${t(13)}" level=info msg="Log level set to: info" ${tail}`,
    `time="${t(15)}" level=info msg="Resiliency configuration loaded" ${tail}`,
    `time="${t(212)}" level=info msg="Enabled gRPC tracing middleware" app_id=${appId} instance=${ctx.pod} scope=dapr.runtime.grpc.api type=log ver=1.14.4`,
    `time="${t(389)}" level=info msg="Component loaded: statestore (state.redis/v1)" app_id=${appId} instance=${ctx.pod} scope=dapr.runtime.processor type=log ver=1.14.4`,
    `time="${t(401)}" level=info msg="Component loaded: pubsub (pubsub.redis/v1)" app_id=${appId} instance=${ctx.pod} scope=dapr.runtime.processor type=log ver=1.14.4`,
    `time="${t(402)}" level=info msg="Component loaded: secretstore-kubernetes (secretstores.kubernetes/v1)" app_id=${appId} instance=${ctx.pod} scope=dapr.runtime.processor type=log ver=1.14.4`,
    `time="${t(406)}" level=info msg="application protocol: http. waiting on port ${appPort}.  This will block until the app is listening on that port." ${tail}`,
    ...trouble,
  ];
  if (!trouble.length)
    lines.push(
      `time="${t(3710)}" level=info msg="application discovered on port ${appPort}" ${tail}`,
      `time="${t(3892)}" level=info msg="dapr initialized. Status: Running. Init Elapsed 3892ms" ${tail}`,
      `time="${t(4120)}" level=info msg="Placement tables updated, version: 12" app_id=${appId} instance=${ctx.pod} scope=dapr.runtime.actors.placement type=log ver=1.14.4`,
    );
  return join(lines);
}

// ---------------------------------------------------------------------------------------------
// budgateway (Rust, tracing)

export function gateway(ctx: LogCtx, requests: Array<(t: Date, r: () => number) => string> = []): string {
  const r = rng(`gw:${ctx.pod}:${ctx.startedAt.getTime()}`);
  const t = (ms: number) => stamp.rfc(skewed(ctx, after(ctx.startedAt, ms)));
  const lines = [
    `${t(120)}  INFO budgateway: Starting budgateway ${ctx.version}`,
    `${t(131)}  INFO budgateway::config: Loaded 2 models, 1 provider from /etc/bud/gateway.toml`,
    `${t(847)}  INFO budgateway::clickhouse: Connected to ClickHouse at http://clickhouse.bud-data.svc:8123`,
    `${t(902)}  INFO budgateway: Listening on 0.0.0.0:3000`,
  ];
  const end = ctx.endedAt ?? ctx.now;
  const makers = requests.length
    ? requests
    : [
        (d: Date, rr: () => number) =>
          `${stamp.rfc(skewed(ctx, d))}  INFO request{method=POST uri=/v1/chat/completions}: budgateway::endpoints::inference: request completed status=200 model="llama-3-70b" latency_ms=${900 + Math.floor(rr() * 2400)} ttft_ms=${110 + Math.floor(rr() * 200)}`,
        (d: Date, rr: () => number) =>
          `${stamp.rfc(skewed(ctx, d))}  INFO request{method=POST uri=/v1/chat/completions}: budgateway::endpoints::inference: request completed status=200 model="qwen-2-7b" latency_ms=${200 + Math.floor(rr() * 600)} ttft_ms=${40 + Math.floor(rr() * 60)}`,
        (d: Date) => `${stamp.rfc(skewed(ctx, d))}  INFO request{method=GET uri=/health}: budgateway::endpoints::status: ok`,
      ];
  for (const d of ticks(after(ctx.startedAt, 5 * SEC), end, 6 * SEC, r, 14)) lines.push(makers[Math.floor(r() * makers.length)]!(d, r));
  return join(lines);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL (Bitnami image)

export function pgSetup(ctx: LogCtx): string[] {
  const b = (ms: number) => `postgresql ${stamp.bitnami(skewed(ctx, after(ctx.startedAt, ms)))}`;
  return [
    `${b(30)} INFO  ==> `,
    `${b(31)} INFO  ==> Welcome to the Bitnami postgresql container`,
    `${b(32)} INFO  ==> Subscribe to project updates by watching https://github.com/bitnami/containers`,
    `${b(33)} INFO  ==> `,
    `${b(60)} INFO  ==> ** Starting PostgreSQL setup **`,
    `${b(102)} INFO  ==> Validating settings in POSTGRESQL_* env vars..`,
    `${b(131)} INFO  ==> Loading custom pg_hba.conf file`,
    `${b(140)} INFO  ==> Generating local authentication configuration`,
    `${b(1130)} INFO  ==> Deploying PostgreSQL with persisted data...`,
    `${b(1190)} INFO  ==> Configuring replication parameters`,
    `${b(1240)} INFO  ==> Configuring fsync`,
    `${b(1262)} INFO  ==> Configuring synchronous_replication`,
    `${b(1301)} INFO  ==> Loading custom scripts...`,
    `${b(1320)} INFO  ==> Enabling remote connections`,
    `${b(1345)} INFO  ==> ** PostgreSQL setup finished! **`,
    `${b(1388)} INFO  ==> ** Starting PostgreSQL **`,
  ];
}

export function pgLine(ctx: LogCtx, at: Date, pid: number, level: string, msg: string): string {
  return `${stamp.pg(skewed(ctx, at))} [${pid}] ${level}:  ${msg}`;
}

export function pgServerStart(
  ctx: LogCtx,
  recovery: 'clean' | 'crash' | 'standby',
  o: { lastKnownUp?: Date; startupPid?: number } = {},
): { lines: string[]; ready: Date } {
  const at = (ms: number) => after(ctx.startedAt, ms);
  const lines = [
    ...pgSetup(ctx),
    pgLine(ctx, at(1512), 1, 'LOG', 'pgaudit extension initialized'),
    pgLine(ctx, at(1530), 1, 'LOG', 'starting PostgreSQL 16.4 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit'),
    pgLine(ctx, at(1531), 1, 'LOG', 'listening on IPv4 address "0.0.0.0", port 5432'),
    pgLine(ctx, at(1532), 1, 'LOG', 'listening on IPv6 address "::", port 5432'),
    pgLine(ctx, at(1537), 1, 'LOG', 'listening on Unix socket "/tmp/.s.PGSQL.5432"'),
  ];
  const down = stamp.pg(o.lastKnownUp ?? before(ctx.startedAt, 41 * SEC));
  const sp = o.startupPid ?? 112;
  if (recovery === 'clean') {
    lines.push(pgLine(ctx, at(1544), 112, 'LOG', `database system was shut down at ${down}`));
    lines.push(pgLine(ctx, at(1551), 1, 'LOG', 'database system is ready to accept connections'));
    return { lines, ready: at(1551) };
  }
  if (recovery === 'standby') {
    lines.push(
      pgLine(ctx, at(1544), 112, 'LOG', `database system was shut down in recovery at ${down}`),
      pgLine(ctx, at(1546), 112, 'LOG', 'entering standby mode'),
      pgLine(ctx, at(1559), 112, 'LOG', 'redo starts at 2A/D3F8E1B0'),
      pgLine(ctx, at(1612), 112, 'LOG', 'consistent recovery state reached at 2A/D41A2C88'),
      pgLine(ctx, at(1613), 1, 'LOG', 'database system is ready to accept read-only connections'),
    );
    return { lines, ready: at(1613) };
  }
  lines.push(
    pgLine(ctx, at(1544), sp, 'LOG', `database system was interrupted; last known up at ${down}`),
    pgLine(ctx, at(1702), sp, 'LOG', 'database system was not properly shut down; automatic recovery in progress'),
    pgLine(ctx, at(1719), sp, 'LOG', 'redo starts at 2A/D3F8E1B0'),
  );
  return { lines, ready: at(1719) };
}

export function pgHealthy(
  ctx: LogCtx,
  role: 'primary' | 'replica',
  extra: Array<{ at: Date; pid: number; level: string; msg: string }> = [],
): string {
  const r = rng(`pg:${ctx.pod}:${ctx.startedAt.getTime()}`);
  const { lines } = pgServerStart(ctx, role === 'primary' ? 'clean' : 'standby');
  const end = ctx.endedAt ?? ctx.now;
  if (role === 'replica')
    lines.push(pgLine(ctx, after(ctx.startedAt, 1650), 131, 'LOG', 'started streaming WAL from primary at 2A/D5000000 on timeline 1'));
  const events: Array<{ at: Date; pid: number; level: string; msg: string }> = [...extra];
  for (const t of ticks(after(ctx.startedAt, 5 * MIN), end, 5 * MIN, r, 4)) {
    const buffers = 900 + Math.floor(r() * 2400);
    events.push(
      {
        at: before(t, 270 * SEC),
        pid: 108,
        level: 'LOG',
        msg: role === 'primary' ? 'checkpoint starting: time' : 'restartpoint starting: time',
      },
      {
        at: t,
        pid: 108,
        level: 'LOG',
        msg: `${role === 'primary' ? 'checkpoint' : 'restartpoint'} complete: wrote ${buffers} buffers (${(buffers / 163.84).toFixed(1)}%); 0 WAL file(s) added, 0 removed, 1 recycled; write=269.${Math.floor(r() * 900 + 100)} s, sync=0.00${Math.floor(r() * 9)} s, total=269.${Math.floor(r() * 900 + 100)} s; sync files=${40 + Math.floor(r() * 30)}, longest=0.002 s, average=0.001 s; distance=${14000 + Math.floor(r() * 4000)} kB, estimate=15302 kB; lsn=2A/D${Math.floor(r() * 9)}1A2C88, redo lsn=2A/D3F8E1B0`,
      },
    );
  }
  events.sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const e of events)
    if (e.at.getTime() > ctx.startedAt.getTime() && e.at.getTime() <= end.getTime()) lines.push(pgLine(ctx, e.at, e.pid, e.level, e.msg));
  return join(lines);
}

// ---------------------------------------------------------------------------------------------
// Keycloak (Quarkus distribution)

export function kcStamp(d: Date): string {
  return stamp.py(d);
}

export function keycloakStartup(ctx: LogCtx): string[] {
  const t = (ms: number) => kcStamp(skewed(ctx, after(ctx.startedAt, ms)));
  return [
    `${t(1920)} INFO  [org.keycloak.quarkus.runtime.storage.infinispan.CacheManagerFactory] (main) Starting Infinispan embedded cache manager`,
    `${t(4410)} INFO  [org.keycloak.quarkus.runtime.hostname.DefaultHostnameProvider] (main) Hostname settings: Base URL: <unset>, Hostname: keycloak.bud.example, Strict HTTPS: true, Path: <request>, Strict BackChannel: false, Admin URL: <unset>, Admin: <request>, Port: -1, Proxied: true`,
    `${t(6122)} INFO  [org.keycloak.connections.infinispan.DefaultInfinispanConnectionProviderFactory] (main) Node name: keycloak-0-31415, Site name: null`,
  ];
}

export function keycloakHealthy(ctx: LogCtx): string {
  const t = (ms: number) => kcStamp(skewed(ctx, after(ctx.startedAt, ms)));
  const r = rng(`kc:${ctx.pod}`);
  const lines = [
    ...keycloakStartup(ctx),
    `${t(9310)} INFO  [org.keycloak.broker.provider.AbstractIdentityProviderMapper] (main) Registering class org.keycloak.broker.provider.mappersync.ConfigSyncEventListener`,
    `${t(11890)} INFO  [io.quarkus] (main) Keycloak 25.0.6 on JVM (powered by Quarkus 3.8.5) started in 11.742s. Listening on: http://0.0.0.0:8080. Management interface listening on http://0.0.0.0:9000.`,
    `${t(11891)} INFO  [io.quarkus] (main) Profile prod activated.`,
    `${t(11892)} INFO  [io.quarkus] (main) Installed features: [agroal, cdi, hibernate-orm, jdbc-postgresql, keycloak, logging-gelf, narayana-jta, reactive-routes, resteasy-reactive, resteasy-reactive-jackson, smallrye-context-propagation, smallrye-health, vertx]`,
  ];
  const end = ctx.endedAt ?? ctx.now;
  for (const d of ticks(after(ctx.startedAt, 2 * MIN), end, 11 * MIN, r, 3))
    lines.push(
      `${kcStamp(skewed(ctx, d))} WARN  [org.keycloak.events] (executor-thread-${Math.floor(r() * 40)}) type="LOGIN_ERROR", realmId="3c1f9e52-0a5d-4d8e-b1a3-7f2e4c6d8a90", realmName="bud", clientId="bud-admin", userId="null", ipAddress="10.42.2.1", error="user_not_found", auth_method="openid-connect", redirect_uri="https://admin.bud.example/"`,
    );
  return join(lines);
}

// ---------------------------------------------------------------------------------------------
// CoreDNS

export function corednsHealthy(ctx: LogCtx): string {
  return join([
    '[WARNING] No files matching import glob pattern: /etc/coredns/custom/*.override',
    '[WARNING] No files matching import glob pattern: /etc/coredns/custom/*.server',
    '.:53',
    '[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908',
    'CoreDNS-1.11.3',
    'linux/amd64, go1.22.7 X:boringcrypto, a6338e9',
    `[INFO] 127.0.0.1:${40000 + (ctx.startedAt.getTime() % 20000)} - 7829 "HINFO IN 4547991504243258144.3688648895315093531. udp 57 false 512" NXDOMAIN qr,rd,ra 57 0.011211348s`,
  ]);
}

// ---------------------------------------------------------------------------------------------
// vLLM

export interface VllmModel {
  served: string;
  path: string;
  tp: number;
  maxModelLen: number;
  gpuUtil: number;
  weightsGB: number;
}

export function vllmStartup(ctx: LogCtx, m: VllmModel): { lines: string[]; at: (ms: number) => string } {
  const at = (ms: number) => stamp.vllm(skewed(ctx, after(ctx.startedAt, ms)));
  const lines = [
    `INFO ${at(2100)} api_server.py:585] vLLM API server version 0.6.4.post1`,
    `INFO ${at(2101)} api_server.py:586] args: Namespace(subparser='serve', model_tag='${m.path}', host=None, port=8000, uvicorn_log_level='info', allow_credentials=False, served_model_name=['${m.served}'], tensor_parallel_size=${m.tp}, gpu_memory_utilization=${m.gpuUtil}, max_model_len=${m.maxModelLen}, max_num_seqs=256, enable_prefix_caching=True, disable_log_requests=True, ...)`,
    `INFO ${at(2190)} api_server.py:175] Multiprocessing frontend to use ipc:///tmp/3b2f6a0c-7e1d-4c55-9a8e-2c6f1d0b9e47 for IPC Path.`,
    `INFO ${at(2191)} api_server.py:194] Started engine process with PID 77`,
    `INFO ${at(9020)} config.py:350] This model supports multiple tasks: {'generate', 'embedding'}. Defaulting to 'generate'.`,
    ...(m.tp > 1 ? [`INFO ${at(9021)} config.py:1020] Defaulting to use mp for distributed inference`] : []),
    `INFO ${at(9140)} llm_engine.py:249] Initializing an LLM engine (v0.6.4.post1) with config: model='${m.path}', speculative_config=None, tokenizer='${m.path}', skip_tokenizer_init=False, tokenizer_mode=auto, revision=None, trust_remote_code=False, dtype=torch.bfloat16, max_seq_len=${m.maxModelLen}, download_dir=None, load_format=LoadFormat.AUTO, tensor_parallel_size=${m.tp}, pipeline_parallel_size=1, quantization=None, enforce_eager=False, kv_cache_dtype=auto, device_config=cuda, seed=0, served_model_name=${m.served}, enable_prefix_caching=True`,
    `INFO ${at(14400)} model_runner.py:1072] Starting to load model ${m.path}...`,
    `INFO ${at(71300)} model_runner.py:1077] Loading model weights took ${m.weightsGB.toFixed(4)} GB`,
  ];
  return { lines, at };
}

export function vllmHealthy(ctx: LogCtx, m: VllmModel): string {
  const { lines, at } = vllmStartup(ctx, m);
  const r = rng(`vllm:${ctx.pod}`);
  const kv = (79.1 * m.gpuUtil - m.weightsGB / m.tp - 2.1).toFixed(2);
  lines.push(
    `INFO ${at(76900)} worker.py:232] Memory profiling results: total_gpu_memory=79.10GiB initial_memory_usage=${(m.weightsGB / m.tp + 0.8).toFixed(2)}GiB peak_torch_memory=${(m.weightsGB / m.tp + 2.3).toFixed(2)}GiB memory_usage_post_profile=${(m.weightsGB / m.tp + 1.1).toFixed(2)}GiB non_torch_memory=1.22GiB kv_cache_size=${kv}GiB gpu_memory_utilization=${m.gpuUtil}`,
    `INFO ${at(77100)} distributed_gpu_executor.py:57] # GPU blocks: ${Math.floor(Number(kv) * 327)}, # CPU blocks: 3276`,
    `INFO ${at(79800)} model_runner.py:1400] Capturing cudagraphs for decoding. This may lead to unexpected consequences if the model is not static. To run the model in eager mode, set 'enforce_eager=True' or use '--enforce-eager' in the CLI.`,
    `INFO ${at(98400)} model_runner.py:1518] Graph capturing finished in 19 secs, took 0.62 GiB`,
    `INFO ${at(98900)} api_server.py:249] vLLM to use /tmp/tmp4kq1x9d2 as PROMETHEUS_MULTIPROC_DIR`,
    `INFO ${at(99000)} launcher.py:19] Available routes are:`,
    `INFO ${at(99001)} launcher.py:27] Route: /health, Methods: GET`,
    `INFO ${at(99002)} launcher.py:27] Route: /v1/chat/completions, Methods: POST`,
    `INFO ${at(99003)} launcher.py:27] Route: /v1/completions, Methods: POST`,
    `INFO:     Started server process [1]`,
    `INFO:     Waiting for application startup.`,
    `INFO:     Application startup complete.`,
    `INFO:     Uvicorn running on socket ('0.0.0.0', 8000) (Press CTRL+C to quit)`,
  );
  const end = ctx.endedAt ?? ctx.now;
  for (const d of ticks(after(ctx.startedAt, 2 * MIN), end, 10 * SEC, r, 10)) {
    if (r() < 0.4) lines.push(`INFO:     ${ctx.probeIP}:${40000 + Math.floor(r() * 20000)} - "GET /health HTTP/1.1" 200 OK`);
    else
      lines.push(
        `INFO ${stamp.vllm(d)} metrics.py:349] Avg prompt throughput: ${(800 + r() * 1600).toFixed(1)} tokens/s, Avg generation throughput: ${(300 + r() * 500).toFixed(1)} tokens/s, Running: ${8 + Math.floor(r() * 30)} reqs, Swapped: 0 reqs, Pending: 0 reqs, GPU KV cache usage: ${(20 + r() * 50).toFixed(1)}%, CPU KV cache usage: 0.0%.`,
      );
  }
  return join(lines);
}

export { join as joinLines };

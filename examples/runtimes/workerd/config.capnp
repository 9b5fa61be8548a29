# workerd configuration for the runtime suite (examples/runtimes): two Workers, each on its own
# socket. The test harness starts it as
#   workerd serve workerd/config.capnp --socket-addr tests=127.0.0.1:0 --socket-addr demo=127.0.0.1:0 --control-fd 3
# and reads the ports workerd bound from the control descriptor. The modules are the bundles that
# test/support/bundle.ts writes to dist/. No compatibility flags: core and the Hono adapter must
# run on plain Workers, without nodejs_compat.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "tests", worker = .testsWorker),
    (name = "demo", worker = .demoWorker),
  ],
  sockets = [
    (name = "tests", address = "127.0.0.1:0", http = (), service = "tests"),
    (name = "demo", address = "127.0.0.1:0", http = (), service = "demo"),
  ],
);

# Runs core's tests and the Hono adapter scenarios once, on GET /run, and answers with the report.
const testsWorker :Workerd.Worker = (
  modules = [(name = "tests-workerd.mjs", esModule = embed "../dist/tests-workerd.mjs")],
  compatibilityDate = "2026-11-01",
);

# The demo: @sessions/hono with the memory store (module state lives as long as the isolate).
const demoWorker :Workerd.Worker = (
  modules = [(name = "demo-workerd.mjs", esModule = embed "../dist/demo-workerd.mjs")],
  compatibilityDate = "2026-11-01",
);

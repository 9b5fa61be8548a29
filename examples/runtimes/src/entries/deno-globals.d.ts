/** The part of Deno's global API the Deno entries use (no Deno types in the workspace). */
declare const Deno: {
  readonly version: { readonly deno: string };
  /** The command-line arguments after the script's path. */
  readonly args: readonly string[];
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { readonly addr: { readonly port: number }; shutdown(): Promise<void> };
  exit(code: number): never;
};

/** The part of Bun's global API the Bun entries use (no @types/bun in the workspace). */
declare const Bun: {
  readonly version: string;
  serve(options: {
    port: number;
    hostname: string;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { readonly port: number; stop(closeActiveConnections?: boolean): Promise<void> };
};

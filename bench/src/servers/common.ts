/** Shared by every benchmark server: the port, the secret and the ready signal. */
export const PORT = Number(process.env.PORT ?? 3000);
export const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';

/** Tells the harness (our parent process) that the server is listening. */
export function ready(): void {
  process.send?.('ready');
  console.log(`listening on ${PORT}`);
}

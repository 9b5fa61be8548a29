import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';

/** `nproc`, `node -v`, the CPU model and the date, for the docs' tables. */
export function machineFacts(): string {
  let nproc = String(availableParallelism());
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {}
  const model = cpus()[0]?.model ?? 'unknown CPU';
  return `Machine: \`nproc\` ${nproc} (${model}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

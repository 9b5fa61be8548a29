import { redisServerInstalled } from './redis-server.js';
import { IN_CI } from './shared-redis.js';

/**
 * Whether tests that start their own redis-server can run. Outside CI a missing binary skips
 * them; in CI it throws, failing the file.
 */
export function canStartRedisServers(): boolean {
  if (redisServerInstalled()) return true;
  if (IN_CI) throw new Error('redis-server must be installed to run these tests in CI');
  return false;
}

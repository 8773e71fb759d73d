import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { GraphQLError } from 'graphql';

/**
 * One budget of GraphQL operations per minute, per IP and per user, shared by HTTP and
 * WebSocket (rate-limiter-flexible: in memory, or in Redis when REDIS_URL is set so that every
 * instance counts against the same budget; if Redis is unreachable the in-memory counter
 * stands in rather than letting everything through or refusing everyone).
 */
export class OperationBudget {
  private readonly limiter: RateLimiterAbstract;
  private readonly redis: Redis | null;

  constructor(private readonly perMinute: number, redisUrl: string | null) {
    const options = { points: perMinute, duration: 60, keyPrefix: 'graphql-ops' };
    if (redisUrl) {
      this.redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
      // Connection errors are handled by the insurance limiter; without a listener ioredis would log each one.
      this.redis.on('error', () => undefined);
      this.limiter = new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) });
    } else {
      this.redis = null;
      this.limiter = new RateLimiterMemory(options);
    }
  }

  /** Counts one operation from this IP; null when within budget, else the seconds until it may retry. */
  forIp(ip: string): Promise<number | null> {
    return this.consume(`ip:${ip}`);
  }

  /** Counts one operation by this signed-in user (on top of their IP's count). */
  forUser(userId: string): Promise<number | null> {
    return this.consume(`user:${userId}`);
  }

  private async consume(key: string): Promise<number | null> {
    try {
      await this.limiter.consume(key);
      return null;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw rejection;
    }
  }

  /** The error answered to a caller over budget (HTTP 429 over HTTP). */
  tooMany(retryAfterSeconds: number): GraphQLError {
    return new GraphQLError(`Too many requests: at most ${this.perMinute} operations a minute; retry in ${retryAfterSeconds} s`, {
      extensions: { code: 'RATE_LIMITED', retryAfter: retryAfterSeconds, http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) } },
    });
  }

  /** Resolves once the Redis counter is connected (at once in memory); tests wait on it. */
  async connected(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
  }
}
